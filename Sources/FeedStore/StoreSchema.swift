import GRDB

/// The store's schema as named, ordered migrations. Never edit a shipped migration: add a new one.
enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-feeds-entries") { db in
            try db.execute(
                sql: """
                    CREATE TABLE feed (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        url TEXT NOT NULL UNIQUE,
                        configured_title TEXT,
                        title TEXT,
                        site_link TEXT,
                        subscribed INTEGER NOT NULL DEFAULT 1,
                        etag TEXT,
                        last_modified TEXT,
                        last_status INTEGER,
                        last_error TEXT,
                        last_polled_at REAL,
                        next_poll_at REAL,
                        consecutive_failures INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE TABLE entry (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        feed_id INTEGER NOT NULL REFERENCES feed(id) ON DELETE CASCADE,
                        guid TEXT NOT NULL,
                        url TEXT,
                        title TEXT,
                        author TEXT,
                        summary_html TEXT,
                        content_html TEXT,
                        text TEXT,
                        published REAL,
                        updated REAL,
                        first_seen REAL NOT NULL,
                        UNIQUE (feed_id, guid)
                    );
                    CREATE INDEX entry_first_seen ON entry(first_seen);
                    """)
        }
        migrator.registerMigration("v2-poll-state") { db in
            try db.execute(
                sql: """
                    ALTER TABLE feed ADD COLUMN last_success_at REAL;
                    ALTER TABLE feed ADD COLUMN not_modified_since REAL;
                    ALTER TABLE feed ADD COLUMN body_hash TEXT;
                    ALTER TABLE feed ADD COLUMN moved_to TEXT;
                    ALTER TABLE feed ADD COLUMN redirect_candidate TEXT;
                    ALTER TABLE feed ADD COLUMN redirect_first_seen REAL;
                    ALTER TABLE feed ADD COLUMN redirect_seen_count INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE feed ADD COLUMN disabled_reason TEXT;
                    ALTER TABLE feed ADD COLUMN hint_interval REAL;
                    ALTER TABLE feed ADD COLUMN skip_hours TEXT NOT NULL DEFAULT '';
                    ALTER TABLE feed ADD COLUMN skip_days TEXT NOT NULL DEFAULT '';
                    ALTER TABLE feed ADD COLUMN posting_interval REAL;
                    CREATE TABLE host_pause (
                        host TEXT PRIMARY KEY,
                        until REAL NOT NULL,
                        reason TEXT
                    );
                    """)
        }
        migrator.registerMigration("v3-stories") { db in
            try db.execute(
                sql: """
                    CREATE TABLE story (
                        id INTEGER PRIMARY KEY,
                        merged_into INTEGER REFERENCES story(id),
                        headline_entry_id INTEGER REFERENCES entry(id) ON DELETE SET NULL,
                        first_seen REAL NOT NULL,
                        last_seen REAL NOT NULL,
                        entry_count INTEGER NOT NULL DEFAULT 0,
                        source_count INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE INDEX story_last_seen ON story(last_seen) WHERE merged_into IS NULL;
                    ALTER TABLE entry ADD COLUMN story_id INTEGER REFERENCES story(id);
                    CREATE INDEX entry_story ON entry(story_id);
                    """)
        }
        migrator.registerMigration("v4-entry-last-seen") { db in
            try db.execute(
                sql: """
                    ALTER TABLE entry ADD COLUMN last_seen REAL;
                    UPDATE entry SET last_seen = first_seen;
                    CREATE INDEX entry_feed_last_seen ON entry(feed_id, last_seen);
                    """)
        }
        migrator.registerMigration("v5-search") { db in
            // Full-text search over titles and text, kept in step with the entry table by triggers.
            try db.execute(
                sql: """
                    CREATE VIRTUAL TABLE entry_search USING fts5(
                        title, text, content='entry', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
                    INSERT INTO entry_search(rowid, title, text) SELECT id, title, text FROM entry;
                    CREATE TRIGGER entry_search_insert AFTER INSERT ON entry BEGIN
                        INSERT INTO entry_search(rowid, title, text) VALUES (new.id, new.title, new.text);
                    END;
                    CREATE TRIGGER entry_search_delete AFTER DELETE ON entry BEGIN
                        INSERT INTO entry_search(entry_search, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
                    END;
                    CREATE TRIGGER entry_search_update AFTER UPDATE OF title, text ON entry BEGIN
                        INSERT INTO entry_search(entry_search, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
                        INSERT INTO entry_search(rowid, title, text) VALUES (new.id, new.title, new.text);
                    END;
                    """)
        }
        migrator.registerMigration("v6-poll-metrics") { db in
            try db.execute(
                sql: """
                    ALTER TABLE feed ADD COLUMN poll_count INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE feed ADD COLUMN last_fetch_ms INTEGER;
                    """)
        }
        migrator.registerMigration("v7-tags-recency") { db in
            try db.execute(
                sql: """
                    ALTER TABLE feed ADD COLUMN tags TEXT NOT NULL DEFAULT '';
                    CREATE INDEX entry_recency ON entry(COALESCE(published, updated, first_seen));
                    """)
        }
        migrator.registerMigration("v8-listing-and-indexes") { db in
            // When each feed's body was last parsed: entries seen then are still listed (304s do not list).
            try db.execute(
                sql: """
                    ALTER TABLE feed ADD COLUMN last_listed_at REAL;
                    UPDATE feed SET last_listed_at = (SELECT MAX(last_seen) FROM entry WHERE entry.feed_id = feed.id);
                    CREATE INDEX story_headline ON story(headline_entry_id);
                    CREATE INDEX story_merged_into ON story(merged_into);
                    """)
        }
        migrator.registerMigration("v9-partial-merge-index") { db in
            // The merge index is for foreign-key lookups of merged stories only. Covering the NULLs too made SQLite
            // read every current story through it for `tidings stories` (100 ms on 200,000 stories) instead of
            // walking story_last_seen (30 ms).
            try db.execute(
                sql: """
                    DROP INDEX story_merged_into;
                    CREATE INDEX story_merged_into ON story(merged_into) WHERE merged_into IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v10-search-prefix") { db in
            // Search indexes each entry's title and the first 4,000 characters of its text (about 600 words: the
            // lede and the names in it). Indexing whole articles was 60% of a cycle that fetched 1,000 new
            // full-content feeds. The index reads its text through a view with the same cut, so the index and its
            // content agree (FTS5's integrity check passes) and queries keep the column names title and text.
            // The cut is written into the view and the triggers: changing it takes a new migration.
            try db.execute(
                sql: """
                    DROP TRIGGER entry_search_insert;
                    DROP TRIGGER entry_search_delete;
                    DROP TRIGGER entry_search_update;
                    DROP TABLE entry_search;
                    CREATE VIEW entry_search_source AS
                        SELECT id, title, substr(text, 1, 4000) AS text FROM entry;
                    CREATE VIRTUAL TABLE entry_search USING fts5(
                        title, text, content='entry_search_source', content_rowid='id',
                        tokenize='unicode61 remove_diacritics 2');
                    INSERT INTO entry_search(entry_search) VALUES ('rebuild');
                    CREATE TRIGGER entry_search_insert AFTER INSERT ON entry BEGIN
                        INSERT INTO entry_search(rowid, title, text)
                            VALUES (new.id, new.title, substr(new.text, 1, 4000));
                    END;
                    CREATE TRIGGER entry_search_delete AFTER DELETE ON entry BEGIN
                        INSERT INTO entry_search(entry_search, rowid, title, text)
                            VALUES ('delete', old.id, old.title, substr(old.text, 1, 4000));
                    END;
                    CREATE TRIGGER entry_search_update AFTER UPDATE OF title, text ON entry BEGIN
                        INSERT INTO entry_search(entry_search, rowid, title, text)
                            VALUES ('delete', old.id, old.title, substr(old.text, 1, 4000));
                        INSERT INTO entry_search(rowid, title, text)
                            VALUES (new.id, new.title, substr(new.text, 1, 4000));
                    END;
                    """)
        }
        migrator.registerMigration("v11-duplicates") { db in
            // One article in several feeds is stored once: later copies (same canonical link, another feed) are rows
            // of their own feed that point at the first (duplicate_of) and keep no content; search indexes the
            // original only. Entries stored before this migration have no canonical link and are never matched.
            // The search triggers read the same condition as the view, so index and content still agree.
            try db.execute(
                sql: """
                    ALTER TABLE entry ADD COLUMN canonical_url TEXT;
                    ALTER TABLE entry ADD COLUMN duplicate_of INTEGER REFERENCES entry(id) ON DELETE SET NULL;
                    CREATE INDEX entry_canonical_url ON entry(canonical_url) WHERE duplicate_of IS NULL;
                    CREATE INDEX entry_duplicate_of ON entry(duplicate_of) WHERE duplicate_of IS NOT NULL;
                    DROP TRIGGER entry_search_insert;
                    DROP TRIGGER entry_search_delete;
                    DROP TRIGGER entry_search_update;
                    DROP VIEW entry_search_source;
                    CREATE VIEW entry_search_source AS
                        SELECT id, title, substr(text, 1, 4000) AS text FROM entry WHERE duplicate_of IS NULL;
                    CREATE TRIGGER entry_search_insert AFTER INSERT ON entry WHEN new.duplicate_of IS NULL BEGIN
                        INSERT INTO entry_search(rowid, title, text)
                            VALUES (new.id, new.title, substr(new.text, 1, 4000));
                    END;
                    CREATE TRIGGER entry_search_delete AFTER DELETE ON entry WHEN old.duplicate_of IS NULL BEGIN
                        INSERT INTO entry_search(entry_search, rowid, title, text)
                            VALUES ('delete', old.id, old.title, substr(old.text, 1, 4000));
                    END;
                    CREATE TRIGGER entry_search_update AFTER UPDATE OF title, text, duplicate_of ON entry BEGIN
                        INSERT INTO entry_search(entry_search, rowid, title, text)
                            SELECT 'delete', old.id, old.title, substr(old.text, 1, 4000) WHERE old.duplicate_of IS NULL;
                        INSERT INTO entry_search(rowid, title, text)
                            SELECT new.id, new.title, substr(new.text, 1, 4000) WHERE new.duplicate_of IS NULL;
                    END;
                    """)
        }
        migrator.registerMigration("v12-story-feed-index") { db in
            // A story's entries by feed: whether a joining entry's feed is new to the story is one index probe, and
            // recounting a story's entries and sources reads the index, not every member row (a story of an article
            // carried by 70 feeds had each copy re-read every member).
            try db.execute(
                sql: """
                    DROP INDEX entry_story;
                    CREATE INDEX entry_story_feed ON entry(story_id, feed_id, duplicate_of);
                    """)
        }
        migrator.registerMigration("v13-content-hash") { db in
            // A hash of what the feed said about each entry (title, link, author, dates, summary, content): a poll
            // that lists an entry unchanged neither renders its text again nor rewrites its row.
            try db.execute(sql: "ALTER TABLE entry ADD COLUMN content_hash INTEGER")
        }
        migrator.registerMigration("v14-write-path") { db in
            // New entries are indexed by the store's write path, a batch of fetches at a time (SearchBacklog): the
            // insert trigger ran once per entry, and FTS5 flushed a segment for each. Updates and deletes keep
            // their triggers. Whatever inserts entries must index them (FeedStore.record does).
            // The canonical-link index also holds what the duplicate checks read (feed, story, and duplicate_of, which
            // its condition makes NULL but SQLite 3.40 reads from the row unless the index has it), so that they never
            // read the entry rows themselves, which are scattered over the whole file.
            try db.execute(
                sql: """
                    DROP TRIGGER entry_search_insert;
                    DROP INDEX entry_canonical_url;
                    CREATE INDEX entry_canonical_url ON entry(canonical_url, feed_id, story_id, duplicate_of)
                        WHERE duplicate_of IS NULL;
                    """)
        }
        migrator.registerMigration("v15-clustering-snapshot") { db in
            // The story clusterer's state as the daemon left it, in parts of a megabyte, valid while no entry came or
            // went since: a restart loads it instead of featurising every entry of the window again
            // (FeedStore+ClusteringSnapshot).
            try db.execute(
                sql: """
                    CREATE TABLE clustering_snapshot (
                        part INTEGER PRIMARY KEY,
                        last_entry_id INTEGER NOT NULL,
                        data BLOB NOT NULL
                    );
                    """)
        }
        return migrator
    }
}
