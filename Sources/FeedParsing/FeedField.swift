/// The elements whose text or attributes become part of a parsed feed.
enum Field: Equatable {
    case title, rssLink, guid, atomID, published, updated, summary, itunesSummary, content, subtitle
    case author, authorName, authorEmail, category, language
    case atomLink, enclosure, atomCategory

    init?(namespace: XMLNamespace, name: String, inAuthor: Bool) {
        if inAuthor {
            guard namespace.isAtom else { return nil }
            switch name {
            case "name": self = .authorName
            case "email": self = .authorEmail
            default: return nil
            }
            return
        }
        switch namespace {
        case .none, .rss:
            switch name {
            case "title": self = .title
            case "link": self = .rssLink
            case "guid": self = .guid
            case "pubDate": self = .published
            case "lastBuildDate": self = .updated
            case "description": self = .summary
            case "author": self = .author
            case "category": self = .category
            case "language": self = .language
            case "enclosure": self = .enclosure
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
            case "creator": self = .author
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
        case .xhtml:
            guard name == "body" else { return nil }
            self = .content
        default:
            return nil
        }
    }

    /// Fields whose value lives in attributes, not in text.
    var isAttributeOnly: Bool {
        switch self {
        case .atomLink, .enclosure, .atomCategory: return true
        default: return false
        }
    }
}
