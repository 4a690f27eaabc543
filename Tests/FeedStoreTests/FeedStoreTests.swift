import FeedStore
import Foundation
import Testing

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
            FetchRecord(feedID: feedID, polledAt: now, status: 200, etag: "\"v1\"", nextPollAt: now + 1800, entries: entries))
        #expect(first == FetchRecordSummary(newEntries: 2, updatedEntries: 0))

        let second = try await store.record(
            FetchRecord(feedID: feedID, polledAt: now + 1800, status: 200, nextPollAt: now + 3600, entries: entries))
        #expect(second == FetchRecordSummary(newEntries: 0, updatedEntries: 0))

        var edited = entries
        edited[0].title = "One (updated)"
        edited.append(EntryInput(guid: "3", title: "Three"))
        let third = try await store.record(
            FetchRecord(feedID: feedID, polledAt: now + 3600, status: 200, nextPollAt: now + 5400, entries: edited))
        #expect(third == FetchRecordSummary(newEntries: 1, updatedEntries: 1))

        #expect(try store.entryCount() == 3)
        let stored = try store.entries(feedURL: "https://a.example/feed", limit: 10)
        #expect(Set(stored.compactMap(\.title)) == ["One (updated)", "Two", "Three"])
        let feed = try #require(try store.feeds().first)
        #expect(feed.etag == "\"v1\"", "validators survive a 200 without them")
        #expect(feed.entryCount == 3)
        #expect(feed.title == "A")
        #expect(feed.nextPollAt == now + 5400)
    }

    @Test func failuresCountUpAndResetOnSuccess() async throws {
        let store = try FeedStore(path: path)
        let feedID = try #require(try await store.syncSubscriptions([SubscriptionInput(url: "https://b.example/", title: nil)])["https://b.example/"])
        let now = Date()
        try await store.record(FetchRecord(feedID: feedID, polledAt: now, status: nil, error: "could not connect", nextPollAt: now))
        try await store.record(FetchRecord(feedID: feedID, polledAt: now, status: 500, error: "HTTP 500", nextPollAt: now))
        var feed = try #require(try store.feeds().first)
        #expect(feed.consecutiveFailures == 2)
        #expect(feed.lastError == "HTTP 500")
        try await store.record(FetchRecord(feedID: feedID, polledAt: now, status: 304, nextPollAt: now))
        feed = try #require(try store.feeds().first)
        #expect(feed.consecutiveFailures == 0)
        #expect(feed.lastError == nil)
        #expect(feed.lastStatus == 304)
    }

    @Test func unsubscribedFeedsKeepTheirEntries() async throws {
        let store = try FeedStore(path: path)
        let ids = try await store.syncSubscriptions([SubscriptionInput(url: "https://c.example/", title: nil)])
        try await store.record(
            FetchRecord(feedID: ids["https://c.example/"]!, polledAt: Date(), status: 200, nextPollAt: Date(),
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
            FetchRecord(feedID: ids["https://d.example/"]!, polledAt: Date(), status: 200, nextPollAt: Date(),
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
}
