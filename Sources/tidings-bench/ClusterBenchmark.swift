import FeedParsing
import FeedStore
import Foundation
import GRDB
import StoryClustering

/// Streams a clustering dev set, replayed with shifted times until N items, through the production clusterer
/// on one thread, and prints items/s per segment (10k, 100k, 1M…) so that growth of the per-item cost shows.
enum ClusterBenchmark {
    static func run(file: String, counts: [Int]) throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw BenchmarkError("cannot read \(file)") }
        var base: [ClusterItem] = []
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { continue }
            base.append(
                ClusterItem(
                    title: object["title"] as? String, summary: object["summary"] as? String,
                    source: object["source"] as? String, published: (object["published"] as? String).flatMap(FeedDate.parse)))
        }
        base.sort { ($0.published ?? .distantPast) < ($1.published ?? .distantPast) }
        guard let first = base.first?.published, let last = base.last?.published else {
            throw BenchmarkError("\(file) has no dated items")
        }
        // Each copy starts after the previous one's stories left the 72 h window, as new days of news would.
        let shift = last.timeIntervalSince(first) + 4 * 86400
        print("cluster benchmark: \(file), \(base.count) items per copy, each copy shifted by \(Int(shift / 3600)) h")
        print("machine: \(Machine.describe())")
        print("items so far   segment items/s   active stories   RSS MB")
        let clusterer = StoryClusterer()
        var done = 0
        var copy = 0
        for target in counts.sorted() {
            let segmentStart = done
            let segmentSeconds = seconds {
                while done < target {
                    var item = base[done % base.count]
                    copy = done / base.count
                    item.published = item.published?.addingTimeInterval(Double(copy) * shift)
                    _ = clusterer.add(item)
                    done += 1
                }
            }
            print(
                String(
                    format: "%13d %17.0f %16d %8.1f", done, Double(done - segmentStart) / segmentSeconds,
                    clusterer.activeStoryCount, residentMegabytes()))
        }
        // What a daemon pays for this state at the end of a cycle and at its next start (best of 5 each).
        var snapshot = Data()
        var (writeSeconds, loadSeconds) = (Double.infinity, Double.infinity)
        for _ in 0..<5 {
            writeSeconds = min(writeSeconds, seconds { snapshot = clusterer.snapshot() })
            loadSeconds = min(loadSeconds, seconds { _ = try? StoryClusterer(snapshot: snapshot) })
        }
        guard (try? StoryClusterer(snapshot: snapshot)) != nil else { throw BenchmarkError("the snapshot does not load") }
        print(
            String(
                format: "snapshot: %.1f MB, written in %.1f ms, loaded in %.1f ms", Double(snapshot.count) / 1_000_000,
                writeSeconds * 1000, loadSeconds * 1000))
    }

    static func seconds(_ work: () -> Void) -> Double {
        let started = ContinuousClock.now
        work()
        return started.duration(to: .now).inSeconds
    }

    static func residentMegabytes() -> Double {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Double(line.split(separator: " ").dropFirst().first ?? "0").map { $0 / 1024 } ?? 0
    }
}

/// Loads and re-encodes the clustering snapshot a store holds, as `tidingsd` does at the start and the end of a
/// cycle, and stores it into a copy of the store; prints the best time of each. The store itself is only read.
enum SnapshotBenchmark {
    static func run(database: String, rounds: Int) async throws {
        let store = try FeedStore(path: database, readOnly: true)
        guard let snapshot = try store.clusteringSnapshot() else {
            throw BenchmarkError("\(database) holds no current clustering snapshot")
        }
        var clusterer = try StoryClusterer(snapshot: snapshot)
        var (loadSeconds, writeSeconds) = (Double.infinity, Double.infinity)
        var written = 0
        for _ in 0..<max(1, rounds) {
            loadSeconds = min(loadSeconds, ClusterBenchmark.seconds { clusterer = try! StoryClusterer(snapshot: snapshot) })
            written = 0
            writeSeconds = min(
                writeSeconds,
                ClusterBenchmark.seconds { clusterer.writeSnapshot(chunkSize: 1 << 20) { written += $0.count } })
        }
        guard written == snapshot.count else {
            throw BenchmarkError("the snapshot re-encodes to \(written) bytes, not its \(snapshot.count)")
        }
        print(
            String(
                format: "snapshot of %@: %.1f MB, %d documents seen; loaded in %.1f ms, written in %.1f ms (best of %d)",
                database, Double(snapshot.count) / 1_000_000, clusterer.documentsSeen, loadSeconds * 1000,
                writeSeconds * 1000, max(1, rounds)))
        // Stored as the daemon stores it, into a copy of the store, and the store closed (its WAL checkpointed).
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tidings-snapshot-bench-\(getpid())")
        try? FileManager.default.removeItem(at: scratch)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let copy = scratch.appendingPathComponent("store.sqlite").path
        // SQLite's backup, not a file copy: a copy of the main file alone misses what its WAL still holds.
        var readOnly = Configuration()
        readOnly.readonly = true
        try DatabaseQueue(path: database, configuration: readOnly).backup(to: DatabaseQueue(path: copy))
        var (saveSeconds, closeSeconds) = (Double.infinity, Double.infinity)
        for _ in 0..<max(1, rounds) {
            var target: FeedStore? = try FeedStore(path: copy)
            nonisolated(unsafe) let loaded = clusterer
            let started = ContinuousClock.now
            try await target!.saveClusteringSnapshot { emit in
                // `emit` writes rows in the store's transaction, on this thread; it never leaves this call.
                nonisolated(unsafe) let emit = emit
                loaded.writeSnapshot(chunkSize: 1 << 20, to: emit)
            }
            saveSeconds = min(saveSeconds, started.duration(to: .now).inSeconds)
            closeSeconds = min(closeSeconds, ClusterBenchmark.seconds { target = nil })
        }
        print(String(format: "stored in %.1f ms; the store closed in %.1f ms after (best of %d)", saveSeconds * 1000, closeSeconds * 1000, max(1, rounds)))
    }
}
