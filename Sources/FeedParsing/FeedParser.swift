public import FeedModel
public import Foundation

/// Parses feed documents: RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed, detected from the document itself.
///
/// ```swift
/// let feed = try FeedParser.parse(bytes, documentURL: URL(string: "https://example.com/feed.xml"))
/// print(feed.entries.map(\.title))
/// ```
public enum FeedParser {
    /// Bytes pushed into libxml2 at a time.
    static let chunkSize = 64 * 1024

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
        let builder = FeedDocumentBuilder(documentURL: documentURL?.absoluteString, httpLanguage: contentLanguage)
        let parser = XMLPushParser(receiver: builder, encoding: DocumentEncoding.override(for: data, contentType: contentType))
        guard parser.isValid else { throw FeedParseError(reason: .malformed, message: "libxml2 could not start a parser") }
        let decoded = contentType.flatMap(DocumentEncoding.charset(in:)).map { $0.lowercased().hasPrefix("utf") } ?? true
            ? MojibakeRepair.repair(data) ?? data : data
        let document = AmpersandRepair.repair(decoded) ?? decoded
        document.withUnsafeBytes { buffer in
            var offset = 0
            repeat {
                let end = min(offset + chunkSize, buffer.count)
                parser.parse(UnsafeRawBufferPointer(rebasing: buffer[offset..<end]), isLast: end == buffer.count)
                offset = end
            } while offset < buffer.count
        }
        guard builder.format != nil else {
            throw NotAFeed.explain(data, rootElement: builder.unrecognisedRoot, warnings: builder.feed.warnings)
        }
        return builder.finish()
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

/// Chooses the encoding libxml2 must use when the HTTP charset overrides the document (RFC 7303 §3: a BOM
/// wins, then the `charset` parameter, then the XML declaration).
enum DocumentEncoding {
    static func override(for data: Data, contentType: String?) -> String? {
        guard let contentType, let charset = charset(in: contentType) else { return nil }
        let prefix = [UInt8](data.prefix(4))
        if prefix.starts(with: [0xEF, 0xBB, 0xBF]) || prefix.starts(with: [0xFE, 0xFF]) || prefix.starts(with: [0xFF, 0xFE]) {
            return nil
        }
        return charset
    }

    static func charset(in contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "charset" else { continue }
            let value = pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            return value.isEmpty ? nil : value
        }
        return nil
    }
}
