@testable import FeedStore
import Foundation
import Testing

/// Fetches recorded while the writer is busy are written together (one transaction, one savepoint each), and new
/// entries are indexed for search at the end of the batch.
@Suite struct GroupCommitTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidings-batch-\(UUID().uuidString)")
    var path: String { directory.appendingPathComponent("store.sqlite").path }
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func fetchesWaitingTogetherAreStoredTogetherAndAFailingOneAlone() async throws {
        let store = try FeedStore(path: path)
        let urls = (0..<8).map { "https://feed\($0).example/rss" }
        let ids = try await store.syncSubscriptions(urls.map { SubscriptionInput(url: $0, title: nil) })
        let feedIDs = try urls.map { try #require(ids[$0]) }
        // The writer is kept busy while the fetches arrive, so that they wait for it together.
        let busy = Task { try await store.writeAccess { _ in usleep(300_000) } }
        try await Task.sleep(for: .milliseconds(50))
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for index in 0..<9 {
                group.addTask {
                    // The ninth names a feed that does not exist: its entries break a foreign key.
                    let feedID = index < 8 ? feedIDs[index] : 999_999
                    let entries = (0..<3).map { number in
                        EntryInput(guid: "g\(number)", title: "Report \(number) from word\(index)x", text: "Plain text \(index).")
                    }
                    let record = FetchRecord(
                        feedID: feedID, state: pollState(at: now, status: 200, next: now + 1800), entries: entries,
                        listed: true)
                    return (index, (try? await store.record(record)) != nil)
                }
            }
            var outcomes: [Int: Bool] = [:]
            for await (index, stored) in group { outcomes[index] = stored }
            return outcomes
        }
        try await busy.value
        #expect(store.largestRecordBatch > 1, "the waiting fetches were written in one transaction")
        #expect((0..<8).allSatisfy { outcomes[$0] == true })
        #expect(outcomes[8] == false, "a fetch whose write fails reports it")
        #expect(try store.entryCount() == 24, "the failing fetch left nothing behind, the others lost nothing")
        // Every stored entry was indexed at the end of its batch, once.
        for index in 0..<8 {
            #expect(try store.search("word\(index)x").count == 3)
        }
        #expect(try store.search("word8x").isEmpty)
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func anEntryListedTwiceInOneFetchIsIndexedAsItWasLastWritten() async throws {
        let store = try FeedStore(path: path)
        let feedID = try #require(try await store.syncSubscriptions([SubscriptionInput(url: "https://t.example/", title: nil)])["https://t.example/"])
        // The second listing updates the entry the first inserted, in the same transaction: the update trigger
        // takes the first title out of the index, which therefore has to be in it by then.
        let record = FetchRecord(
            feedID: feedID, state: pollState(at: now, status: 200, next: now + 1800),
            entries: [
                EntryInput(guid: "same", title: "Alpha edition", text: "First words."),
                EntryInput(guid: "same", title: "Bravo edition", text: "Second words."),
            ],
            listed: true)
        let summary = try await store.record(record)
        #expect(summary.newEntries == 1 && summary.updatedEntries == 1)
        #expect(try store.search("bravo").map(\.entry.title) == ["Bravo edition"])
        #expect(try store.search("alpha").isEmpty)
        #expect(try store.integrityCheck() == "ok")
        // A later poll edits it again: the index follows.
        var edited = record
        edited.entries = [EntryInput(guid: "same", title: "Charlie edition", text: "Third words.")]
        try await store.record(edited)
        #expect(try store.search("bravo").isEmpty)
        #expect(try store.search("charlie").count == 1)
        #expect(try store.integrityCheck() == "ok")
    }
}
