import Foundation
import TestSupport
import Testing

@testable import FeedConfig

/// Edits keep every byte that is not part of the edit.
@Suite struct FeedsFileEditorTests {
    let scratch = ScratchDirectory(prefix: "tidings-editor")
    var directory: URL { scratch.url }

    func file(_ text: String, mode: Int = 0o644) throws -> String {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("Feeds.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    static let sample = """
        # My feeds — keep this comment
        defaults:
          interval: 30m   # poll twice an hour

        feeds:
          # World news
          - url: https://a.example/feed.xml
            title: "A: the first"
            tags: [world]

          # Tech
          - url: https://b.example/rss
            enabled: true  # was flaky
          - url: https://c.example/atom
        # trailing comment
        """ + "\n"

    @Test func addAppendsInTheListsOwnStyleAndKeepsEverythingElse() throws {
        var editor = try FeedsFileEditor(path: try file(Self.sample))
        try editor.add(.init(url: "https://d.example/feed", title: "D: news #1", tags: ["tech", "daily"], interval: "15m"))
        #expect(editor.text == Self.sample.replacingOccurrences(
            of: "  - url: https://c.example/atom\n",
            with: "  - url: https://c.example/atom\n  - url: https://d.example/feed\n    title: \"D: news #1\"\n    tags: [tech, daily]\n    interval: 15m\n"))
        let feeds = try ConfigLoader.parse(editor.text, path: "x").feeds
        #expect(feeds.last == FeedSubscription(url: "https://d.example/feed", title: "D: news #1", tags: ["tech", "daily"],
                                               intervalSeconds: 900, line: 15))
    }

    @Test func addFollowsAnIndentationOfFour() throws {
        let text = "feeds:\n    - url: https://a.example/\n      title: A\n"
        var editor = try FeedsFileEditor(path: try file(text))
        try editor.add(.init(url: "https://b.example/"))
        #expect(editor.text == text + "    - url: https://b.example/\n")
    }

    @Test func addToAFileWithoutFeeds() throws {
        var empty = try FeedsFileEditor(path: try file("# nothing yet\n"))
        try empty.add(.init(url: "https://a.example/"))
        #expect(empty.text == "# nothing yet\nfeeds:\n  - url: https://a.example/\n")
        var flow = try FeedsFileEditor(path: try file("defaults:\n  interval: 1h\nfeeds: []\n"))
        try flow.add(.init(url: "https://a.example/"))
        #expect(flow.text == "defaults:\n  interval: 1h\nfeeds:\n  - url: https://a.example/\n")
    }

    @Test func addRefusesTheSameFeedWrittenDifferently() throws {
        var editor = try FeedsFileEditor(path: try file(Self.sample))
        #expect(throws: ConfigError.self) { try editor.add(.init(url: "HTTPS://B.example/rss/")) }
        do {
            try editor.add(.init(url: "https://b.example/rss/"))
        } catch {
            #expect(error.description.hasSuffix(":12: 'https://b.example/rss/' is already in the feed list as 'https://b.example/rss'"))
        }
    }

    @Test func removeTakesTheWholeItemAndLeavesCommentsAndOthers() throws {
        var editor = try FeedsFileEditor(path: try file(Self.sample))
        #expect(try editor.remove("https://b.example/rss") == "https://b.example/rss")
        #expect(editor.text == Self.sample.replacingOccurrences(of: "  - url: https://b.example/rss\n    enabled: true  # was flaky\n", with: ""))
        var byTitle = try FeedsFileEditor(path: try file(Self.sample))
        try byTitle.remove("a: THE FIRST")
        #expect(byTitle.text == Self.sample.replacingOccurrences(
            of: "  - url: https://a.example/feed.xml\n    title: \"A: the first\"\n    tags: [world]\n", with: ""))
    }

    @Test func enableAndDisableRewriteOrAddTheKey() throws {
        var editor = try FeedsFileEditor(path: try file(Self.sample))
        try editor.setEnabled(false, "https://b.example/rss")
        #expect(editor.text == Self.sample.replacingOccurrences(of: "enabled: true  # was flaky", with: "enabled: false  # was flaky"))
        try editor.setEnabled(false, "https://c.example/atom")
        #expect(editor.text.contains("  - url: https://c.example/atom\n    enabled: false\n# trailing comment\n"))
        let feeds = try ConfigLoader.parse(editor.text, path: "x").feeds
        #expect(feeds.map(\.enabled) == [true, false, false])
    }

    @Test func unknownFeedSuggestsTheNearest() throws {
        var editor = try FeedsFileEditor(path: try file(Self.sample))
        do {
            try editor.remove("https://b.example/rs")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasSuffix("no feed 'https://b.example/rs' in \(editor.path) (did you mean 'https://b.example/rss'?)"))
        }
    }

    @Test func writeIsAtomicKeepsTheModeAndRefusesAConcurrentChange() throws {
        let path = try file(Self.sample, mode: 0o600)
        var editor = try FeedsFileEditor(path: path)
        try editor.add(.init(url: "https://d.example/"))
        try editor.write()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == editor.text)
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["Feeds.yaml"], "no temporary file left")

        var stale = try FeedsFileEditor(path: path)
        try stale.remove("https://d.example/")
        try (Self.sample + "  - url: https://e.example/\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ConfigError.self) { try stale.write() }
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasSuffix("https://e.example/\n"), "the other change survives")
    }

    @Test func blankLinesInsideAnItemStayWithIt() throws {
        let text = "feeds:\n  - url: https://a.example/\n  - url: https://b.example/\n    title: B\n\n    auth:\n      username: u\n      password: {env: P}\n  - url: https://c.example/\n"
        var editor = try FeedsFileEditor(path: try file(text))
        try editor.remove("https://b.example/")
        #expect(editor.text == "feeds:\n  - url: https://a.example/\n  - url: https://c.example/\n", "B's credentials go with B")
        var last = try FeedsFileEditor(path: try file("feeds:\n  - url: https://a.example/\n\n    title: A\n"))
        try last.add(.init(url: "https://d.example/"))
        #expect(last.text == "feeds:\n  - url: https://a.example/\n\n    title: A\n  - url: https://d.example/\n")
    }

    @Test func inlineListsAreRefusedNotMangled() throws {
        let text = "feeds: [{url: https://a.example/}, {url: https://b.example/}]\n"
        var editor = try FeedsFileEditor(path: try file(text))
        #expect(throws: ConfigError.self) { try editor.remove("https://a.example/") }
        #expect(editor.text == text)
        var item = try FeedsFileEditor(path: try file("feeds:\n  - {url: https://a.example/, enabled: true}\n"))
        #expect(throws: ConfigError.self) { try item.setEnabled(false, "https://a.example/") }
    }

    @Test func crlfFilesKeepTheirLineEndingsAndSymlinksStayLinks() throws {
        let text = "# windows\r\nfeeds:\r\n  - url: https://a.example/\r\n"
        let path = try file(text)
        var editor = try FeedsFileEditor(path: path)
        try editor.add(.init(url: "https://b.example/", title: "B"))
        #expect(editor.text == text + "  - url: https://b.example/\r\n    title: B\r\n")
        let link = directory.appendingPathComponent("Link.yaml").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
        var linked = try FeedsFileEditor(path: link)
        try linked.remove("https://a.example/")
        try linked.write()
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "# windows\r\nfeeds:\r\n")
    }
}
