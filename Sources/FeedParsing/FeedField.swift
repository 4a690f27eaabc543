/// The elements whose text or attributes become part of a parsed feed.
enum Field: Equatable {
    case title, rssLink, guid, atomID, published, updated, summary, itunesSummary, content, subtitle
    case author, authorName, authorEmail, category, language
    case atomLink, enclosure, atomCategory
    case mediaContent, mediaThumbnail, mediaTitle, mediaDescription
    /// Polling hints of the channel: RSS `ttl`, `skipHours`, `skipDays`, `sy:updatePeriod`, `sy:updateFrequency`.
    case ttl, skipHours, skipDays, updatePeriod, updateFrequency
    /// Captured to keep its text out of the parent, then dropped (e.g. Atom author `uri`).
    case ignored

    init?(namespace: XMLNamespace, name: String) {
        switch namespace {
        case .none, .rss:
            switch name {
            case "title": self = .title
            case "link": self = .rssLink
            case "guid": self = .guid
            case "pubDate": self = .published
            case "lastBuildDate": self = .updated
            case "description": self = .summary
            case "fullitem", "body": self = .content
            case "author": self = .author
            case "category": self = .category
            case "language": self = .language
            case "enclosure": self = .enclosure
            case "ttl": self = .ttl
            case "skipHours": self = .skipHours
            case "skipDays": self = .skipDays
            default: return nil
            }
        case .atom10, .atom03:
            switch name {
            case "title": self = .title
            case "link": self = .atomLink
            case "id": self = .atomID
            case "published", "issued", "created": self = .published
            case "updated", "modified": self = .updated
            case "summary": self = .summary
            case "content": self = .content
            case "subtitle", "tagline": self = .subtitle
            case "category": self = .atomCategory
            default: return nil
            }
        case .dublinCore:
            switch name {
            case "title": self = .title
            case "creator", "author": self = .author
            case "date": self = .updated
            case "subject": self = .category
            case "language": self = .language
            case "description": self = .summary
            default: return nil
            }
        case .dublinCoreTerms:
            switch name {
            case "issued", "created": self = .published
            case "modified": self = .updated
            default: return nil
            }
        case .content:
            guard name == "encoded" else { return nil }
            self = .content
        case .itunes:
            switch name {
            case "author": self = .author
            case "summary": self = .itunesSummary
            case "subtitle": self = .subtitle
            default: return nil
            }
        case .syndication:
            switch name {
            case "updatePeriod": self = .updatePeriod
            case "updateFrequency": self = .updateFrequency
            default: return nil
            }
        case .xhtml:
            guard name == "body" else { return nil }
            self = .content
        case .media:
            switch name {
            case "content": self = .mediaContent
            case "thumbnail": self = .mediaThumbnail
            case "title": self = .mediaTitle
            case "description": self = .mediaDescription
            default: return nil
            }
        default:
            return nil
        }
    }

    /// Fields whose value lives in attributes.
    var isAttributeOnly: Bool {
        switch self {
        case .atomLink, .enclosure, .atomCategory, .mediaContent, .mediaThumbnail: return true
        default: return false
        }
    }

    /// Fields whose text is captured (Atom links too: a link without href carries its URL as text).
    var capturesText: Bool {
        switch self {
        case .enclosure, .atomCategory, .mediaContent, .mediaThumbnail: return false
        default: return true
        }
    }

    /// Fields whose value is markup-bearing text; the others keep only their own text, not their children's.
    var keepsMarkup: Bool {
        switch self {
        case .title, .summary, .itunesSummary, .content, .subtitle, .mediaTitle, .mediaDescription: return true
        default: return false
        }
    }

    /// Fields made of child elements whose texts are gathered, space-separated (`<skipHours><hour>1</hour>…`).
    var gathersChildText: Bool { self == .skipHours || self == .skipDays }

    /// Which summary source wins when several exist: description over itunes:summary over media:description.
    var summaryRank: Int {
        switch self {
        case .summary: return 3
        case .itunesSummary: return 2
        case .mediaDescription: return 1
        default: return 0
        }
    }
}
