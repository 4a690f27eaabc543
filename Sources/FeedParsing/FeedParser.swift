public import FeedModel
public import Foundation

/// Parses feed documents: RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed, detected from the document itself.
///
/// ```swift
/// let feed = try FeedParser.parse(bytes, documentURL: URL(string: "https://example.com/feed.xml"))
/// print(feed.entries.map(\.title))
/// ```
public enum FeedParser {
    /// Parses one document.
    /// - Parameters:
    ///   - data: the response body, in whatever encoding the publisher used.
    ///   - documentURL: where the document came from (`Content-Location` if the server sent one); relative
    ///     links resolve against it.
    ///   - contentType: the HTTP `Content-Type`, whose charset wins over the XML declaration (RFC 7303).
    ///   - contentLanguage: the HTTP `Content-Language`, the feed's language when the document names none.
    /// - Throws: `FeedParseError` when the document is empty or not a feed.
    public static func parse(
        _ data: Data, documentURL: URL? = nil, contentType: String? = nil, contentLanguage: String? = nil
    ) throws(FeedParseError) -> ParsedFeed {
        guard let firstByte = data.first(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }) else {
            throw FeedParseError(reason: .empty, message: "the document is empty")
        }
        if firstByte == UInt8(ascii: "{") {
            return try JSONFeedDecoder.decode(data, documentURL: documentURL)
        }
        let encoding = DocumentEncoding(data, contentType: contentType)
        let builder = FeedDocumentBuilder(documentURL: documentURL?.absoluteString, httpLanguage: contentLanguage)
        var document = data
        if let ignoredLabel = encoding.ignoredLabel { builder.warn(ParseWarning(line: 1, message: ignoredLabel)) }
        // A byte encoding other than UTF-8 is converted here, and libxml2 reads UTF-8 whatever the document declares.
        var conversion = encoding.legacyDecoder.flatMap { LegacyEncoding.utf8(data, from: $0) }
            ?? encoding.wideDecoder.flatMap { LegacyEncoding.utf8(data.dropFirst($0.skip), from: $0.name, unitSize: $0.unit) }
        if let conversion {
            document = conversion.bytes
            if let warning = conversion.warning(in: data) { builder.warn(warning) }
        } else if encoding.isUTF8,
            let reading = InvalidUTF8.reading(data, declared: encoding.isDeclared, byteOrderMark: encoding.hasByteOrderMark)
        {
            // Invalid UTF-8: read as windows-1252, or with the invalid bytes replaced.
            conversion = reading.conversion
            document = reading.conversion.bytes
            for warning in reading.warnings { builder.warn(warning) }
        }
        let readAsUTF8 = conversion != nil || encoding.ignoredLabel != nil
        let parser = XMLPushParser(
            receiver: builder, encoding: readAsUTF8 ? "UTF-8" : encoding.libxml2Override, ignoringDeclaredEncoding: readAsUTF8)
        guard parser.isValid else { throw FeedParseError(reason: .malformed, message: "libxml2 could not start a parser") }
        if encoding.isUTF8, let repaired = MojibakeRepair.repair(document) { document = repaired }
        if !encoding.isWide || conversion != nil {
            if let repaired = LateDeclarationRepair.repair(document) { document = repaired }
            if let repaired = AmpersandRepair.repair(document) { document = repaired }
        }
        document.withUnsafeBytes { buffer in parser.parse(buffer, isLast: true) }
        guard builder.format != nil else {
            throw NotAFeed.explain(data, rootElement: builder.unrecognisedRoot, warnings: builder.feed.warnings)
        }
        return builder.finish()
    }
}

extension FeedParser {
    /// The URL relative links in a fetched document resolve against: its `Content-Location` (itself relative to
    /// the URL the body came from), else that URL.
    public static func documentURL(fetchedFrom url: URL?, contentLocation: String?) -> URL? {
        guard let contentLocation, let location = URL(string: contentLocation, relativeTo: url) else { return url }
        return location.absoluteURL
    }
}

/// Why a document could not be read as a feed.
public struct FeedParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable, Equatable {
        case empty
        case notAFeed
        case malformed
    }

    public var reason: Reason
    public var message: String
    /// Feed URLs an HTML page advertises (`<link rel="alternate" type="application/rss+xml">`).
    public var discoveredFeeds: [String]

    public init(reason: Reason, message: String, discoveredFeeds: [String] = []) {
        self.reason = reason
        self.message = message
        self.discoveredFeeds = discoveredFeeds
    }

    public var description: String { message }
}

/// The document's encoding, decided once in RFC 7303 §3's order: a byte-order mark, then the HTTP `charset`,
/// then the XML declaration, else UTF-8, unless the bytes contradict the label (`ignoredLabel`). The byte-level
/// repairs and libxml2 all follow this one decision.
struct DocumentEncoding {
    /// Lower-cased encoding name.
    let name: String
    /// The encoding libxml2 must be told to use, when it would otherwise follow the document's own declaration.
    let libxml2Override: String?
    /// UTF-16 or UTF-32: byte scans for `&`, `<` or UTF-8 sequences do not apply.
    let isWide: Bool
    /// `name` was named by a byte-order mark, the server or the XML declaration (not assumed).
    let isDeclared: Bool
    let hasByteOrderMark: Bool
    /// Why the label (the server's or the declaration's) was not followed, for the feed's warnings; the document is
    /// then read as UTF-8. Two publishers' mistakes: a UTF-16 or UTF-32 label on single-byte text, and a Latin-1 or
    /// windows-1252 label (often a server's default charset) on bytes that are valid UTF-8 beyond ASCII. Windows-1252
    /// text is almost never valid UTF-8 by chance, while UTF-8 read as windows-1252 shows every "é" as "Ã©".
    let ignoredLabel: String?

