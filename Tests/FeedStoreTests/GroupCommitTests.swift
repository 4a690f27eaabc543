@testable import FeedStore
import Foundation
import Synchronization
import TestSupport
import Testing

/// Fetches recorded while the writer is busy are written together (one transaction, one savepoint each), and new
/// entries are indexed for search at the end of the batch.
@Suite struct GroupCommitTests {
    let scratch = ScratchDirectory(prefix: "tidings-batch")
    var directory: URL { scratch.url }
    var path: String { directory.appendingPathComponent("store.sqlite").path }
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// Occupies the store's writer (returning once it does) until `count` fetches wait for it (at most 30 s).
    func holdWriter(of store: FeedStore, until count: Int) async throws -> Task<Void, any Error> {
        let holding = Mutex(false)
        let task = Task {
            try await store.writeAccess { _ in
                holding.withLock { $0 = true }
                let deadline = ContinuousClock.now + .seconds(30)
                while store.waitingRecordCount < count, ContinuousClock.now < deadline { usleep(1000) }
            }
        }
        while !holding.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(2)) }
        return task
    }

    @Test func fetchesWaitingTogetherAreStoredTogetherAndAFailingOneAlone() async throws {
        let store = try FeedStore(path: path)
        let urls = (0..<8).map { "https://feed\($0).example/rss" }
        let ids = try await store.syncSubscriptions(urls.map { SubscriptionInput(url: $0, title: nil) })
        let feedIDs = try urls.map { try #require(ids[$0]) }
        /// Assigns every entry a story of its own and counts the fetches it was told rolled back.
        final class Recorder: StoryAssigner {
            let rolledBack = Mutex(0)
            func assign(_ entry: NewEntry) -> StoryAssignment { StoryAssignment(story: entry.id, headlineEntryID: entry.id) }
            func entriesRolledBack() { rolledBack.withLock { $0 += 1 } }
        }
        let recorder = Recorder()
        // The writer is kept busy until the fetches have arrived, so that they wait for it together.
        let busy = try await holdWriter(of: store, until: 9)
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
                    return (index, (try? await store.record(record, stories: recorder)) != nil)
                }
            }
            var outcomes: [Int: Bool] = [:]
            for await (index, stored) in group { outcomes[index] = stored }
            return outcomes
        }
        try await busy.value
        #expect(store.largestRecordBatch == 9, "the waiting fetches were written in one transaction")
        #expect((0..<8).allSatisfy { outcomes[$0] == true })
        #expect(outcomes[8] == false, "a fetch whose write fails reports it")
        #expect(recorder.rolledBack.withLock { $0 } == 1, "the story assigner learns that one fetch rolled back")
        #expect(try store.entryCount() == 24, "the failing fetch left nothing behind, the others lost nothing")
        // Every stored entry was indexed at the end of its batch, once.
        for index in 0..<8 {
            #expect(try store.search("word\(index)x").count == 3)
        }
        #expect(try store.search("word8x").isEmpty)
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func anEntryListedTwiceInOneFetchIsStoredAndIndexedAsListedLast() async throws {
        let store = try FeedStore(path: path)
        let feedID = try #require(try await store.syncSubscriptions([SubscriptionInput(url: "https://t.example/", title: nil)])["https://t.example/"])
        let record = FetchRecord(
            feedID: feedID, state: pollState(at: now, status: 200, next: now + 1800),
            entries: [
                EntryInput(guid: "same", title: "Alpha edition", text: "First words."),
                EntryInput(guid: "same", title: "Bravo edition", text: "Second words."),
            ],
            listed: true)
        let summary = try await store.record(record)
        #expect(summary.newEntries == 1 && summary.updatedEntries == 0)
        #expect(try store.entries(limit: 5).map(\.title) == ["Bravo edition"])
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

    @Test func twoFetchesOfOneFeedInOneBatchKeepTheIndexRight() async throws {
        let store = try FeedStore(path: path)
        let feedID = try #require(try await store.syncSubscriptions([SubscriptionInput(url: "https://t.example/", title: nil)])["https://t.example/"])
        func fetch(_ title: String, at offset: Double) -> FetchRecord {
            FetchRecord(
                feedID: feedID, state: pollState(at: now + offset, status: 200, next: now + 1800),
                entries: [EntryInput(guid: "one", title: title, text: "Words.")], listed: true)
        }
        // Both wait for the busy writer, so the second updates in the same transaction the entry the first inserted
        // (the daemon's poll cycle never polls one feed twice at once, but the store must not care): the update trigger takes the
        // first title out of the search index, which must therefore be in it by then.
        let busy = try await holdWriter(of: store, until: 2)
        async let first = store.record(fetch("Delta edition", at: 0))
        while store.waitingRecordCount < 1 { try await Task.sleep(for: .milliseconds(5)) }
        async let second = store.record(fetch("Echo edition", at: 60))
        let summaries = try await [first, second]
        try await busy.value
        #expect(store.largestRecordBatch == 2)
        #expect(summaries.map(\.newEntries) == [1, 0] && summaries.map(\.updatedEntries) == [0, 1])
        #expect(try store.search("delta").isEmpty)
        #expect(try store.search("echo").count == 1)
        #expect(try store.integrityCheck() == "ok")
    }
}
