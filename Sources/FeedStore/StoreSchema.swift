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
        return migrator
    }
}
