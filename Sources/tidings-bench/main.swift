import FeedModel
import FeedParsing
import Foundation

/// Benchmarks for Tidings, run from a release build:
///
///     swift build -c release --product tidings-bench --product tidingsd
///     .build/release/tidings-bench parse ../shared/feedconf/realworld [--seconds 10] [--passes N] [--parse-only] [--threads N]
///     .build/release/tidings-bench poll --feeds 10000 [--corpus ../shared/feedconf/realworld] [--newsboat 2,16,64]
///     .build/release/tidings-bench cluster ../shared/clusterdata/replay-2021-09-17_18/dev.jsonl [--items 10000,100000]
///     .build/release/tidings-bench store [--entries 1000000] [--stories 200000]   (needs the tidings binary beside it)
///     .build/release/tidings-bench snapshot --database STORE.sqlite [--rounds 5]
///
/// `parse` loads every file of the directory into memory, then parses them all repeatedly on one thread
/// until the time is up, and prints throughput in MB/s and entries/s: once for parsing alone, once for
/// parsing plus the plain-text rendering the daemon stores for each entry.
///
/// `poll` serves N feeds (real corpus bodies, ETag/Last-Modified, 304 support) from a loopback server under
/// N/10 host names (`hK.localhost`, which libcurl resolves to 127.0.0.1 itself) and runs the real `tidingsd
/// --once` three times into a fresh store: every feed new (all 200), nothing changed (all 304), 10% changed.
/// It prints wall time, CPU time and peak RSS of each run (from wait4) and the connections the server accepted during
/// it, and the same for `newsboat -x reload` at each `reload-threads` setting given.

func usage() -> Never {
    FileHandle.standardError.write(
        Data("usage: tidings-bench parse DIR [--seconds N] [--passes N] [--parse-only] [--threads N] | poll --feeds N [--corpus DIR] [--newsboat T1,T2,…] | cluster FILE.jsonl [--items 10000,100000,1000000] | store [--entries N] [--stories N] [--texts FILE.jsonl] | snapshot --database FILE [--rounds N]\n".utf8))
    exit(2)
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "parse":
    guard arguments.count >= 2 else { usage() }
    ParseBenchmark.run(
        directory: arguments[1], seconds: option("--seconds").flatMap(Double.init) ?? 10,
        passes: option("--passes").flatMap(Int.init), parseOnly: arguments.contains("--parse-only"),
        threads: option("--threads").flatMap(Int.init) ?? 1)
case "poll":
    guard let feeds = option("--feeds").flatMap(Int.init), feeds > 0 else { usage() }
    let newsboatThreads = option("--newsboat").map { $0.split(separator: ",").compactMap { Int($0) } } ?? []
    do {
        try PollBenchmark(
            feedCount: feeds, corpus: option("--corpus") ?? "../shared/feedconf/realworld",
            newsboatThreads: newsboatThreads
        ).run()
    } catch {
        FileHandle.standardError.write(Data("tidings-bench: \(error)\n".utf8))
        exit(1)
    }
case "store":
    do {
        try StoreBenchmark.run(
            entries: option("--entries").flatMap(Int.init) ?? 1_000_000, stories: option("--stories").flatMap(Int.init) ?? 200_000,
            textFile: option("--texts") ?? "../shared/clusterdata/replay-2021-09-17_18/dev.jsonl")
    } catch {
        FileHandle.standardError.write(Data("tidings-bench: \(error)\n".utf8))
        exit(1)
    }
case "cluster":
    guard arguments.count >= 2 else { usage() }
    let counts = option("--items").map { $0.split(separator: ",").compactMap { Int($0) } } ?? [10_000, 100_000, 1_000_000]
    do {
        try ClusterBenchmark.run(file: arguments[1], counts: counts)
    } catch {
        FileHandle.standardError.write(Data("tidings-bench: \(error)\n".utf8))
        exit(1)
    }
case "snapshot":
    guard let database = option("--database") else { usage() }
    do {
        try await SnapshotBenchmark.run(database: database, rounds: option("--rounds").flatMap(Int.init) ?? 5)
    } catch {
        FileHandle.standardError.write(Data("tidings-bench: \(error)\n".utf8))
        exit(1)
    }
default:
    usage()
}

extension Duration {
    /// The duration in seconds, as a Double.
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// The value after `flag` on the command line.
func option(_ flag: String) -> String? {
    guard let index = arguments.firstIndex(of: flag), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}
