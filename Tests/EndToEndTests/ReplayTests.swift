import FeedModel
import FeedParsing
import FeedStore
import Foundation
import TestSupport
import Testing

/// The CI variant of the replay acceptance run (issue #8): the first 30 hours of the 2021-09 capture at 4000×,
/// `tidings-replay` serving and the unmodified daemon polling with a scaled clock.
@Suite(.serialized) struct ReplayTests {
    static let corpus = SharedData.root.appendingPathComponent("replay/gesab001-headlines-2021-09").path

    @Test func thirtyHoursOfRealFeedsAreStoredOncePolitelyAndConditionally() throws {
        let directory = URL(fileURLWithPath: "/tmp/tidings-replay-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("Feeds.yaml").path
        let database = directory.appendingPathComponent("t.sqlite").path
        let table = try String(contentsOfFile: Self.corpus + "/snapshots.tsv", encoding: .utf8)
        let first = try #require(table.split(separator: "\n").dropFirst().map { $0.split(separator: "\t")[1] }.min())
        let t = Array(first)
        let start = "\(String(t[0..<4]))-\(String(t[4..<6]))-\(String(t[6..<8]))T\(String(t[9..<11])):\(String(t[11..<13])):\(String(t[13..<15]))Z"

        let replayOutput = Pipe()
        let replay = Process()
        replay.executableURL = ProcessRunner.binaries.appendingPathComponent("tidings-replay")
        replay.arguments = [Self.corpus, "--speed", "4000", "--hours", "30", "--config", config]
        replay.standardOutput = replayOutput
        replay.standardError = FileHandle.nullDevice
        try replay.run()
        let replayCollector = OutputCollector(stdout: nil, stderr: replayOutput)
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: config), Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        let daemonLog = Pipe()
        let daemon = try ProcessRunner.start(
            "tidingsd", ["--config", config, "--database", database, "--clock-start", start, "--clock-speed", "4000"],
            stderr: daemonLog)
        let daemonCollector = OutputCollector(stdout: nil, stderr: daemonLog)
        replay.waitUntilExit()
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        let served = replayCollector.finish().1
        let log = daemonCollector.finish().1
        #expect(daemon.terminationStatus == 0, "\(log.suffix(800))")

        // Politeness: every re-poll named its validators, and no feed was asked twice within half its interval.
        let summary = try #require(served.split(separator: "\n").first { $0.hasPrefix("summary: ") })
        #expect(summary.contains(" 0 unconditional re-polls"), "\(summary)")
        let gap = try #require(
            summary.range(of: #"shortest gap between two polls of one feed (\d+) s"#, options: .regularExpression).map {
                Int(summary[$0].split(separator: " ")[8]) ?? 0
            })
        #expect(gap >= 150, "\(summary)")

        // Completeness: every item of every feed document served was stored, once.
        let feedURLs = try String(contentsOfFile: config, encoding: .utf8).split(separator: "\n")
            .compactMap { line -> (String, String)? in
                guard let range = line.range(of: "- url: ") else { return nil }
                let url = String(line[range.upperBound...])
                let slug = url.split(separator: "/").last.map { String($0.dropLast(4)) } ?? ""
                return (slug, url)
            }
        let urlOfSlug = Dictionary(uniqueKeysWithValues: feedURLs)
        let store = try FeedStore(path: database, readOnly: true)
        let stored = try store.entryKeys()
        #expect(Set(stored).count == stored.count)
        let storedSet = Set(stored)
        var expected = 0
        var missing: [String] = []
        for line in served.split(separator: "\n") where line.hasPrefix("served ") && line.hasSuffix(".xml") {
            let path = String(line.dropFirst("served ".count))
            let slug = URL(fileURLWithPath: path).deletingLastPathComponent().lastPathComponent
            guard let url = urlOfSlug[slug], let data = FileManager.default.contents(atPath: path),
                let feed = try? FeedParser.parse(data, documentURL: URL(string: url), contentType: "application/xml")
            else { continue }
            for entry in feed.entries {
                expected += 1
                let key = url + " " + entry.stableKey
                if !storedSet.contains(key) { missing.append(key) }
            }
        }
        #expect(expected > 1000, "the replay served \(expected) items")
        #expect(missing.isEmpty, "\(missing.count) served items not stored, e.g. \(missing.prefix(3))")
        #expect(try store.integrityCheck() == "ok")
    }
}
