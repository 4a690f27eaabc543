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
        let options = Int32(
            HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
                | HTML_PARSE_NONET.rawValue)
        let document = data.withUnsafeBytes { buffer in
            htmlReadMemory(buffer.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(buffer.count), nil, nil, options)
        }
        guard let document else { return }
        defer { xmlFreeDoc(document) }
        var stack: [xmlNodePtr] = []
        var node = document.pointee.children
        while true {
            while let current = node {
                if current.pointee.type == XML_ELEMENT_NODE, let namePointer = current.pointee.name {
                    let name = String(cString: namePointer).lowercased()
                    if name == "title", title == nil, let text = xmlNodeGetContent(current) {
                        title = PlainText.collapseWhitespace(String(cString: text))
                        clibxml2_free(text)
                    } else if name == "link" {
                        inspectLink(current, baseURL: baseURL)
                    } else if name == "body" {
                        node = nil
                        stack.removeAll()
                        break
                    }
                }
                if current.pointee.type == XML_ELEMENT_NODE, current.pointee.children != nil {
                    stack.append(current)
                    node = current.pointee.children
                } else {
                    node = current.pointee.next
                }
            }
            guard let parent = stack.popLast() else { break }
            node = parent.pointee.next
        }
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
