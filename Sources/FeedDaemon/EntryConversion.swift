import FeedModel
import FeedParsing
import FeedStore
import Foundation

extension EntryInput {
    /// The store's view of a parsed entry: keyed by its stable key, with a plain-text rendering — unless
    /// `omittingContent`, when summary, content and text are left out (the store has them already).
    /// `guid`, `canonicalURL` and `contentHash` are the entry's, when already computed.
    init(
        parsed entry: ParsedEntry, guid: String? = nil, canonicalURL: String? = nil, contentHash: Int64? = nil,
        omittingContent: Bool = false
    ) {
        let body = entry.content ?? entry.summary
        self.init(
            guid: guid ?? entry.stableKey,
            url: entry.link,
            title: entry.title,
            author: entry.author,
            summaryHTML: omittingContent ? nil : entry.summary.map(PlainText.html(of:)),
            contentHTML: omittingContent ? nil : entry.content.map(PlainText.html(of:)),
            text: omittingContent ? nil : body.map(PlainText.of),
            published: entry.published,
            updated: entry.updated,
            canonicalURL: canonicalURL)
        self.contentHash = contentHash ?? Self.contentHash(of: entry)
        contentOmitted = omittingContent
    }

    /// A hash of every field of `entry` that the store keeps (`ChangeHash` over the fields, each preceded by a tag so
    /// that a missing field and an empty one differ).
    static func contentHash(of entry: ParsedEntry) -> Int64 {
        var hash = ChangeHash.seed
        func mix(_ tag: UInt8, _ text: String?) {
            withUnsafeBytes(of: tag) { hash = ChangeHash.hash($0, continuing: hash) }
            guard var text else { return }
            text.withUTF8 { hash = ChangeHash.hash(UnsafeRawBufferPointer($0), continuing: hash) }
        }
        mix(1, entry.title)
        mix(2, entry.link)
        mix(3, entry.author)
        mix(entry.summary?.kind == .html ? 14 : 4, entry.summary?.value)
        mix(entry.content?.kind == .html ? 15 : 5, entry.content?.value)
        mix(6, entry.published.map { String($0.timeIntervalSince1970) })
        mix(7, entry.updated.map { String($0.timeIntervalSince1970) })
        return Int64(bitPattern: hash)
    }
}
