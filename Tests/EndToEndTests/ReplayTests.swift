import FeedModel
import FeedParsing
import FeedStore
import Foundation
import TestSupport
import Testing

/// The replay acceptance runs (issue #8): `tidings-replay` serves real captured feeds at 4000× and the unmodified
/// daemon polls them with a scaled clock. The whole 2021-09 window (4 days) runs in about 90 s; two hours of
/// 2020-04 hold the corpus's empty and truncated snapshots.
@Suite(.serialized) struct ReplayTests {
    static let september2021 = SharedData.root.appendingPathComponent("replay/gesab001-headlines-2021-09").path
    static let april2020 = SharedData.root.appendingPathComponent("replay/gesab001-headlines-2020-04").path

    @Test func theWholeSeptember2021WindowIsStoredOnceAndItsEventsFormStories() throws {
        let run = try ReplayRun(corpus: Self.september2021)
        try run.expectPoliteAndComplete()
        // LA Times answered most polls with an HTML error page (mostly the same one: 304): each new one is an error
        // of that feed, which recovers at its next good document (every item of those was stored: above).
        let htmlErrors = run.log.split(separator: "\n").filter { $0.contains("Los Angeles Times") && $0.contains("not a feed: got an HTML page") }
        #expect(htmlErrors.count >= 5, "\(htmlErrors.count) HTML error pages reported")

        // RNZ's national and COVID-19 feeds carry many of the same articles (one link), and outlets run the same text
        // under other links (CNN's site and its YouTube channel): each is stored once, the later copy pointing at
        // the first feed's entry, in its story.
        let byID = Dictionary(uniqueKeysWithValues: run.entries.map { ($0.id, $0) })
        let copies = run.entries.filter { $0.duplicateOf != nil }
        var sameLink = 0
        for copy in copies {
            let original = try #require(byID[copy.duplicateOf!])
            #expect(original.duplicateOf == nil && original.feedID != copy.feedID && original.storyID == copy.storyID)
            if CanonicalURL.key(for: copy.url ?? "") == CanonicalURL.key(for: original.url ?? "") { sameLink += 1 }
        }
        #expect(sameLink >= 10, "\(sameLink) articles seen in a second feed under the same link")
        #expect(copies.count > sameLink, "no near-copy under another link")

        // Stories of 2021-09-20 (UTC), chosen by reading that day's titles: four events that many outlets
        // covered. For each, the story holding most of its entries has three or more feeds and at least half of
        // the event's entries of the day, and it holds no entry of another of the events.
        let events: [(name: String, pattern: String)] = [
            ("Gabby Petito", "Petito|Laundrie"), ("Evergrande", "Evergrande"),
            ("Del Rio migrants", "Del Rio|Haitian"), ("AUKUS submarines", "AUKUS|Aukus|[Ss]ubmarine"),
        ]
        let entries = run.entries
        let dayStart = Date(timeIntervalSince1970: 1_632_096_000)
        let day = entries.filter { ($0.published ?? $0.firstSeen) >= dayStart && ($0.published ?? $0.firstSeen) < dayStart + 86400 }
        func matches(_ entry: StoredEntry, _ pattern: String) -> Bool {
            entry.title?.range(of: pattern, options: .regularExpression) != nil
        }
        var chosen: [String: Int64] = [:]
        for event in events {
            let members = day.filter { matches($0, event.pattern) }
            #expect(members.count >= 5, "\(event.name): \(members.count) entries on 2021-09-20")
            let counts = Dictionary(grouping: members.compactMap(\.storyID), by: { $0 }).mapValues(\.count)
            guard let (story, count) = counts.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }) else {
                Issue.record("\(event.name): no story")
                continue
            }
            chosen[event.name] = story
            let storyEntries = entries.filter { $0.storyID == story }
            let feeds = Set(storyEntries.map(\.feedURL))
            #expect(feeds.count >= 3, "\(event.name): story \(story) has \(feeds.count) feeds")
            #expect(2 * count >= members.count, "\(event.name): story \(story) holds \(count) of \(members.count)")
            for other in events where other.name != event.name {
                let intruders = storyEntries.filter { matches($0, other.pattern) && !matches($0, event.pattern) }
                #expect(intruders.isEmpty, "\(event.name) story \(story) mixes in \(other.name): \(intruders.map(\.title))")
            }
        }
        #expect(Set(chosen.values).count == chosen.count, "two events share a story: \(chosen)")
    }

    @Test func emptyAndTruncatedSnapshotsBecomeFeedErrorsAndLoseNothing() throws {
        // 2020-04-28 00:34–00:43 UTC: NZ Herald and LA Times were cut off mid-document, and nine feeds came back
        // empty at once (until 01:07). At 500× the daemon's 5-minute polls are 0.6 s apart: a debug build keeps up.
        let run = try ReplayRun(corpus: Self.april2020, from: "2020-04-27T23:45:00Z", hours: 2, speed: 500)
        try run.expectPoliteAndComplete(minimumItems: 500)
        let emptyErrors = run.log.split(separator: "\n").filter { $0.contains("the document is empty") }
        #expect(emptyErrors.count >= 5, "\(run.log.suffix(1500))")
        #expect(emptyErrors.allSatisfy { $0.contains("http://127.0.0.1:") }, "errors name the feed: \(emptyErrors.prefix(2))")
        // A cut-off document keeps the items libxml2 recovers (stored: above) and its problem is reported.
        let cutOff = ["nzherald-top/20200428T003440Z.xml", "latimes-california/20200428T004318Z.xml"]
            .filter { run.served.contains($0) }
        #expect(!cutOff.isEmpty, "neither cut-off document was polled while current")
        for path in cutOff {
            let feed = String(path.prefix { $0 != "/" })
            let lines = run.log.split(separator: "\n").filter { $0.contains("/\(feed).xml>") }
            #expect(lines.contains { $0.contains("(warnings: line ") }, "\(feed): \(lines.prefix(8))")
        }
    }
}

