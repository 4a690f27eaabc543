import FeedConfig
import FeedFetching
import FeedScheduling
import FeedStore
import Foundation
public import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// What `tidingsd` was asked to do.
public struct DaemonOptions: Sendable {
    public var configPath: String
    public var databasePath: String
    /// Poll every enabled feed once and exit.
    public var once: Bool
    /// The daemon's time (scaled for replays).
    public var clock: DaemonClock

    public init(configPath: String, databasePath: String, once: Bool, clock: DaemonClock = DaemonClock()) {
        self.configPath = configPath
        self.databasePath = databasePath
        self.once = once
        self.clock = clock
    }
}

/// The daemon: loads the configuration, opens the store, and polls feeds on schedule until SIGTERM/SIGINT,
/// telling systemd how it is doing (sd_notify) and re-reading Feeds.yaml on SIGHUP.
public struct TidingsDaemon: Sendable {
    let options: DaemonOptions
    let logger: Logger
    let notifier: SystemdNotifier

    public init(options: DaemonOptions, logger: Logger, notifier: SystemdNotifier = SystemdNotifier()) {
        self.options = options
        self.logger = logger
        self.notifier = notifier
    }

    /// Runs to completion and returns the process exit status.
    public func run() async -> Int32 {
        // Stamped before reading, so that an edit made while starting up is not missed.
        let configStamp = FileStamp(path: options.configPath)
        let configuration: FeedConfiguration
        do {
            configuration = try ConfigLoader.load(path: options.configPath)
        } catch {
            logger.critical("invalid configuration: \(error)")
            return 1
        }
        let lock: StoreLock
        do {
            lock = try StoreLock(storePath: options.databasePath)
        } catch {
            logger.critical("\(error)")
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
            feedIDs = try await store.syncSubscriptions(configuration.feeds.map { SubscriptionInput(url: $0.url, title: $0.title, tags: $0.tags) })
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
            stories = try ClusteringStoryAssigner(store: store, now: options.clock.now(), logger: logger)
        } catch {
            logger.critical("cannot rebuild story clustering from the store: \(error)")
            return 1
        }
        let cycle = PollCycle(
            poller: FeedPoller(
                fetcher: fetcher, store: store, environment: environment, stories: stories, now: options.clock.now),
            store: store, active: ActiveConfiguration(configuration: configuration, feedIDs: feedIDs), logger: logger,
            clock: options.clock)
        if !options.clock.isReal {
            logger.notice("clock: starts at \(options.clock.now().formatted(.iso8601)), runs \(options.clock.speed)× real time")
        }

        if options.once {
            let outcomes = await cycle.pollAll(dueOnly: false)
            let failed = outcomes.filter { !$0.succeeded && !$0.deferred }.count
            logger.info("polled \(outcomes.count) feeds once: \(outcomes.count - failed) ok, \(failed) failed")
            await stories.saveSnapshot(logger: logger)
            withExtendedLifetime(lock) {}
            return failed == 0 ? 0 : 1
        }

        let health = PollHealth()
        notifier.ready(status: health.statusLine(cycle: cycle))
        let service = PollService(
            cycle: cycle, configPath: options.configPath, configStamp: configStamp, notifier: notifier, health: health,
            logger: logger)
        var groupConfiguration = ServiceGroupConfiguration(
            services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // SIGTERM: in-flight fetches are cancelled at once; a store transaction in progress commits. Whatever is
        // still running after 20 s (systemd's TimeoutStopSec is 30 s) is cancelled outright.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(20)
        let group = ServiceGroup(configuration: groupConfiguration)
        do {
            try await group.run()
        } catch {
            logger.error("stopped with an error: \(error)")
            return 1
        }
        notifier.stopping()
        await stories.saveSnapshot(logger: logger)
        logger.info("stopped")
        withExtendedLifetime(lock) {}
        return 0
    }
}

/// The configuration in force and the store ids of its feeds; replaced as a whole on reload.
final class ActiveConfiguration: Sendable {
    private let state: Mutex<(configuration: FeedConfiguration, feedIDs: [String: Int64], generation: Int)>