    var isUTF8: Bool { name == "utf-8" || name == "utf8" }

    /// For a byte encoding other than UTF-8 (windows-1252, Shift_JIS…), the encoding `LegacyEncoding` reads it as.
    /// Nil for UTF-8 and the wide forms (see `wideDecoder`, `ignoredLabel`).
    var legacyDecoder: String? {
        guard !isWide, !isUTF8, !Self.isWideLabel(name) else { return nil }
        return LegacyEncoding.decoderName(for: name)
    }

    /// UTF-16, UTF-32, UCS-2 or UCS-4 under any of their labels.
    private static func isWideLabel(_ label: String) -> Bool {
        (label.hasPrefix("utf") || label.hasPrefix("ucs") || label.hasPrefix("unicode") || label.hasPrefix("iso-10646"))
            && !label.hasPrefix("utf-8") && !label.hasPrefix("utf8") && !label.hasPrefix("utf-7")
    }

    /// For UTF-16 or UTF-32 that its first bytes show (a byte-order mark, or the zero bytes around a first ASCII
    /// character): the form to decode it as, the bytes of the mark to skip, and the code unit. libxml2 decodes these
    /// itself, but stops at the first unpaired surrogate and keeps nothing after it.
    let wideDecoder: (name: String, skip: Int, unit: Int)?

    private static func wideDecoder(firstBytes head: [UInt8]) -> (name: String, skip: Int, unit: Int)? {
        guard head.count == 4 else { return nil }
        switch (head[0], head[1], head[2], head[3]) {
        case (0xFF, 0xFE, 0, 0): return ("UTF-32LE", 4, 4)
        case (0, 0, 0xFE, 0xFF): return ("UTF-32BE", 4, 4)
        case (0xFF, 0xFE, _, _): return ("UTF-16LE", 2, 2)
        case (0xFE, 0xFF, _, _): return ("UTF-16BE", 2, 2)
        case (1..., 0, 0, 0): return ("UTF-32LE", 0, 4)
        case (0, 0, 0, 1...): return ("UTF-32BE", 0, 4)
        case (1..., 0, _, _): return ("UTF-16LE", 0, 2)
        case (0, 1..., _, _): return ("UTF-16BE", 0, 2)
        default: return nil
        }
    }

    init(_ data: Data, contentType: String?) {
        let prefix = [UInt8](data.prefix(4))
        let bom: String?
        if prefix.starts(with: [0xEF, 0xBB, 0xBF]) {
            bom = "utf-8"
        } else if prefix.starts(with: [0xFE, 0xFF]) || prefix.starts(with: [0xFF, 0xFE]) {
            bom = "utf-16"
        } else {
            bom = nil
        }
        isWide = bom == "utf-16" || (prefix.count >= 2 && prefix.contains(0))
        wideDecoder = isWide ? Self.wideDecoder(firstBytes: prefix) : nil
        let httpCharset = contentType.flatMap(Self.charset(in:))?.lowercased()
        hasByteOrderMark = bom != nil
        let label = bom ?? httpCharset ?? Self.declaredEncoding(data)
        if let label, !isWide, Self.isWideLabel(label) {
            name = "utf-8"
            libxml2Override = "UTF-8"
            isDeclared = false  // UTF-8 is assumed, not declared
            ignoredLabel = "the document is labelled \(label.uppercased()) but is written in single bytes; the label is ignored"
        } else if let label, bom == nil, !isWide, LegacyEncoding.decoderName(for: label) == "windows-1252",
            data.withUnsafeBytes({ UTF8Scan($0).isUTF8Text })
        {
            name = "utf-8"
            libxml2Override = "UTF-8"
            isDeclared = false
            ignoredLabel = "the document is labelled \(label) but is valid UTF-8; read as UTF-8"
        } else if let bom {
            name = bom
            libxml2Override = nil
            isDeclared = true
            ignoredLabel = nil
        } else if let httpCharset {
            name = httpCharset
            libxml2Override = httpCharset
            isDeclared = true
            ignoredLabel = nil
        } else {
            name = isWide ? "utf-16" : label ?? "utf-8"
            libxml2Override = nil
            isDeclared = label != nil
            ignoredLabel = nil
        }
    }

    /// The `charset` parameter of a Content-Type header.
    static func charset(in contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "charset" else { continue }
            let value = pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// The `encoding` of the XML declaration, lower-cased.
    private static func declaredEncoding(_ data: Data) -> String? {
        let head = String(decoding: data.prefix(256), as: UTF8.self).lowercased()
        guard head.hasPrefix("<?xml") || head.drop(while: \.isWhitespace).hasPrefix("<?xml"),
            let declarationEnd = head.range(of: "?>"), let range = head.range(of: "encoding=")
        else { return nil }
        guard range.upperBound < declarationEnd.lowerBound else { return nil }
        let value = head[range.upperBound...].dropFirst().prefix { $0 != "\"" && $0 != "'" }
        return value.isEmpty ? nil : String(value)
    }
}
