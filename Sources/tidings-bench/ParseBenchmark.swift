import FeedModel
import FeedParsing
import Foundation

/// Parses every feed file of a directory repeatedly in-process and prints MB/s and entries/s.
enum ParseBenchmark {
    /// - Parameters:
    ///   - seconds: how long each measurement runs (at least three passes).
    ///   - passes: when given, exactly this many passes instead (for instruction counts under callgrind).
    ///   - parseOnly: skip the parse + plain text measurement.
    static func run(directory: String, seconds: Double, passes: Int? = nil, parseOnly: Bool = false) {
        let documents = FeedCorpus.load(directory)
        guard !documents.isEmpty else {
            FileHandle.standardError.write(Data("tidings-bench: no feed files in \(directory)\n".utf8))
            exit(1)
        }
        measure(documents, seconds: seconds, passes: passes, label: "parse", withText: false)
        if !parseOnly { measure(documents, seconds: seconds, passes: passes, label: "parse + plain text", withText: true) }
    }

    static func measure(_ documents: [(String, Data)], seconds: Double, passes fixedPasses: Int?, label: String, withText: Bool) {
        let totalBytes = documents.reduce(0) { $0 + $1.1.count }
        let clock = ContinuousClock()
        var passes = 0
        var entries = 0
        var failures = 0
        var checksum = 0
        let start = clock.now
        repeat {
            for (_, data) in documents {
                do {
                    let feed = try FeedParser.parse(data)
                    entries += feed.entries.count
                    if withText {
                        for entry in feed.entries {
                            if let body = entry.content ?? entry.summary { checksum &+= PlainText.of(body).utf8.count }
                        }
                    }
                } catch {
                    failures += 1
                }
            }
            passes += 1
        } while fixedPasses.map { passes < $0 } ?? (clock.now - start < .seconds(seconds) || passes < 3)
        let elapsed = clock.now - start
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let megabytes = Double(totalBytes * passes) / 1_000_000
        print(
            String(
                format: "%@: %d files, %.1f MB, %d passes in %.2f s: %.1f MB/s, %.0f entries/s (%d not feeds per pass)",
                label, documents.count, Double(totalBytes) / 1_000_000, passes, wall, megabytes / wall,
                Double(entries) / wall, failures / passes))
        if checksum == 42 { print("") }
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
