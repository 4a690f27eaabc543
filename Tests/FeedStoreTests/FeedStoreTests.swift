import FeedModel
@testable import FeedStore
import GRDB
import Foundation
import TestSupport
import Testing

/// A poll state as the poller would hand it over.
func pollState(
    at polledAt: Date, status: Int?, error: String? = nil, etag: String? = nil, next: Date, failures: Int = 0
) -> FeedPollState {
    var state = FeedPollState()
    state.lastPolledAt = polledAt
    state.lastStatus = status
    state.lastError = error
    state.etag = etag
    state.nextPollAt = next
    state.consecutiveFailures = failures
    return state
}

@Suite struct FeedStoreTests {
    let scratch = ScratchDirectory(prefix: "tidings-store")
    var directory: URL { scratch.url }
    var path: String { directory.appendingPathComponent("store.sqlite").path }

    @Test func repollingNeverDuplicatesAndEditsUpdate() async throws {
        let store = try FeedStore(path: path)
        let ids = try await store.syncSubscriptions([SubscriptionInput(url: "https://a.example/feed", title: "A")])
        let feedID = try #require(ids["https://a.example/feed"])
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let entries = [
            EntryInput(guid: "1", url: "https://a.example/1", title: "One"),
            EntryInput(guid: "2", url: "https://a.example/2", title: "Two"),
        ]
        let first = try await store.record(
            FetchRecord(feedID: feedID, state: pollState(at: now, status: 200, etag: "\"v1\"", next: now + 1800), entries: entries))
        #expect(first == FetchRecordSummary(newEntries: 2, updatedEntries: 0))

        let second = try await store.record(
            FetchRecord(feedID: feedID, state: pollState(at: now + 1800, status: 200, next: now + 3600), entries: entries))
        #expect(second == FetchRecordSummary(newEntries: 0, updatedEntries: 0))

        var edited = entries
        edited[0].title = "One (updated)"
        edited.append(EntryInput(guid: "3", title: "Three"))
        let third = try await store.record(
            FetchRecord(feedID: feedID, state: pollState(at: now + 3600, status: 200, next: now + 5400), entries: edited))
        #expect(third == FetchRecordSummary(newEntries: 1, updatedEntries: 1))

        #expect(try store.entryCount() == 3)
        let stored = try store.entries(feedURL: "https://a.example/feed", limit: 10)
        #expect(Set(stored.compactMap(\.title)) == ["One (updated)", "Two", "Three"])
        let feed = try #require(try store.feeds().first)
        #expect(feed.state.etag == nil, "a 200 without validators replaced the old ones")
        #expect(feed.entryCount == 3)
        #expect(feed.title == "A")
        #expect(feed.state.nextPollAt == now + 5400)
    }

    @Test func failuresCountUpAndResetOnSuccess() async throws {
        let store = try FeedStore(path: path)
        let feedID = try #require(try await store.syncSubscriptions([SubscriptionInput(url: "https://b.example/", title: nil)])["https://b.example/"])
        let now = Date()
        try await store.record(FetchRecord(feedID: feedID, state: pollState(at: now, status: nil, error: "could not connect", next: now, failures: 1)))
        try await store.record(FetchRecord(feedID: feedID, state: pollState(at: now, status: 500, error: "HTTP 500", next: now, failures: 2)))
        var feed = try #require(try store.feeds().first)
        #expect(feed.state.consecutiveFailures == 2)
        #expect(feed.state.lastError == "HTTP 500")
        try await store.record(FetchRecord(feedID: feedID, state: pollState(at: now, status: 304, next: now)))
        feed = try #require(try store.feeds().first)
        #expect(feed.state.consecutiveFailures == 0)
        #expect(feed.state.lastError == nil)
        #expect(feed.state.lastStatus == 304)
    }

