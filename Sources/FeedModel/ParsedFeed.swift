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
    /// What the feed says about how often to poll it.
    public var pollingHints = PollingHints()

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

/// What a feed says about how often it should be polled: RSS `<ttl>`, `<skipHours>`, `<skipDays>` and the RSS 1.0
/// syndication module's `sy:updatePeriod` / `sy:updateFrequency`.
public struct PollingHints: Sendable, Equatable, Codable {
    /// RSS `ttl`: minutes a copy may be cached.
    public var ttlMinutes: Int?
    /// `sy:updatePeriod`: hourly, daily, weekly, monthly or yearly.
    public var updatePeriod: String?
    /// `sy:updateFrequency`: updates per period (default 1).
    public var updateFrequency: Int?
    /// Hours (0–23, GMT) in which the feed asks not to be polled.
    public var skipHours: [Int] = []
    /// Days (1 = Sunday … 7 = Saturday) in which the feed asks not to be polled.
    public var skipDays: [Int] = []

    public init(
        ttlMinutes: Int? = nil, updatePeriod: String? = nil, updateFrequency: Int? = nil, skipHours: [Int] = [],
        skipDays: [Int] = []
    ) {
        self.ttlMinutes = ttlMinutes
        self.updatePeriod = updatePeriod
        self.updateFrequency = updateFrequency
        self.skipHours = skipHours
        self.skipDays = skipDays
    }

    /// The shortest sensible interval the feed asks for, in seconds: the larger of `ttl` and
    /// period ÷ frequency; nil when it says nothing.
    public var minimumIntervalSeconds: Double? {
        var seconds: [Double] = []
        if let ttlMinutes, ttlMinutes > 0 { seconds.append(Double(ttlMinutes) * 60) }
        if let period = updatePeriod.flatMap(Self.periodSeconds) {
            seconds.append(period / Double(max(updateFrequency ?? 1, 1)))
        }
        return seconds.max()
    }

    /// Seconds in a `sy:updatePeriod`, nil for an unknown name.
    public static func periodSeconds(_ name: String) -> Double? {
        switch name.lowercased() {
        case "hourly": return 3600
        case "daily": return 86400
        case "weekly": return 7 * 86400
        case "monthly": return 30 * 86400
        case "yearly": return 365 * 86400
        default: return nil
        }
    }
}
