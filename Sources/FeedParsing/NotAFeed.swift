internal import CLibXML2
import FeedModel
import Foundation

/// Explains a document that is not a feed, most often an HTML page: its title, and the feeds it links.
enum NotAFeed {
    static func explain(_ data: Data, rootElement: String?, warnings: [ParseWarning]) -> FeedParseError {
        let page = HTMLPage(data)
        if page.isHTML || rootElement?.lowercased() == "html" {
            var message = "not a feed: got an HTML page"
            if let title = page.title, !title.isEmpty { message += " titled '\(title)'" }
            if !page.feedLinks.isEmpty {
                message += "; it links these feeds: " + page.feedLinks.joined(separator: ", ")
            }
            return FeedParseError(reason: .notAFeed, message: message, discoveredFeeds: page.feedLinks)
        }
        if let rootElement {
            return FeedParseError(
                reason: .notAFeed,
                message: "not a feed: the document's root element is <\(rootElement)>, not <rss>, <rdf:RDF> or <feed>")
        }
        let detail = warnings.first.map { ": \($0)" } ?? ""
        return FeedParseError(reason: .malformed, message: "not a feed: no XML element could be read\(detail)")
    }
}

/// The few things Tidings reads from an HTML page: whether it is one, its title, and its feed links.
struct HTMLPage {
    private(set) var isHTML = false
    private(set) var title: String?
    private(set) var feedLinks: [String] = []

    init(_ data: Data, baseURL: URL? = nil) {
        let head = String(decoding: data.prefix(2048), as: UTF8.self).lowercased()
        isHTML = head.contains("<html") || head.contains("<!doctype html") || head.contains("<head") || head.contains("<body")
        guard isHTML else { return }
        var page = self
        _ = data.withUnsafeBytes { bytes in
            HTMLTree.withDocument(bytes, encoding: nil, fragment: false) { document in
                HTMLTree.walk(document.pointee.children) { node in
                    switch HTMLTree.elementName(node) {
                    case "title" where page.title == nil:
                        if let text = xmlNodeGetContent(node) {
                            page.title = PlainText.collapseWhitespace(String(cString: text))
                            clibxml2_free(text)
                        }
                        return .skipChildren
                    case "link":
                        page.inspectLink(node, baseURL: baseURL)
                        return .skipChildren
                    case "body":
                        return .stop
                    default:
                        return .descend
                    }
                }
            }
        }
        self = page
    }

    private mutating func inspectLink(_ node: xmlNodePtr, baseURL: URL?) {
        func attribute(_ name: String) -> String? {
            guard let value = xmlGetProp(node, name) else { return nil }
            defer { clibxml2_free(value) }
            return String(cString: value)
        }
        guard let rel = attribute("rel")?.lowercased(), rel.split(separator: " ").contains("alternate"),
            let type = attribute("type")?.lowercased(),
            ["application/rss+xml", "application/atom+xml", "application/feed+json", "application/json", "application/rdf+xml"]
                .contains(type),
            let href = attribute("href")
        else { return }
        let resolved = URL(string: href, relativeTo: baseURL)?.absoluteString ?? href
        if !feedLinks.contains(resolved) { feedLinks.append(resolved) }
    }
}