/// One replay: `tidings-replay` and `tidingsd` run to the end of the window; then what was served, logged and
/// stored.
struct ReplayRun {
    let served: String
    let log: String
    let config: String
    let database: String
    let entries: [StoredEntry]
    /// Holds the store, Feeds.yaml and both logs until the run is let go of.
    let scratch = ScratchDirectory(prefix: "tidings-replay", shortPath: true)

    init(corpus: String, from: String? = nil, hours: Double? = nil, speed: Double = 4000) throws {
        let directory = scratch.url
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        config = directory.appendingPathComponent("Feeds.yaml").path
        database = directory.appendingPathComponent("t.sqlite").path

        let replayOutput = Pipe()
        let replay = Process()
        replay.executableURL = ProcessRunner.binaries.appendingPathComponent("tidings-replay")
        var arguments = [corpus, "--speed", String(Int(speed)), "--config", config]
        if let from { arguments += ["--from", from] }
        if let hours { arguments += ["--hours", String(hours)] }
        replay.arguments = arguments
        replay.standardOutput = replayOutput
        replay.standardError = FileHandle.nullDevice
        try replay.run()
        let replayCollector = OutputCollector(stdout: nil, stderr: replayOutput)
        // Feeds.yaml names the replay clock's start (`# tidingsd --clock-start …`); it is written atomically.
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: config), Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        let header = try String(contentsOfFile: config, encoding: .utf8).split(separator: "\n")
            .first { $0.hasPrefix("# tidingsd --clock-start ") }
        let clockStart = try #require(header.map { String($0.split(separator: " ")[3]) }, "Feeds.yaml names no clock start")
        let daemonLog = Pipe()
        let daemon = try ProcessRunner.start(
            "tidingsd",
            ["--config", config, "--database", database, "--clock-start", clockStart, "--clock-speed", String(Int(speed))],
            stderr: daemonLog)
        let daemonCollector = OutputCollector(stdout: nil, stderr: daemonLog)
        replay.waitUntilExit()
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        served = replayCollector.finish().1
        log = daemonCollector.finish().1
        #expect(daemon.terminationStatus == 0, "\(log.suffix(800))")
        // Kept beside the store for a look after a failure (with TIDINGS_KEEP_SCRATCH=1).
        try? served.write(to: directory.appendingPathComponent("served.txt"), atomically: false, encoding: .utf8)
        try? log.write(to: directory.appendingPathComponent("daemon.log"), atomically: false, encoding: .utf8)
        entries = try FeedStore(path: database, readOnly: true).entries(limit: 1_000_000, includingDuplicates: true)
    }

    /// Every re-poll was conditional and no feed was polled twice within half its interval; every item of every
    /// document served is stored exactly once (an item that vanished and came back too), with the title of the
    /// last document that carried it; the store is intact.
    func expectPoliteAndComplete(minimumItems: Int = 1000) throws {
        let summary = try #require(served.split(separator: "\n").first { $0.hasPrefix("summary: ") })
        #expect(summary.contains(" 0 unconditional re-polls"), "\(summary)")
        let gap = try #require(
            summary.range(of: #"shortest gap between two polls of one feed (\d+) s"#, options: .regularExpression).map {
                Int(summary[$0].split(separator: " ")[8]) ?? 0
            })
        #expect(gap >= 150, "\(summary)")

        let urlOfSlug = Dictionary(
            uniqueKeysWithValues: try String(contentsOfFile: config, encoding: .utf8).split(separator: "\n")
                .compactMap { line -> (String, String)? in
                    guard let range = line.range(of: "- url: ") else { return nil }
                    let url = String(line[range.upperBound...])
                    return (url.split(separator: "/").last.map { String($0.dropLast(4)) } ?? "", url)
                })
        var storedTitles: [String: String?] = [:]
        for entry in entries {
            let key = entry.feedURL + " " + entry.guid
            #expect(storedTitles[key] == nil, "stored twice: \(key)")
            storedTitles[key] = entry.title
        }
        // Served files are listed sorted by path: per feed, oldest first.
        var lastTitle: [String: String?] = [:]
        var titleEdits = Set<String>()
        var present: [String: Set<String>] = [:]
        var vanished = Set<String>()
        var returned = Set<String>()
        for line in served.split(separator: "\n") where line.hasPrefix("served ") && line.hasSuffix(".xml") {
            let path = String(line.dropFirst("served ".count))
            let slug = URL(fileURLWithPath: path).deletingLastPathComponent().lastPathComponent
            guard let url = urlOfSlug[slug], let data = FileManager.default.contents(atPath: path),
                let feed = try? FeedParser.parse(data, documentURL: URL(string: url), contentType: "application/xml")
            else { continue }
            let keys = Set(feed.entries.map { url + " " + $0.stableKey })
            for entry in feed.entries {
                let key = url + " " + entry.stableKey
                if let previous = lastTitle[key], previous != entry.title { titleEdits.insert(key) }
                lastTitle[key] = entry.title
                if vanished.contains(key) { returned.insert(key) }
            }
            vanished.formUnion(present[url, default: []].subtracting(keys))
            vanished.subtract(keys)
            present[url] = keys
        }
        #expect(lastTitle.count > minimumItems, "the replay served \(lastTitle.count) items")
        let missing = lastTitle.keys.filter { storedTitles[$0] == nil }
        #expect(missing.isEmpty, "\(missing.count) served items not stored, e.g. \(missing.prefix(3))")
        #expect(storedTitles.count == lastTitle.count, "stored \(storedTitles.count) entries for \(lastTitle.count) items")
        let stale = titleEdits.filter { key in storedTitles[key].map { $0 != lastTitle[key]! } ?? false }
        #expect(!titleEdits.isEmpty && stale.isEmpty, "\(titleEdits.count) titles edited; stale: \(stale.prefix(3))")
        #expect(!returned.isEmpty, "no item vanished and came back in this window")
        #expect(try FeedStore(path: database).integrityCheck() == "ok")
    }
}
