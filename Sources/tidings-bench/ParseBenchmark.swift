import FeedModel
import FeedParsing
import Foundation
import Synchronization

/// Parses every feed file of a directory repeatedly in-process and prints MB/s and entries/s.
enum ParseBenchmark {
    /// - Parameters:
    ///   - seconds: how long each measurement runs (at least three passes).
    ///   - passes: when given, exactly this many passes instead (for instruction counts under callgrind).
    ///   - parseOnly: skip the parse + plain text measurement.
    ///   - threads: parse on this many threads at once, each going over the whole corpus (as the daemon's poll
    ///     tasks parse feeds in parallel); 1 measures one core.
    static func run(directory: String, seconds: Double, passes: Int? = nil, parseOnly: Bool = false, threads: Int = 1) {
        let documents = FeedCorpus.load(directory)
        guard !documents.isEmpty else {
            FileHandle.standardError.write(Data("tidings-bench: no feed files in \(directory)\n".utf8))
            exit(1)
        }
        measure(documents, seconds: seconds, passes: passes, label: "parse", withText: false, threads: threads)
        if !parseOnly {
            measure(documents, seconds: seconds, passes: passes, label: "parse + plain text", withText: true, threads: threads)
        }
    }

    /// What one thread measured.
    private struct Tally {
        var passes = 0
        var entries = 0
        var failures = 0
        var fastestPass = Double.infinity
        var checksum = 0
    }

    static func measure(
        _ documents: [(String, Data)], seconds: Double, passes fixedPasses: Int?, label: String, withText: Bool,
        threads: Int
    ) {
        let totalBytes = documents.reduce(0) { $0 + $1.1.count }
        let tallies = Mutex<[Tally]>([])
        let clock = ContinuousClock()
        let start = clock.now
        DispatchQueue.concurrentPerform(iterations: max(1, threads)) { _ in
            let tally = parseRepeatedly(documents, seconds: seconds, passes: fixedPasses, withText: withText)
            tallies.withLock { $0.append(tally) }
        }
        let wall = (clock.now - start).inSeconds
        let all = tallies.withLock { $0 }
        let passes = all.reduce(0) { $0 + $1.passes }
        let entries = all.reduce(0) { $0 + $1.entries }
        let megabytes = Double(totalBytes * passes) / 1_000_000
        let fastest = all.map(\.fastestPass).min() ?? .infinity
        let threadNote = threads > 1 ? ", \(threads) threads" : ""
        print(
            String(
                format: "%@: %d files, %.1f MB, %d passes in %.2f s%@: %.1f MB/s, %.0f entries/s; fastest pass %.1f MB/s (%d not feeds per pass)",
                label, documents.count, Double(totalBytes) / 1_000_000, passes, wall, threadNote, megabytes / wall,
                Double(entries) / wall, Double(totalBytes) / 1_000_000 / fastest,
                all.first.map { $0.failures / max(1, $0.passes) } ?? 0))
        if all.reduce(0, { $0 &+ $1.checksum }) == 42 { print("") }
    }

    private static func parseRepeatedly(_ documents: [(String, Data)], seconds: Double, passes fixedPasses: Int?, withText: Bool)
        -> Tally
    {
        var tally = Tally()
        let clock = ContinuousClock()
        let start = clock.now
        repeat {
            let passStart = clock.now
            for (_, data) in documents {
                do {
                    let feed = try FeedParser.parse(data)
                    tally.entries += feed.entries.count
                    if withText {
                        for entry in feed.entries {
                            if let body = entry.content ?? entry.summary { tally.checksum &+= PlainText.of(body).utf8.count }
                        }
                    }
                } catch {
                    tally.failures += 1
                }
            }
            tally.passes += 1
            tally.fastestPass = min(tally.fastestPass, (clock.now - passStart).inSeconds)
        } while fixedPasses.map { tally.passes < $0 } ?? (clock.now - start < .seconds(seconds) || tally.passes < 3)
        return tally
    }

}

/// The feed files of a directory, by name.
enum FeedCorpus {
    static func load(_ directory: String) -> [(String, Data)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory))?.sorted() ?? []
        return names.compactMap { name in
            guard name.hasSuffix(".xml") || name.hasSuffix(".rss") || name.hasSuffix(".atom") || name.hasSuffix(".rdf")
                || name.hasSuffix(".json")
            else { return nil }
            return (try? Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(name))).map { (name, $0) }
        }
    }
}
