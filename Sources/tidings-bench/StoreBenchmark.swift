import FeedStore
import Foundation
import GRDB

/// Builds a store of N entries in S stories (real schema, through FeedStore's migrations; rows written in bulk
/// with SQL), then times the `tidings` binary answering `stories --since 7d` and `search WORD` on it, process
/// start included (median of 7 runs, from wait4).
enum StoreBenchmark {
    static func run(entries entryCount: Int, stories storyCount: Int, textFile: String) throws {
        let texts = try loadTexts(textFile)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidings-store-bench")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("tidings.sqlite").path
        print("store benchmark: \(entryCount) entries, \(storyCount) stories, texts from \(textFile)")
        print("machine: \(Machine.describe())")
        let started = ContinuousClock.now
        _ = try FeedStore(path: path)  // creates the schema
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false  // stories name their headline entry before it is written
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        let now = Date().timeIntervalSince1970
        let feedCount = 1000
        try queue.write { db in
            for feed in 0..<feedCount {
                try db.execute(
                    sql: "INSERT INTO feed (url, title, subscribed) VALUES (?, ?, 1)",
                    arguments: ["https://feed\(feed).example/rss", "Feed \(feed)"])
            }
            // Stories spread over a year; each entry belongs to story (entry mod S).
            let story = try db.makeStatement(
                sql: "INSERT INTO story (id, first_seen, last_seen, entry_count, source_count, headline_entry_id) VALUES (?, ?, ?, ?, ?, ?)")
            for id in 0..<storyCount {
                let seen = now - Double(id) / Double(storyCount) * 365 * 86400
                try story.execute(arguments: [id + 1, seen - 3600, seen, entryCount / storyCount, min(entryCount / storyCount, 5), id + 1])
            }
        }
        let insert = try queue.inDatabase { db in
            try db.makeStatement(
                sql: """
                    INSERT INTO entry (feed_id, guid, url, title, text, published, first_seen, last_seen, story_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
        }
        var done = 0
        while done < entryCount {
            try queue.inTransaction { db in
                for index in done..<min(done + 50_000, entryCount) {
                    let (title, text) = texts[index % texts.count]
                    let storyID = index % storyCount + 1
                    let seen = now - Double(storyID - 1) / Double(storyCount) * 365 * 86400
                    try insert.execute(arguments: [
                        index % feedCount + 1, "guid-\(index)", "https://example.com/\(index)", "\(title) (\(index / texts.count))",
                        text, seen, seen, seen, storyID,
                    ])
                }
                return .commit
            }
            done = min(done + 50_000, entryCount)
        }
        // The store indexes entries as it writes them (FeedStore.record); rows written here directly are indexed
        // in one pass.
        try queue.write { db in try db.execute(sql: "INSERT INTO entry_search(entry_search) VALUES ('rebuild')") }
        try queue.write { db in try db.execute(sql: "PRAGMA optimize") }
        let elapsed = started.duration(to: .now).components.seconds
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        print("built in \(elapsed) s, \(size / 1_000_000) MB")
        let tidings = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("tidings").path
        for arguments in [
            ["stories", "--since", "7d"], ["stories", "--since", "7d", "--min-sources", "3", "--json"],
            ["search", "evergrande"], ["search", "covid"], ["search", "\"new cases\""], ["entries", "--limit", "30"],
            ["status"],
        ] {
            var times: [Double] = []
            for _ in 0..<7 {
                let run = try ChildProcess.measure(
                    tidings, arguments + ["--database", path], environment: [:],
                    output: directory.appendingPathComponent("out.txt").path)
                guard run.exitStatus == 0 else { throw BenchmarkError("tidings \(arguments) exited \(run.exitStatus)") }
                times.append(run.wallSeconds * 1000)
            }
            times.sort()
            let lines = (try? String(contentsOfFile: directory.appendingPathComponent("out.txt").path, encoding: .utf8))?
                .split(separator: "\n").count ?? 0
            print(String(format: "tidings %@: median %.0f ms, fastest %.0f ms, slowest %.0f ms (%d lines of output)",
                         arguments.joined(separator: " ") as NSString, times[3], times[0], times[6], lines))
        }
    }

    private static func loadTexts(_ file: String) throws -> [(String, String)] {
        guard let data = FileManager.default.contents(atPath: file) else { throw BenchmarkError("cannot read \(file)") }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                let title = object["title"] as? String
            else { return nil }
            return (title, (object["summary"] as? String) ?? "")
        }
    }
}
