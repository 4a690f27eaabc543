import FeedModel
import FeedStore
import Foundation
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
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidings-store-\(UUID().uuidString)")
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
        try await store.record(
            FetchRecord(feedID: feedID, state: state, hostPause: HostPause(host: "E.example", until: now + 900, reason: "429")))
        #expect(try store.feeds().first?.state == state)
        #expect(try store.hostPauses(now: now) == ["e.example": now + 900])
        #expect(try store.hostPauses(now: now + 901).isEmpty, "expired pauses are not reported")
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
            case "merge": return StoryAssignment(story: 1, merged: StoryMerge(from: 2, into: 1), headlineEntryID: entry.id)
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

        try await store.record(
            FetchRecord(
                feedID: ids["https://g.example/"]!, state: pollState(at: now + 120, status: 200, next: now),
                entries: [EntryInput(guid: "4", title: "merge now")]),
            stories: FirstWordStories())
        stories = try store.stories(since: nil)
        #expect(stories.map(\.id) == [1])
        #expect(stories.first?.entryCount == 4 && stories.first?.sourceCount == 2)
        let merged = try #require(try store.story(id: 2))
        #expect(merged.story.id == 1, "a merged story's id still resolves")
        #expect(merged.entries.map(\.title) == ["alpha one", "beta one", "beta two", "merge now"])
        #expect(try store.stories(since: now + 100).map(\.id) == [1])
        #expect(try store.stories(since: nil, minimumSources: 3).isEmpty)
    }
}
