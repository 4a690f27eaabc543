import Foundation
import TestSupport
import Testing

/// The whole path with real parts: a loopback HTTP server, the `tidingsd` binary, a temporary Feeds.yaml and
/// SQLite store, and the `tidings` binary reading it back.
@Suite(.serialized) struct DaemonEndToEndTests {
    static let fixtures = [
        "feedrs__rss_2.0_bbc.xml", "nnw__DaringFireball.atom", "feedreader__Rss10OrfAt.xml",
        "feedreader__Rss20NYTimes.xml", "nnw__DaringFireball.json", "miniflux__encoding_WINDOWS-1251.xml",
    ]

    let scratch: ScratchDirectory
    var directory: URL { scratch.url }

    init() throws {
        scratch = ScratchDirectory(prefix: "tidings-e2e")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    private var database: String { directory.appendingPathComponent("tidings.sqlite").path }
    private var config: String { directory.appendingPathComponent("Feeds.yaml").path }

    private func writeConfig(_ urls: [String]) throws {
        var text = "# test feeds\ndefaults:\n  interval: 30m\n  timeout: 5s\nfeeds:\n"
        for url in urls { text += "  - url: \(url)\n" }
        try text.write(toFile: config, atomically: true, encoding: .utf8)
    }

    private func feedsJSON() throws -> [[String: Any]] {
        let output = try ProcessRunner.run("tidings", ["feeds", "--json", "--database", database])
        #expect(output.status == 0, "tidings feeds failed: \(output.stderr)")
        return try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]] ?? []
    }

    @Test func pollsEveryFeedThenGets304s() throws {
        var files: [String: [UInt8]] = [:]
        for name in Self.fixtures { files["/\(name)"] = try SharedData.realWorldFeed(name) }
        let responder = ConditionalFileResponder(files: files)
        let server = try LoopbackHTTPServer { responder.respond(to: $0) }
        defer { server.stop() }
        try writeConfig(Self.fixtures.map { server.baseURL + "/" + $0 })
        let expected = try SharedData.manifestItemCounts()

        let first = try ProcessRunner.run("tidingsd", ["--once", "--config", config, "--database", database])
        #expect(first.status == 0, "first run failed:\n\(first.stderr)")
        #expect(first.stderr.components(separatedBy: "status 200").count - 1 == Self.fixtures.count, "\(first.stderr)")

        let feeds = try feedsJSON()
        #expect(feeds.count == Self.fixtures.count)
        var total = 0
        for feed in feeds {
            let url = try #require(feed["url"] as? String)
            let name = String(url.split(separator: "/").last!)
            let count = try #require(feed["entry_count"] as? Int)
            #expect(count == expected[name], "\(name): stored \(count), the file holds \(expected[name] ?? -1)")
            #expect(feed["last_status"] as? Int == 200)
            total += count
        }

        let second = try ProcessRunner.run("tidingsd", ["--once", "--config", config, "--database", database])
        #expect(second.status == 0, "second run failed:\n\(second.stderr)")
        #expect(second.stderr.components(separatedBy: "status 304, 0 new").count - 1 == Self.fixtures.count, "\(second.stderr)")
        let requests = server.requests
        #expect(requests.count == 2 * Self.fixtures.count)
        for request in requests.suffix(Self.fixtures.count) {
            #expect(request.headers["if-none-match"] != nil, "\(request.path) re-polled without If-None-Match")
            #expect(request.headers["if-modified-since"] != nil, "\(request.path) re-polled without If-Modified-Since")
        }
        let after = try feedsJSON()
        #expect(after.map { $0["entry_count"] as? Int ?? -1 }.reduce(0, +) == total, "the second run added nothing")
        #expect(after.allSatisfy { $0["last_status"] as? Int == 304 })

        let entries = try ProcessRunner.run("tidings", ["entries", "--json", "--limit", "10000", "--database", database])
        let list = try JSONSerialization.jsonObject(with: Data(entries.stdout.utf8)) as? [[String: Any]] ?? []
        // Fixtures that link the same articles (one feed in two formats) are listed once, with the other feed beside.
        let copies = list.map { ($0["also_in"] as? [String])?.count ?? 0 }.reduce(0, +)
        #expect(copies > 0 && list.count + copies == total, "\(list.count) listed + \(copies) copies, \(total) stored")
        #expect(list.allSatisfy { $0["title"] is String && $0["feed_url"] is String })
    }

    @Test func failingFeedsAreReportedAndExitNonZero() throws {
        let responder = ConditionalFileResponder(files: ["/ok.xml": try SharedData.realWorldFeed("feedrs__rss_2.0_bbc.xml")])
        let server = try LoopbackHTTPServer { request in
            if request.path == "/page.html" {
                return .init(status: 200, headers: [("Content-Type", "text/html")], text: "<html><head><title>Home</title></head><body>hi</body></html>")
            }
            return responder.respond(to: request)
        }
        defer { server.stop() }
        let closed = try LoopbackHTTPServer { _ in .init(status: 200, text: "") }
        let refusedURL = closed.baseURL + "/feed.xml"
        closed.stop()
        try writeConfig([server.baseURL + "/ok.xml", server.baseURL + "/missing.xml", server.baseURL + "/page.html", refusedURL])

        let run = try ProcessRunner.run("tidingsd", ["--once", "--config", config, "--database", database])
        #expect(run.status == 1)
        #expect(run.stderr.contains("<\(server.baseURL)/missing.xml>: status 404, error: HTTP 404 Not Found"), "\(run.stderr)")
        #expect(run.stderr.contains("<\(server.baseURL)/page.html>: status 200, error: HTTP 200 but not a feed: got an HTML page titled 'Home'"), "\(run.stderr)")
        #expect(run.stderr.contains("<\(refusedURL)>: status -, error: could not connect"), "\(run.stderr)")
        #expect(run.stderr.contains("polled 4 feeds once: 1 ok, 3 failed"))

        let feeds = try feedsJSON()
        #expect(feeds.filter { $0["last_error"] == nil }.count == 1)
        #expect(feeds.first { ($0["url"] as? String)?.hasSuffix("/ok.xml") == true }?["entry_count"] as? Int == 1)

        let status = try ProcessRunner.run("tidings", ["status", "--json", "--database", database])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect(report["failing"] as? Int == 3 && report["ok"] as? Int == 1)
        #expect(report["polls"] as? Int == 4)
        #expect(report["fetch_milliseconds_max"] as? Int != nil)
        #expect(report["errors_by_kind"] as? [String: Int] == ["http-404": 1, "not-a-feed": 1, "connection": 1])
        let table = try ProcessRunner.run("tidings", ["status", "--database", database])
        #expect(table.stdout.contains("feeds: 4 (1 ok, 3 failing, 0 moved, 0 gone)"), "\(table.stdout)")
        #expect(table.stdout.contains("1× HTTP 404 Not Found"), "\(table.stdout)")
    }

    @Test func aReplayClockDatesWhatTheDaemonStores() throws {
        let responder = ConditionalFileResponder(files: ["/ok.xml": try SharedData.realWorldFeed("nnw__DaringFireball.atom")])
        let server = try LoopbackHTTPServer { responder.respond(to: $0) }
        defer { server.stop() }
        try writeConfig([server.baseURL + "/ok.xml"])
        let run = try ProcessRunner.run(
            "tidingsd", ["--once", "--config", config, "--database", database, "--clock-start", "2021-09-16T21:00:00Z", "--clock-speed", "60"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("clock: starts at 2021-09-16T21:0") && run.stderr.contains("runs 60.0× real time"), "\(run.stderr)")
        let polled = try #require(try feedsJSON().first?["last_polled_at"] as? String)
        #expect(polled.hasPrefix("2021-09-16T21:0"), "\(polled)")
        let bad = try ProcessRunner.run("tidingsd", ["--once", "--config", config, "--clock-start", "yesterday"])
        #expect(bad.status == 64 || bad.status == 2 || bad.status == 1, "usage error")
        #expect(bad.stderr.contains("--clock-start 'yesterday' is not an ISO 8601 time"))
    }

    @Test func theFirstStartCreatesTheStoresDirectory() throws {
        let responder = ConditionalFileResponder(files: ["/ok.xml": try SharedData.realWorldFeed("nnw__DaringFireball.atom")])
        let server = try LoopbackHTTPServer { responder.respond(to: $0) }
        defer { server.stop() }
        try writeConfig([server.baseURL + "/ok.xml"])
        let fresh = directory.appendingPathComponent("state/tidings/tidings.sqlite").path
        let run = try ProcessRunner.run("tidingsd", ["--once", "--config", config, "--database", fresh])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: fresh))
    }

    @Test func invalidConfigIsRejectedWithItsPosition() throws {
        try "feeds:\n  - url: gopher://old.example/\n".write(toFile: config, atomically: true, encoding: .utf8)
        let run = try ProcessRunner.run("tidingsd", ["--once", "--config", config, "--database", database])
        #expect(run.status == 1)
        #expect(run.stderr.contains("\(config):2:10: url 'gopher://old.example/' uses 'gopher'; only http:// and https:// feeds are supported"), "\(run.stderr)")
    }

    @Test func sigtermStopsTheDaemonCleanly() throws {
        let responder = ConditionalFileResponder(files: ["/ok.xml": try SharedData.realWorldFeed("nnw__DaringFireball.atom")])
        let server = try LoopbackHTTPServer { responder.respond(to: $0) }
        defer { server.stop() }
        try writeConfig([server.baseURL + "/ok.xml"])
        let stderr = Pipe()
        let daemon = try ProcessRunner.start("tidingsd", ["--config", config, "--database", database], stderr: stderr)
        let collector = OutputCollector(stdout: nil, stderr: stderr)
        let deadline = Date().addingTimeInterval(30)
        while server.requests.isEmpty || (try? feedsJSON().first?["last_status"] as? Int) != 200 {
            #expect(Date() < deadline, "the daemon never polled")
            if Date() > deadline { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        kill(daemon.processIdentifier, SIGTERM)
        let stopDeadline = Date().addingTimeInterval(10)
        while daemon.isRunning, Date() < stopDeadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!daemon.isRunning, "the daemon ignored SIGTERM")
        if daemon.isRunning { daemon.terminate() }
        #expect(daemon.terminationStatus == 0)
        let (_, log) = collector.finish()
        #expect(log.contains("stopped"), "\(log)")
        #expect(try feedsJSON().first?["entry_count"] as? Int == 48)
    }
}
