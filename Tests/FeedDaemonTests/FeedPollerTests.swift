import FeedConfig
@testable import FeedDaemon
import FeedFetching
import FeedModel
import FeedStore
import Foundation
import Logging
import Synchronization
import TestSupport
import Testing

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: Double) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// The poller against a real loopback server and a real store, with an injected clock and no jitter.
@Suite struct FeedPollerTests {
    let scratch = ScratchDirectory(prefix: "tidings-poller")
    var directory: URL { scratch.url }
    let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
    let fetcher = FeedFetcher(maxConcurrent: 8, maxPerHost: 2)
    static let feedBody = Array(
        """
        <rss version="2.0"><channel><title>T</title><ttl>60</ttl>
        <item><guid>1</guid><title>One</title></item><item><guid>2</guid><title>Two</title></item>
        </channel></rss>
        """.utf8)

    func makeStore() throws -> FeedStore {
        try FeedStore(path: directory.appendingPathComponent("store.sqlite").path)
    }

    func makePoller(_ store: FeedStore, environment: PollingEnvironment = PollingEnvironment()) -> FeedPoller {
        let clock = self.clock
        return FeedPoller(fetcher: fetcher, store: store, environment: environment, now: { clock.now }, random: { 0 })
    }

    /// Subscribes `urls` and returns the configuration.
    func subscribe(_ urls: [String], in store: FeedStore, configure: (inout FeedSubscription) -> Void = { _ in })
        async throws -> FeedConfiguration
    {
        let feeds = urls.map { url in
            var feed = FeedSubscription(url: url)
            configure(&feed)
            return feed
        }
        _ = try await store.syncSubscriptions(feeds.map { SubscriptionInput(url: $0.url, title: nil) })
        return FeedConfiguration(feeds: feeds)
    }

    func stored(_ url: String, in store: FeedStore) throws -> StoredFeed {
        try #require(try store.feeds().first { $0.url == url })
    }

    @Test func validatorsAreSavedAndSentBackAndA304KeepsThem() async throws {
        let responder = ConditionalFileResponder(files: ["/feed.xml": Self.feedBody])
        let server = try LoopbackHTTPServer { responder.respond(to: $0) }
        let store = try makeStore()
        let url = server.baseURL + "/feed.xml"
        let configuration = try await subscribe([url], in: store)
        let poller = makePoller(store)

        let first = await poller.poll(configuration.feeds[0], stored: try stored(url, in: store), configuration: configuration)
        #expect(first.status == 200 && first.newEntries == 2)
        let afterFirst = try stored(url, in: store).state
        let etag = try #require(afterFirst.etag)
        #expect(afterFirst.hintIntervalSeconds == 3600, "the feed's <ttl> is remembered")
        #expect(afterFirst.nextPollAt == clock.now.addingTimeInterval(3600))

        clock.advance(3600)
        let second = await poller.poll(configuration.feeds[0], stored: try stored(url, in: store), configuration: configuration)
        #expect(second.status == 304 && second.error == nil)
        let afterSecond = try stored(url, in: store).state
        #expect(afterSecond.etag == etag)
        #expect(afterSecond.lastModified == afterFirst.lastModified)
        #expect(afterSecond.notModifiedSince == clock.now)
        #expect(server.requests.last?.headers["if-none-match"] == etag)
    }

