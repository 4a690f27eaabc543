public import FeedModel
public import Foundation
import GRDB
import Synchronization

/// The local store: one SQLite file in WAL mode, written by the daemon and read by any number of CLI processes
/// at the same time.
///
/// ```swift
/// let store = try FeedStore(path: "/var/lib/tidings/tidings.sqlite")
/// let ids = try await store.syncSubscriptions([SubscriptionInput(url: "https://example.com/feed", title: nil)])
/// ```
public final class FeedStore: Sendable {
    public let path: String
    private let pool: DatabasePool
    private let isReadOnly: Bool
    /// Fetches waiting to be written, and whether a batch is being written (see `record`).
    private let recordQueue = Mutex(RecordQueue())

    /// The file the running daemon holds locked (with its pid inside) while it writes the store at `path`.
    public static func lockPath(forStore path: String) -> String { path + ".lock" }

    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    /// - Parameter readOnly: open for reading only; the file must exist.
    public init(path: String, readOnly: Bool = false) throws(StoreError) {
        self.path = path
        isReadOnly = readOnly
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.busyMode = .timeout(10)
        configuration.label = "tidings"
        if !readOnly {
            // In WAL mode, NORMAL still survives a killed process (kill -9, crash) with every commit intact; only
            // an OS crash or power loss can lose the last transactions. It saves an fsync per poll.
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        }
        if readOnly {
            guard FileManager.default.fileExists(atPath: path) else {
                throw StoreError(path: path, message: "no store here yet: start tidingsd first, or pass --database PATH")
            }
        } else {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                do {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                } catch {
                    throw StoreError(path: path, message: "cannot create the directory \(directory): \(error.localizedDescription)")
                }
            }
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            if !readOnly {
                try StoreSchema.migrator.migrate(pool)
                // After the migrations (which may rebuild an index over every entry): the writer keeps a batch's
                // changed pages in memory until it commits, instead of writing them to the log early when its page
                // cache is full, which wrote many pages more than once; and its savepoints (one per fetch of a
                // batch) journal the pages they change in memory rather than in a temporary file.
                try pool.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA cache_spill = OFF; PRAGMA temp_store = MEMORY")
                }
            } else if try pool.read({ db in try !StoreSchema.migrator.hasCompletedMigrations(db) }) {
                throw StoreError(path: path, message: "the store's schema is older than this tidings; start tidingsd once to upgrade it")
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(path: path, message: Self.describe(error))
        }
    }

    /// Makes the store's feed list match the configuration: new URLs are added, titles updated, and feeds no
    /// longer configured are marked unsubscribed (their entries stay). Returns the feed id of every URL.
    public func syncSubscriptions(_ subscriptions: [SubscriptionInput]) async throws(StoreError) -> [String: Int64] {
        try await write { db in
            // One pass over the feed table (not a lookup per feed, and no scan per feed for moves: 10,000 feeds took
            // 8 s): each URL's row, and the row each confirmed move points at.
            // A feed whose row already says what Feeds.yaml says is not written: a start with an unchanged feed list
            // writes nothing here.
            var known: [String: (id: Int64, subscribed: Bool, title: String?, tags: String)] = [:]
            var movedHere: [String: (id: Int64, oldURL: String)] = [:]
            var wasSubscribed = Set<Int64>()
            let rows = try Row.fetchCursor(
                db, sql: "SELECT id, url, subscribed, moved_to, configured_title, tags FROM feed ORDER BY id")
            while let row = try rows.next() {
                let url: String = row["url"]
                known[url] = (row["id"], row["subscribed"], row["configured_title"], row["tags"])
                if row["subscribed"] { wasSubscribed.insert(row["id"]) }
                if let target: String = row["moved_to"], movedHere[target] == nil { movedHere[target] = (row["id"], url) }
            }
            let listed = Set(subscriptions.map(\.url))
            var ids: [String: Int64] = [:]
            for subscription in subscriptions {
                let url = subscription.url
                let tags = subscription.tags.joined(separator: "\n")
                if let feed = known[url] {
                    ids[url] = feed.id
                    if feed.subscribed, feed.title == subscription.title, feed.tags == tags { continue }
                    if !feed.subscribed {
                        // Taken out of Feeds.yaml and put back: a fresh start for a feed that was gone (410) or moved.
                        try Self.run(db, sql: """
                                UPDATE feed SET disabled_reason = NULL, moved_to = NULL, redirect_candidate = NULL,
                                    redirect_first_seen = NULL, redirect_seen_count = 0, next_poll_at = NULL
                                WHERE id = ? AND (disabled_reason IS NOT NULL OR moved_to IS NOT NULL)
                                """,
                            arguments: [feed.id])
                    }
                    try Self.run(db, sql: "UPDATE feed SET configured_title = ?, subscribed = 1, tags = ? WHERE id = ?",
                        arguments: [subscription.title, tags, feed.id])
                    known[url] = (feed.id, true, subscription.title, tags)
                } else if let moved = movedHere.removeValue(forKey: url), !listed.contains(moved.oldURL) {
                    // The user followed a confirmed move: the old row (and its entries) takes the new URL. (Not when
                    // the old URL is listed too: then both are feeds of their own.)
                    try Self.run(db, sql: """
                            UPDATE feed SET url = ?, moved_to = NULL, redirect_candidate = NULL, redirect_first_seen = NULL,
                                redirect_seen_count = 0, configured_title = ?, subscribed = 1, tags = ?
                            WHERE id = ?
                            """,
                        arguments: [url, subscription.title, tags, moved.id])
                    known[url] = (moved.id, true, subscription.title, tags)
                    ids[url] = moved.id
                } else {
                    try Self.run(db, sql: "INSERT INTO feed (url, configured_title, subscribed, tags) VALUES (?, ?, 1, ?)",
                        arguments: [url, subscription.title, tags])
                    known[url] = (db.lastInsertedRowID, true, subscription.title, tags)
                    ids[url] = db.lastInsertedRowID
                }
            }
            // Feeds no longer listed (or whose row took a moved feed's place under another URL) stop being subscribed.
            let subscribed = Set(ids.values)
            for id in wasSubscribed.subtracting(subscribed).sorted() {
                try Self.run(db, sql: "UPDATE feed SET subscribed = 0 WHERE id = ?", arguments: [id])
            }
            return ids
        }
    }

    /// Records one fetch: the feed's new state and its entries, all or nothing. Entries are keyed by (feed, guid):
    /// a known guid updates the entry when its content changed, never adds a second one.
    ///
    /// Fetches recorded while the writer is busy wait for it and are then written together, one savepoint each in
    /// one transaction (group commit): a failing fetch is rolled back alone, and the pages the fetches share (the
    /// ends of the indexes, story rows) are written to the log once per batch instead of once per feed. The call
    /// returns after its batch committed.
    @discardableResult
    public func record(_ fetch: FetchRecord, stories: (any StoryAssigner)? = nil) async throws(StoreError)
        -> FetchRecordSummary
    {
        let result = await withCheckedContinuation { continuation in
            let startsWriting = recordQueue.withLock { queue in
                queue.waiting.append(PendingRecord(fetch: fetch, stories: stories, continuation: continuation))
                guard !queue.writing else { return false }
                queue.writing = true
                return true
            }
            if startsWriting { writeWaitingRecords() }
        }
        return try result.get()
    }

    /// Most fetches written in one transaction.
    static let recordBatchLimit = 16

    /// The most fetches written in one transaction so far.
    var largestRecordBatch: Int { recordQueue.withLock { $0.largestBatch } }

    /// Fetches waiting for the writer now.
    var waitingRecordCount: Int { recordQueue.withLock { $0.waiting.count } }

    /// Writes one batch of waiting fetches on the writer, then queues itself again while more wait (so other writes,
    /// such as retention or a reload, take their turn between batches). Runs only while `writing` is set, which
    /// `record` sets when it queues the first fetch.
    private func writeWaitingRecords() {
        pool.asyncWriteWithoutTransaction { [self] db in
            let batch = recordQueue.withLock { queue in
                let batch = Array(queue.waiting.prefix(Self.recordBatchLimit))
                queue.waiting.removeFirst(batch.count)
                queue.largestBatch = max(queue.largestBatch, batch.count)
                return batch
            }
            var results: [Result<FetchRecordSummary, StoreError>] = []
            do {
                try db.inTransaction(.immediate) {
                    var unindexed = SearchBacklog()
                    for pending in batch {
                        let backlogBefore = unindexed
                        do {
                            var summary = FetchRecordSummary(newEntries: 0, updatedEntries: 0)
                            try Self.inSavepoint(db) {
                                summary = try Self.write(pending.fetch, stories: pending.stories, unindexed: &unindexed, in: db)
                            }
                            results.append(.success(summary))
                        } catch {
                            unindexed = backlogBefore
                            pending.stories?.entriesRolledBack()
                            results.append(.failure(StoreError(path: path, message: Self.describe(error))))
                        }
                    }
                    try unindexed.index(in: db)
                    return .commit
                }
            } catch {
                // The commit itself failed (disk full, I/O error): nothing of the batch is stored.
                for pending in batch { pending.stories?.entriesRolledBack() }
                let failure = StoreError(path: path, message: Self.describe(error))
                results = batch.map { _ in .failure(failure) }
            }
            for (pending, result) in zip(batch, results) { pending.continuation.resume(returning: result) }
            let moreWait = recordQueue.withLock { queue in
                if queue.waiting.isEmpty { queue.writing = false }
                return queue.writing
            }
            if moreWait { writeWaitingRecords() }
        }
    }

    /// Writes one fetch inside the current transaction.
    private static func write(
        _ fetch: FetchRecord, stories: (any StoryAssigner)?, unindexed: inout SearchBacklog, in db: Database
    ) throws
        -> FetchRecordSummary
    {
        let state = fetch.state
        try Self.run(db, sql: """
                UPDATE feed SET etag = ?, last_modified = ?, last_status = ?, last_error = ?, last_polled_at = ?,
                    last_success_at = ?, next_poll_at = ?, consecutive_failures = ?, not_modified_since = ?,
                    body_hash = ?, moved_to = ?, redirect_candidate = ?, redirect_first_seen = ?,
                    redirect_seen_count = ?, disabled_reason = ?, hint_interval = ?, skip_hours = ?, skip_days = ?,
                    posting_interval = ?, poll_count = ?, last_fetch_ms = ?, title = COALESCE(?, title),
                    site_link = COALESCE(?, site_link)
                WHERE id = ?
                """,
            arguments: [
                state.etag, state.lastModified, state.lastStatus, state.lastError, Self.seconds(state.lastPolledAt),
                Self.seconds(state.lastSuccessAt), Self.seconds(state.nextPollAt), state.consecutiveFailures,
                Self.seconds(state.notModifiedSince), state.bodyHash, state.movedTo, state.redirectCandidate,
                Self.seconds(state.redirectFirstSeen), state.redirectSeenCount, state.disabledReason,
                state.hintIntervalSeconds, Self.list(state.skipHours), Self.list(state.skipDays),
                state.postingIntervalSeconds, state.pollCount, state.lastFetchMilliseconds, fetch.feedTitle,
                fetch.siteLink, fetch.feedID,
            ])
        if fetch.listed {
            try Self.run(
                db, sql: "UPDATE feed SET last_listed_at = ? WHERE id = ?",
                arguments: [(state.lastPolledAt ?? Date()).timeIntervalSince1970, fetch.feedID])
        }
        if let pause = fetch.hostPause {
            try Self.run(db, sql: """
                    INSERT INTO host_pause (host, until, reason) VALUES (?, ?, ?)
                    ON CONFLICT(host) DO UPDATE SET until = MAX(until, excluded.until), reason = excluded.reason
                    """,
                arguments: [pause.host.lowercased(), pause.until.timeIntervalSince1970, pause.reason])
        }
        var summary = FetchRecordSummary(newEntries: 0, updatedEntries: 0)
        let now = (state.lastPolledAt ?? Date()).timeIntervalSince1970
        // The id the next insert gives an entry (AUTOINCREMENT: one past the largest ever given), read once:
        // this transaction is the only writer, so each new entry takes the next.
        var nextEntryID: Int64?
        // A link several of this fetch's entries share (a show page, a section) says nothing about which article
        // each is.
        let entries = Self.lastListings(fetch.entries)
        let singleLinks = CanonicalURL.singleKeys(entries.map { ($0.guid, $0.canonicalURL) })
        // Entries sent without content that the store could not complete: the feed is fetched and parsed in full
        // at its next poll.
        var needsFullParse = false
        for entry in entries {
            let values: [(any DatabaseValueConvertible)?] = [
                entry.url, entry.title, entry.author, entry.summaryHTML, entry.contentHTML, entry.text,
                entry.published?.timeIntervalSince1970, entry.updated?.timeIntervalSince1970,
            ]
            let known = entry.knownAbsent ? nil : try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT id, duplicate_of, content_hash, last_seen,
                            text IS NULL AND summary_html IS NULL AND content_html IS NULL AS bare
                        FROM entry WHERE feed_id = ? AND guid = ?
                        """),
                arguments: [fetch.feedID, entry.guid])
            if let known {
                let id: Int64 = known["id"]
                // The update triggers take the old text out of the search index: it must be there first. (Only when
                // one feed is written twice in a batch, which the daemon's poll cycle never does: an index mid-batch
                // makes every later statement of the transaction sync the search index.)
                if unindexed.contains(id) { try unindexed.index(in: db) }
                // Still listed by the feed: retention keeps it. Refreshed once a day at most (retention allows for
                // that day), so that an unchanged entry's row is not rewritten at every poll.
                let touch = (known["last_seen"] as Double? ?? 0) < now - Self.listingRefreshSeconds
                let storedHash: Int64? = known["content_hash"]
                if let hash = entry.contentHash, hash == storedHash {
                    if touch { try Self.run(db, sql: "UPDATE entry SET last_seen = ? WHERE id = ?", arguments: [now, id]) }
                    continue
                }
                let isCopy = (known["duplicate_of"] as Int64?) != nil && known["bare"] as Bool
                if isCopy || entry.contentOmitted {
                    // A copy of another feed's article under the same link (its own link, title and dates, no
                    // content), or an entry whose content the poll left out but which changed meanwhile: the hash
                    // is forgotten and the next poll parses the feed in full.
                    if !isCopy { needsFullParse = true }
                    try Self.run(db, sql: """
                            UPDATE entry SET url = ?, title = ?, author = ?, published = COALESCE(?, published),
                                updated = COALESCE(?, updated), canonical_url = ?, content_hash = ?, last_seen = ?
                            WHERE id = ?
                            """,
                        arguments: [entry.url, entry.title, entry.author, entry.published?.timeIntervalSince1970,
                                    entry.updated?.timeIntervalSince1970, entry.canonicalURL,
                                    isCopy ? entry.contentHash : nil, now, id])
                    continue
                }
                try Self.run(db, sql: """
                        UPDATE entry SET url = ?, title = ?, author = ?, summary_html = ?, content_html = ?, text = ?,
                            published = COALESCE(?, published), updated = COALESCE(?, updated), canonical_url = ?,
                            content_hash = ?, last_seen = ?
                        WHERE id = ?12 AND (url IS NOT ?1 OR title IS NOT ?2 OR author IS NOT ?3
                            OR summary_html IS NOT ?4 OR content_html IS NOT ?5 OR text IS NOT ?6)
                        """,
                    arguments: StatementArguments(values + [entry.canonicalURL, entry.contentHash, now, id]))
                if db.changesCount > 0 {
                    summary.updatedEntries += 1
                } else if entry.contentHash != storedHash || touch {
                    // The same text under a new hash (first poll after an upgrade, or a change that renders the
                    // same): remember the hash.
                    try Self.run(db, sql: "UPDATE entry SET content_hash = ?, last_seen = ? WHERE id = ?",
                        arguments: [entry.contentHash, touch ? now : known["last_seen"] as Double?, id])
                }
                continue
            }
            let original = try entry.canonicalURL.flatMap { key in
                singleLinks.contains(key) ? try Self.original(linkedBy: key, outside: fetch.feedID, in: db) : nil
            }
            if original == nil && entry.contentOmitted {
                // Left out as another feed's article, which is gone now: not stored without its text.
                needsFullParse = true
                continue
            }
            summary.newEntries += 1
            let id = try nextEntryID
                ?? Int64.fetchOne(db.cachedStatement(sql: "SELECT seq FROM sqlite_sequence WHERE name = 'entry'")).map { $0 + 1 } ?? 1
            nextEntryID = id + 1
            unindexed.add(id)
            let seenAt = state.lastPolledAt ?? Date()
            if let original {
                // The same article as another feed's entry: stored as its duplicate, in its story, not clustered
                // or indexed again.
                summary.duplicateEntries += 1
                try Self.run(db, sql: """
                        INSERT INTO entry (id, feed_id, guid, url, title, author, published, updated, first_seen,
                            last_seen, story_id, canonical_url, duplicate_of, content_hash)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [id, fetch.feedID, entry.guid, entry.url, entry.title, entry.author,
                                entry.published?.timeIntervalSince1970, entry.updated?.timeIntervalSince1970, now, now,
                                original.story, entry.canonicalURL, original.id, entry.contentHash])
                if let story = original.story {
                    try Self.refreshStory(
                        story, after: id, from: fetch.feedID, isDuplicate: true, seen: seenAt.timeIntervalSince1970,
                        headlineEntryID: nil, recount: false, in: db)
                }
                continue
            }
            // The clusterer files the entry under its id before the insert, so that the entry is written
            // once, with its story: setting story_id afterwards would rewrite the whole row, text and all.
            let newEntry = NewEntry(id: id, feedID: fetch.feedID, input: entry, seenAt: seenAt)
            let assignment = stories?.assign(newEntry)
            if let assignment { try Self.createStory(assignment, for: newEntry, in: db) }
            // A near-copy of another feed's entry points at that entry's original (its own text stays, out of
            // search, where the original is).
            let copyOf = try assignment?.duplicateOf.flatMap { copied in
                try Int64.fetchOne(
                    db.cachedStatement(sql: """
                        SELECT original.id FROM entry AS copy
                        JOIN entry AS original ON original.id = COALESCE(copy.duplicate_of, copy.id)
                        WHERE copy.id = ? AND original.feed_id != ?
                        """),
                    arguments: [copied, fetch.feedID])
            }
            try Self.run(db, sql: """
                    INSERT INTO entry (id, feed_id, guid, url, title, author, summary_html, content_html, text,
                        published, updated, first_seen, last_seen, story_id, canonical_url, content_hash, duplicate_of)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: StatementArguments(
                    [id, fetch.feedID, entry.guid] + values
                        + [now, now, assignment?.story, entry.canonicalURL, entry.contentOmitted ? nil : entry.contentHash,
                           copyOf]))
            if copyOf != nil { summary.duplicateEntries += 1 }
            if let assignment { try Self.apply(assignment, to: newEntry, isDuplicate: copyOf != nil, in: db) }
        }
        if needsFullParse {
            try Self.run(db, sql: "UPDATE feed SET etag = NULL, last_modified = NULL, body_hash = NULL WHERE id = ?",
                arguments: [fetch.feedID])
        }
        return summary
    }

    /// The entries of a listing with each guid once, as listed last (a feed that lists a guid twice has one entry,
    /// in its last form), in listing order.
    static func lastListings(_ entries: [EntryInput]) -> [EntryInput] {
        var seen = Set<String>()
        var kept = entries.reversed().filter { seen.insert($0.guid).inserted }
        guard kept.count < entries.count else { return entries }
        kept.reverse()
        return kept
    }

    /// How stale an entry's `last_seen` may get while its feed keeps listing it: retention treats an entry as
    /// no longer listed only when it was last seen this long before its feed's latest listing.
    static let listingRefreshSeconds: Double = 86400

    /// What the store knows of the entries a feed lists now (by guid), and which of their canonical links another
    /// feed already carries: asked by the poll before it renders text, which it can then leave out.
    public func listingKnowledge(feedID: Int64, guids: [String], canonicalURLs: [String]) throws(StoreError)
        -> ListingKnowledge
    {
        // The lists go in as one JSON array each (json_each), so that the statements are compiled once per connection,
        // whatever the listing's length.
        let guidList = Self.jsonArray(guids)
        let linkList = Self.jsonArray(canonicalURLs)
        return try read { db in
            var knowledge = ListingKnowledge()
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: """
                    SELECT guid, content_hash FROM entry
                    WHERE feed_id = ? AND guid IN (SELECT value FROM json_each(?))
                    """),
                arguments: [feedID, guidList])
            while let row = try rows.next() { knowledge.contentHashes[row["guid"]] = .some(row["content_hash"]) }
            guard !canonicalURLs.isEmpty else { return knowledge }
            let found = try String.fetchCursor(
                db.cachedStatement(sql: """
                    SELECT canonical_url FROM entry
                    WHERE canonical_url IN (SELECT value FROM json_each(?)) AND duplicate_of IS NULL
                    GROUP BY canonical_url HAVING COUNT(*) = 1 AND MIN(feed_id) != ?
                    """),
                arguments: [linkList, feedID])
            while let link = try found.next() { knowledge.carriedElsewhere.insert(link) }
            return knowledge
        }
    }

    /// `values` as a JSON array of strings.
    static func jsonArray(_ values: [String]) -> String {
        guard let data = try? JSONEncoder().encode(values) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The columns `entry(from:)` reads: the entry and its feed's URL and title.
    /// A duplicate shows its original's text; an original lists the other feeds that carry it.
    private static let entryColumns = """
        entry.id, entry.feed_id, entry.guid, entry.url, entry.title, entry.author, entry.published, entry.updated,
        entry.first_seen, entry.story_id, entry.duplicate_of,
        COALESCE(entry.text, (SELECT original.text FROM entry AS original WHERE original.id = entry.duplicate_of)) AS text,
        (SELECT group_concat(COALESCE(other.configured_title, other.title, other.url), char(10))
            FROM entry AS copy JOIN feed AS other ON other.id = copy.feed_id WHERE copy.duplicate_of = entry.id) AS also_in,
        feed.url AS feed_url, COALESCE(feed.configured_title, feed.title) AS feed_title
        """

    /// Runs `body` in a savepoint that is rolled back if it throws. GRDB's `inSavepoint` prepares its SAVEPOINT
    /// and RELEASE statements anew at every call, which was a fifth of the writer's time in a 304 cycle (one
    /// savepoint per fetch); these are cached.
    private static func inSavepoint(_ db: Database, _ body: () throws -> Void) throws {
        try Self.run(db, sql: "SAVEPOINT fetch_record")
        do {
            try body()
            try Self.run(db, sql: "RELEASE SAVEPOINT fetch_record")
        } catch {
            // Released only once rolled back: a failed rollback must not fold the fetch's writes into the batch
            // (the batch's transaction then fails as a whole).
            do {
                try Self.run(db, sql: "ROLLBACK TO SAVEPOINT fetch_record")
                try Self.run(db, sql: "RELEASE SAVEPOINT fetch_record")
            } catch {}
            throw error
        }
    }

    /// Runs a statement compiled once per connection (the poll path runs the same few statements per entry).
    private static func run(_ db: Database, sql: String, arguments: StatementArguments = []) throws {
        try db.cachedStatement(sql: sql).execute(arguments: arguments)
    }

    /// Makes the row of the story a new entry goes to, if it is a new story (before the entry refers to it).
    private static func createStory(_ assignment: StoryAssignment, for entry: NewEntry, in db: Database) throws {
        let seen = entry.seenAt.timeIntervalSince1970
        try Self.run(db, sql: "INSERT INTO story (id, first_seen, last_seen) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING",
            arguments: [assignment.story, seen, seen])
    }

    /// After `entry` was stored under its story: applies the assignment's merges and keeps the story rows' counts and
    /// times right.
    private static func apply(_ assignment: StoryAssignment, to entry: NewEntry, isDuplicate: Bool, in db: Database) throws {
        let seen = entry.seenAt.timeIntervalSince1970
        for merge in assignment.merges {
            try Self.run(db, sql: "UPDATE entry SET story_id = ? WHERE story_id = ?", arguments: [merge.into, merge.from])
            try Self.run(db, sql: "UPDATE story SET merged_into = ? WHERE id = ? OR merged_into = ?",
                arguments: [merge.into, merge.from, merge.from])
        }
        try refreshStory(
            assignment.story, after: entry.id, from: entry.feedID, isDuplicate: isDuplicate, seen: seen,
            headlineEntryID: assignment.headlineEntryID, recount: !assignment.merges.isEmpty, in: db)
    }

    /// Brings a story row's counts and times up to date after entry `entryID` of feed `feedID` joined it (and makes
    /// `headlineEntryID` its headline when given). Duplicates count as sources, not as entries: they are one
    /// article. Without merges the counts step up (two index probes); after a merge they are counted again.
    private static func refreshStory(
        _ story: Int64, after entryID: Int64, from feedID: Int64, isDuplicate: Bool, seen: Double, headlineEntryID: Int64?,
        recount: Bool, in db: Database
    ) throws {
        if recount {
            try Self.run(db, sql: """
                    UPDATE story SET
                        entry_count = (SELECT COUNT(*) FROM entry WHERE story_id = story.id AND duplicate_of IS NULL),
                        source_count = (SELECT COUNT(DISTINCT feed_id) FROM entry WHERE story_id = story.id),
                        first_seen = MIN(first_seen, (SELECT MIN(first_seen) FROM entry WHERE story_id = story.id)),
                        last_seen = MAX(last_seen, ?),
                        headline_entry_id = COALESCE((SELECT id FROM entry WHERE id = ? AND duplicate_of IS NULL), headline_entry_id)
                    WHERE id = ?
                    """,
                arguments: [seen, headlineEntryID, story])
            return
        }
        // Without a new headline (a duplicate joining) the headline column is left out of the statement, so that
        // SQLite neither rewrites its index entry nor checks its foreign key.
        var arguments: StatementArguments = [isDuplicate ? 0 : 1, feedID, entryID, seen, story]
        if let headlineEntryID { arguments += [headlineEntryID] }
        try Self.run(db, sql: headlineEntryID == nil ? storyJoinedSQL : storyJoinedWithHeadlineSQL, arguments: arguments)
    }

    /// A story after one entry joined it: ?1 entries added (0 or 1), ?2 the entry's feed, ?3 the entry, ?4 when it
    /// was seen, ?5 the story; with a headline, ?6 the entry to make it (if it is an original).
    private static func storyJoinedSQL(headline: String) -> String {
        """
        UPDATE story SET
            entry_count = entry_count + ?1,
            source_count = source_count
                + NOT EXISTS (SELECT 1 FROM entry WHERE story_id = ?5 AND feed_id = ?2 AND id != ?3),
            first_seen = MIN(first_seen, ?4), last_seen = MAX(last_seen, ?4)\(headline)
        WHERE id = ?5
        """
    }
    private static let storyJoinedSQL = storyJoinedSQL(headline: "")
    private static let storyJoinedWithHeadlineSQL = storyJoinedSQL(
        headline: ",\n    headline_entry_id = COALESCE((SELECT id FROM entry WHERE id = ?6 AND duplicate_of IS NULL), headline_entry_id)")

    /// The stored original, from another feed, of the article at canonical link `key`: only when exactly one
    /// entry has that link (several entries under one link, like a podcast's show page, are different items).
    private static func original(linkedBy key: String, outside feedID: Int64, in db: Database) throws
        -> (id: Int64, story: Int64?)?
    {
        // One row, read from the canonical-link index alone: the entry (if it is the only one) and how many there are.
        guard let row = try Row.fetchOne(
                db.cachedStatement(sql: """
                    SELECT MIN(id) AS id, story_id, feed_id, COUNT(*) AS count FROM entry
                    WHERE canonical_url = ? AND duplicate_of IS NULL
                    """),
                arguments: [key]),
            row["count"] as Int == 1, (row["feed_id"] as Int64) != feedID
        else { return nil }
        return (row["id"], row["story_id"])
    }

    /// How `stories` orders its answer.
    public enum StoryOrder: String, Sendable, CaseIterable {
        /// Most recently active first.
        case recent
        /// Most feeds first, then most entries (the day's big stories).
        case sources
    }

    /// Stories still current (not merged away), most recently active first (or by `order`).
    /// - Parameters:
    ///   - since: only stories seen at or after this date.
    ///   - until: only stories first seen before this date (with `since`: the stories active in between).
    ///   - minimumSources: only stories reported by at least this many feeds.
    public func stories(
        since: Date?, until: Date? = nil, minimumSources: Int = 1, limit: Int = 50, order: StoryOrder = .recent
    ) throws(StoreError) -> [StoredStory] {
        let orderBy = switch order {
        case .recent: "story.last_seen DESC, story.id DESC"
        case .sources: "story.source_count DESC, story.entry_count DESC, story.last_seen DESC, story.id DESC"
        }
        return try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT story.*, entry.title AS headline, entry.url AS headline_link FROM story
                    LEFT JOIN entry ON entry.id = story.headline_entry_id
                    WHERE story.merged_into IS NULL AND story.last_seen >= ? AND story.first_seen < ?
                        AND story.source_count >= ?
                    ORDER BY \(orderBy) LIMIT ?
                    """,
                arguments: [since?.timeIntervalSince1970 ?? 0, (until ?? .distantFuture).timeIntervalSince1970, minimumSources, limit])
            return rows.map(Self.story(from:))
        }
    }

    /// The story with `id`, following merges (a merged id resolves to the story it became), and its entries
    /// oldest first; nil when no such story exists.
    public func story(id: Int64) throws(StoreError) -> (story: StoredStory, entries: [StoredEntry])? {
        try read { db in
            // Merges are flat (a merged story points straight at the story it became): one lookup.
            let merged = try Int64?.fetchOne(db, sql: "SELECT merged_into FROM story WHERE id = ?", arguments: [id]) ?? nil
            let current = merged ?? id
            guard let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT story.*, entry.title AS headline, entry.url AS headline_link FROM story
                    LEFT JOIN entry ON entry.id = story.headline_entry_id WHERE story.id = ?
                    """,
                arguments: [current])
            else { return nil }
            let entries = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.entryColumns)
                    FROM entry JOIN feed ON feed.id = entry.feed_id
                    WHERE entry.story_id = ? AND entry.duplicate_of IS NULL
                    ORDER BY COALESCE(entry.published, entry.first_seen), entry.id
                    """,
                arguments: [current])
            return (Self.story(from: row), entries.map(Self.entry(from:)))
        }
    }

    /// Entries first seen at or after `since` (the most recent `limit` of them), in the order they were stored,
    /// with their story: what the clusterer needs to pick up where it left off after a restart. Each is handed to
    /// `body` as it is read (not all first: 20,000 entries' text would be held twice at once). Returns the count.
    @discardableResult
    public func forEachEntryForClustering(
        since: Date, limit: Int = 20_000, _ body: (ClusteringEntry) throws -> Void
    ) throws(StoreError) -> Int {
        try read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT * FROM (
                        SELECT id, feed_id, title, substr(text, 1, 600) AS text, published, first_seen, story_id
                        FROM entry WHERE first_seen >= ? AND story_id IS NOT NULL AND duplicate_of IS NULL
                        ORDER BY id DESC LIMIT ?)
                    ORDER BY id
                    """,
                arguments: [since.timeIntervalSince1970, limit])
            var count = 0
            while let row = try rows.next() {
                try body(
                    ClusteringEntry(
                        id: row["id"], feedID: row["feed_id"], title: row["title"], text: row["text"],
                        published: Self.date(row["published"]), firstSeen: Date(timeIntervalSince1970: row["first_seen"]),
                        storyID: row["story_id"]))
                count += 1
            }
            return count
        }
    }

    /// The highest story id in use (0 when there is none).
    public func maximumStoryID() throws(StoreError) -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM story") ?? 0 }
    }

    /// Hosts that asked not to be contacted before a date still in the future of `now`.
    public func hostPauses(now: Date = Date()) throws(StoreError) -> [String: Date] {
        try read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT host, until FROM host_pause WHERE until > ?", arguments: [now.timeIntervalSince1970])
            return Dictionary(uniqueKeysWithValues: rows.map { (row: Row) in
                (row["host"] as String, Date(timeIntervalSince1970: row["until"]))
            })
        }
    }

    /// Every feed with its polling state, in id order.
    /// - Parameter countingEntries: fill in `entryCount` (one count per feed: for display, not for the poll loop,
    ///   which leaves it 0).
    public func feeds(subscribedOnly: Bool = false, countingEntries: Bool = true) throws(StoreError) -> [StoredFeed] {
        try read { db in
            let count = countingEntries ? "(SELECT COUNT(*) FROM entry WHERE entry.feed_id = feed.id)" : "0"
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.feedColumns.joined(separator: ", ")), \(count) AS entry_count
                    FROM feed \(subscribedOnly ? "WHERE subscribed = 1" : "") ORDER BY id
                    """)
            return rows.map(Self.feed(from:))
        }
    }

    /// The newest entries (by publication date, else update date, else first seen), optionally of one feed, of the
    /// feeds with a tag, or since a date. An article in several feeds comes once, with the others in `alsoIn`,
    /// unless `includingDuplicates` (or a feed is given: its list shows its copies too).
    public func entries(
        feedURL: String? = nil, tag: String? = nil, since: Date? = nil, limit: Int = 50, includingDuplicates: Bool = false
    ) throws(StoreError) -> [StoredEntry] {
        try read { db in
            var sql = """
                SELECT \(Self.entryColumns)
                FROM entry JOIN feed ON feed.id = entry.feed_id WHERE 1
                """
            var arguments: StatementArguments = []
            if let feedURL {
                sql += " AND feed.url = ?"
                arguments += [feedURL]
            } else if !includingDuplicates {
                sql += " AND entry.duplicate_of IS NULL"
            }
            if let tag {
                sql += " AND ('\n' || feed.tags || '\n') LIKE ?"
                arguments += ["%\n" + tag + "\n%"]
            }
            if let since {
                sql += " AND COALESCE(entry.published, entry.updated, entry.first_seen) >= ?"
                arguments += [since.timeIntervalSince1970]
            }
            sql += " ORDER BY COALESCE(entry.published, entry.updated, entry.first_seen) DESC, entry.id DESC LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.entry(from:))
        }
    }

    /// SQLite's `PRAGMA integrity_check` and, on a store open for writing, FTS5's check of the search index: "ok",
    /// or the problems found.
    public func integrityCheck() throws(StoreError) -> String {
        let pages = try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
        // FTS5 compares its index with the text it indexes (through entry_search_source; `rank = 1` asks newer
        // SQLite versions to compare with that text too) and fails with SQLITE_CORRUPT_VTAB on a mismatch. The check
        // is an INSERT command, so a store opened read-only skips it.
        guard !isReadOnly else { return pages }
        do {
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "INSERT INTO entry_search(entry_search, rank) VALUES ('integrity-check', 1)")
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CORRUPT {
            let problem = "search index: \(Self.describe(error))"
            return pages == "ok" ? problem : pages + "; " + problem
        } catch {
            // Busy, read-only file, I/O: the check could not run, which says nothing about the index.
            throw StoreError(path: path, message: Self.describe(error))
        }
        return pages
    }

    /// Every entry's feed URL and guid (for consistency checks).
    public func entryKeys() throws(StoreError) -> [String] {
        try read { db in
            try String.fetchAll(
                db, sql: "SELECT feed.url || ' ' || entry.guid FROM entry JOIN feed ON feed.id = entry.feed_id")
        }
    }

    /// How many of the most recent matches a search ranks: a common word in a million entries would otherwise
    /// rank them all (half a second); the newest 10,000 matches take tens of milliseconds.
    static let searchDepth = 10_000

    /// Entries matching `query` (SQLite FTS5 syntax: words, "phrases", prefix*, AND/OR/NOT), best first (BM25,
    /// titles weighing three times the text, among the `searchDepth` most recent matches), newest first among
    /// equals.
    public func search(_ query: String, limit: Int = 20) throws(StoreError) -> [SearchHit] {
        do {
            return try pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT \(Self.entryColumns),
                            snippet(entry_search, 0, '[', ']', '…', 24) AS title_snippet,
                            snippet(entry_search, 1, '[', ']', '…', 16) AS text_snippet,
                            bm25(entry_search, 3.0, 1.0) AS rank
                        FROM entry_search JOIN entry ON entry.id = entry_search.rowid JOIN feed ON feed.id = entry.feed_id
                        WHERE entry_search MATCH ?1 AND entry_search.rowid >= COALESCE(
                            (SELECT rowid FROM entry_search WHERE entry_search MATCH ?1 ORDER BY rowid DESC LIMIT 1 OFFSET ?3), 0)
                        ORDER BY rank, COALESCE(entry.published, entry.first_seen) DESC LIMIT ?2
                        """,
                    arguments: [query, limit, Self.searchDepth - 1]
                ).map { row in
                    SearchHit(
                        entry: Self.entry(from: row), titleSnippet: row["title_snippet"] ?? "",
                        textSnippet: row["text_snippet"] ?? "", rank: row["rank"])
                }
            }
        } catch let error as DatabaseError where error.message?.contains("fts5") == true || error.resultCode == .SQLITE_ERROR {
            throw StoreError(
                path: path,
                message: "cannot search for '\(query)': \(error.message ?? "invalid query") (use words, \"a phrase\", prefix*, AND, OR, NOT)")
        } catch {
            throw StoreError(path: path, message: Self.describe(error))
        }
    }

    /// Number of current stories (not merged away).
    public func storyCount() throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM story WHERE merged_into IS NULL") ?? 0 }
    }

    /// Number of stored entries.
    public func entryCount() throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM entry") ?? 0 }
    }

    // MARK: - Rows

    /// The feed columns `feed(from:)` reads, in the order it reads them: by position, because looking a column up by
    /// name (case-insensitively, in every row) took most of the time of listing a thousand feeds.
    private static let feedColumns = [
        "etag", "last_modified", "last_status", "last_error", "last_polled_at", "last_success_at", "next_poll_at",
        "consecutive_failures", "not_modified_since", "body_hash", "moved_to", "redirect_candidate", "redirect_first_seen",
        "redirect_seen_count", "disabled_reason", "hint_interval", "skip_hours", "skip_days", "posting_interval",
        "poll_count", "last_fetch_ms", "id", "url", "configured_title", "title", "site_link", "subscribed", "tags",
    ]

    /// A feed from a row of `feedColumns` followed by the entry count.
    private static func feed(from row: Row) -> StoredFeed {
        var state = FeedPollState()
        state.etag = row[0]
        state.lastModified = row[1]
        state.lastStatus = row[2]
        state.lastError = row[3]
        state.lastPolledAt = date(row[4])
        state.lastSuccessAt = date(row[5])
        state.nextPollAt = date(row[6])
        state.consecutiveFailures = row[7]
        state.notModifiedSince = date(row[8])
        state.bodyHash = row[9]
        state.movedTo = row[10]
        state.redirectCandidate = row[11]
        state.redirectFirstSeen = date(row[12])
        state.redirectSeenCount = row[13]
        state.disabledReason = row[14]
        state.hintIntervalSeconds = row[15]
        state.skipHours = numbers(row[16])
        state.skipDays = numbers(row[17])
        state.postingIntervalSeconds = row[18]
        state.pollCount = row[19]
        state.lastFetchMilliseconds = row[20]
        return StoredFeed(
            id: row[21], url: row[22], title: row[23] ?? row[24], siteLink: row[25], subscribed: row[26], entryCount: row[28],
            tags: (row[27] as String? ?? "").split(separator: "\n").map(String.init), state: state)
    }

    private static func list(_ numbers: [Int]) -> String { numbers.map(String.init).joined(separator: ",") }

    private static func numbers(_ text: String?) -> [Int] {
        (text ?? "").split(separator: ",").compactMap { Int($0) }
    }

    private static func story(from row: Row) -> StoredStory {
        StoredStory(
            id: row["id"], headline: row["headline"], headlineLink: row["headline_link"], entryCount: row["entry_count"],
            sourceCount: row["source_count"], firstSeen: Date(timeIntervalSince1970: row["first_seen"]),
            lastSeen: Date(timeIntervalSince1970: row["last_seen"]))
    }

    private static func entry(from row: Row) -> StoredEntry {
        StoredEntry(
            id: row["id"], feedID: row["feed_id"], feedURL: row["feed_url"], feedTitle: row["feed_title"],
            guid: row["guid"], url: row["url"], title: row["title"], author: row["author"], text: row["text"],
            published: date(row["published"]), updated: date(row["updated"]),
            firstSeen: date(row["first_seen"]) ?? Date(timeIntervalSince1970: 0), storyID: row["story_id"],
            duplicateOf: row["duplicate_of"],
            alsoIn: (row["also_in"] as String?)?.split(separator: "\n").map(String.init) ?? [])
    }

    private static func seconds(_ date: Date?) -> Double? { date?.timeIntervalSince1970 }

    private static func date(_ seconds: Double?) -> Date? {
        seconds.map { Date(timeIntervalSince1970: $0) }
    }

    // MARK: - Access

    /// Runs `body` in a write transaction (for the store's own extensions).
    func writeAccess<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        try await write(body)
    }

    /// Runs `body` in a read transaction (for the store's own extensions).
    func readAccess<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        try read(body)
    }

    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await pool.write(body)
        } catch {
            throw StoreError(path: path, message: Self.describe(error))
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.read(body)
        } catch {
            throw StoreError(path: path, message: Self.describe(error))
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            var text = "SQLite error \(error.resultCode.rawValue): \(error.message ?? "unknown")"
            if let sql = error.sql { text += " - while executing \(sql.prefix(120))" }
            return text
        }
        return "\(error)"
    }
}

/// Fetches handed to `FeedStore.record` that wait for the writer.
private struct RecordQueue {
    var waiting: [PendingRecord] = []
    /// A batch is being written or is queued on the writer: new fetches join the next batch.
    var writing = false
    /// The most fetches written in one transaction so far (for tests).
    var largestBatch = 0
}

private struct PendingRecord: Sendable {
    let fetch: FetchRecord
    let stories: (any StoryAssigner)?
    let continuation: CheckedContinuation<Result<FetchRecordSummary, StoreError>, Never>
}

/// New entries not yet in the search index. A batch indexes its new entries together, with one statement at its end:
/// an insert trigger ran once per entry, and FTS5 wrote a segment for each.
struct SearchBacklog {
    /// The smallest unindexed id: every entry from it on is new in this transaction (ids only grow).
    private var firstID: Int64?

    mutating func add(_ id: Int64) {
        if firstID == nil { firstID = id }
    }

    func contains(_ id: Int64) -> Bool { firstID.map { id >= $0 } ?? false }

    /// Indexes the backlog (originals only: the view leaves duplicates out).
    mutating func index(in db: Database) throws {
        guard let firstID else { return }
        try db.cachedStatement(sql: """
                INSERT INTO entry_search(rowid, title, text)
                SELECT id, title, text FROM entry_search_source WHERE id >= ?
                """).execute(arguments: [firstID])
        self.firstID = nil
    }
}
