internal import CLibXML2
public import Foundation

/// One feed of an OPML subscription list.
public struct OPMLFeed: Sendable, Equatable {
    public var url: String
    public var title: String?
    /// The folders (outline texts) it sits in, outermost first, plus its `category` attribute's entries.
    public var tags: [String]

    public init(url: String, title: String?, tags: [String]) {
        self.url = url
        self.title = title
        self.tags = tags
    }
}

/// Reads OPML 1.0/2.0 subscription lists, as every feed reader exports them: outlines with `xmlUrl` are feeds,
/// outlines around them are folders. libxml2 with no network and no entity expansion.
public enum OPMLReader {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public static func feeds(in data: Data) throws(Failure) -> [OPMLFeed] {
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
            | XML_PARSE_RECOVER.rawValue)
        let result: [OPMLFeed]? = data.withUnsafeBytes { bytes -> [OPMLFeed]? in
            guard let document = xmlReadMemory(
                bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil, nil, options)
            else { return nil }
            defer { xmlFreeDoc(document) }
            guard let root = xmlDocGetRootElement(document), name(root) == "opml" else { return nil }
            var feeds: [OPMLFeed] = []
            var folders: [String] = []
            var folderNodes: [xmlNodePtr] = []
            HTMLTree.walk(root.pointee.children) { node in
                guard let element = name(node) else { return .skipChildren }
                if element == "head" { return .skipChildren }
                guard element == "outline" else { return .descend }
                let text = attribute(node, "title") ?? attribute(node, "text")
                if let url = attribute(node, "xmlUrl") ?? attribute(node, "xmlurl"), !url.isEmpty {
                    var tags = folders
                    for category in (attribute(node, "category") ?? "").split(separator: ",") {
                        let tag = category.trimmingCharacters(in: .whitespaces).split(separator: "/").last.map(String.init) ?? ""
                        if !tag.isEmpty, !tags.contains(tag) { tags.append(tag) }
                    }
                    feeds.append(OPMLFeed(url: url, title: text?.isEmpty == false ? text : nil, tags: tags))
                    return .skipChildren
                }
                if let text, !text.isEmpty, node.pointee.children != nil {
                    folders.append(text)
                    folderNodes.append(node)
                }
                return .descend
            } leave: { node in
                if folderNodes.last == node {
                    folderNodes.removeLast()
                    folders.removeLast()
                }
            }
            return feeds
        }
        guard let result else { throw Failure(description: "not an OPML document (no <opml> root element)") }
        return result
    }

    private static func name(_ node: xmlNodePtr) -> String? {
        guard node.pointee.type == XML_ELEMENT_NODE, let name = node.pointee.name else { return nil }
        return String(cString: name)
    }

    private static func attribute(_ node: xmlNodePtr, _ name: String) -> String? {
        guard let value = xmlGetProp(node, name) else { return nil }
        defer { clibxml2_free(value) }
        return String(cString: value).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
