import FeedStore
import Foundation
import Synchronization
import TestSupport
import Testing

/// A unix datagram socket standing in for systemd's notify socket: collects every message the daemon sends.
final class NotifySocket: Sendable {
    let path: String
    private let descriptor: Int32
    private let messages = Mutex<[String]>([])
    private let stopped = Mutex(false)

    init(directory: URL) throws {
        path = directory.appendingPathComponent("notify.sock").path
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw RunnerError(message: "bind \(path): errno \(errno)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let thread = Thread { [self] in receive() }
        thread.start()
    }

    private func receive() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !stopped.withLock({ $0 }) {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count > 0 {
                let message = String(decoding: buffer[0..<count], as: UTF8.self)
                messages.withLock { $0.append(message) }
            }
        }
        close(descriptor)
    }

    var received: [String] { messages.withLock { $0 } }

    func stop() { stopped.withLock { $0 = true } }

    /// Waits until `condition` holds for the messages so far (at most `timeout` seconds).
    func wait(_ timeout: Double = 20, until condition: ([String]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(received) { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return condition(received)
    }
}

/// tidingsd as systemd runs it: sd_notify, watchdog, SIGHUP reload, one daemon per store, and kill -9 at any
/// moment losing nothing committed.
@Suite(.serialized) struct ServiceTests {
    let scratch: ScratchDirectory
    var directory: URL { scratch.url }

    init() throws {
        scratch = ScratchDirectory(prefix: "tidings-svc", shortPath: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    private var database: String { directory.appendingPathComponent("tidings.sqlite").path }
    private var config: String { directory.appendingPathComponent("Feeds.yaml").path }

    private func writeConfig(_ urls: [String]) throws {
        let text = "defaults:\n  interval: 30m\n  timeout: 5s\nfeeds:\n" + urls.map { "  - url: \($0)\n" }.joined()
        try text.write(toFile: config, atomically: true, encoding: .utf8)
    }

    private func stop(_ daemon: Process) -> Int32 {
        kill(daemon.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(15)
        while daemon.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if daemon.isRunning {
            daemon.terminate()
            return -1
        }
        return daemon.terminationStatus
    }

    @Test func notifiesSystemdAndReloadsOnSIGHUP() throws {
        let body = try SharedData.realWorldFeed("nnw__DaringFireball.atom")
        let responder = ConditionalFileResponder(files: ["/a.xml": body, "/b.xml": body])
        let server = try LoopbackHTTPServer { responder.respond(to: $0) }
        defer { server.stop() }
        try writeConfig([server.baseURL + "/a.xml"])
        let notify = try NotifySocket(directory: directory)
        defer { notify.stop() }
        let stderr = Pipe()
        let daemon = try ProcessRunner.start(
            "tidingsd", ["--config", config, "--database", database],
            environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "400000"], stderr: stderr)
        let collector = OutputCollector(stdout: nil, stderr: stderr)
        // A failed requirement ends the test early: the daemon must not outlive it (or its scratch directory).
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }

        #expect(notify.wait { $0.contains { $0.hasPrefix("READY=1") } && $0.contains("WATCHDOG=1") })
        #expect(notify.wait { $0.contains { $0.contains("STATUS=1 feeds, 0 failing, last cycle") } })

        // A valid new file: RELOADING=1, then READY=1, and the new feed is polled.
        try writeConfig([server.baseURL + "/a.xml", server.baseURL + "/b.xml"])
        kill(daemon.processIdentifier, SIGHUP)
        #expect(notify.wait { messages in
            guard let reloading = messages.firstIndex(where: { $0.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") }) else { return false }
            return messages[reloading...].contains { $0.hasPrefix("READY=1") }
        })
        #expect(notify.wait { _ in server.requests.contains { $0.path == "/b.xml" } }, "the reloaded feed list is polled")

        // A broken file: rejected, the daemon keeps running with the old list.
        try "feeds:\n  - url: nope\n".write(toFile: config, atomically: true, encoding: .utf8)
        let readiesBefore = notify.received.filter { $0.hasPrefix("READY=1") }.count
        kill(daemon.processIdentifier, SIGHUP)
        #expect(notify.wait { $0.filter { $0.hasPrefix("READY=1") }.count > readiesBefore })
        #expect(daemon.isRunning)

        #expect(stop(daemon) == 0)
        let (_, log) = collector.finish()
        #expect(log.contains("reloaded \(config): 2 feeds"), "\(log)")
        #expect(log.contains("reload rejected, keeping the previous configuration: \(config):2:10"), "\(log)")
        let messages = notify.received
        let ready = try #require(messages.firstIndex { $0.hasPrefix("READY=1") })
        let watchdog = try #require(messages.firstIndex(of: "WATCHDOG=1"))
        let stopping = try #require(messages.firstIndex { $0.hasPrefix("STOPPING=1") })
        #expect(ready < watchdog && watchdog < stopping)
        #expect(stopping == messages.count - 1, "STOPPING=1 is the last word: \(messages.suffix(3))")
    }

    @Test func aSecondDaemonOnTheSameStoreRefuses() throws {
        try writeConfig([])
        let stderr = Pipe()
        let first = try ProcessRunner.start("tidingsd", ["--config", config, "--database", database], stderr: stderr)
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
        let collector = OutputCollector(stdout: nil, stderr: stderr)
        let lockDeadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: database + ".lock"), Date() < lockDeadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        Thread.sleep(forTimeInterval: 0.3)
        let second = try ProcessRunner.run("tidingsd", ["--once", "--config", config, "--database", database])
        #expect(second.status == 1)
        #expect(
            second.stderr.contains(
                "another tidingsd (pid \(first.processIdentifier)) is already running on the store \(database); stop it first"),
            "\(second.stderr)")
        // Readers are not writers: the CLI reads while the daemon runs, and sees it running.
        let reader = try ProcessRunner.run("tidings", ["feeds", "--database", database])
        #expect(reader.status == 0, "\(reader.stderr)")
        let status = try ProcessRunner.run("tidings", ["status", "--json", "--database", database])
        let running = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let daemon = try #require(running["daemon"] as? [String: Any])
        #expect(daemon["running"] as? Bool == true && daemon["pid"] as? Int == Int(first.processIdentifier))
        #expect(stop(first) == 0)
        _ = collector.finish()
        let stopped = try ProcessRunner.run("tidings", ["status", "--database", database])
        #expect(stopped.stdout.hasPrefix("tidingsd: not running"), "\(stopped.stdout)")
    }

    @Test func killNineAtRandomMomentsLosesNothingCommitted() throws {
        // Every request to a feed returns five more items than the last, so every run has new entries to write.
        let requests = Mutex<[String: Int]>([:])
        let server = try LoopbackHTTPServer { request in
            let count = requests.withLock { counts -> Int in
                counts[request.path, default: 0] += 1
                return counts[request.path]!
            }
            let items = (0..<(count * 5)).map { index in
                "<item><guid>\(request.path)-\(index)</guid><title>Item \(index) of \(request.path)</title>"
                    + "<description>Report number \(index) about \(request.path)</description></item>"
            }
            return .init(status: 200, headers: [("Content-Type", "application/rss+xml")],
                         text: "<rss version=\"2.0\"><channel><title>\(request.path)</title>\(items.joined())</channel></rss>")
        }
        defer { server.stop() }
        try writeConfig((0..<30).map { server.baseURL + "/feed\($0).xml" })
        var generator = SeededGenerator(seed: 20261130)
        // Every eleventh run goes to its end and is timed, and the kills fall within the length of the last one
        // timed: runs grow longer (more to write each time), and a fast machine would otherwise finish many runs
        // before a kill at a fixed delay came.
        func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
        var latest = 0.4
        var committed = Set<String>()
        var kills = 0
        for round in 0..<60 {
            let started = ContinuousClock.now
            let daemon = try ProcessRunner.start(
                "tidingsd", ["--once", "--config", config, "--database", database], stderr: Pipe())
            if round % 12 == 0 {
                daemon.waitUntilExit()
                #expect(daemon.terminationStatus == 0, "an unkilled run fails")
                latest = min(0.5, max(0.05, 0.9 * seconds(started.duration(to: .now))))
            } else {
                Thread.sleep(forTimeInterval: Double.random(in: 0.02...latest, using: &generator))
                if daemon.isRunning {
                    kill(daemon.processIdentifier, SIGKILL)
                    kills += 1
                }
                daemon.waitUntilExit()
            }
            let store = try FeedStore(path: database, readOnly: true)
            #expect(try store.integrityCheck() == "ok")
            // Opened for writing, the check covers the search index too (FTS5 runs it as a write statement).
            #expect(try FeedStore(path: database).integrityCheck() == "ok", "the search index survives kill -9")
            let keys = try store.entryKeys()
            #expect(Set(keys).count == keys.count, "an entry is stored twice")
            let now = Set(keys)
            #expect(committed.isSubset(of: now), "\(committed.subtracting(now).count) committed entries disappeared")
            committed = now
        }
        #expect(kills >= 45, "only \(kills) of 55 runs were still running when killed (last window \(latest) s)")
        #expect(!committed.isEmpty)
        // The store still works for a normal run after all that.
        let final = try ProcessRunner.run("tidingsd", ["--once", "--config", config, "--database", database])
        #expect(final.status == 0, "\(final.stderr.suffix(500))")
    }
}

/// A small deterministic random generator (SplitMix64), so that the kill moments repeat run to run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Log lines carry syslog priorities when stderr is the journal (JOURNAL_STREAM names its device and inode),
/// and timestamps otherwise.
@Suite struct JournalLoggingTests {
    @Test func prioritiesWhenStderrIsTheJournalTimestampsOtherwise() throws {
        let scratch = ScratchDirectory(prefix: "tidings-log", shortPath: true)
        defer { withExtendedLifetime(scratch) {} }
        let directory = scratch.url
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("Feeds.yaml").path
        let database = directory.appendingPathComponent("t.sqlite").path
        let closed = try LoopbackHTTPServer { _ in .init(status: 200, text: "") }
        let refused = closed.baseURL + "/feed.xml"
        closed.stop()
        try "feeds:\n  - url: \(refused)\n".write(toFile: config, atomically: true, encoding: .utf8)

        func run(journal: Bool) throws -> String {
            let stderr = Pipe()
            var status = stat()
            fstat(stderr.fileHandleForWriting.fileDescriptor, &status)
            let environment = journal ? ["JOURNAL_STREAM": "\(status.st_dev):\(status.st_ino)"] : [:]
            let process = try ProcessRunner.start(
                "tidingsd", ["--once", "--config", config, "--database", database], environment: environment, stderr: stderr)
            let collector = OutputCollector(stdout: nil, stderr: stderr)
            process.waitUntilExit()
            return collector.finish().1
        }
        let journal = try run(journal: true).split(separator: "\n")
        #expect(journal.contains { $0.hasPrefix("<6>tidingsd 0.1.0: 1 feeds from") }, "\(journal)")
        #expect(journal.contains { $0.hasPrefix("<3><\(refused)>: status -, error: could not connect") }, "\(journal)")
        let plain = try run(journal: false).split(separator: "\n")
        #expect(plain.first?.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ info tidingsd 0\.1\.0"#, options: .regularExpression) != nil,
                "\(plain)")
    }
}
