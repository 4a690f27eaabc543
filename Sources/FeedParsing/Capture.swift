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

    /// The captured text; Atom 0.3 `mode="base64"` content is decoded.
    var text: String {
        if isBase64, let decoded = Data(base64Encoded: String(decoding: bytes, as: UTF8.self), options: .ignoreUnknownCharacters) {
            return String(decoding: decoded, as: UTF8.self)
        }
        return String(decoding: MojibakeRepair.windows1252Controls(bytes), as: UTF8.self)
    }

    /// Atom 0.3 says so with `mode="base64"`; Atom 1.0 content with a media type that is neither text nor XML
    /// is base64 (RFC 4287 §4.1.3.3).
    private var isBase64: Bool {
        guard namespace.isAtom else { return false }
        if attribute("mode")?.lowercased() == "base64" { return true }
        guard namespace == .atom10, field.keepsMarkup, let type = attribute("type")?.lowercased(), type.containsASCII(caseInsensitive: "/") else {
            return false
        }
        return !type.hasPrefix("text/") && !type.hasSuffix("xml")
    }

    mutating func appendText(_ text: UnsafeBufferPointer<UInt8>, depth: Int) {
        // Plain fields (ids, dates, categories) keep only their own text, not that of stray children.
        if !field.keepsMarkup, !field.gathersChildText, depth != self.depth { return }
        guard isXHTML || hasChildElements else {
            bytes.append(contentsOf: text)
            return
        }
        appendEscaped(text, inAttribute: false)
    }

    private mutating func appendEscaped<Bytes: Sequence<UInt8>>(_ text: Bytes, inAttribute: Bool) {
        MarkupEscaping.append(text, to: &bytes, inAttribute: inAttribute)
    }

    mutating func appendStartTag(name: String, namespace: XMLNamespace, attributes: [XMLAttribute], depth: Int) {
        guard field.keepsMarkup else {
            if field.gathersChildText { bytes.append(UInt8(ascii: " ")) }
            return
        }
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
            appendEscaped(attribute.value.utf8, inAttribute: true)
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: ">"))
    }

    mutating func appendEndTag(name: String, depth: Int) {
        guard field.keepsMarkup else { return }
        if depth == wrapperDepth { return }
        bytes.append(contentsOf: "</".utf8)
        bytes.append(contentsOf: name.utf8)
        bytes.append(UInt8(ascii: ">"))
    }

    /// Whether the captured value (`text`) is HTML or text. Atom says so with `type`; RSS never does, so RSS
    /// text that contains markup or entities is treated as HTML.
    func textKind(of text: String) -> TextContent.Kind {
        if isXHTML || hasChildElements { return .html }
        if namespace.isAtom {
            let type = attribute("type")?.lowercased() ?? "text"
            if type.containsASCII(caseInsensitive: "html") { return .html }
            if attribute("mode")?.lowercased() == "escaped", namespace == .atom03, type != "text/plain" { return .html }
            return .text
        }
        if field == .content { return .html }
        return PlainText.looksLikeHTML(text) ? .html : .text
    }

    /// The captured value as a text construct.
    func textContent(of text: String) -> TextContent {
        var value = text
        let kind = textKind(of: value)
        if kind == .text { value = value.trimmingWhitespace() }
        return TextContent(kind: kind, value: value)
    }
}

/// Author names as RSS writes them: `jane@example.com (Jane Doe)`, `Jane Doe (jane@example.com)` and
/// `Jane Doe <jane@example.com>` all become `Jane Doe`.
enum PersonName {
    static func fromRSS(_ raw: String) -> String {
        let trimmed = raw.trimmingWhitespace()
        guard trimmed.utf8.contains(where: { $0 == UInt8(ascii: "(") || $0 == UInt8(ascii: "<") }) else { return trimmed }
        if let open = trimmed.firstIndex(of: "("), trimmed.hasSuffix(")") {
            let outside = String(trimmed[..<open]).trimmingWhitespace()
            let inside = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]).trimmingWhitespace()
            if outside.utf8.contains(UInt8(ascii: "@")), !inside.isEmpty { return inside }
            if inside.utf8.contains(UInt8(ascii: "@")), !outside.isEmpty { return outside }
        }
        if let open = trimmed.firstIndex(of: "<"), trimmed.hasSuffix(">") {
            let outside = String(trimmed[..<open]).trimmingWhitespace()
            if trimmed[open...].utf8.contains(UInt8(ascii: "@")), !outside.isEmpty { return outside }
        }
        return trimmed
    }
}

/// Escaping text for markup.
enum MarkupEscaping {
    /// Appends markup-escaped bytes: `&` and `<` always, then `>` in text or `"` in an attribute value.
    static func append<Bytes: Sequence<UInt8>>(_ text: Bytes, to output: inout [UInt8], inAttribute: Bool) {
        for byte in text {
            switch byte {
            case UInt8(ascii: "&"): output.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): output.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">") where !inAttribute: output.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\"") where inAttribute: output.append(contentsOf: "&quot;".utf8)
            default: output.append(byte)
            }
        }
    }
}
