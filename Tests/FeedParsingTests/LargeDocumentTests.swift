import FeedParsing
import Foundation
import Testing

/// Size bounds: the parser streams in chunks, so big documents parse, and XML_PARSE_HUGE lets one text node
/// exceed libxml2's default 10 MB limit.
@Suite struct LargeDocumentTests {
    @Test func hundredThousandEntries() throws {
        var text = "<rss version=\"2.0\"><channel><title>Big</title>"
        text.reserveCapacity(6_000_000)
        for index in 0..<100_000 {
            text += "<item><guid>id-\(index)</guid><title>Item \(index)</title></item>"
        }
        text += "</channel></rss>"
        let feed = try FeedParser.parse(Data(text.utf8))
        #expect(feed.entries.count == 100_000)
        #expect(feed.entries.last?.id == "id-99999")
        #expect(feed.warnings.isEmpty)
    }

    @Test func tenMegabyteTextNode() throws {
        let body = String(repeating: "0123456789", count: 1_100_000)
        let text = "<rss version=\"2.0\"><channel><title>T</title><item><title>Long</title><description>"
            + body + "</description></item></channel></rss>"
        let feed = try FeedParser.parse(Data(text.utf8))
        #expect(feed.entries.count == 1)
        #expect(feed.entries.first?.summary?.value.utf8.count == body.utf8.count)
        #expect(feed.warnings.isEmpty)
    }
}
