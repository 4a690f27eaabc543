public import Foundation
import GRDB

extension FeedStore {
    /// Stores the story clusterer's state in one write transaction with the id of the newest entry. `write` is called
    /// inside the transaction and hands the snapshot over in pieces (each becomes a row, so the whole is never held
    /// twice); record batches, which feed the clusterer inside their own transactions, cannot come between, so the
    /// snapshot holds exactly the entries stored up to that id.
    public func saveClusteringSnapshot(_ write: @escaping @Sendable (_ emit: (Data) -> Void) -> Void) async throws(StoreError) {
        try await writeAccess { db in
            try db.execute(sql: "DELETE FROM clustering_snapshot")
            let lastEntryID = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM entry") ?? 0
            let insert = try db.cachedStatement(sql: "INSERT INTO clustering_snapshot (part, last_entry_id, data) VALUES (?, ?, ?)")
            var part = 0
            var failure: (any Error)?
            write { chunk in
                guard failure == nil else { return }
                do {
                    try insert.execute(arguments: [part, lastEntryID, chunk])
                    part += 1
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
        }
    }

    /// The stored clusterer snapshot, whole, if no entry was stored after it (ids only grow) and none was deleted
    /// since (retention deletes it); nil otherwise.
    public func clusteringSnapshot() throws(StoreError) -> Data? {
        try readAccess { db in
            guard let size = try Self.currentSnapshotSize(db) else { return nil }
            var snapshot = Data(capacity: size)
            let chunks = try Data.fetchCursor(db, sql: "SELECT data FROM clustering_snapshot ORDER BY part")
            while let chunk = try chunks.next() { snapshot.append(chunk) }
            return snapshot
        }
    }

    /// Whether `clusteringSnapshot()` would return one (without reading it).
    public func hasCurrentClusteringSnapshot() throws(StoreError) -> Bool {
        try readAccess { db in try Self.currentSnapshotSize(db) != nil }
    }

    /// The size of the stored snapshot if it is current: every part taken at the newest entry.
    private static func currentSnapshotSize(_ db: Database) throws -> Int? {
        let row = try Row.fetchOne(
            db,
            sql: """
                SELECT COUNT(*) AS parts, SUM(last_entry_id = (SELECT COALESCE(MAX(id), 0) FROM entry)) AS current,
                    SUM(length(data)) AS size
                FROM clustering_snapshot
                """)
        guard let row, let parts = row["parts"] as Int?, parts > 0, row["current"] as Int? == parts else { return nil }
        return row["size"] ?? 0
    }
}
