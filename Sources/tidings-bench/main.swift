import FeedModel
import FeedParsing
import Foundation

/// Benchmarks for Tidings, run from a release build:
///
///     swift build -c release --product tidings-bench
///     .build/release/tidings-bench parse ../shared/feedconf/realworld [--seconds 10]
///
/// `parse` loads every file of the directory into memory, then parses them all repeatedly on one thread
/// until the time is up, and prints throughput in MB/s and entries/s: once for parsing alone, once for
/// parsing plus the plain-text rendering the daemon stores for each entry.

func usage() -> Never {
    FileHandle.standardError.write(Data("usage: tidings-bench parse DIR [--seconds N]\n".utf8))
    exit(2)
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.first == "parse", arguments.count >= 2 else { usage() }
let directory = arguments[1]
var seconds = 10.0
if let flag = arguments.firstIndex(of: "--seconds"), flag + 1 < arguments.count, let value = Double(arguments[flag + 1]) {
    seconds = value
}

let names = (try? FileManager.default.contentsOfDirectory(atPath: directory))?.sorted() ?? []
let documents: [(String, Data)] = names.compactMap { name in
    guard name.hasSuffix(".xml") || name.hasSuffix(".rss") || name.hasSuffix(".atom") || name.hasSuffix(".rdf")
        || name.hasSuffix(".json")
    else { return nil }
    return (try? Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(name))).map { (name, $0) }
}
guard !documents.isEmpty else {
    FileHandle.standardError.write(Data("tidings-bench: no feed files in \(directory)\n".utf8))
    exit(1)
}
let totalBytes = documents.reduce(0) { $0 + $1.1.count }

@MainActor func run(label: String, withText: Bool) {
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
    } while clock.now - start < .seconds(seconds) || passes < 3
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

run(label: "parse", withText: false)
run(label: "parse + plain text", withText: true)