    init(configuration: FeedConfiguration, feedIDs: [String: Int64]) {
        state = Mutex((configuration, feedIDs, 0))
    }

    var current: (configuration: FeedConfiguration, feedIDs: [String: Int64]) {
        state.withLock { ($0.configuration, $0.feedIDs) }
    }

    /// Bumped by every successful reload, so that a sleeping poll loop notices.
    var generation: Int { state.withLock { $0.generation } }

    func replace(_ configuration: FeedConfiguration, feedIDs: [String: Int64]) {
        state.withLock { $0 = (configuration, feedIDs, $0.generation + 1) }
    }
}

/// Whether the poll loop makes progress (for the systemd watchdog) and what the last cycle did (for STATUS).
final class PollHealth: Sendable {
    private struct State {
        var busySince: ContinuousClock.Instant?
        var lastProgress = ContinuousClock.now
        var lastCycleEnd: Date?
    }

    private let state = Mutex(State())

    func cycleStarted() { state.withLock { $0.busySince = .now; $0.lastProgress = .now } }
    func progressed() { state.withLock { $0.lastProgress = .now } }
    func cycleEnded() {
        state.withLock {
            $0.busySince = nil
            $0.lastProgress = .now
            $0.lastCycleEnd = Date()
        }
    }

    /// True while idle between cycles, or while a cycle has finished a poll within `limit`.
    func isHealthy(limit: Duration) -> Bool {
        state.withLock { $0.busySince == nil || $0.lastProgress.duration(to: .now) < limit }
    }

    /// "312 feeds, 4 failing, last cycle 12 s ago".
    func statusLine(cycle: PollCycle) -> String {
        let (configuration, feedIDs) = cycle.active.current
        let enabled = Set(configuration.enabledFeeds.compactMap { feedIDs[$0.url] })
        let feeds = (try? cycle.store.feeds(subscribedOnly: true, countingEntries: false)) ?? []
        let failing = feeds.filter { enabled.contains($0.id) && $0.state.lastError != nil }.count
        let disabled = feeds.filter { enabled.contains($0.id) && $0.state.disabledReason != nil }.count
        var line = "\(enabled.count) feeds, \(failing) failing"
        if disabled > 0 { line += ", \(disabled) gone" }
        if let end = state.withLock({ $0.lastCycleEnd }) {
            line += ", last cycle \(Int(Date().timeIntervalSince(end))) s ago"
        } else {
            line += ", first cycle running"
        }
        return line
    }
}

/// Polls due feeds and logs one line per fetch.
struct PollCycle: Sendable {
    let poller: FeedPoller
    let store: FeedStore
    let active: ActiveConfiguration
    let logger: Logger
    /// Called after every finished poll (the watchdog's sign of progress).
    var onProgress: @Sendable () -> Void = {}

    /// The daemon's time, for what is due.
    let clock: DaemonClock

    init(poller: FeedPoller, store: FeedStore, active: ActiveConfiguration, logger: Logger, clock: DaemonClock = DaemonClock()) {
        self.poller = poller
        self.store = store
        self.active = active
        self.logger = logger
        self.clock = clock
    }

    init(poller: FeedPoller, store: FeedStore, feedIDs: [String: Int64], configuration: FeedConfiguration, logger: Logger) {
        self.init(
            poller: poller, store: store, active: ActiveConfiguration(configuration: configuration, feedIDs: feedIDs),
            logger: logger)
    }
    /// How many feeds are polled at once (fetch, parse and store).
    var concurrentPolls = 48

