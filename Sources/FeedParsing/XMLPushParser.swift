internal import CLibXML2
import Foundation

/// Events the SAX parser delivers, in document order. Names arrive as (namespace URI, local name).
protocol XMLEventReceiver: AnyObject {
    func startElement(namespace: XMLNamespace, name: String, attributes: [XMLAttribute])
    func endElement(namespace: XMLNamespace, name: String)
    func characters(_ bytes: UnsafeBufferPointer<UInt8>)
    func recoverableError(line: Int, message: String)
}

/// One attribute of an element, with its namespace resolved.
struct XMLAttribute {
    var namespace: XMLNamespace
    var name: String
    var value: String
}

/// A libxml2 SAX2 push parser, confined to the calling thread for its whole life (create, feed, finish).
///
/// Options: RECOVER (keep what parses), NONET (never touch the network), NOENT without an `entityDecl` handler,
/// so entities declared in a DTD are never stored and cannot expand; HUGE lifts the 10 MB text-node limit,
/// which is safe because no entity can be declared. HTML named entities, which RSS uses without a DTD, are
/// answered in `getEntity`.
final class XMLPushParser {
    // Confined to one thread and never re-entered, so the run-time exclusivity checks are off for its state.
    @exclusivity(unchecked) private var context: xmlParserCtxtPtr?
    private let receiver: any XMLEventReceiver
    @exclusivity(unchecked) private var namespaceCache = PointerCache<XMLNamespace>()
    @exclusivity(unchecked) private var nameCache = PointerCache<String>()
    /// How many errors libxml2 reported; the first few are forwarded with their line.
    @exclusivity(unchecked) private(set) var errorCount = 0

    /// - Parameters:
    ///   - encoding: the document's encoding, when libxml2 must not take it from the document.
    ///   - ignoringDeclaredEncoding: the XML declaration's `encoding` is to be ignored (the bytes were converted).
    init(receiver: any XMLEventReceiver, encoding: String?, ignoringDeclaredEncoding: Bool = false) {
        self.receiver = receiver
        var handler = xmlSAXHandler()
        handler.initialized = UInt32(XML_SAX2_MAGIC)
        handler.startElementNs = saxStartElement
        handler.endElementNs = saxEndElement
        handler.characters = saxCharacters
        handler.cdataBlock = saxCharacters
        handler.getEntity = saxGetEntity
        handler.serror = saxError
        let context = xmlCreatePushParserCtxt(&handler, nil, nil, 0, nil)
        self.context = context
        guard let context else { return }
        context.pointee.userData = Unmanaged.passUnretained(self).toOpaque()
        let options = Int32(XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_NOENT.rawValue
            | XML_PARSE_HUGE.rawValue | XML_PARSE_NOWARNING.rawValue
            | (ignoringDeclaredEncoding ? XML_PARSE_IGNORE_ENC.rawValue : 0))
        xmlCtxtUseOptions(context, options)
        if let encoding {
            xmlCtxtResetPush(context, nil, 0, nil, encoding)
            context.pointee.userData = Unmanaged.passUnretained(self).toOpaque()
        }
    }

    deinit {
        if let context {
            if let document = context.pointee.myDoc { xmlFreeDoc(document) }
            xmlFreeParserCtxt(context)
        }
    }

    /// Bytes handed to libxml2 at a time. libxml2 copies each piece into its input buffer; with 64 KiB pieces it
    /// kept appending and shifting that buffer (10% of all parsing instructions), so nearly every feed now goes
    /// in one piece, and 4 MiB bounds the copy for the rare huge one (and stays far inside xmlParseChunk's Int32).
    static let pieceSize = 4 << 20

