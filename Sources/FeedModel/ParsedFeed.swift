public import Foundation

/// The syndication format a document turned out to be, detected from the document itself.
public enum FeedFormat: String, Sendable, Codable, Equatable {
    /// RSS 0.91–0.94 and 2.0 (`<rss>` root).
    case rss
    /// RSS 0.90 and 1.0 (`<rdf:RDF>` root).
    case rdf
    /// Atom 0.3 and 1.0.
    case atom
    /// JSON Feed 1.0 / 1.1.
    case json
}

/// A feed as parsed from one document: feed-level metadata and its entries in document order.
public struct ParsedFeed: Sendable, Equatable {
    public var format: FeedFormat
    public var title: String?
    public var link: String?
    public var subtitle: String?
    public var language: String?
    public var updated: Date?
    public var entries: [ParsedEntry]
    /// Problems the parser recovered from (malformed markup, unparseable dates), with their line.
    public var warnings: [ParseWarning]

    public init(
        format: FeedFormat, title: String? = nil, link: String? = nil, subtitle: String? = nil,
        language: String? = nil, updated: Date? = nil, entries: [ParsedEntry] = [], warnings: [ParseWarning] = []
    ) {
        self.format = format
        self.title = title
        self.link = link
        self.subtitle = subtitle
        self.language = language
        self.updated = updated
        self.entries = entries
        self.warnings = warnings
    }
}

/// One item (RSS) or entry (Atom) of a feed.
public struct ParsedEntry: Sendable, Equatable {
    /// The publisher's identifier: RSS `guid`, Atom `id`, RSS 1.0 `rdf:about`.
    public var id: String?
    /// Plain text (markup stripped, entities decoded).
    public var title: String?
    /// The entry's web page, resolved to an absolute URL where a base was known.
    public var link: String?
    public var published: Date?
    public var updated: Date?
    public var author: String?
    public var summary: TextContent?
    public var content: TextContent?
    public var categories: [String]
    public var enclosures: [Enclosure]
    /// Media RSS `media:content` items (also inside `media:group`).
    public var media: [MediaContent]
    /// Media RSS `media:thumbnail` URLs.
    public var thumbnails: [String]

    public init(
        id: String? = nil, title: String? = nil, link: String? = nil, published: Date? = nil,
        updated: Date? = nil, author: String? = nil, summary: TextContent? = nil, content: TextContent? = nil,
        categories: [String] = [], enclosures: [Enclosure] = [], media: [MediaContent] = [], thumbnails: [String] = []
    ) {
        self.id = id
        self.title = title
        self.link = link
        self.published = published
        self.updated = updated
        self.author = author
        self.summary = summary
        self.content = content
        self.categories = categories
        self.enclosures = enclosures
        self.media = media
        self.thumbnails = thumbnails
    }
}

/// A Media RSS `media:content` element.
public struct MediaContent: Sendable, Equatable, Codable {
    public var url: String
    public var type: String?
    /// image, audio, video, document or executable.
    public var medium: String?

    public init(url: String, type: String? = nil, medium: String? = nil) {
        self.url = url
        self.type = type
        self.medium = medium
    }
}

/// A text construct: either plain text or HTML markup (Atom `type="xhtml"` is delivered as HTML).
public struct TextContent: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable { case text, html }
    public var kind: Kind
    public var value: String

    public init(kind: Kind, value: String) {
        self.kind = kind
        self.value = value
    }
}

/// A media file attached to an entry (RSS `<enclosure>`, Atom `link rel="enclosure"`).
public struct Enclosure: Sendable, Equatable, Codable {
    public var url: String
    public var type: String?
    public var length: Int?

    public init(url: String, type: String? = nil, length: Int? = nil) {
        self.url = url
        self.type = type
        self.length = length
    }
}

/// A problem the parser recovered from.
public struct ParseWarning: Sendable, Equatable, CustomStringConvertible {
    /// 1-based line in the document, when known.
    public var line: Int?
    public var message: String

    public init(line: Int?, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "line \(line): \(message)" }
        return message
    }
}
