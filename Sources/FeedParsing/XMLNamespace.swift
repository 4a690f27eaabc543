/// The namespaces a feed parser cares about, identified by URI (never by prefix).
enum XMLNamespace: Equatable {
    /// No namespace: RSS 0.9x/2.0 elements.
    case none
    /// RSS 1.0 and RSS 0.90 element namespaces, and the odd "backend.userland.com/rss2" one: all RSS.
    case rss
    case atom10
    case atom03
    case rdf
    case dublinCore
    case dublinCoreTerms
    case content
    case media
    case itunes
    case xhtml
    case syndication
    case xml
    case other

    init(uri: String) {
        switch uri {
        case "http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/", "http://backend.userland.com/rss2",
            "http://blogs.law.harvard.edu/tech/rss":
            self = .rss
        case "http://www.w3.org/2005/Atom": self = .atom10
        case "http://purl.org/atom/ns#": self = .atom03
        case "http://www.w3.org/1999/02/22-rdf-syntax-ns#": self = .rdf
        case "http://purl.org/dc/elements/1.1/", "http://purl.org/dc/elements/1.0/": self = .dublinCore
        case "http://purl.org/dc/terms/": self = .dublinCoreTerms
        case "http://purl.org/rss/1.0/modules/content/": self = .content
        case "http://search.yahoo.com/mrss/", "http://search.yahoo.com/mrss": self = .media
        case "http://www.itunes.com/dtds/podcast-1.0.dtd", "http://www.itunes.com/DTDs/Podcast-1.0.dtd":
            self = .itunes
        case "http://www.w3.org/1999/xhtml": self = .xhtml
        case "http://purl.org/rss/1.0/modules/syndication/": self = .syndication
        case "http://www.w3.org/XML/1998/namespace": self = .xml
        default: self = .other
        }
    }

    /// RSS elements: no namespace or one of the RSS namespaces.
    var isRSS: Bool { self == .none || self == .rss }
    var isAtom: Bool { self == .atom10 || self == .atom03 }
}
