import Foundation
import Synchronization
import TestSupport

/// One full poll cycle of N feeds from a loopback server, for `tidingsd` and for newsboat.
struct PollBenchmark {
    let feedCount: Int
    let corpus: String
    let newsboatThreads: [Int]

    func run() throws {
        let documents = FeedCorpus.load(corpus).map { (name: $0.0, body: Array($0.1)) }
        guard !documents.isEmpty else { throw BenchmarkError("no feed files in \(corpus)") }
        let site = BenchmarkSite(feedCount: feedCount, documents: documents)
        // Connections stay open, as web servers keep them: a client that reuses them is not made to reconnect per feed.
        let server = try LoopbackHTTPServer(keepAlive: true) { site.respond(to: $0) }
        defer { server.stop() }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("tidings-poll-bench-\(getpid())")
        try? FileManager.default.removeItem(at: work)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        // TIDINGS_BENCH_KEEP=1 keeps the logs, Feeds.yaml and stores for inspection.
        let keep = ProcessInfo.processInfo.environment["TIDINGS_BENCH_KEEP"] != nil
        defer { if keep { print("kept \(work.path)") } else { try? FileManager.default.removeItem(at: work) } }
        let urls = (0..<feedCount).map { "http://h\($0 / 10).localhost:\(server.port)/f/\($0).xml" }
        let servedBytes = (0..<feedCount).reduce(0) { $0 + documents[$1 % documents.count].body.count }
        print(
            "poll benchmark: \(feedCount) feeds over \(feedCount / 10) host names, \(documents.count) distinct bodies, "
                + String(format: "%.0f MB per all-200 cycle", Double(servedBytes) / 1_000_000))
        print("machine: \(Machine.describe())")
        print("run                        wall s   cpu s   peak RSS MB   served 200/304/other   exit   connections")

        // Tidings: the real daemon binary, one `--once` cycle per phase, into one fresh store.
        let tidingsd = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("tidingsd").path
        let config = work.appendingPathComponent("Feeds.yaml").path
        try ("defaults:\n  interval: 30m\nfeeds:\n" + urls.map { "  - url: \($0)\n" }.joined())
            .write(toFile: config, atomically: true, encoding: .utf8)
        let database = work.appendingPathComponent("tidings.sqlite").path
        for phase in BenchmarkSite.Phase.allCases {
            site.begin(phase)
            let connections = server.acceptedConnections
            let measurement = try ChildProcess.measure(
                tidingsd, ["--once", "--config", config, "--database", database], environment: [:],
                output: work.appendingPathComponent("tidingsd-\(phase).log").path)
            report("tidingsd \(phase)", measurement, site.served(), connections: server.acceptedConnections - connections)
        }
        for threads in newsboatThreads {
            let directory = work.appendingPathComponent("newsboat-\(threads)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let urlFile = directory.appendingPathComponent("urls").path
            try (urls.joined(separator: "\n") + "\n").write(toFile: urlFile, atomically: true, encoding: .utf8)
            let configFile = directory.appendingPathComponent("config").path
            try "reload-threads \(threads)\n".write(toFile: configFile, atomically: true, encoding: .utf8)
            for phase in BenchmarkSite.Phase.allCases {
                site.begin(phase)
                let connections = server.acceptedConnections
                let measurement = try ChildProcess.measure(
                    "/usr/bin/newsboat",
                    ["-x", "reload", "-u", urlFile, "-c", directory.appendingPathComponent("cache.db").path, "-C", configFile],
                    environment: ["HOME": directory.path, "XDG_CONFIG_HOME": directory.path, "XDG_DATA_HOME": directory.path],
                    output: directory.appendingPathComponent("newsboat-\(phase).log").path)
                report("newsboat \(threads)t \(phase)", measurement, site.served(), connections: server.acceptedConnections - connections)
            }
        }
    }

    /// One row: times and memory of the run, the server's answers, and the connections it accepted meanwhile.
    private func report(_ label: String, _ measurement: ChildProcess.Measurement, _ served: (Int, Int, Int), connections: Int) {
        print(
            label.padding(toLength: 25, withPad: " ", startingAt: 0)
                + String(
                    format: "%8.2f %7.2f %13.1f   %20@   %4d   %11d", measurement.wallSeconds, measurement.cpuSeconds,
                    measurement.peakRSSMegabytes, "\(served.0)/\(served.1)/\(served.2)" as NSString,
                    measurement.exitStatus, connections))
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The feeds the benchmark server answers: feed i serves corpus body i mod count with an ETag and a
/// Last-Modified of its version, and 304 to a request that names them. In the `changed` phase every tenth feed
/// is at version 2, with one new item.
final class BenchmarkSite: Sendable {
    enum Phase: String, CaseIterable, CustomStringConvertible {
        case allNew = "all-200"
        case unchanged = "all-304"
        case changed = "10%-changed"
        var description: String { rawValue }
    }

    private struct State {
        var phase = Phase.allNew
        var served = (ok: 0, notModified: 0, other: 0)
    }

    private let feedCount: Int
    private let documents: [(name: String, body: [UInt8])]
    private let state = Mutex(State())

    init(feedCount: Int, documents: [(name: String, body: [UInt8])]) {
        self.feedCount = feedCount
        self.documents = documents
    }

    func begin(_ phase: Phase) {
        state.withLock {
            $0.phase = phase
            $0.served = (0, 0, 0)
        }
    }

    /// Responses sent since the phase began: 200, 304, anything else.
    func served() -> (Int, Int, Int) {
        state.withLock { ($0.served.ok, $0.served.notModified, $0.served.other) }
    }

    func respond(to request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response {
        let phase = state.withLock { $0.phase }
        guard request.path.hasPrefix("/f/"), let index = Int(request.path.dropFirst(3).prefix { $0.isNumber }),
            index < feedCount
        else {
            count(404)
            return .init(status: 404, text: "no such feed")
        }
        let version = phase == .changed && index % 10 == 0 ? 2 : 1
        let etag = "\"\(index)-\(version)\""
        let lastModified = version == 1 ? "Mon, 02 Nov 2026 10:00:00 GMT" : "Tue, 03 Nov 2026 10:00:00 GMT"
        if request.headers["if-none-match"] == etag
            || (request.headers["if-none-match"] == nil && request.headers["if-modified-since"] == lastModified)
        {
            count(304)
            return .init(status: 304, headers: [("ETag", etag), ("Last-Modified", lastModified)])
        }
        let document = documents[index % documents.count]
        var body = document.body
        if version == 2 { body = Self.addingItem(to: body, index: index) }
        count(200)
        let type = document.name.hasSuffix(".json") ? "application/feed+json" : "application/xml"
        return .init(status: 200, headers: [("ETag", etag), ("Last-Modified", lastModified), ("Content-Type", type)], body: body)
    }

    private func count(_ status: Int) {
        state.withLock {
            switch status {
            case 200: $0.served.ok += 1
            case 304: $0.served.notModified += 1
            default: $0.served.other += 1
            }
        }
    }

    /// The body with one more item (RSS) or entry (Atom) before its first one.
    static func addingItem(to body: [UInt8], index: Int) -> [UInt8] {
        for (tag, item) in [
            ("<item>", "<item><title>Benchmark update \(index)</title><guid>bench-\(index)-2</guid></item>"),
            ("<item ", "<item><title>Benchmark update \(index)</title><guid>bench-\(index)-2</guid></item>"),
            ("<entry>", "<entry><id>bench-\(index)-2</id><title>Benchmark update \(index)</title></entry>"),
        ] {
            if let offset = body.firstOffset(of: Array(tag.utf8)) {
                var changed = body
                changed.insert(contentsOf: Array(item.utf8), at: offset)
                return changed
            }
        }
        return body
    }
}

/// Runs a program to completion and measures it with wait4: wall time, user + system CPU, peak RSS.
enum ChildProcess {
    struct Measurement {
        var wallSeconds: Double
        var cpuSeconds: Double
        var peakRSSMegabytes: Double
        var exitStatus: Int32
    }

    static func measure(_ path: String, _ arguments: [String], environment: [String: String], output: String) throws
        -> Measurement
    {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let start = ContinuousClock.now
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard spawned == 0 else { throw BenchmarkError("cannot start \(path): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0, errno == EINTR {}
        let elapsed = start.duration(to: .now)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return Measurement(
            wallSeconds: elapsed.inSeconds,
            cpuSeconds: seconds(usage.ru_utime) + seconds(usage.ru_stime),
            peakRSSMegabytes: Double(usage.ru_maxrss) / 1024, exitStatus: (status >> 8) & 0xff)
    }
}

/// A one-line description of this machine for the report.
enum Machine {
    static func describe() -> String {
        let cpuInfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuInfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" } ?? "?"
        return "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(model), "
            + "\(ProcessInfo.processInfo.physicalMemory / 1_048_576) MiB RAM"
    }
}