    /// Feeds the next part of the document (or all of it), in pieces of at most `pieceSize`.
    func parse(_ bytes: UnsafeRawBufferPointer, isLast: Bool) {
        guard let context else { return }
        // Errors libxml2 raises outside any parser context (a sequence its encoding converter rejects, "encoder
        // error") go to this thread's structured handler, else to standard error without the feed's name: here
        // they become the feed's warnings, as the parser's own errors do.
        xmlSetStructuredErrorFunc(Unmanaged.passUnretained(self).toOpaque(), contextFreeError)
        defer { xmlSetStructuredErrorFunc(nil, nil) }
        let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
        let piece = Self.pieceSize
        var offset = 0
        repeat {
            let end = min(offset + piece, bytes.count)
            xmlParseChunk(context, base.map { $0 + offset }, Int32(end - offset), isLast && end == bytes.count ? 1 : 0)
            offset = end
        } while offset < bytes.count
    }

    /// Whether libxml2 could create a parser at all (it fails only when out of memory).
    var isValid: Bool { context != nil }

    // MARK: - Called from the C callbacks

    /// libxml2 2.9 drops every entity reference (even `&amp;`) once it has marked the document not
    /// well-formed, and it marks it after reporting the error. We keep our own record of errors, so before each
    /// later event the parser is told to carry on as if the document were fine.
    fileprivate func keepEntitiesFlowing() {
        if errorCount > 0 { context?.pointee.wellFormed = 1 }
    }

    /// What elements without a namespace are: RSS, unless the root is an un-namespaced `<feed>`.
    @exclusivity(unchecked) private var noNamespace = XMLNamespace.none

    fileprivate func namespace(_ uri: UnsafePointer<xmlChar>?) -> XMLNamespace {
        guard let uri else { return noNamespace }
        let key = UnsafeRawPointer(uri)
        if let known = namespaceCache.value(for: key) { return known }
        let namespace = XMLNamespace(uri: String(cString: uri))
        namespaceCache.store(namespace, for: key)
        return namespace
    }

    @exclusivity(unchecked) private var sawRoot = false

    /// A `<feed>` or `<rss>` root in a namespace nobody registered (old drafts: "http://example.com/newformat#",
    /// "http://backend.userland.com/rss") defines that namespace as Atom or RSS for the whole document.
    private func adoptRootNamespace(localName: UnsafePointer<xmlChar>?, uri: UnsafePointer<xmlChar>?) {
        sawRoot = true
        if uri == nil, name(localName) == "feed" { noNamespace = .atom03 }
        guard let uri, namespace(uri) == .other else { return }
        switch name(localName) {
        case "feed": namespaceCache.store(.atom03, for: UnsafeRawPointer(uri))
        case "rss": namespaceCache.store(.rss, for: UnsafeRawPointer(uri))
        default: break
        }
    }

    fileprivate func name(_ pointer: UnsafePointer<xmlChar>?) -> String {
        guard let pointer else { return "" }
        let key = UnsafeRawPointer(pointer)
        if let known = nameCache.value(for: key) { return known }
        let name = String(cString: pointer)
        nameCache.store(name, for: key)
        return name
    }

    fileprivate func deliverStart(
        localName: UnsafePointer<xmlChar>?, uri: UnsafePointer<xmlChar>?, attributeCount: Int,
        attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    ) {
        keepEntitiesFlowing()
        if !sawRoot { adoptRootNamespace(localName: localName, uri: uri) }
        var decoded: [XMLAttribute] = []
        if let attributes, attributeCount > 0 {
            decoded.reserveCapacity(attributeCount)
            for index in 0..<attributeCount {
                let base = index * 5
                guard let valueStart = attributes[base + 3], let valueEnd = attributes[base + 4] else { continue }
                let value = String(
                    decoding: UnsafeBufferPointer(start: valueStart, count: valueEnd - valueStart), as: UTF8.self)
                decoded.append(
                    XMLAttribute(namespace: namespace(attributes[base + 2]), name: name(attributes[base]), value: value))
            }
        }
        receiver.startElement(namespace: namespace(uri), name: name(localName), attributes: decoded)
    }

    fileprivate func deliverEnd(localName: UnsafePointer<xmlChar>?, uri: UnsafePointer<xmlChar>?) {
        keepEntitiesFlowing()
        receiver.endElement(namespace: namespace(uri), name: name(localName))
    }