    @Test func everyPollStateFieldAndHostPauseRoundTrip() async throws {
        let store = try FeedStore(path: path)
        let feedID = try #require(try await store.syncSubscriptions([SubscriptionInput(url: "https://e.example/", title: nil)])["https://e.example/"])
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var state = pollState(at: now, status: 301, error: nil, etag: "\"e\"", next: now + 600, failures: 0)
        state.lastModified = "Fri, 15 Jan 2027 08:00:00 GMT"
        state.lastSuccessAt = now
        state.notModifiedSince = now - 86400
        state.bodyHash = "0123456789abcdef"
        state.movedTo = "https://e2.example/"
        state.redirectCandidate = "https://e3.example/"
        state.redirectFirstSeen = now - 3600
        state.redirectSeenCount = 2
        state.disabledReason = "HTTP 410 Gone"
        state.hintIntervalSeconds = 7200
        state.skipHours = [0, 1, 23]
        state.skipDays = [1, 7]
        state.postingIntervalSeconds = 1234.5
        state.pollCount = 17
        state.lastFetchMilliseconds = 42
        try await store.record(
            FetchRecord(feedID: feedID, state: state, hostPause: HostPause(host: "E.example", until: now + 900, reason: "429")))
        #expect(try store.feeds().first?.state == state)
        #expect(try store.hostPauses(now: now) == ["e.example": now + 900])
        #expect(try store.hostPauses(now: now + 901).isEmpty, "expired pauses are not reported")
    }

    @Test func theFeedListFollowsConfirmedMovesAndPutBackFeedsStartAfresh() async throws {
        let store = try FeedStore(path: path)
        let first = try await store.syncSubscriptions([
            SubscriptionInput(url: "https://a.example/", title: "A"), SubscriptionInput(url: "https://b.example/", title: nil),
        ])
        let a = try #require(first["https://a.example/"]), b = try #require(first["https://b.example/"])
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var moved = pollState(at: now, status: 200, next: now + 600)
        moved.movedTo = "https://a2.example/"
        try await store.record(FetchRecord(feedID: a, state: moved, entries: [EntryInput(guid: "x", title: "X")]))
        var gone = pollState(at: now, status: 410, next: now + 600)
        gone.disabledReason = "HTTP 410 Gone"
        try await store.record(FetchRecord(feedID: b, state: gone))

        // The user follows the move and drops the gone feed: the moved row takes its new URL, with its entries.
        let second = try await store.syncSubscriptions([
            SubscriptionInput(url: "https://a2.example/", title: "A2", tags: ["news"]),
            SubscriptionInput(url: "https://c.example/", title: nil),
        ])
        #expect(second["https://a2.example/"] == a)
        let c = try #require(second["https://c.example/"])
        #expect(c != a && c != b)
        let feeds = Dictionary(uniqueKeysWithValues: try store.feeds().map { ($0.id, $0) })
        #expect(feeds[a]?.url == "https://a2.example/" && feeds[a]?.state.movedTo == nil && feeds[a]?.entryCount == 1)
        #expect(feeds[b]?.state.disabledReason == "HTTP 410 Gone")
        #expect(Set(try store.feeds(subscribedOnly: true).map(\.id)) == [a, c])

        // Put back, the gone feed starts afresh; the others keep their rows.
        let third = try await store.syncSubscriptions([
            SubscriptionInput(url: "https://a2.example/", title: "A2"), SubscriptionInput(url: "https://b.example/", title: nil),
            SubscriptionInput(url: "https://c.example/", title: nil),
        ])
        #expect(third == ["https://a2.example/": a, "https://b.example/": b, "https://c.example/": c])
        let after = Dictionary(uniqueKeysWithValues: try store.feeds().map { ($0.id, $0) })
        #expect(after[b]?.state.disabledReason == nil && after[b]?.state.nextPollAt == nil)
        #expect(try store.feeds(subscribedOnly: true).count == 3)
    }

