public import Foundation
import GRDB

/// How much history to keep.
public struct RetentionPolicy: Sendable, Equatable {
    /// Entries no feed has listed for this long go (nil: keep forever).
    public var maxAge: TimeInterval?
    /// At most this many entries per feed; the oldest that the feed no longer lists go first (nil: no cap).
    public var maxPerFeed: Int?

    public init(maxAge: TimeInterval?, maxPerFeed: Int?) {
        self.maxAge = maxAge
        self.maxPerFeed = maxPerFeed
    }
}

/// What a retention pass removed.
public struct RetentionReport: Sendable, Equatable {
    public var entriesDeleted = 0
    public var storiesDeleted = 0
}

extension FeedStore {
    /// Deletes entries beyond the policy, in batches of `batchSize` (one short transaction each, so the poll loop
    /// and readers never wait long), then stories left without entries, then lets SQLite refresh its statistics
    /// (`PRAGMA optimize`). An entry the feed still lists (seen when its body was last parsed) is never deleted:
    /// it would only come back as new. (A listed entry's `last_seen` is refreshed once a day, so "not listed" means
    /// last seen more than a day before the feed's latest listing.) The file does not shrink (freed pages are
    /// reused); run VACUUM by hand with the daemon stopped to give space back.
    public func applyRetention(_ policy: RetentionPolicy, now: Date = Date(), batchSize: Int = 1000) async throws(StoreError)
        -> RetentionReport
    {
        var report = RetentionReport()
        if let maxAge = policy.maxAge {
            let cutoff = now.addingTimeInterval(-maxAge).timeIntervalSince1970
            // Two rounds: an original whose duplicates went in the first can go in the second.
            for _ in 0..<2 {
                var deletedThisRound = 0
                while true {
                    let deleted = try await deleteBatch(
                        sql: """
                            SELECT entry.id FROM entry JOIN feed ON feed.id = entry.feed_id
                            WHERE entry.last_seen < ? AND entry.last_seen < COALESCE(feed.last_listed_at, 0) - \(Self.listingRefreshSeconds)
                              AND \(Self.noDuplicatesLeft)
                            LIMIT ?
                            """,
                        arguments: [cutoff, batchSize])
                    deletedThisRound += deleted
                    if deleted < batchSize { break }
                }
                report.entriesDeleted += deletedThisRound
                if deletedThisRound == 0 { break }
            }
        }
        if let maxPerFeed = policy.maxPerFeed {
            let feedIDs = try await writeAccess { db in
                try Int64.fetchAll(db, sql: "SELECT feed_id FROM entry GROUP BY feed_id HAVING COUNT(*) > ?", arguments: [maxPerFeed])
            }
            for feedID in feedIDs {
                while true {
                    let deleted = try await deleteBatch(
                        sql: """
                            SELECT entry.id FROM entry JOIN feed ON feed.id = entry.feed_id
                            WHERE entry.feed_id = ? AND entry.last_seen < COALESCE(feed.last_listed_at, 0) - \(Self.listingRefreshSeconds)
                              AND \(Self.noDuplicatesLeft)
                              AND entry.id NOT IN (
                                SELECT id FROM entry WHERE feed_id = ?
                                ORDER BY COALESCE(published, first_seen) DESC, id DESC LIMIT ?)
                            LIMIT ?
                            """,
                        arguments: [feedID, feedID, maxPerFeed, batchSize])
                    report.entriesDeleted += deleted
                    if deleted < batchSize { break }
                }
            }
        }
        if report.entriesDeleted > 0 {
            report.storiesDeleted = try await writeAccess { db in
                var removed = 0
                var changed: Int
                // Merges are flat (a merged story points at its final story), so: merged stories whose final
                // story has no entries left, then those final stories themselves.
                repeat {
                    try db.execute(
                        sql: """
                            DELETE FROM story WHERE merged_into IN (
                                SELECT id FROM story AS root WHERE root.merged_into IS NULL
                                  AND NOT EXISTS (SELECT 1 FROM entry WHERE entry.story_id = root.id))
                            """)
                    changed = db.changesCount
                    try db.execute(
                        sql: """
                            DELETE FROM story WHERE merged_into IS NULL
                              AND NOT EXISTS (SELECT 1 FROM entry WHERE entry.story_id = story.id)
                              AND NOT EXISTS (SELECT 1 FROM story AS other WHERE other.merged_into = story.id)
                            """)
                    changed += db.changesCount
                    removed += changed
                } while changed > 0
                return removed
            }
        }
        _ = try await writeAccess { db in try db.execute(sql: "PRAGMA optimize") }
        return report
    }

    /// An original stays while another feed still has its duplicate (the duplicate keeps no content of its own).
    private static let noDuplicatesLeft = "NOT EXISTS (SELECT 1 FROM entry AS copy WHERE copy.duplicate_of = entry.id)"

    /// Deletes one batch of the entries `sql` selects and brings their stories' counts and headlines up to date.
    private func deleteBatch(sql: String, arguments: StatementArguments) async throws(StoreError) -> Int {
        try await writeAccess { db in
            let ids = try Int64.fetchAll(db, sql: sql, arguments: arguments)
            guard !ids.isEmpty else { return 0 }
            let list = ids.map(String.init).joined(separator: ",")
            let stories = try Int64.fetchAll(
                db, sql: "SELECT DISTINCT story_id FROM entry WHERE id IN (\(list)) AND story_id IS NOT NULL")
            try db.execute(sql: "DELETE FROM entry WHERE id IN (\(list))")
            // A stored clusterer snapshot may hold these entries: it goes with them. (A running daemon keeps them in
            // its clusterer until they leave the window, and stores that state again when it stops.)
            try db.execute(sql: "DELETE FROM clustering_snapshot")
            if !stories.isEmpty {
                try db.execute(
                    sql: """
                        UPDATE story SET
                            entry_count = (SELECT COUNT(*) FROM entry WHERE story_id = story.id AND duplicate_of IS NULL),
                            source_count = (SELECT COUNT(DISTINCT feed_id) FROM entry WHERE story_id = story.id),
                            first_seen = COALESCE((SELECT MIN(first_seen) FROM entry WHERE story_id = story.id), first_seen),
                            headline_entry_id = COALESCE(headline_entry_id,
                                (SELECT id FROM entry WHERE story_id = story.id AND duplicate_of IS NULL
                                 ORDER BY first_seen DESC LIMIT 1))
                        WHERE id IN (\(stories.map(String.init).joined(separator: ",")))
                        """)
            }
            return ids.count
        }
    }
}