    /// Polls every enabled feed (or only those due now) concurrently; the fetcher bounds concurrency.
    func pollAll(dueOnly: Bool) async -> [PollOutcome] {
        let (configuration, feedIDs) = active.current
        let states: [Int64: StoredFeed]
        do {
            states = Dictionary(uniqueKeysWithValues: try store.feeds(countingEntries: false).map { ($0.id, $0) })
        } catch {
            logger.error("cannot read feed state: \(error)")
            return []
        }
        let now = clock.now()
        // Each feed row once, even if two listed URLs lead to it.
        var taken = Set<Int64>()
        let enabled = configuration.enabledFeeds.compactMap { subscription -> (FeedSubscription, StoredFeed)? in
            guard let id = feedIDs[subscription.url], let stored = states[id], taken.insert(id).inserted else { return nil }
            // A feed the publisher removed (410) stays visible with its reason but is not polled.
            if stored.state.disabledReason != nil { return nil }
            if dueOnly, let next = stored.state.nextPollAt, next > now { return nil }
            if let held = poller.environment.heldBackUntil(stored.id), held > now { return nil }
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
                onProgress()
                log(outcome)
                outcomes.append(outcome)
                _ = startNext()
            }
            return outcomes
        }
    }

    /// The earliest next-poll time of any enabled feed.
    func nextDueDate() -> Date? {
        let (configuration, feedIDs) = active.current
        guard let feeds = try? store.feeds(subscribedOnly: true, countingEntries: false) else { return nil }
        let enabled = Set(configuration.enabledFeeds.compactMap { feedIDs[$0.url] })
        return feeds.filter { enabled.contains($0.id) && $0.state.disabledReason == nil }
            .compactMap { feed in
                guard let next = feed.state.nextPollAt else { return nil }
                return max(next, poller.environment.heldBackUntil(feed.id) ?? next)
            }.min()
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
            if outcome.duplicateEntries > 0 { line += " (\(outcome.duplicateEntries) already in other feeds)" }
            if outcome.updatedEntries > 0 { line += ", \(outcome.updatedEntries) updated" }
            line += ", \(outcome.milliseconds) ms"
            line += notes
            if !outcome.warnings.isEmpty { line += " (warnings: \(outcome.warnings.joined(separator: "; ")))" }
            logger.info("\(line)")
        }
    }
}

/// The long-running poll loop as a service: poll what is due, sleep until the next feed is due, repeat; beside
/// it, the systemd watchdog and the SIGHUP reload. Graceful shutdown cancels them; a store transaction in
/// flight still commits.
struct PollService: Service {
    let cycle: PollCycle
    let configPath: String
    let notifier: SystemdNotifier
    let health: PollHealth
    let logger: Logger
    /// Feeds.yaml as last loaded, to notice edits.
    let configStamp: StampBox

    /// Reload requests (SIGHUP, a changed file), handled one at a time in order.
    private let reloads: AsyncStream<Void>
    private let requestReload: AsyncStream<Void>.Continuation

