import ArgumentParser
import FeedConfig
import FeedParsing
import Foundation

/// `tidings feeds import FILE.opml`: adds the file's feeds to Feeds.yaml (folders become tags).
struct FeedsImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Add the feeds of an OPML file (another reader's export) to Feeds.yaml; folders become tags.")

    @OptionGroup var options: ConfigOptions

    @Argument(help: "The OPML file.")
    var file: String

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIError(message: "cannot read \(file)") }
        let feeds: [OPMLFeed]
        do {
            feeds = try OPMLReader.feeds(in: data)
        } catch {
            throw CLIError(message: "\(file): \(error.description)")
        }
        let path = options.configPath()
        var editor: FeedsFileEditor
        do {
            editor = try FeedsFileEditor(path: path)
        } catch {
            throw CLIError(message: error.description)
        }
        var added = 0
        var skipped: [String] = []
        for feed in feeds {
            guard let scheme = URLComponents(string: feed.url)?.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
                skipped.append("\(feed.url) (not an http(s) URL)")
                continue
            }
            do {
                // Readers write the URL as the text of an untitled outline: that is no title.
                let title = feed.title == feed.url ? nil : feed.title
                try editor.add(.init(url: feed.url, title: title, tags: feed.tags))
                added += 1
            } catch {
                skipped.append("\(feed.url) (already listed)")
            }
        }
        if added > 0 {
            do {
                try editor.write()
            } catch {
                throw CLIError(message: error.description)
            }
        }
        print("imported \(added) of \(feeds.count) feeds from \(file) into \(path)")
        for line in skipped { print("  skipped \(line)") }
    }
}

/// `tidings feeds export`: Feeds.yaml as OPML 2.0 on standard output.
struct FeedsExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Print the feed list as OPML 2.0 (tags become folders), for other readers.")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let configuration: FeedConfiguration
        do {
            configuration = try ConfigLoader.load(path: options.configPath())
        } catch {
            throw CLIError(message: error.description)
        }
        print(OPMLWriter.document(configuration.feeds, now: Date()), terminator: "")
    }
}

/// OPML 2.0: one folder per first tag (every tag also in `category`), untagged feeds at the top level.
enum OPMLWriter {
    static func document(_ feeds: [FeedSubscription], now: Date) -> String {
        var text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <opml version="2.0">
              <head>
                <title>Tidings feeds</title>
                <dateCreated>\(now.formatted(Date.ISO8601FormatStyle()))</dateCreated>
              </head>
              <body>

            """
        var folders: [String] = []
        for feed in feeds { if let tag = feed.tags.first, !folders.contains(tag) { folders.append(tag) } }
        for folder in folders {
            text += "    <outline text=\"\(escape(folder))\" title=\"\(escape(folder))\">\n"
            for feed in feeds where feed.tags.first == folder { text += "      " + outline(feed) + "\n" }
            text += "    </outline>\n"
        }
        for feed in feeds where feed.tags.isEmpty { text += "    " + outline(feed) + "\n" }
        return text + "  </body>\n</opml>\n"
    }

    private static func outline(_ feed: FeedSubscription) -> String {
        let title = escape(feed.title ?? feed.url)
        var attributes = "type=\"rss\" text=\"\(title)\" title=\"\(title)\" xmlUrl=\"\(escape(feed.url))\""
        if !feed.tags.isEmpty { attributes += " category=\"\(escape(feed.tags.map { "/" + $0 }.joined(separator: ",")))\"" }
        return "<outline \(attributes)/>"
    }

    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }
}
