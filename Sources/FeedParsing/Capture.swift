import FeedModel
import Foundation

/// The text of one element being captured, with any child markup serialised back into it.
struct Capture {
    let field: Field
    /// Depth of the captured element; its end tag ends the capture.
    let depth: Int
    let attributes: [XMLAttribute]
    let namespace: XMLNamespace
    private var bytes: [UInt8] = []
    /// Atom `type="xhtml"`: children are markup and text must be escaped.
    private let isXHTML: Bool
    /// Depth of the wrapping `<div>` of Atom XHTML content, which is not part of the content.
    private var wrapperDepth: Int?
    private(set) var hasChildElements = false

    init(field: Field, depth: Int, attributes: [XMLAttribute], namespace: XMLNamespace) {
        self.field = field
        self.depth = depth
        self.attributes = attributes
        self.namespace = namespace
        let type = attributes.first { $0.name == "type" && $0.namespace == .none }?.value.lowercased()
        isXHTML = namespace.isAtom && (type == "xhtml" || type == "application/xhtml+xml") || field == .content && namespace == .xhtml
    }

    func attribute(_ name: String) -> String? {
        attributes.first { $0.name == name && $0.namespace == .none }?.value
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func appendText(_ text: UnsafeBufferPointer<UInt8>) {
        guard isXHTML || hasChildElements else {
            bytes.append(contentsOf: text)
            return
        }
        for byte in text {
            switch byte {
            case UInt8(ascii: "&"): bytes.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): bytes.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): bytes.append(contentsOf: "&gt;".utf8)
            default: bytes.append(byte)
            }
        }
    }

    mutating func appendStartTag(name: String, namespace: XMLNamespace, attributes: [XMLAttribute], depth: Int) {
        if isXHTML, wrapperDepth == nil, !hasChildElements, depth == self.depth + 1, name == "div",
            String(decoding: bytes, as: UTF8.self).allSatisfy(\.isWhitespace)
        {
            wrapperDepth = depth
            bytes.removeAll()
            hasChildElements = true
            return
        }
        hasChildElements = true
        bytes.append(UInt8(ascii: "<"))
        bytes.append(contentsOf: name.utf8)
        for attribute in attributes {
            bytes.append(UInt8(ascii: " "))
            bytes.append(contentsOf: attribute.name.utf8)
            bytes.append(contentsOf: "=\"".utf8)
            for byte in attribute.value.utf8 {
                switch byte {
                case UInt8(ascii: "&"): bytes.append(contentsOf: "&amp;".utf8)
                case UInt8(ascii: "\""): bytes.append(contentsOf: "&quot;".utf8)
                case UInt8(ascii: "<"): bytes.append(contentsOf: "&lt;".utf8)
                default: bytes.append(byte)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: ">"))
    }

    mutating func appendEndTag(name: String, depth: Int) {
        if depth == wrapperDepth { return }
        bytes.append(contentsOf: "</".utf8)
        bytes.append(contentsOf: name.utf8)
        bytes.append(UInt8(ascii: ">"))
    }

    /// Whether the captured value is HTML or text. Atom says so with `type`; RSS never does, so RSS text that
    /// contains markup or entities is treated as HTML when `defaultHTMLForRSS` is set.
    func textKind(defaultHTMLForRSS: Bool) -> TextContent.Kind {
        if isXHTML || hasChildElements { return .html }
        if namespace.isAtom {
            let type = attribute("type")?.lowercased() ?? "text"
            if type == "html" || type.contains("html") { return .html }
            if let mode = attribute("mode")?.lowercased(), mode == "escaped" { return .html }
            return .text
        }
        if field == .content { return .html }
        if defaultHTMLForRSS { return PlainText.looksLikeHTML(text) ? .html : .text }
        return .text
    }

    /// The captured value as a text construct. Relative links inside HTML stay as they are; `base` is kept for
    /// consumers that resolve them.
    func textContent(defaultHTMLForRSS: Bool, resolveAgainst base: URL?) -> TextContent {
        let kind = textKind(defaultHTMLForRSS: defaultHTMLForRSS)
        var value = text
        if kind == .text { value = value.trimmingCharacters(in: .whitespacesAndNewlines) }
        return TextContent(kind: kind, value: value)
    }
}

/// Author names as RSS writes them: `jane@example.com (Jane Doe)` → `Jane Doe`.
enum PersonName {
    static func fromRSS(_ raw: String) -> String {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if let open = trimmed.firstIndex(of: "("), trimmed.hasSuffix(")"), trimmed[..<open].contains("@") {
            let name = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
            let cleaned = name.trimmingCharacters(in: .whitespaces)
            if !cleaned.isEmpty { return cleaned }
        }
        return trimmed
    }
}