    init(
        cycle: PollCycle, configPath: String, configStamp: FileStamp, notifier: SystemdNotifier, health: PollHealth,
        logger: Logger
    ) {
        self.cycle = cycle
        self.configPath = configPath
        self.notifier = notifier
        self.health = health
        self.logger = logger
        self.configStamp = StampBox(configStamp)
        (reloads, requestReload) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        var cycle = self.cycle
        let health = self.health
        cycle.onProgress = { health.progressed() }
        let loopCycle = cycle
        do {
            try await cancelWhenGracefulShutdown {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await pollLoop(loopCycle) }
                    group.addTask { await watchdogLoop() }
                    group.addTask {
                        for await _ in hangups { requestReload.yield() }
                    }
                    group.addTask {
                        for await _ in reloads { await reload() }
                    }
                    await group.next()
                    group.cancelAll()
                }
                try Task.checkCancellation()
            }
        } catch is CancellationError {
            logger.info("shutting down")
        }
    }

    private func pollLoop(_ cycle: PollCycle) async {
        var lastRetention: Date?
        while !Task.isCancelled {
            health.cycleStarted()
            _ = await cycle.pollAll(dueOnly: true)
            health.cycleEnded()
            // Retention runs in short batches outside the busy window, so a long pass never starves the watchdog.
            if lastRetention.map({ cycle.clock.now().timeIntervalSince($0) >= 6 * 3600 }) ?? true {
                await applyRetention(cycle)
                lastRetention = cycle.clock.now()
            }
            notifier.status(health.statusLine(cycle: cycle))
            let generation = cycle.active.generation
            let clock = cycle.clock
            let next = cycle.nextDueDate() ?? clock.now().addingTimeInterval(60)
            // Sleep until the next feed is due, in short steps so that a reload takes effect at once; each step
            // also looks at Feeds.yaml, so that an edit (by hand, by `tidings feeds`, by an editor that replaces
            // the file) is applied without a signal.
            while !Task.isCancelled, clock.now() < next, cycle.active.generation == generation {
                let wait = min(max(clock.realSeconds(next.timeIntervalSince(clock.now())), 0.05), 1)
                try? await Task.sleep(for: .seconds(wait))
                let stamp = FileStamp(path: configPath)
                if stamp != configStamp.value {
                    configStamp.value = stamp
                    try? await Task.sleep(for: .milliseconds(300))  // let the writer finish
                    logger.info("\(configPath) changed on disk")
                    requestReload.yield()
                }
            }
        }
    }

    /// Deletes history beyond `keep` / `keep_per_feed` (at start, then every 6 hours).
    private func applyRetention(_ cycle: PollCycle) async {
        let defaults = cycle.active.current.configuration.defaults
        let policy = RetentionPolicy(maxAge: defaults.keepSeconds.map(Double.init), maxPerFeed: defaults.keepPerFeed)
        do {
            let report = try await cycle.store.applyRetention(policy, now: cycle.clock.now())
            if report.entriesDeleted > 0 {
                logger.info("retention: deleted \(report.entriesDeleted) entries and \(report.storiesDeleted) stories")
            }
        } catch {
            logger.error("retention failed (will retry in 6 h): \(error)")
        }
    }

    /// WATCHDOG=1 at half systemd's interval, but only while the poll loop is idle or still finishing polls: a
    /// hung loop stops the pings and systemd restarts the service.
    private func watchdogLoop() async {
        guard let interval = notifier.watchdogInterval else {
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            return
        }
        var ticks = 0
        while !Task.isCancelled {
            if health.isHealthy(limit: interval) {
                notifier.watchdog()
            } else {
                logger.warning("poll loop made no progress for \(interval): not telling the watchdog")
            }
            ticks += 1
            if ticks % 4 == 0 { notifier.status(health.statusLine(cycle: cycle)) }
            try? await Task.sleep(for: interval / 2)
        }
    }

    /// SIGHUP: re-read Feeds.yaml; a valid file replaces the configuration, an invalid one is logged and the
    /// old one stays in force.
    private func reload() async {
        notifier.reloading()
        defer { notifier.ready(status: health.statusLine(cycle: cycle)) }
        configStamp.value = FileStamp(path: configPath)
        let configuration: FeedConfiguration
        do {
            configuration = try ConfigLoader.load(path: configPath)
        } catch {
            logger.error("reload rejected, keeping the previous configuration: \(error)")
            return
        }
        do {
            let feedIDs = try await cycle.store.syncSubscriptions(
                configuration.feeds.map { SubscriptionInput(url: $0.url, title: $0.title, tags: $0.tags) })
            cycle.active.replace(configuration, feedIDs: feedIDs)
            logger.info("reloaded \(configPath): \(configuration.enabledFeeds.count) feeds")
        } catch {
            logger.error("reload failed, keeping the previous configuration: \(error)")
        }
    }
}

/// Identity and version of a file: inode, size and modification time (an editor's replace changes the inode).
struct FileStamp: Equatable, Sendable {
    var inode: UInt64 = 0
    var size: Int64 = -1
    var modified: Int64 = 0

    init(path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return }
        inode = UInt64(status.st_ino)
        size = Int64(status.st_size)
        modified = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
    }
}

/// A file stamp shared between the poll loop and the reload handler.
final class StampBox: Sendable {
    private let state: Mutex<FileStamp>
    init(_ stamp: FileStamp) { state = Mutex(stamp) }
    var value: FileStamp {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
