import FeedModel
import Foundation

/// JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/).
enum JSONFeedDecoder {
    private struct Document: Decodable {
        var version: String?
        var title: String?
        var home_page_url: String?
        var description: String?
        var language: String?
        var items: [Item]?
    }

    private struct Author: Decodable {
        var name: String?
    }

    private struct Attachment: Decodable {
        var url: String?
        var mime_type: String?
        var size_in_bytes: Int?
    }

    private struct Item: Decodable {
        var id: LossyString?
        var url: String?
        var external_url: String?
        var title: String?
        var content_html: String?
        var content_text: String?
        var summary: String?
        var image: String?
        var date_published: String?
        var date_modified: String?
        var author: Author?
        var authors: [Author]?
        var tags: [String]?
        var attachments: [Attachment]?
    }

    /// JSON Feed ids are strings, but some publishers write numbers.
    private struct LossyString: Decodable {
        var value: String
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let string = try? container.decode(String.self) {
                value = string
            } else if let number = try? container.decode(Int64.self) {
                value = String(number)
            } else {
                value = String(try container.decode(Double.self))
            }
        }
    }

    static func decode(_ data: Data, documentURL: URL?) throws(FeedParseError) -> ParsedFeed {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: data)
        } catch {
            throw FeedParseError(reason: .malformed, message: "not a valid JSON Feed: \(Self.describe(error))")
        }
        guard document.version?.contains("jsonfeed.org") == true || document.items != nil else {
            throw FeedParseError(reason: .notAFeed, message: "not a feed: a JSON document without JSON Feed 'version' or 'items'")
        }
        func resolve(_ link: String?) -> String? {
            guard let link else { return nil }
            return URL(string: link, relativeTo: documentURL)?.absoluteString ?? link
        }
        var feed = ParsedFeed(
            format: .json, title: document.title.map(PlainText.collapseWhitespace), link: resolve(document.home_page_url),
            subtitle: document.description, language: document.language)
        for item in document.items ?? [] {
            var entry = ParsedEntry()
            entry.id = item.id?.value
            entry.title = item.title.map(PlainText.collapseWhitespace)
            entry.link = resolve(item.url ?? item.external_url)
            entry.published = item.date_published.flatMap(FeedDate.parse)
            entry.updated = item.date_modified.flatMap(FeedDate.parse)
            entry.author = item.authors?.first?.name ?? item.author?.name
            entry.summary = item.summary.map { TextContent(kind: .text, value: $0) }
            if let html = item.content_html {
                entry.content = TextContent(kind: .html, value: html)
            } else if let text = item.content_text {
                entry.content = TextContent(kind: .text, value: text)
            }
            entry.categories = item.tags ?? []
            entry.enclosures = (item.attachments ?? []).compactMap { attachment in
                attachment.url.map { Enclosure(url: resolve($0) ?? $0, type: attachment.mime_type, length: attachment.size_in_bytes) }
            }
            feed.entries.append(entry)
        }
        return feed
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): return context.debugDescription
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "\(path): \(context.debugDescription)"
        default: return "\(error)"
        }
    }
}
