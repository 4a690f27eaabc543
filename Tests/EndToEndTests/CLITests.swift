import Foundation
import TestSupport
import Testing

/// The feed-management commands on a real Feeds.yaml, with `feeds add` checking URLs against a loopback server.
@Suite(.serialized) struct CLITests {
    let scratch: ScratchDirectory
    var directory: URL { scratch.url }

    init() throws {
        scratch = ScratchDirectory(prefix: "tidings-cli")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    private var config: String { directory.appendingPathComponent("Feeds.yaml").path }

    private func tidings(_ arguments: [String]) throws -> ProcessRunner.Output {
        try ProcessRunner.run("tidings", arguments + ["--config", config])
    }

    @Test func parsePrintsTheFeedAndItsWarnings() throws {
        // windows-1252 with one byte it does not define: the entries stay, and the replaced byte is a warning.
        var bytes = Array("<?xml version=\"1.0\" encoding=\"windows-1252\"?>\n<rss version=\"2.0\"><channel><title>Caf".utf8)
        bytes += [0xE9, 0x81] + Array("</title><item><title>A</title></item></channel></rss>".utf8)
        let file = directory.appendingPathComponent("legacy.xml")
        try Data(bytes).write(to: file)
        let parsed = try ProcessRunner.run("tidings", ["parse", file.path])
        #expect(parsed.status == 0, "\(parsed.stderr)")
        #expect(parsed.stdout.contains(#""title":"Café\#u{FFFD}""#) && parsed.stdout.contains(#""title":"A""#), "\(parsed.stdout)")
        #expect(parsed.stderr == "tidings: \(file.path): warning: line 2: 1 byte sequence is not valid windows-1252 and became U+FFFD\n")

        // libxml2 printed its own "encoding error : input conversion failed" for these (found by fuzzing), without
        // the file's name: a UTF-16 feed with an unpaired surrogate, and a page whose first bytes look like UTF-32.
        let text = "<rss version=\"2.0\"><channel><title>T</title><item><title>X"
        func littleEndian(_ string: String) -> [UInt8] { string.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } }
        var utf16: [UInt8] = [0xFF, 0xFE]
        utf16 += littleEndian(text)
        utf16 += [0x00, 0xD8]  // an unpaired high surrogate
        utf16 += littleEndian("Y</title></item></channel></rss>")
        let wide = directory.appendingPathComponent("utf16.xml")
        try Data(utf16).write(to: wide)
        let widely = try ProcessRunner.run("tidings", ["parse", wide.path])
        #expect(widely.status == 0 && widely.stdout.contains(#""title":"X\#u{FFFD}Y""#), "\(widely.stdout)")
        #expect(widely.stderr == "tidings: \(wide.path): warning: line 1: 1 byte sequence is not valid UTF-16LE and became U+FFFD\n")
        let page = directory.appendingPathComponent("page.html")
        var pageBytes: [UInt8] = [0x3C, 0, 0, 0]
        pageBytes += [UInt8](repeating: 0, count: 40)
        pageBytes += Array("<html><title>x</title></html>".utf8)
        try Data(pageBytes).write(to: page)
        let paged = try ProcessRunner.run("tidings", ["parse", page.path])
        #expect(paged.status != 0)
        #expect(paged.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("tidings: ") }, "\(paged.stderr)")
    }

    @Test func addChecksTheURLFollowsAPageToItsFeedAndKeepsTheFile() throws {
        let feed = try SharedData.realWorldFeed("nnw__DaringFireball.atom")
        let server = try LoopbackHTTPServer { request in
            switch request.path {
            case "/feed.atom": return .init(status: 200, headers: [("Content-Type", "application/atom+xml")], body: feed)
            case "/blog":
                return .init(status: 200, headers: [("Content-Type", "text/html")],
                             text: "<html><head><title>Blog</title><link rel=alternate type=application/atom+xml href=/feed.atom></head></html>")
            case "/two":
                return .init(status: 200, headers: [("Content-Type", "text/html")],
                             text: "<html><head><link rel=alternate type=application/rss+xml href=/a.xml><link rel=alternate type=application/atom+xml href=/b.atom></head></html>")
            default: return .init(status: 404, text: "no")
            }
        }
        defer { server.stop() }
        let original = "# my list\ndefaults:\n  interval: 1h\n\nfeeds:\n  - url: https://keep.example/rss   # keep me\n"
        try original.write(toFile: config, atomically: true, encoding: .utf8)

        let page = try tidings(["feeds", "add", server.baseURL + "/blog", "--tag", "tech", "--tag", "apple"])
        #expect(page.status == 0, "\(page.stderr)")
        #expect(page.stdout.contains("is a web page; it advertises the feed \(server.baseURL)/feed.atom, which is added instead"))
        #expect(page.stdout.contains("added \(server.baseURL)/feed.atom (Daring Fireball)"))
        #expect(try String(contentsOfFile: config, encoding: .utf8)
                == original + "  - url: \(server.baseURL)/feed.atom\n    tags: [tech, apple]\n")