    @Test func unchangedBodyIsNotParsedAgainWhenTheServerIgnoresConditionalGET() async throws {
        let body = Mutex(Self.feedBody)
        let server = try LoopbackHTTPServer { _ in .init(status: 200, body: body.withLock { $0 }) }
        let store = try makeStore()
        let url = server.baseURL + "/feed.xml"
        let configuration = try await subscribe([url], in: store)
        let poller = makePoller(store)
        _ = await poller.poll(configuration.feeds[0], stored: try stored(url, in: store), configuration: configuration)
        let same = await poller.poll(configuration.feeds[0], stored: try stored(url, in: store), configuration: configuration)
        #expect(same.notes.contains("body unchanged (same hash): not parsed again"))
        #expect(same.newEntries == 0)
        body.withLock { $0 = Array(String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "Two", with: "Two!").utf8) }
        let changed = await poller.poll(configuration.feeds[0], stored: try stored(url, in: store), configuration: configuration)
        #expect(changed.notes.isEmpty)
        #expect(changed.updatedEntries == 1)
    }

    @Test func retryAfterPausesTheHostAndNoRequestComesBeforeIt() async throws {
        let body = Self.feedBody
        let server = try LoopbackHTTPServer { request in
            request.path == "/busy"
                ? .init(status: 429, headers: [("Retry-After", "120")], text: "slow down")
                : .init(status: 200, body: body)
        }
        let store = try makeStore()
        let busy = server.baseURL + "/busy"
        let sibling = server.baseURL + "/sibling"
        let configuration = try await subscribe([busy, sibling], in: store)
        let poller = makePoller(store)
        let pausedAt = clock.now

        let limited = await poller.poll(configuration.feeds[0], stored: try stored(busy, in: store), configuration: configuration)
        #expect(limited.error == "HTTP 429 Too Many Requests (Retry-After: \(FeedPoller.timestamp(pausedAt + 120)))")
        #expect(try stored(busy, in: store).state.nextPollAt == pausedAt + 1800, "its own backoff is longer than the pause")
        #expect(try store.hostPauses(now: pausedAt) == ["127.0.0.1": pausedAt + 120], "the pause survives a restart")

        // The same host's other feed waits too, without a request.
        clock.advance(60)
        let waiting = await poller.poll(configuration.feeds[1], stored: try stored(sibling, in: store), configuration: configuration)
        #expect(waiting.deferred)
        #expect(server.requests.map(\.path) == ["/busy"])
        #expect(try stored(sibling, in: store).state.nextPollAt == pausedAt + 120)

        // A restarted daemon (a new environment loaded from the store) keeps honouring it.
        let restarted = makePoller(store, environment: PollingEnvironment(pauses: try store.hostPauses(now: clock.now)))
        let stillWaiting = await restarted.poll(
            configuration.feeds[1], stored: try stored(sibling, in: store), configuration: configuration)
        #expect(stillWaiting.deferred)
        #expect(server.requests.count == 1)

        clock.advance(61)
        let resumed = await restarted.poll(configuration.feeds[1], stored: try stored(sibling, in: store), configuration: configuration)
        #expect(resumed.status == 200)
        #expect(server.requests.map(\.path) == ["/busy", "/sibling"])
    }

    @Test func goneDisablesTheFeedAndTheCycleStopsPollingIt() async throws {
        let server = try LoopbackHTTPServer { _ in .init(status: 410, text: "gone") }
        let store = try makeStore()
        let url = server.baseURL + "/gone"
        let configuration = try await subscribe([url], in: store)
        let feedIDs = Dictionary(uniqueKeysWithValues: try store.feeds().map { ($0.url, $0.id) })
        let cycle = PollCycle(
            poller: makePoller(store), store: store, feedIDs: feedIDs, configuration: configuration,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let outcomes = await cycle.pollAll(dueOnly: false)
        #expect(outcomes.first?.error?.hasPrefix("HTTP 410 Gone: the publisher removed this feed") == true)
        let state = try stored(url, in: store).state
        #expect(state.disabledReason?.contains("remove it from Feeds.yaml") == true)
        #expect(state.nextPollAt == nil)
        #expect(await cycle.pollAll(dueOnly: false).isEmpty)
        #expect(server.requests.count == 1)
    }

    @Test func backoffGrowsOnErrorsAndResetsOnSuccess() async throws {
        let calls = Mutex(0)
        let body = Self.feedBody
        let server = try LoopbackHTTPServer { _ in
            let call = calls.withLock { count in
                count += 1
                return count
            }
            return call <= 3 ? .init(status: 503, text: "down") : .init(status: 200, body: body)
        }
        let store = try makeStore()
        let url = server.baseURL + "/flaky"
        let configuration = try await subscribe([url], in: store)
        let poller = makePoller(store)
        var waits: [Double] = []
        var failures: [Int] = []
        for _ in 0..<4 {
            _ = await poller.poll(configuration.feeds[0], stored: try stored(url, in: store), configuration: configuration)
            let state = try stored(url, in: store).state
            waits.append(state.nextPollAt!.timeIntervalSince(clock.now))
            failures.append(state.consecutiveFailures)
            clock.advance(waits.last!)
        }
        #expect(failures == [1, 2, 3, 0])
        #expect(waits == [1800, 3600, 7200, 3600], "the last wait is the feed's ttl of 60 min")
    }

    @Test func permanentRedirectIsAdoptedAfterGraceAndTemporaryNever() async throws {
        let body = Self.feedBody
        let server = try LoopbackHTTPServer { request in
            switch request.path {
            case "/old": return .init(status: 301, headers: [("Location", "/new")], text: "")
            case "/temp": return .init(status: 302, headers: [("Location", "/new")], text: "")
            default: return .init(status: 200, body: body)
            }
        }
        let store = try makeStore()
        let old = server.baseURL + "/old"
        let temp = server.baseURL + "/temp"
        let configuration = try await subscribe([old, temp], in: store)
        let poller = makePoller(store)
        for day in 0..<4 {
            let outcome = await poller.poll(configuration.feeds[0], stored: try stored(old, in: store), configuration: configuration)
            _ = await poller.poll(configuration.feeds[1], stored: try stored(temp, in: store), configuration: configuration)
            #expect(outcome.notes.contains { $0.hasPrefix("permanently redirected to \(server.baseURL)/new (\(day + 1) polls") })
            #expect(try stored(old, in: store).state.movedTo == nil)
            clock.advance(86400)
        }
        let moved = await poller.poll(configuration.feeds[0], stored: try stored(old, in: store), configuration: configuration)
        #expect(moved.notes.contains("moved permanently to \(server.baseURL)/new: now polled there; update Feeds.yaml"))
        #expect(try stored(old, in: store).state.movedTo == server.baseURL + "/new")
        _ = await poller.poll(configuration.feeds[1], stored: try stored(temp, in: store), configuration: configuration)
        #expect(try stored(temp, in: store).state.movedTo == nil, "302 never changes the URL")
        #expect(try stored(temp, in: store).state.redirectCandidate == nil)

        let before = server.requests.count
        _ = await poller.poll(configuration.feeds[0], stored: try stored(old, in: store), configuration: configuration)
        #expect(server.requests[before...].map(\.path) == ["/new"], "polled at the new URL directly")
    }

    @Test func networkFailuresWhileEveryHostIsDownAreNotCounted() async throws {
        // Two host names for one loopback server (libcurl resolves *.localhost itself): both answer, then the
        // server goes away, as when this machine loses its network.
        let server = try LoopbackHTTPServer { _ in .init(status: 200, body: Self.feedBody) }
        let store = try makeStore()
        let first = "http://first.localhost:\(server.port)/feed"
        let second = "http://second.localhost:\(server.port)/feed"
        let configuration = try await subscribe([first, second], in: store)
        let poller = makePoller(store)
        for index in 0..<2 {
            let url = [first, second][index]
            _ = await poller.poll(configuration.feeds[index], stored: try stored(url, in: store), configuration: configuration)
        }
        server.stop()
        clock.advance(3600)
        _ = await poller.poll(configuration.feeds[0], stored: try stored(first, in: store), configuration: configuration)
        #expect(try stored(first, in: store).state.consecutiveFailures == 1, "the other host still answered: counted")
        let offline = await poller.poll(configuration.feeds[1], stored: try stored(second, in: store), configuration: configuration)
        #expect(offline.offline)
        #expect(offline.error?.contains("this machine looks offline (not counted against the feed)") == true)
        #expect(try stored(second, in: store).state.consecutiveFailures == 0)
        _ = await poller.poll(configuration.feeds[0], stored: try stored(first, in: store), configuration: configuration)
        #expect(try stored(first, in: store).state.consecutiveFailures == 1, "every host down now: not counted")
    }

    @Test func credentialsComeFromASecretFileAndAMissingSecretIsAClearError() async throws {
        let expected = "Basic " + Data("alice:pa55 word".utf8).base64EncodedString()
        let body = Self.feedBody
        let server = try LoopbackHTTPServer { request in
            request.headers["authorization"] == expected && request.headers["x-token"] == "t0k"
                ? .init(status: 200, body: body) : .init(status: 401, text: "who are you")
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let secretFile = directory.appendingPathComponent("password")
        try "pa55 word\n".write(to: secretFile, atomically: true, encoding: .utf8)
        let store = try makeStore()
        let url = server.baseURL + "/private"
        let missing = server.baseURL + "/missing-secret"
        let configuration = try await subscribe([url, missing], in: store) { feed in
            feed.headers = [RequestHeader(name: "X-Token", value: .literal("t0k"))]
            feed.auth = BasicAuth(
                username: "alice",
                password: feed.url.hasSuffix("/private")
                    ? .file(secretFile.path) : .environment("TIDINGS_TEST_SURELY_UNSET_\(UUID().uuidString.prefix(8))"))
        }
        let poller = makePoller(store)
        let ok = await poller.poll(configuration.feeds[0], stored: try stored(url, in: store), configuration: configuration)
        #expect(ok.status == 200 && ok.newEntries == 2)
        let failed = await poller.poll(configuration.feeds[1], stored: try stored(missing, in: store), configuration: configuration)
        #expect(failed.error?.hasPrefix("environment variable TIDINGS_TEST_SURELY_UNSET_") == true)
        #expect(failed.error?.hasSuffix("is not set (Feeds.yaml refers to it)") == true)
        #expect(server.requests.count == 1, "no request without its credentials")
    }

    @Test func aRestartedCycleDoesNotPollFeedsThatAreNotDue() async throws {
        let responder = ConditionalFileResponder(files: ["/a.xml": Self.feedBody, "/b.xml": Self.feedBody])
        let server = try LoopbackHTTPServer { responder.respond(to: $0) }
        let store = try makeStore()
        let configuration = try await subscribe([server.baseURL + "/a.xml", server.baseURL + "/b.xml"], in: store)
        let feedIDs = Dictionary(uniqueKeysWithValues: try store.feeds().map { ($0.url, $0.id) })
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let first = PollCycle(poller: makePoller(store), store: store, feedIDs: feedIDs, configuration: configuration, logger: logger)
        #expect(await first.pollAll(dueOnly: true).count == 2)
        // A new cycle over the same store, as after a restart, sees the stored schedule.
        let restarted = PollCycle(
            poller: makePoller(store, environment: PollingEnvironment()), store: store, feedIDs: feedIDs,
            configuration: configuration, logger: logger)
        #expect(await restarted.pollAll(dueOnly: true).isEmpty)
        #expect(server.requests.count == 2)
    }

    @Test func entriesFromSeveralFeedsFormOneStoryAndARestartContinuesIt() async throws {
        let evergrande = Self.evergrande
        let responder = ConditionalFileResponder(files: Self.threeFeedsOfOneEvent)
        let server = try LoopbackHTTPServer { responder.respond(to: $0) }
        let store = try makeStore()
        let urls = ["/a.xml", "/b.xml", "/c.xml"].map { server.baseURL + $0 }
        let configuration = try await subscribe(urls, in: store)
        let clock = self.clock
        let assigner = try ClusteringStoryAssigner(store: store, now: clock.now)
        let poller = FeedPoller(
            fetcher: fetcher, store: store, environment: PollingEnvironment(), stories: assigner, now: { clock.now },
            random: { 0 })
        for index in 0..<2 {
            _ = await poller.poll(configuration.feeds[index], stored: try stored(urls[index], in: store), configuration: configuration)
        }
        let stories = try store.stories(since: nil)
        #expect(stories.count == 3)
        let shared = try #require(stories.first { $0.sourceCount == 2 })
        #expect(shared.entryCount == 2)
        #expect(shared.headline == evergrande)
        let (story, entries) = try #require(try store.story(id: shared.id))
        #expect(story.id == shared.id)
        #expect(Set(entries.map(\.feedURL)) == Set(urls[0...1]))

        // After a restart the clusterer is rebuilt from the store: the third feed joins the same story.
        let restarted = try ClusteringStoryAssigner(store: store, now: clock.now)
        let poller2 = FeedPoller(
            fetcher: fetcher, store: store, environment: PollingEnvironment(), stories: restarted, now: { clock.now },
            random: { 0 })
        _ = await poller2.poll(configuration.feeds[2], stored: try stored(urls[2], in: store), configuration: configuration)
        let after = try #require(try store.story(id: shared.id))
        #expect(after.story.sourceCount == 3 && after.entries.count == 3)
        #expect(try store.stories(since: nil).count == 3, "no new story for the known event")
    }
}

extension FeedPollerTests {
    static let evergrande = "Evergrande shares plunge as debt crisis deepens in China"

    /// Three feeds that all report one event, two of them with another item each.
    static var threeFeedsOfOneEvent: [String: [UInt8]] {
        func feed(_ name: String, _ titles: [String]) -> [UInt8] {
            let items = titles.enumerated().map { index, title in
                "<item><guid>\(name)-\(index)</guid><title>\(title)</title><pubDate>Mon, 20 Sep 2021 1\(index):00:00 GMT</pubDate></item>"
            }
            return Array("<rss version=\"2.0\"><channel><title>\(name)</title>\(items.joined())</channel></rss>".utf8)
        }
        return [
            "/a.xml": feed("A", [evergrande, "Wellington zoo welcomes twin red panda cubs"]),
            "/b.xml": feed("B", [evergrande, "Dutch cyclists win the team time trial"]),
            "/c.xml": feed("C", [evergrande]),
        ]
    }

    /// A store subscribed to the three feeds of one event, served by a server that answers conditional requests.
    struct ServedEvent {
        let store: FeedStore
        let server: LoopbackHTTPServer
        let configuration: FeedConfiguration
        let fetcher: FeedFetcher
        let clock: ManualClock

        /// Polls feed `index` once, its new entries clustered by `assigner`.
        func poll(_ index: Int, with assigner: ClusteringStoryAssigner) async throws -> PollOutcome {
            let feed = configuration.feeds[index]
            let stored = try #require(try store.feeds().first { $0.url == feed.url })
            let clock = self.clock
            return await FeedPoller(
                fetcher: fetcher, store: store, environment: PollingEnvironment(), stories: assigner, now: { clock.now },
                random: { 0 }
            ).poll(feed, stored: stored, configuration: configuration)
        }
    }

    func threeFeedsOfOneEventServed() async throws -> ServedEvent {
        let store = try makeStore()
        let responder = ConditionalFileResponder(files: Self.threeFeedsOfOneEvent)
        let server = try LoopbackHTTPServer { responder.respond(to: $0) }
        let configuration = try await subscribe(["/a.xml", "/b.xml", "/c.xml"].map { server.baseURL + $0 }, in: store)
        return ServedEvent(store: store, server: server, configuration: configuration, fetcher: fetcher, clock: clock)
    }

    /// A start whose polls bring nothing new (304s) neither loads the clustering state nor stores it again; the
    /// first feed with a new listing starts the load, and its entry joins the story the snapshot holds.
    @Test func aCycleOfUnchangedFeedsLeavesTheClusteringStateAlone() async throws {
        let served = try await threeFeedsOfOneEventServed()
        let (store, clock) = (served.store, self.clock)
        let first = try ClusteringStoryAssigner(store: store, now: clock.now)
        for index in 0..<2 {
            _ = try await served.poll(index, with: first)
        }
        await first.saveSnapshot()
        let snapshot = try #require(try store.clusteringSnapshot())

        let second = try ClusteringStoryAssigner(store: store, now: clock.now)
        for index in 0..<2 {
            let outcome = try await served.poll(index, with: second)
            #expect(outcome.status == 304)
        }
        #expect(!second.restoreStarted, "304s loaded the clustering state")
        await second.saveSnapshot()
        #expect(!second.restoreStarted)
        #expect(try store.clusteringSnapshot() == snapshot)

        _ = try await served.poll(2, with: second)
        #expect(second.restoreStarted && second.startedFromSnapshot)
        let shared = try #require(try store.stories(since: nil).first { $0.sourceCount == 3 })
        #expect(shared.entryCount == 3)
    }

    @Test func aRestartLoadsTheClusteringSnapshotUntilEntriesComeAfterIt() async throws {
        let served = try await threeFeedsOfOneEventServed()
        let (store, clock) = (served.store, self.clock)
        let first = try ClusteringStoryAssigner(store: store, now: clock.now)
        #expect(!first.startedFromSnapshot, "an empty store has no snapshot")
        for index in 0..<2 {
            _ = try await served.poll(index, with: first)
        }
        await first.saveSnapshot()
        #expect(try store.clusteringSnapshot() != nil)

        // The next start takes up the state exactly where the first left it, and the third feed joins the story.
        let second = try ClusteringStoryAssigner(store: store, now: clock.now)
        #expect(second.startedFromSnapshot)
        #expect(second.currentState() == first.currentState())
        // A clusterer that has seen more documents than the limit is neither loaded nor stored (the rebuild bounds
        // what grows with history); the stored snapshot goes.
        let capped = try ClusteringStoryAssigner(store: store, now: clock.now, snapshotDocumentLimit: 3)
        #expect(!capped.startedFromSnapshot)
        await capped.saveSnapshot()
        #expect(try store.clusteringSnapshot() == nil)
        await second.saveSnapshot()
        #expect(try store.clusteringSnapshot() == first.currentState(), "a loaded state is stored when none is current")
        // Loaded and unchanged, with the stored snapshot still current: it is not written again.
        try await store.saveClusteringSnapshot { emit in emit(Data("marker".utf8)) }
        await second.saveSnapshot()
        #expect(try store.clusteringSnapshot() == Data("marker".utf8))
        _ = try await served.poll(2, with: second)
        let shared = try #require(try store.stories(since: nil).first { $0.sourceCount == 3 })
        #expect(shared.entryCount == 3)
        // An entry stored after the snapshot makes it stale: the next start rebuilds from the entries.
        #expect(try store.clusteringSnapshot() == nil)
        let third = try ClusteringStoryAssigner(store: store, now: clock.now)
        #expect(!third.startedFromSnapshot)

        // A damaged snapshot is not used either: the rebuild still finds the story.
        await third.saveSnapshot()
        let good = try #require(try store.clusteringSnapshot())
        try await store.saveClusteringSnapshot { emit in emit(good.dropLast(10)) }
        let fourth = try ClusteringStoryAssigner(store: store, now: clock.now)
        #expect(!fourth.startedFromSnapshot)
        #expect(fourth.currentState() == third.currentState(), "a rebuild from the same entries gives the same state")
        // A state that took entries which then rolled back is not stored, and the stored one goes.
        fourth.entriesRolledBack()
        await fourth.saveSnapshot()
        #expect(try store.clusteringSnapshot() == nil)
    }
}

@Suite struct DaemonClockTests {
    @Test func aScaledClockStartsWhereToldAndRunsFaster() async throws {
        let start = Date(timeIntervalSince1970: 1_632_000_000)
        let realBefore = Date()
        let clock = DaemonClock(speed: 600, start: start)
        #expect(!clock.isReal)
        try await Task.sleep(for: .milliseconds(200))
        let virtual = clock.now().timeIntervalSince(start)
        let real = Date().timeIntervalSince(realBefore)
        // Virtual time is 600× the real time that passed (however long the sleep really took on a busy machine).
        #expect(virtual >= 600 * 0.2 && virtual <= 600 * real + 0.001, "virtual \(virtual) s after \(real) s real")
        #expect(clock.realSeconds(1800) == 3)
        #expect(DaemonClock().isReal)
    }
}