    /// Starting with the feed list unchanged writes nothing (the store's data version stays, as another connection
    /// sees it); a changed title or tags, or a dropped feed, is written.
    @Test func anUnchangedFeedListIsNotWrittenAgain() async throws {
        let store = try FeedStore(path: path)
        let list = (0..<50).map { SubscriptionInput(url: "https://f\($0).example/", title: $0 % 2 == 0 ? "F\($0)" : nil, tags: $0 % 3 == 0 ? ["x", "y"] : []) }
        let ids = try await store.syncSubscriptions(list)
        let observer = try DatabaseQueue(path: path)
        func dataVersion() throws -> Int { try observer.read { try Int.fetchOne($0, sql: "PRAGMA data_version") ?? -1 } }
        let before = try dataVersion()
        #expect(try await store.syncSubscriptions(list) == ids)
        #expect(try dataVersion() == before, "the same list again wrote to the store")

        var changed = list
        changed[1].title = "One"
        changed[3].tags = ["z"]
        changed.removeLast()
        #expect(try await store.syncSubscriptions(changed) == ids.filter { $0.key != list.last!.url })
        #expect(try dataVersion() != before)
        let feeds = Dictionary(uniqueKeysWithValues: try store.feeds().map { ($0.url, $0) })
        #expect(feeds[list[1].url]?.title == "One" && feeds[list[3].url]?.tags == ["z"])
        #expect(feeds[list[0].url]?.title == "F0" && feeds[list[0].url]?.tags == ["x", "y"])
        #expect(Set(try store.feeds(subscribedOnly: true).map(\.url)) == Set(changed.map(\.url)))
    }

    @Test func aMovedFeedListedUnderBothURLsIsTwoFeeds() async throws {
        let store = try FeedStore(path: path)
        let a = try #require(try await store.syncSubscriptions([SubscriptionInput(url: "https://a.example/", title: nil)])["https://a.example/"])
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var moved = pollState(at: now, status: 200, next: now + 600)
        moved.movedTo = "https://b.example/"
        try await store.record(FetchRecord(feedID: a, state: moved))
        // Dropped, then listed again together with the URL it moved to (in either order): the old row stays the old
        // URL's, and the new URL gets a row of its own, so that no row is polled twice.
        _ = try await store.syncSubscriptions([])
        for order in [["https://a.example/", "https://b.example/"], ["https://b.example/", "https://a.example/"]] {
            let ids = try await store.syncSubscriptions(order.map { SubscriptionInput(url: $0, title: nil) })
            #expect(ids["https://a.example/"] == a)
            #expect(ids["https://b.example/"] != nil && ids["https://b.example/"] != a)
        }
        #expect(try store.feeds().count == 2)
    }

    @Test func unsubscribedFeedsKeepTheirEntries() async throws {
        let store = try FeedStore(path: path)
        let ids = try await store.syncSubscriptions([SubscriptionInput(url: "https://c.example/", title: nil)])
        try await store.record(
            FetchRecord(feedID: ids["https://c.example/"]!, state: pollState(at: Date(), status: 200, next: Date()),
                        entries: [EntryInput(guid: "x", title: "X")]))
        _ = try await store.syncSubscriptions([])
        #expect(try store.feeds(subscribedOnly: true).isEmpty)
        #expect(try store.feeds().count == 1)
        #expect(try store.entryCount() == 1)
    }

    @Test func readerSeesWriterCommits() async throws {
        let writer = try FeedStore(path: path)
        let ids = try await writer.syncSubscriptions([SubscriptionInput(url: "https://d.example/", title: nil)])
        let reader = try FeedStore(path: path, readOnly: true)
        #expect(try reader.entryCount() == 0)
        try await writer.record(
            FetchRecord(feedID: ids["https://d.example/"]!, state: pollState(at: Date(), status: 200, next: Date()),
                        entries: [EntryInput(guid: "y", title: "Y")]))
        #expect(try reader.entryCount() == 1)
    }

