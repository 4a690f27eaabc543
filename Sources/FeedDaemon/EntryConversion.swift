import FeedModel
import FeedParsing
import FeedStore
import Foundation

extension EntryInput {
    /// The store's view of a parsed entry: keyed by its stable key, with a plain-text rendering.
    init(parsed entry: ParsedEntry) {
        let body = entry.content ?? entry.summary
        self.init(
            guid: entry.stableKey,
            url: entry.link,
            title: entry.title,
            author: entry.author,
            summaryHTML: entry.summary.map(Self.html),
            contentHTML: entry.content.map(Self.html),
            text: body.map(PlainText.of),
            published: entry.published,
            updated: entry.updated)
    }

    private static func html(_ content: TextContent) -> String {
        guard content.kind == .text else { return content.value }
        return content.value.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