    fileprivate func deliverCharacters(_ bytes: UnsafePointer<xmlChar>?, count: Int32) {
        keepEntitiesFlowing()
        guard let bytes, count > 0 else { return }
        receiver.characters(UnsafeBufferPointer(start: bytes, count: Int(count)))
    }

    fileprivate func deliverError(_ error: xmlErrorPtr?) {
        errorCount += 1
        guard errorCount <= 20, let error else { return }
        let message = error.pointee.message.map { String(cString: $0) } ?? "malformed XML"
        // An error raised outside the parser context has no line: it is where the parser is.
        var line = Int(error.pointee.line)
        if line == 0, let input = context?.pointee.input { line = Int(input.pointee.line) }
        // Some messages run over two lines ("…\nBytes: 0x00 0x00"): one line each, for logs.
        let oneLine = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: "; ")
        receiver.recoverableError(line: line, message: oneLine)
    }
}

/// Values keyed by the address of a string in libxml2's dictionary, where every element and attribute name
/// and namespace URI of a document is interned, so one address is always one string. A direct-mapped table
/// answers almost every lookup without hashing; the rare collision goes to a dictionary.
private struct PointerCache<Value> {
    private static var slotCount: Int { 128 }
    private var keys = [UnsafeRawPointer?](repeating: nil, count: slotCount)
    private var values = [Value?](repeating: nil, count: slotCount)
    private var overflow: [UnsafeRawPointer: Value] = [:]

    private static func slot(_ key: UnsafeRawPointer) -> Int {
        let address = UInt(bitPattern: key)
        return Int(truncatingIfNeeded: (address >> 3) ^ (address >> 10)) & (slotCount - 1)
    }

    func value(for key: UnsafeRawPointer) -> Value? {
        let slot = Self.slot(key)
        if keys[slot] == key { return values[slot] }
        return keys[slot] == nil ? nil : overflow[key]
    }

    mutating func store(_ value: Value, for key: UnsafeRawPointer) {
        let slot = Self.slot(key)
        if keys[slot] == nil || keys[slot] == key {
            keys[slot] = key
            values[slot] = value
        } else {
            overflow[key] = value
        }
    }
}

/// Runs `body` with the parser behind a callback's context pointer. The parser is alive for the whole parse
/// (libxml2 calls back only from inside `xmlParseChunk`), so it is borrowed without a retain and release per
/// SAX event.
private func withParser(_ context: UnsafeMutableRawPointer?, _ body: (XMLPushParser) -> Void) {
    guard let context else { return }
    Unmanaged<XMLPushParser>.fromOpaque(context)._withUnsafeGuaranteedRef(body)
}

private let saxStartElement: startElementNsSAX2Func = {
    context, localName, _, uri, _, _, attributeCount, _, attributes in
    withParser(context) {
        $0.deliverStart(localName: localName, uri: uri, attributeCount: Int(attributeCount), attributes: attributes)
    }
}

private let saxEndElement: endElementNsSAX2Func = { context, localName, _, uri in
    withParser(context) { $0.deliverEnd(localName: localName, uri: uri) }
}

private let saxCharacters: charactersSAXFunc = { context, bytes, count in
    withParser(context) { $0.deliverCharacters(bytes, count: count) }
}

private let saxError: xmlStructuredErrorFunc = { context, error in
    withParser(context) { $0.deliverError(error) }
}

/// The thread's handler while a document is parsed: takes only errors raised outside any parser context (another
/// parser's errors, such as the HTML renderer's, are that parser's to handle or silence).
private let contextFreeError: xmlStructuredErrorFunc = { context, error in
    guard let error, error.pointee.ctxt == nil else { return }
    withParser(context) { $0.deliverError(error) }
}

private let saxGetEntity: getEntitySAXFunc = { context, name in
    withParser(context) { $0.keepEntitiesFlowing() }
    guard let name else { return nil }
    return HTMLEntityTable.shared.entity(named: name)
}
