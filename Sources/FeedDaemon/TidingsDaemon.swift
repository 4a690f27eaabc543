import FeedConfig
import FeedFetching
import FeedScheduling
import FeedStore
import Foundation
public import Logging
import ServiceLifecycle

/// What `tidingsd` was asked to do.
public struct DaemonOptions: Sendable {
    public var configPath: String
    public var databasePath: String
    /// Poll every enabled feed once and exit.
    public var once: Bool

    public init(configPath: String, databasePath: String, once: Bool) {
        self.configPath = configPath
        self.databasePath = databasePath
        self.once = once
    }
}

/// The daemon: loads the configuration, opens the store, and polls feeds on schedule until SIGTERM/SIGINT.
public struct TidingsDaemon: Sendable {
    let options: DaemonOptions
    let logger: Logger

    public init(options: DaemonOptions, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    /// Runs to completion and returns the process exit status.
    public func run() async -> Int32 {
        let configuration: FeedConfiguration
        do {
            configuration = try ConfigLoader.load(path: options.configPath)
        } catch {
            logger.critical("invalid configuration: \(error)")
            return 1
        }
        let store: FeedStore
        do {
            store = try FeedStore(path: options.databasePath)
        } catch {
            logger.critical("cannot open the store: \(error)")
            return 1
        }
        let feedIDs: [String: Int64]
        do {
            feedIDs = try await store.syncSubscriptions(
                configuration.feeds.map { SubscriptionInput(url: $0.url, title: $0.title) })
        } catch {
            logger.critical("cannot record the feed list: \(error)")
            return 1
        }
        logger.info(
            "tidingsd \(TidingsVersion.current): \(configuration.enabledFeeds.count) feeds from \(options.configPath), store \(options.databasePath)")
        let fetcher = FeedFetcher()
        defer { fetcher.shutdown() }
        let environment = PollingEnvironment(pauses: (try? store.hostPauses()) ?? [:])
        let stories: ClusteringStoryAssigner
        do {
            stories = try ClusteringStoryAssigner(store: store)
        } catch {
            logger.critical("cannot rebuild story clustering from the store: \(error)")
            return 1
        }
        let cycle = PollCycle(
            poller: FeedPoller(fetcher: fetcher, store: store, environment: environment, stories: stories), store: store,
            feedIDs: feedIDs, configuration: configuration, logger: logger)

        if options.once {
            let outcomes = await cycle.pollAll(dueOnly: false)
            let failed = outcomes.filter { !$0.succeeded && !$0.deferred }.count
            logger.info("polled \(outcomes.count) feeds once: \(outcomes.count - failed) ok, \(failed) failed")
            return failed == 0 ? 0 : 1
        }

        let service = PollService(cycle: cycle, logger: logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            logger.error("stopped with an error: \(error)")
            return 1
        }
        logger.info("stopped")
        return 0
    }
}

/// Polls due feeds and logs one line per fetch.
struct PollCycle: Sendable {
    let poller: FeedPoller
    let store: FeedStore
    let feedIDs: [String: Int64]
    let configuration: FeedConfiguration
    let logger: Logger
    /// How many feeds are polled at once (fetch, parse and store).
    var concurrentPolls = 48

    /// Polls every enabled feed (or only those due now) concurrently; the fetcher bounds concurrency.
    func pollAll(dueOnly: Bool) async -> [PollOutcome] {
        let states: [Int64: StoredFeed]
        do {
            states = Dictionary(uniqueKeysWithValues: try store.feeds(countingEntries: false).map { ($0.id, $0) })
        } catch {
            logger.error("cannot read feed state: \(error)")
            return []
        }
        let now = Date()
        let enabled = configuration.enabledFeeds.compactMap { subscription -> (FeedSubscription, StoredFeed)? in
            guard let id = feedIDs[subscription.url], let stored = states[id] else { return nil }
            // A feed the publisher removed (410) stays visible with its reason but is not polled.
            if stored.state.disabledReason != nil { return nil }
            if dueOnly, let next = stored.state.nextPollAt, next > now { return nil }
            return (subscription, stored)
        }
        let due = HostInterleaving.order(enabled) { feed in
            URLComponents(string: feed.1.state.movedTo ?? feed.0.url)?.host?.lowercased() ?? ""
        }
        // A sliding window of polls: enough to keep the fetcher's connections busy, few enough that fetched
        // bodies waiting to be parsed cannot pile up in memory.
        return await withTaskGroup(of: PollOutcome.self) { group in
            var pending = due.makeIterator()
            func startNext() -> Bool {
                guard let (subscription, stored) = pending.next() else { return false }
                group.addTask { await poller.poll(subscription, stored: stored, configuration: configuration) }
                return true
            }
            for _ in 0..<max(concurrentPolls, 1) where !startNext() { break }
            var outcomes: [PollOutcome] = []
            while let outcome = await group.next() {
                log(outcome)
                outcomes.append(outcome)
                _ = startNext()
            }
            return outcomes
        }
    }

    /// The earliest next-poll time of any enabled feed.
    func nextDueDate() -> Date? {
        guard let feeds = try? store.feeds(subscribedOnly: true, countingEntries: false) else { return nil }
        let enabled = Set(configuration.enabledFeeds.compactMap { feedIDs[$0.url] })
        return feeds.filter { enabled.contains($0.id) && $0.state.disabledReason == nil }
            .compactMap(\.state.nextPollAt).min()
    }

    private func log(_ outcome: PollOutcome) {
        let name = outcome.feedTitle.map { "\($0) <\(outcome.feedURL)>" } ?? "<\(outcome.feedURL)>"
        let status = outcome.status.map(String.init) ?? "-"
        let notes = outcome.notes.isEmpty ? "" : " (\(outcome.notes.joined(separator: "; ")))"
        if outcome.deferred {
            logger.info("\(name): \(outcome.notes.joined(separator: "; "))")
        } else if let error = outcome.error {
            if error == "cancelled" { return }
            let line = "\(name): status \(status), error: \(error), \(outcome.milliseconds) ms\(notes)"
            if outcome.offline { logger.warning("\(line)") } else { logger.error("\(line)") }
        } else {
            var line = "\(name): status \(status), \(outcome.newEntries) new"
            if outcome.updatedEntries > 0 { line += ", \(outcome.updatedEntries) updated" }
            line += ", \(outcome.milliseconds) ms"
            line += notes
            if !outcome.warnings.isEmpty { line += " (warnings: \(outcome.warnings.joined(separator: "; ")))" }
            logger.info("\(line)")
        }
    }
}

/// The long-running poll loop as a service: poll what is due, sleep until the next feed is due, repeat.
/// Graceful shutdown cancels it; a store transaction in flight still commits.
struct PollService: Service {
    let cycle: PollCycle
    let logger: Logger

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    _ = await cycle.pollAll(dueOnly: true)
                    let next = cycle.nextDueDate() ?? Date().addingTimeInterval(60)
                    let wait = min(max(next.timeIntervalSinceNow, 1), 3600)
                    try await Task.sleep(for: .seconds(wait))
                }
            }
        } catch is CancellationError {
            logger.info("shutting down")
        }
    }
}
