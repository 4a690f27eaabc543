internal import CLibXML2

/// The readable text of an HTML fragment, from libxml2's HTML parser driven as a SAX parser: no tree is built,
/// text goes straight into one byte buffer. Block elements start a line, and end one when they had content (as a
/// walk of the tree would see it: an element without children is entered but never left); `script`, `style` and
/// the like are dropped with everything inside them.
final class HTMLTextRenderer {
    /// The text so far (UTF-8, as libxml2 delivers it), lines not yet collapsed.
    @exclusivity(unchecked) private(set) var output: [UInt8] = []
    /// How many hidden elements the parser is inside.
    @exclusivity(unchecked) private var hiddenDepth = 0
    /// For each open element outside hidden ones: whether it is a block element, and whether it has had content.
    @exclusivity(unchecked) private var open: [(isBlock: Bool, hasContent: Bool)] = []

    /// Renders `bytes` (UTF-8); nil when libxml2 could not set up a parser.
    static func render(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        let renderer = HTMLTextRenderer()
        renderer.output.reserveCapacity(bytes.count)
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self),
            let context = htmlCreateMemoryParserCtxt(base, Int32(bytes.count))
        else { return nil }
        defer {
            if let document = context.pointee.myDoc { xmlFreeDoc(document) }
            htmlFreeParserCtxt(context)
        }
        guard let handler = context.pointee.sax else { return nil }
        // The context owns its handler; ours replaces its contents (no tree-building callbacks).
        var sax = htmlSAXHandler()
        sax.initialized = 1
        sax.startElement = htmlTextStartElement
        sax.endElement = htmlTextEndElement
        sax.characters = htmlTextCharacters
        sax.cdataBlock = htmlTextCharacters
        sax.comment = htmlTextComment
        handler.pointee = sax
        context.pointee.userData = Unmanaged.passUnretained(renderer).toOpaque()
        xmlSwitchEncoding(context, XML_CHAR_ENCODING_UTF8)
        // The text is UTF-8 whatever a <meta charset> inside it says (the feed's own encoding was dealt with when the
        // feed was parsed); without IGNORE_ENC libxml2 would decode the rest as the declared charset.
        htmlCtxtUseOptions(
            context,
            Int32(
                HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
                    | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOIMPLIED.rawValue | HTML_PARSE_COMPACT.rawValue
                    | HTML_PARSE_IGNORE_ENC.rawValue))
        htmlParseDocument(context)
        return renderer.output
    }

    fileprivate func start(_ name: UnsafePointer<UInt8>?) {
        markContent()
        if hiddenDepth > 0 || Self.isHidden(name) {
            hiddenDepth += 1
            return
        }
        let isBlock = Self.isBlock(name)
        if isBlock { output.append(0x0A) }
        open.append((isBlock, false))
    }

    fileprivate func end(_ name: UnsafePointer<UInt8>?) {
        if hiddenDepth > 0 {
            hiddenDepth -= 1
            return
        }
        guard let element = open.popLast() else { return }
        if element.isBlock, element.hasContent { output.append(0x0A) }
    }

    fileprivate func characters(_ bytes: UnsafePointer<UInt8>?, count: Int32) {
        guard hiddenDepth == 0, let bytes, count > 0 else { return }
        markContent()
        output.append(contentsOf: UnsafeBufferPointer(start: bytes, count: Int(count)))
    }

    /// A comment is a child node too: it makes its block element end a line.
    fileprivate func comment() {
        if hiddenDepth == 0 { markContent() }
    }

    private func markContent() {
        if !open.isEmpty { open[open.count - 1].hasContent = true }
    }

    /// Whether the lower-case C string `name` is one of `names`.
    private static func isOne(of names: [[UInt8]], _ name: UnsafePointer<UInt8>?) -> Bool {
        guard let name else { return false }
        // No element name of interest is longer than 10 bytes: stop looking there.
        var length = 0
        while length <= 10, name[length] != 0 { length += 1 }
        guard length <= 10 else { return false }
        let bytes = UnsafeBufferPointer(start: name, count: length)
        return names.contains { $0.count == length && $0.elementsEqual(bytes) }
    }

    private static func isBlock(_ name: UnsafePointer<UInt8>?) -> Bool { isOne(of: blockNames, name) }
    private static func isHidden(_ name: UnsafePointer<UInt8>?) -> Bool { isOne(of: hiddenNames, name) }

    /// Elements that start and end a line (libxml2's HTML parser gives names in lower case).
    private static let blockNames: [[UInt8]] = [
        "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "blockquote", "pre",
        "section", "article", "header", "footer", "hr", "dd", "dt", "dl", "figure", "figcaption",
    ].map { Array($0.utf8) }
    /// Elements whose content is not text a reader sees.
    private static let hiddenNames: [[UInt8]] = ["script", "style", "applet", "noscript", "template", "head"]
        .map { Array($0.utf8) }
}

/// The renderer behind a callback's context pointer, alive for the whole parse (borrowed, not retained).
private func withRenderer(_ context: UnsafeMutableRawPointer?, _ body: (HTMLTextRenderer) -> Void) {
    guard let context else { return }
    Unmanaged<HTMLTextRenderer>.fromOpaque(context)._withUnsafeGuaranteedRef(body)
}

private let htmlTextStartElement: startElementSAXFunc = { context, name, _ in
    withRenderer(context) { $0.start(name) }
}

private let htmlTextEndElement: endElementSAXFunc = { context, name in
    withRenderer(context) { $0.end(name) }
}

private let htmlTextCharacters: charactersSAXFunc = { context, bytes, count in
    withRenderer(context) { $0.characters(bytes, count: count) }
}

private let htmlTextComment: commentSAXFunc = { context, _ in
    withRenderer(context) { $0.comment() }
}