        let again = try tidings(["feeds", "add", server.baseURL + "/feed.atom/"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("is already in the feed list as '\(server.baseURL)/feed.atom'"), "\(again.stderr)")

        let two = try tidings(["feeds", "add", server.baseURL + "/two"])
        #expect(two.status == 1)
        #expect(two.stderr.contains("advertises several feeds; add one of them:\n  tidings feeds add \(server.baseURL)/a.xml\n  tidings feeds add \(server.baseURL)/b.atom"), "\(two.stderr)")

        let missing = try tidings(["feeds", "add", server.baseURL + "/gone.xml"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot add \(server.baseURL)/gone.xml: the server answered HTTP 404 (add it anyway with --no-check)"))
        #expect(try tidings(["feeds", "add", server.baseURL + "/gone.xml", "--no-check"]).status == 0)

        let usage = try tidings(["feeds", "add", "ftp://x.example/"])
        #expect(usage.status == 2, "usage errors exit 2")
    }

    @Test func removeEnableDisableAndConfigCheck() throws {
        let original = "feeds:\n  - url: https://a.example/\n    title: Alpha\n  - url: https://b.example/\n"
        try original.write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try tidings(["feeds", "disable", "alpha"]).stdout == "disabled https://a.example/ in \(config)\n")
        #expect(try String(contentsOfFile: config, encoding: .utf8)
                == "feeds:\n  - url: https://a.example/\n    title: Alpha\n    enabled: false\n  - url: https://b.example/\n")
        #expect(try tidings(["config", "check"]).stdout == "\(config): ok, 2 feeds (1 disabled)\n")
        #expect(try tidings(["feeds", "enable", "https://a.example"]).status == 0)
        #expect(try tidings(["feeds", "remove", "https://b.example/"]).status == 0)
        #expect(try String(contentsOfFile: config, encoding: .utf8) == "feeds:\n  - url: https://a.example/\n    title: Alpha\n    enabled: true\n")
        let unknown = try tidings(["feeds", "remove", "https://a.exampel/"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr == "tidings: \(config): no feed 'https://a.exampel/' in \(config) (did you mean 'https://a.example/'?)\n")

        try "feeds:\n  - url: https://a.example/\n    intervl: 5m\n".write(toFile: config, atomically: true, encoding: .utf8)
        let bad = try tidings(["config", "check"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("\(config):3:5: unknown key 'intervl' in a feed"), "\(bad.stderr)")
    }

    @Test func opmlExportAndImportRoundTrip() throws {
        try """
            feeds:
              - url: https://a.example/rss
                title: "A & B <news>"
                tags: [world, daily]
              - url: https://c.example/atom
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let export = try tidings(["feeds", "export"])
        #expect(export.status == 0)
        #expect(export.stdout.contains("<outline text=\"world\" title=\"world\">"))
        #expect(export.stdout.contains("xmlUrl=\"https://a.example/rss\" category=\"/world,/daily\"/>"))
        #expect(export.stdout.contains("text=\"A &amp; B &lt;news&gt;\""))
        let opml = directory.appendingPathComponent("export.opml").path
        try export.stdout.write(toFile: opml, atomically: true, encoding: .utf8)

        // Into an empty list: the same feeds, titles and tags come back.
        try "# imported\n".write(toFile: config, atomically: true, encoding: .utf8)
        let imported = try tidings(["feeds", "import", opml])
        #expect(imported.stdout.hasPrefix("imported 2 of 2 feeds"), "\(imported.stdout) \(imported.stderr)")
        #expect(try String(contentsOfFile: config, encoding: .utf8) == """
            # imported
            feeds:
              - url: https://a.example/rss
                title: A & B <news>
                tags: [world, daily]
              - url: https://c.example/atom

            """)
        let twice = try tidings(["feeds", "import", opml])
        #expect(twice.stdout.contains("imported 0 of 2 feeds") && twice.stdout.contains("skipped https://a.example/rss (already listed)"))
    }

    @Test func theDaemonPicksUpAnEditedFileWithoutASignal() throws {
        let feed = try SharedData.realWorldFeed("nnw__DaringFireball.atom")
        let responder = ConditionalFileResponder(files: ["/a.xml": feed, "/b.xml": feed])
        let server = try LoopbackHTTPServer { responder.respond(to: $0) }
        defer { server.stop() }
        try "feeds:\n  - url: \(server.baseURL)/a.xml\n".write(toFile: config, atomically: true, encoding: .utf8)
        let database = directory.appendingPathComponent("t.sqlite").path
        let stderr = Pipe()
        let daemon = try ProcessRunner.start("tidingsd", ["--config", config, "--database", database], stderr: stderr)
        let collector = OutputCollector(stdout: nil, stderr: stderr)
        defer {
            kill(daemon.processIdentifier, SIGTERM)
            daemon.waitUntilExit()
            _ = collector.finish()
        }
        var deadline = Date().addingTimeInterval(20)
        while !server.requests.contains(where: { $0.path == "/a.xml" }), Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        #expect(try tidings(["feeds", "add", server.baseURL + "/b.xml", "--no-check"]).status == 0)
        deadline = Date().addingTimeInterval(20)
        while !server.requests.contains(where: { $0.path == "/b.xml" }), Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        #expect(server.requests.contains { $0.path == "/b.xml" }, "the added feed was polled without a restart or signal")
        // A broken edit is logged and the feeds in force stay.
        try "feeds:\n  - url: nope\n".write(toFile: config, atomically: true, encoding: .utf8)
        Thread.sleep(forTimeInterval: 2.5)
        #expect(daemon.isRunning)
    }

    @Test func completionScriptsAreGenerated() throws {
        for shell in ["bash", "zsh", "fish"] {
            let script = try ProcessRunner.run("tidings", ["--generate-completion-script", shell])
            #expect(script.status == 0)
            #expect(script.stdout.contains("stories") && script.stdout.contains("search"), "\(shell)")
        }
    }

    @Test func importsARealisticOPMLWithNestedFolders() throws {
        // The way NetNewsWire, Feedly and Inoreader write it: folders with text and title, nested folders,
        // htmlUrl, type="rss", an untitled feed, a non-http feed, a duplicate.
        let opml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- OPML generated by NetNewsWire -->
            <opml version="1.1">
            <head><title>Subscriptions-iCloud.opml</title></head>
            <body>
            <outline text="News" title="News">
              <outline text="BBC News - World" title="BBC News - World" description="" type="rss" version="RSS"
                htmlUrl="https://www.bbc.co.uk/news/world" xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml"/>
              <outline text="Asia" title="Asia">
                <outline text="NHK World" type="rss" xmlUrl="https://www3.nhk.or.jp/rss/news/cat0.xml" htmlUrl="https://www3.nhk.or.jp/"/>
              </outline>
            </outline>
            <outline type="rss" text="Daring Fireball" title="Daring Fireball" xmlUrl="https://daringfireball.net/feeds/main" category="/tech,/apple"/>
            <outline type="rss" text="" xmlUrl="https://example.org/feed.xml"/>
            <outline type="rss" text="Gopher" xmlUrl="gopher://example.org/feed"/>
            <outline type="rss" text="BBC again" xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml"/>
            </body>
            </opml>
            """
        let file = directory.appendingPathComponent("subscriptions.opml").path
        try opml.write(toFile: file, atomically: true, encoding: .utf8)
        try "# mine\nfeeds:\n".write(toFile: config, atomically: true, encoding: .utf8)
        let run = try tidings(["feeds", "import", file])
        #expect(run.stdout.hasPrefix("imported 4 of 6 feeds"), "\(run.stdout)")
        #expect(run.stdout.contains("skipped gopher://example.org/feed (not an http(s) URL)"))
        #expect(run.stdout.contains("skipped https://feeds.bbci.co.uk/news/world/rss.xml (already listed)"))
        #expect(try String(contentsOfFile: config, encoding: .utf8) == """
            # mine
            feeds:
              - url: https://feeds.bbci.co.uk/news/world/rss.xml
                title: BBC News - World
                tags: [News]
              - url: https://www3.nhk.or.jp/rss/news/cat0.xml
                title: NHK World
                tags: [News, Asia]
              - url: https://daringfireball.net/feeds/main
                title: Daring Fireball
                tags: [tech, apple]
              - url: https://example.org/feed.xml

            """)
    }
}
