import ArgumentParser
import FeedModel
import FeedParsing
import Foundation

/// `tidings parse FILE`: parses a feed file and prints what Tidings reads from it, in the normalized JSON of
/// feedconf's SCHEMA.md, and the parser's warnings on standard error.
struct ParseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse", abstract: "Parse a feed file and print what Tidings reads from it.")

    @Argument(help: "The feed file.")
    var file: String

    @Option(help: "The URL the document came from; relative links resolve against it (env FEEDCONF_URL).")
    var url: String?

    @Option(help: "The HTTP Content-Type it came with; its charset wins over the XML declaration (env FEEDCONF_CONTENT_TYPE).")
    var contentType: String?

    @Flag(help: "Print JSON (the default and only format for now).")
    var json = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw CLIError(message: "cannot read \(file): \(error.localizedDescription)")
        }
        var headers: [String: String] = [:]
        if let json = environment["FEEDCONF_HEADERS"],
            let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        {
            for (name, value) in object { headers[name.lowercased()] = value as? String }
        }
        let documentURL = FeedParser.documentURL(
            fetchedFrom: (url ?? environment["FEEDCONF_URL"]).flatMap { URL(string: $0) },
            contentLocation: headers["content-location"])
        let type = contentType ?? environment["FEEDCONF_CONTENT_TYPE"] ?? headers["content-type"]
        do {
            let feed = try FeedParser.parse(
                data, documentURL: documentURL, contentType: type, contentLanguage: headers["content-language"])
            print(try NormalizedFeedJSON.render(feed))
            // What the daemon would log with the feed (a recovered error, replaced bytes), kept off the JSON.
            for warning in feed.warnings {
                FileHandle.standardError.write(Data("tidings: \(file): warning: \(warning)\n".utf8))
            }
        } catch let error as FeedParseError {
            throw CLIError(message: "\(file): \(error.message)")
        }
    }
}

/// The normalized feed JSON of feedconf's SCHEMA.md.
enum NormalizedFeedJSON {
    static func render(_ feed: ParsedFeed) throws -> String {
        var root: [String: Any] = ["format": feed.format.rawValue]
        var head: [String: Any] = [:]
        head["title"] = feed.title
        head["link"] = feed.link
        head["subtitle"] = feed.subtitle
        head["updated"] = feed.updated.map(iso)
        head["language"] = feed.language
        root["feed"] = head
        root["entries"] = feed.entries.map { entry -> [String: Any] in
            var item: [String: Any] = [:]
            item["id"] = entry.id
            item["title"] = entry.title
            item["link"] = entry.link
            item["published"] = entry.published.map(iso)
            item["updated"] = entry.updated.map(iso)
            item["author"] = entry.author
            item["summary"] = entry.summary.map { ["type": $0.kind.rawValue, "value": $0.value] }
            item["content"] = entry.content.map { ["type": $0.kind.rawValue, "value": $0.value] }
            item["categories"] = entry.categories
            item["media"] = entry.media.map { media -> [String: Any] in
                var value: [String: Any] = ["url": media.url]
                value["type"] = media.type
                value["medium"] = media.medium
                return value
            }
            item["thumbnails"] = entry.thumbnails
            item["enclosures"] = entry.enclosures.map { enclosure -> [String: Any] in
                var value: [String: Any] = ["url": enclosure.url]
                value["type"] = enclosure.type
                value["length"] = enclosure.length
                return value
            }
            return item
        }
        let data = try JSONSerialization.data(withJSONObject: root, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    private static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