    @Test func readOnlyOpenOfMissingStoreSaysWhatToDo() {
        do {
            _ = try FeedStore(path: directory.appendingPathComponent("missing.sqlite").path, readOnly: true)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasSuffix("no store here yet: start tidingsd first, or pass --database PATH"))
        }
    }

    /// Files entries by the first word of their title; the entry titled "merge" merges story 2 into story 1.
    struct FirstWordStories: StoryAssigner {
        func assign(_ entry: NewEntry) -> StoryAssignment {
            let word = entry.input.title?.split(separator: " ").first.map(String.init) ?? ""
            switch word {
            case "merge": return StoryAssignment(story: 1, merges: [StoryMerge(from: 2, into: 1)], headlineEntryID: entry.id)
            case "alpha": return StoryAssignment(story: 1, headlineEntryID: entry.id)
            default: return StoryAssignment(story: 2)
            }
        }
    }

    @Test func storyAssignmentsAndMergesCommitWithTheirEntries() async throws {
        let store = try FeedStore(path: path)
        let ids = try await store.syncSubscriptions([
            SubscriptionInput(url: "https://f.example/", title: "F"), SubscriptionInput(url: "https://g.example/", title: "G"),
        ])
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        try await store.record(
            FetchRecord(
                feedID: ids["https://f.example/"]!, state: pollState(at: now, status: 200, next: now),
                entries: [EntryInput(guid: "1", title: "alpha one"), EntryInput(guid: "2", title: "beta one")]),
            stories: FirstWordStories())
        try await store.record(
            FetchRecord(
                feedID: ids["https://g.example/"]!, state: pollState(at: now + 60, status: 200, next: now),
                entries: [EntryInput(guid: "3", title: "beta two")]),
            stories: FirstWordStories())
        var stories = try store.stories(since: nil)
        #expect(stories.map(\.id) == [2, 1], "most recently active first")
        #expect(stories.map(\.sourceCount) == [2, 1])
        #expect(stories.last?.headline == "alpha one")
        #expect(try store.stories(since: nil, until: now).isEmpty, "until: first seen before then")

        // Story 1 ("alpha", one feed) was active last; story 2 ("beta") has two feeds.
        try await store.record(
            FetchRecord(
                feedID: ids["https://f.example/"]!, state: pollState(at: now + 90, status: 200, next: now),
                entries: [EntryInput(guid: "1b", title: "alpha two")]),
            stories: FirstWordStories())
        #expect(try store.stories(since: nil).map(\.id) == [1, 2], "most recently active first")
        #expect(try store.stories(since: nil, order: .sources).map(\.id) == [2, 1], "most feeds first")

        try await store.record(
            FetchRecord(
                feedID: ids["https://g.example/"]!, state: pollState(at: now + 120, status: 200, next: now),
                entries: [EntryInput(guid: "4", title: "merge now")]),
            stories: FirstWordStories())
        stories = try store.stories(since: nil)
        #expect(stories.map(\.id) == [1])
        #expect(stories.first?.entryCount == 5 && stories.first?.sourceCount == 2)
        let merged = try #require(try store.story(id: 2))
        #expect(merged.story.id == 1, "a merged story's id still resolves")
        #expect(merged.entries.map(\.title) == ["alpha one", "beta one", "beta two", "alpha two", "merge now"])
        #expect(try store.stories(since: now + 100).map(\.id) == [1])
        #expect(try store.stories(since: nil, minimumSources: 3).isEmpty)
    }

    /// Files entries by the number their title starts with; "join 3 2 1" joins story 3 and merges 3 into 2, then 2
    /// into 1 (a story that just grew absorbing two earlier ones).
    struct NumberedStories: StoryAssigner {
        func assign(_ entry: NewEntry) -> StoryAssignment {
            let words = (entry.input.title ?? "").split(separator: " ").compactMap { Int64($0) }
            if entry.input.title?.hasPrefix("join") == true {
                return StoryAssignment(
                    story: 1, merges: [StoryMerge(from: words[0], into: words[1]), StoryMerge(from: words[1], into: words[2])])
            }
            return StoryAssignment(story: words.first ?? 0)
        }
    }

    @Test func severalMergesOfOneEntryApplyInOrder() async throws {
        let store = try FeedStore(path: path)
        let ids = try await store.syncSubscriptions([SubscriptionInput(url: "https://m.example/", title: nil)])
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        try await store.record(
            FetchRecord(
                feedID: ids["https://m.example/"]!, state: pollState(at: now, status: 200, next: now),
                entries: [EntryInput(guid: "a", title: "1 a"), EntryInput(guid: "b", title: "2 b"), EntryInput(guid: "c", title: "3 c"),
                          EntryInput(guid: "d", title: "join 3 2 1")]),
            stories: NumberedStories())
        #expect(try store.stories(since: nil).map(\.id) == [1])
        #expect(try store.stories(since: nil).first?.entryCount == 4)
        for id: Int64 in [1, 2, 3] {
            let story = try #require(try store.story(id: id))
            #expect(story.story.id == 1 && story.entries.count == 4, "story \(id) resolves to 1")
        }
    }

    @Test func retentionDeletesOnlyOldUnlistedEntriesAndEmptyStories() async throws {
        let store = try FeedStore(path: path)
        let feedID = try #require(try await store.syncSubscriptions([SubscriptionInput(url: "https://r.example/", title: nil)])["https://r.example/"])
        let day = 86400.0
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        // Day 0: entries 1–3 (1 and 2 in story 1, 3 in story 2). Day 100: the feed lists only entry 3 and 4.
        func state(_ at: Date) -> FeedPollState {
            var state = pollState(at: at, status: 200, next: at + 1800)
            state.lastSuccessAt = at
            return state
        }
        struct ByGuid: StoryAssigner {
            func assign(_ entry: NewEntry) -> StoryAssignment {
                StoryAssignment(story: entry.input.guid == "3" || entry.input.guid == "4" ? 2 : 1, headlineEntryID: entry.id)
            }
        }
        try await store.record(
            FetchRecord(feedID: feedID, state: state(start), entries: ["1", "2", "3"].map { EntryInput(guid: $0, title: "t\($0)") }, listed: true),
            stories: ByGuid())
        try await store.record(
            FetchRecord(feedID: feedID, state: state(start + 100 * day), entries: ["3", "4"].map { EntryInput(guid: $0, title: "t\($0)") }, listed: true),
            stories: ByGuid())
        // A later 304 lists nothing new: entries 3 and 4 stay protected as still listed.
        try await store.record(FetchRecord(feedID: feedID, state: state(start + 101 * day)))
        // A clustering snapshot taken now holds the entries about to go: retention deletes it with them.
        try await store.saveClusteringSnapshot { emit in
            emit(Data([1, 2]))
            emit(Data([3]))
        }
        #expect(try store.clusteringSnapshot() == Data([1, 2, 3]))
        let report = try await store.applyRetention(RetentionPolicy(maxAge: 90 * day, maxPerFeed: nil), now: start + 101 * day, batchSize: 1)
        #expect(report.entriesDeleted == 2)
        #expect(report.storiesDeleted == 1)
        #expect(Set(try store.entryKeys()) == ["https://r.example/ 3", "https://r.example/ 4"], "entry 3 is old but still listed")
        #expect(try store.story(id: 1) == nil)
        #expect(try store.story(id: 2)?.entries.count == 2)
        #expect(try store.clusteringSnapshot() == nil)
        #expect(try store.integrityCheck() == "ok")

        // A cap of 1 per feed keeps the newest and everything the feed still lists.
        let capped = try await store.applyRetention(RetentionPolicy(maxAge: nil, maxPerFeed: 1), now: start + 101 * day)
        #expect(capped.entriesDeleted == 0, "both remaining entries are in the latest fetch")
    }

    @Test func aStoreFromTheFirstSchemaOpensAndUpgrades() async throws {
        // Build a store as the first release wrote it: only the v1 migration, with a feed and an entry.
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let queue = try DatabaseQueue(path: path)
            try StoreSchema.migrator.migrate(queue, upTo: "v1-feeds-entries")
            try await queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO feed (url, title, etag, last_status, next_poll_at, consecutive_failures)
                        VALUES ('https://old.example/', 'Old', '"e1"', 200, 1800000000, 0);
                        INSERT INTO entry (feed_id, guid, title, first_seen) VALUES (1, 'g1', 'Old entry', 1799990000);
                        """)
            }
            #expect(try await queue.read { db in try db.tableExists("story") } == false)
        }
        let store = try FeedStore(path: path)
        let feed = try #require(try store.feeds().first)
        #expect(feed.url == "https://old.example/" && feed.state.etag == "\"e1\"" && feed.entryCount == 1)
        #expect(feed.state.nextPollAt == Date(timeIntervalSince1970: 1_800_000_000), "the schedule survives the upgrade")
        #expect(feed.state.disabledReason == nil && feed.state.skipHours.isEmpty)
        #expect(try store.entries(limit: 5).first?.title == "Old entry")
        // The new features work on the upgraded store.
        try await store.record(
            FetchRecord(feedID: feed.id, state: pollState(at: Date(), status: 200, next: Date()), entries: [EntryInput(guid: "g2", title: "New")]),
            stories: FirstWordStories())
        #expect(try store.stories(since: nil).count == 1)
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func searchFindsRanksAndFollowsEdits() async throws {
        let store = try FeedStore(path: path)
        let feedID = try #require(try await store.syncSubscriptions([SubscriptionInput(url: "https://s.example/", title: "S")])["https://s.example/"])
        let now = Date()
        try await store.record(
            FetchRecord(
                feedID: feedID, state: pollState(at: now, status: 200, next: now),
                entries: [
                    EntryInput(guid: "1", title: "Evergrande shares plunge", text: "The developer's debt worries markets."),
                    EntryInput(guid: "2", title: "Markets rally", text: "Investors shrug off Evergrande fears."),
                    EntryInput(guid: "3", title: "Zoo news", text: "Twin red panda cubs."),
                ]))
        let hits = try store.search("evergrande")
        #expect(hits.map(\.entry.guid) == ["1", "2"], "a title match ranks first")
        #expect(hits[0].titleSnippet == "[Evergrande] shares plunge")
        #expect(hits[1].textSnippet.contains("[Evergrande]"))
        #expect(try store.search("\"red panda\"").map(\.entry.guid) == ["3"])
        #expect(try store.search("panda OR rally").count == 2)
        try await store.record(
            FetchRecord(
                feedID: feedID, state: pollState(at: now, status: 200, next: now),
                entries: [EntryInput(guid: "3", title: "Zoo news", text: "Twin snow leopard cubs.")]))
        #expect(try store.search("panda").isEmpty, "an edited entry is searched as edited")
        #expect(try store.search("leopard").map(\.entry.guid) == ["3"])
        #expect(throws: StoreError.self) { try store.search("\"unbalanced") }
    }

    /// Search indexes the first 4,000 characters of an entry's text, and the index stays consistent with it.
    @Test func searchIndexesTheStartOfLongTexts() async throws {
        let store = try FeedStore(path: path)
        let feedID = try #require(try await store.syncSubscriptions([SubscriptionInput(url: "https://l.example/", title: "L")])["https://l.example/"])
        let filler = String(repeating: "lorem ipsum dolor sit amet ", count: 200)  // 5,400 characters
        let early = "aardvark " + filler + " zeppelin"
        let now = Date()
        try await store.record(
            FetchRecord(
                feedID: feedID, state: pollState(at: now, status: 200, next: now),
                entries: [EntryInput(guid: "long", title: "Long read", text: early)]))
        #expect(try store.search("aardvark").map(\.entry.guid) == ["long"])
        #expect(try store.search("zeppelin").isEmpty, "words past the indexed start are not searched")
        #expect(try store.integrityCheck() == "ok")
        try await store.record(
            FetchRecord(
                feedID: feedID, state: pollState(at: now, status: 200, next: now),
                entries: [EntryInput(guid: "long", title: "Long read", text: "zeppelin first " + filler)]))
        #expect(try store.search("zeppelin").map(\.entry.guid) == ["long"], "an edit re-indexes the new start")
        #expect(try store.search("aardvark").isEmpty)
        #expect(try store.integrityCheck() == "ok", "the edit removed exactly what was indexed")
    }

    @Test func entriesFilterByTagAndSince() async throws {
        let store = try FeedStore(path: path)
        let ids = try await store.syncSubscriptions([
            SubscriptionInput(url: "https://w.example/", title: "W", tags: ["world", "daily"]),
            SubscriptionInput(url: "https://t.example/", title: "T", tags: ["tech"]),
        ])
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for (url, guid, age) in [("https://w.example/", "w1", 10.0), ("https://w.example/", "w2", 3 * 86400.0), ("https://t.example/", "t1", 20.0)] {
            try await store.record(
                FetchRecord(feedID: ids[url]!, state: pollState(at: now, status: 200, next: now),
                            entries: [EntryInput(guid: guid, title: guid, published: now - age)]))
        }
        #expect(try store.entries(tag: "world").map(\.guid) == ["w1", "w2"])
        #expect(try store.entries(tag: "daily", since: now - 86400).map(\.guid) == ["w1"])
        #expect(try store.entries(tag: "wor").isEmpty, "tags match whole")
        #expect(try store.entries(since: now - 60).map(\.guid) == ["w1", "t1"])
        #expect(try store.feeds().first { $0.url == "https://w.example/" }?.tags == ["world", "daily"])
    }
}
