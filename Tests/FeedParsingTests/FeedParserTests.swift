import FeedModel
import Foundation
import TestSupport
import Testing

@testable import FeedParsing

@Suite struct FeedParserTests {
    private func parse(_ text: String, url: String? = nil, contentType: String? = nil) throws(FeedParseError) -> ParsedFeed {
        try FeedParser.parse(Data(text.utf8), documentURL: url.flatMap(URL.init(string:)), contentType: contentType)
    }

    /// Real feeds from several publishers and formats: the parser finds exactly the entries the corpus
    /// manifest counts.
    @Test(arguments: [
        "feedrs__rss_2.0_bbc.xml", "nnw__DaringFireball.atom", "nnw__DaringFireball.rss", "nnw__DaringFireball.json",
        "feedreader__Rss10OrfAt.xml", "feedreader__Rss20NYTimes.xml", "feedreader__AtomTheVerge.xml",
        "miniflux__encoding_WINDOWS-1251.xml", "miniflux__no_encoding_ISO-8859-1.xml", "feeder__atom_youtube.xml",
        "rome__usgs-gov-earthquakes-all-hour-atom.xml", "feedreader__Rss091Stadtfeuerwehr.xml",
    ])
    func realWorldEntryCounts(_ file: String) throws {
        let expected = try #require(try SharedData.manifestItemCounts()[file], "\(file) is not in MANIFEST.tsv")
        let feed = try FeedParser.parse(Data(try SharedData.realWorldFeed(file)))
        #expect(feed.entries.count == expected, "\(file)")
        #expect(feed.title?.isEmpty == false, "\(file) has a title")
        #expect(feed.entries.allSatisfy { $0.title != nil || $0.summary != nil || $0.content != nil }, "\(file)")
    }

    @Test func rss20Fields() throws {
        let feed = try parse(
            """
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:c="http://purl.org/rss/1.0/modules/content/">
            <channel>
              <title>Example &amp; Co</title>
              <link>https://example.com/</link>
              <description>News from &lt;b&gt;Example&lt;/b&gt;</description>
              <language>en-GB</language>
              <image><title>Logo title</title><url>https://example.com/logo.png</url><link>https://example.com/img</link></image>
              <item>
                <title>Caf&eacute; opens &mdash; again</title>
                <link>/news/1</link>
                <guid isPermaLink="false">item-1</guid>
                <pubDate>Mon, 20 Sep 2021 10:15:00 +0100</pubDate>
                <description><![CDATA[<p>First <b>para</b>.</p><p>Second&nbsp;para.</p>]]></description>
                <dc:creator>Jane Doe</dc:creator>
                <category>World</category>
                <c:encoded>&lt;p&gt;Full text&lt;/p&gt;</c:encoded>
                <enclosure url="https://example.com/a.mp3" type="audio/mpeg" length="1234"/>
              </item>
              <item>
                <title>Second</title>
                <guid>https://example.com/news/2</guid>
                <author>jane@example.com (Jane Doe)</author>
              </item>
            </channel>
            </rss>
            """, url: "https://example.com/feed.xml")
        #expect(feed.format == .rss)
        #expect(feed.title == "Example & Co")
        #expect(feed.link == "https://example.com/")
        #expect(feed.subtitle == "News from Example")
        #expect(feed.language == "en-GB")
        #expect(feed.entries.count == 2)
        let first = feed.entries[0]
        #expect(first.title == "Café opens — again")
        #expect(first.link == "https://example.com/news/1")
        #expect(first.id == "item-1")
        #expect(first.published == Date(timeIntervalSince1970: 1_632_129_300))
        #expect(first.author == "Jane Doe")
        #expect(first.categories == ["World"])
        #expect(first.summary == TextContent(kind: .html, value: "<p>First <b>para</b>.</p><p>Second&nbsp;para.</p>"), "CDATA is not entity-decoded")
        #expect(first.content == TextContent(kind: .html, value: "<p>Full text</p>"))
        #expect(first.enclosures == [Enclosure(url: "https://example.com/a.mp3", type: "audio/mpeg", length: 1234)])
        // Two paragraphs, a blank line between (libxml2's tree builder nested a fragment's second top-level paragraph in
        // the first, which gave one line break here and a blank line between the same paragraphs inside a div).
        #expect(PlainText.of(first.summary!) == "First para.\n\nSecond para.")
        #expect(PlainText.fromHTML("<div><p>First <b>para</b>.</p><p>Second&nbsp;para.</p></div>") == "First para.\n\nSecond para.")
        let second = feed.entries[1]
        #expect(second.link == "https://example.com/news/2", "a permalink guid is the link")
        #expect(second.author == "Jane Doe")
        #expect(feed.warnings.isEmpty)
    }

    @Test func atom10Fields() throws {
        let feed = try parse(
            """
            <feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://example.org/blog/" xml:lang="fr">
              <title type="html">Le &lt;em&gt;blog&lt;/em&gt;</title>
              <subtitle>History of the &lt;blink&gt; tag</subtitle>
              <link rel="self" href="/feed.atom"/>
              <link href="./"/>
              <updated>2021-09-20T10:00:00Z</updated>
              <entry>
                <title>Entry one</title>
                <id>tag:example.org,2021:1</id>
                <link rel="alternate" type="application/pdf" href="one.pdf"/>
                <link rel="alternate" type="text/html" href="one.html"/>
                <link rel="enclosure" type="audio/ogg" length="42" href="one.ogg"/>
                <published>2021-09-20T08:30:00.123+02:00</published>
                <updated>2021-09-20T09:00:00Z</updated>
                <author><name>Ann</name><email>ann@example.org</email></author>
                <category term="science" label="Science"/>
                <summary type="text">Plain &lt;summary&gt;</summary>
                <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hello <a href="x.html">there</a> &amp; more</p></div></content>
                <source><title>Other feed</title><id>other</id></source>
              </entry>
            </feed>
            """)
        #expect(feed.format == .atom)
        #expect(feed.title == "Le blog")
        #expect(feed.subtitle == "History of the <blink> tag")
        #expect(feed.link == "https://example.org/blog/")
        #expect(feed.language == "fr")
        #expect(feed.updated == Date(timeIntervalSince1970: 1_632_132_000))
        let entry = try #require(feed.entries.first)
        #expect(entry.title == "Entry one")
        #expect(entry.id == "tag:example.org,2021:1")
        #expect(entry.link == "https://example.org/blog/one.html")
        #expect(entry.enclosures == [Enclosure(url: "https://example.org/blog/one.ogg", type: "audio/ogg", length: 42)])
        #expect(entry.published == Date(timeIntervalSince1970: 1_632_119_400))
        #expect(entry.author == "Ann")
        #expect(entry.categories == ["science"])
        #expect(entry.summary == TextContent(kind: .text, value: "Plain <summary>"))
        #expect(entry.content == TextContent(kind: .html, value: "<p>Hello <a href=\"https://example.org/blog/x.html\">there</a> &amp; more</p>"),
            "relative links inside content are resolved against xml:base")
    }

    @Test func rdfItemsUseAboutAsID() throws {
        let feed = try parse(
            """
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
                     xmlns:dc="http://purl.org/dc/elements/1.1/">
              <channel rdf:about="https://example.net/"><title>RDF</title><link>https://example.net/</link>
                <items><rdf:Seq><rdf:li resource="https://example.net/1"/></rdf:Seq></items></channel>
              <item rdf:about="https://example.net/1"><title>One</title><link>https://example.net/1</link>
                <dc:date>2021-09-20</dc:date></item>
            </rdf:RDF>
            """)
        #expect(feed.format == .rdf)
        #expect(feed.entries.count == 1)
        #expect(feed.entries[0].id == "https://example.net/1")
        #expect(feed.entries[0].updated == Date(timeIntervalSince1970: 1_632_096_000))
    }

    /// libxml2 2.9 drops every later entity once a document is not well-formed; the parser must not.
    @Test func entitiesSurviveAnEarlierError() throws {
        let feed = try parse(
            """
            <rss version="2.0"><channel><title>T</title>
            <item><title>Broken</titel></item>
            <item><title>Tom &amp; Jerry &eacute;t&eacute; &#233;</title></item>
            </channel></rss>
            """)
        #expect(feed.entries.count == 2)
        #expect(feed.entries[1].title == "Tom & Jerry été é")
        #expect(!feed.warnings.isEmpty, "the mismatched tag is reported")
        #expect(feed.warnings.first?.line == 2)
    }

    /// Bare ampersands (in query strings, in "AT&T") and unknown entities survive as text instead of eating
    /// what follows them; CDATA is left alone.
    @Test func bareAmpersandsAreKept() throws {
        let feed = try parse(
            """
            <rss version="2.0"><channel><title>AT&T news</title><link>http://example/?a=1&b=2&c</link>
            <item><title>Fish & chips &doesnotexist; &amp; &#38;</title>
            <description><![CDATA[a && b &amp; c]]></description></item>
            </channel></rss>
            """)
        #expect(feed.title == "AT&T news")
        #expect(feed.link == "http://example/?a=1&b=2&c")
        #expect(feed.entries.first?.title == "Fish & chips &doesnotexist; & &")
        #expect(feed.entries.first?.summary?.value == "a && b &amp; c")
        #expect(feed.warnings.isEmpty)
    }

    /// Entities declared in a DTD are never expanded, so a billion-laughs document stays small and harmless.
    @Test func doesNotExpandDeclaredEntities() throws {
        var text = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY lol \"lol\">"
        for level in 1...9 {
            text += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1 == 0 ? "" : String(level - 1));", count: 10) + "\">"
        }
        text += "<!ENTITY ext SYSTEM \"file:///etc/passwd\">]>"
        text += "<rss version=\"2.0\"><channel><title>T</title><item><title>&lol9;</title><description>&ext;</description></item></channel></rss>"
        let feed = try parse(text)
        #expect(feed.entries.count == 1)
        #expect((feed.entries[0].title ?? "").count < 100)
        let summary = feed.entries[0].summary?.value ?? ""
        #expect(summary.range(of: "root:") == nil, "external entity not loaded: \(summary.prefix(80))")
    }

    @Test func htmlPageIsNotAFeedAndNamesItsFeeds() {
        let page = """
            <!DOCTYPE html><html><head><title>Example News</title>
            <link rel="alternate" type="application/rss+xml" href="https://example.com/rss.xml">
            <link rel="alternate" type="application/atom+xml" href="https://example.com/atom.xml">
            </head><body><p>Hello</p></body></html>
            """
        do {
            _ = try parse(page)
            Issue.record("an HTML page parsed as a feed")
        } catch {
            #expect(error.reason == .notAFeed)
            #expect(
                error.message
                    == "not a feed: got an HTML page titled 'Example News'; it links these feeds: https://example.com/rss.xml, https://example.com/atom.xml")
            #expect(error.discoveredFeeds.count == 2)
        }
    }

    @Test func emptyAndForeignDocuments() {
        #expect(throws: FeedParseError(reason: .empty, message: "the document is empty")) { try parse("  \n") }
        #expect(
            throws: FeedParseError(
                reason: .notAFeed, message: "not a feed: the document's root element is <svg>, not <rss>, <rdf:RDF> or <feed>")
        ) { try parse("<svg xmlns='http://www.w3.org/2000/svg'/>") }
    }

    @Test func truncatedDocumentKeepsCompleteEntries() throws {
        let feed = try parse(
            "<rss version='2.0'><channel><title>T</title><item><title>A</title></item><item><title>B</title></item><item><title>C")
        #expect(feed.entries.map(\.title) == ["A", "B"])
        #expect(!feed.warnings.isEmpty)
    }

    @Test func httpCharsetOverridesTheDeclaration() throws {
        var bytes = Array("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>".utf8)
        bytes += [0x43, 0x61, 0x66, 0xE9]  // "Café" in ISO-8859-1
        bytes += Array("</title></channel></rss>".utf8)
        let feed = try FeedParser.parse(Data(bytes), contentType: "text/xml; charset=ISO-8859-1")
        #expect(feed.title == "Café")
    }

    /// A document in a byte encoding with bytes that encoding does not define keeps everything around them: libxml2
    /// alone stopped at the first such byte and kept nothing after it (the whole feed, when it was in the title).
    @Test func invalidBytesInALegacyEncodingBecomeReplacementCharacters() throws {
        var bytes = Array("<?xml version=\"1.0\" encoding=\"windows-1252\"?>\n<rss version=\"2.0\"><channel><title>Caf".utf8)
        bytes += [0xE9, 0x20, 0x81, 0x20, 0x93, 0x71, 0x94]  // "é", an undefined byte, “q” in windows-1252
        bytes += Array("</title><item><title>A</title></item><item><title>B</title></item></channel></rss>".utf8)
        let feed = try FeedParser.parse(Data(bytes))
        #expect(feed.title == "Café \u{FFFD} \u{201C}q\u{201D}")
        #expect(feed.entries.map(\.title) == ["A", "B"])
        #expect(feed.warnings.contains(ParseWarning(line: 2, message: "1 byte sequence is not valid windows-1252 and became U+FFFD")))

        // Shift_JIS with a broken item between two good ones; the HTTP charset names it (the declaration says nothing).
        var japanese = Array("<rss version=\"2.0\"><channel><title>T</title><item><title>".utf8)
        japanese += [0x82, 0xA0]  // あ
        japanese += Array("</title></item><item><title>".utf8) + [0xFF, 0xFF] + Array("</title></item><item><title>C</title></item></channel></rss>".utf8)
        let second = try FeedParser.parse(Data(japanese), contentType: "application/rss+xml; charset=Shift_JIS")
        #expect(second.entries.map(\.title) == ["あ", "\u{FFFD}\u{FFFD}", "C"])
        #expect(second.warnings.first?.message == "2 byte sequences are not valid shift_jis and became U+FFFD")
    }

    /// A declaration of UTF-16 on a document written in single bytes is a publisher's mistake libxml2 sees through.
    @Test func aWrongUTF16DeclarationIsSeenThrough() throws {
        let feed = try parse("<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss version=\"2.0\"><channel><title>Café</title></channel></rss>")
        #expect(feed.title == "Café")
        #expect(feed.warnings == [ParseWarning(line: 1, message: "the document is labelled UTF-16 but is written in single bytes; the label is ignored")])
        // libxml2 alone read these as "not a feed": it follows a declaration of UTF-32 or UCS-2, or the server's charset.
        for label in ["UTF-32", "UCS-2", "UTF-16LE"] {
            let declared = try parse("<?xml version=\"1.0\" encoding=\"\(label)\"?><rss version=\"2.0\"><channel><title>Café</title></channel></rss>")
            #expect(declared.title == "Café", "declared \(label)")
        }
        let served = try FeedParser.parse(
            Data("<rss version=\"2.0\"><channel><title>Café</title></channel></rss>".utf8), contentType: "text/xml; charset=utf-32")
        #expect(served.title == "Café")
    }

    /// UTF-16 and UTF-32, told by a byte-order mark or by the zero bytes around the first character, are converted
    /// before libxml2 reads them: libxml2 stopped at an unpaired surrogate and kept nothing after it.
    @Test func wideEncodingsKeepTheEntriesAfterAnInvalidUnit() throws {
        let text = "<rss version=\"2.0\"><channel><title>Zoë</title><item><title>one</title></item><item><title>X"
        let rest = "Y</title></item><item><title>three</title></item></channel></rss>"
        var littleEndian: [UInt8] = [0xFF, 0xFE] + Array(text.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        littleEndian += [0x00, 0xD8]  // an unpaired high surrogate
        littleEndian += Array(rest.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let feed = try FeedParser.parse(Data(littleEndian))
        #expect(feed.title == "Zoë")
        #expect(feed.entries.map(\.title) == ["one", "X\u{FFFD}Y", "three"])
        #expect(feed.warnings == [ParseWarning(line: 1, message: "1 byte sequence is not valid UTF-16LE and became U+FFFD")])

        let utf32 = Array("<rss version=\"2.0\"><channel><title>Zoë 😀</title></channel></rss>".unicodeScalars).flatMap {
            (value: Unicode.Scalar) -> [UInt8] in
            [UInt8(value.value >> 24), UInt8((value.value >> 16) & 0xFF), UInt8((value.value >> 8) & 0xFF), UInt8(value.value & 0xFF)]
        }
        #expect(try FeedParser.parse(Data(utf32)).title == "Zoë 😀", "UTF-32BE without a byte-order mark")
        let bigEndian = Array("<rss version=\"2.0\"><channel><title>Zoë &amp; AT&T</title></channel></rss>".utf16).flatMap {
            [UInt8($0 >> 8), UInt8($0 & 0xFF)]
        }
        #expect(try FeedParser.parse(Data(bigEndian)).title == "Zoë & AT&T", "UTF-16BE, with the bare ampersand repaired")
    }

    /// A feed written in windows-1252 that declares no encoding (so is UTF-8 by the XML rules), or declares UTF-8 by
    /// template, reads as windows-1252: before, every accented letter became U+FFFD.
    @Test func aFeedThatIsNotUTF8ReadsAsWindows1252() throws {
        func document(declaring declaration: String) -> Data {
            var bytes = Array("\(declaration)<rss version=\"2.0\"><channel><title>Not".utf8) + [0xED]
            bytes += Array("cias</title>\n<item><title>S".utf8) + [0xE3] + Array("o Paulo: pre".utf8) + [0xE7]
            bytes += Array("o sobe</title><description>".utf8) + [0x93] + Array("caf".utf8) + [0xE9, 0x94, 0x20, 0x81]
            bytes += Array("</description></item></channel></rss>".utf8)
            return Data(bytes)
        }
        let undeclared = try FeedParser.parse(document(declaring: ""))
        #expect(undeclared.title == "Notícias")
        #expect(undeclared.entries.map(\.title) == ["São Paulo: preço sobe"])
        #expect(undeclared.entries.first?.summary?.value == "“café” \u{FFFD}")
        #expect(undeclared.warnings.first == ParseWarning(
            line: 1, message: "the document is not valid UTF-8 (7 bytes outside any UTF-8 character); read as windows-1252"))
        #expect(undeclared.warnings.contains(ParseWarning(line: 2, message: "1 byte sequence is not valid windows-1252 and became U+FFFD")))

        let declared = try FeedParser.parse(document(declaring: "<?xml version=\"1.0\" encoding=\"utf-8\"?>"))
        #expect(declared.entries.map(\.title) == ["São Paulo: preço sobe"])
        #expect(declared.warnings.first?.message.hasPrefix("the document declares UTF-8 but is not valid UTF-8") == true)
    }

    /// A UTF-8 feed with a stray byte stays UTF-8: only that byte becomes U+FFFD, and the warning says where. Text that
    /// mixes both (UTF-8 letters and more windows-1252 bytes) reads as windows-1252 with the UTF-8 letters repaired.
    @Test func aStrayByteInUTF8BecomesAReplacementCharacter() throws {
        var bytes = Array("<rss version=\"2.0\"><channel><title>Café, naïve, ".utf8) + [0xE9]
        bytes += Array("</title>\n<item><title>Zoë</title></item></channel></rss>".utf8)
        let feed = try FeedParser.parse(Data(bytes))
        #expect(feed.title == "Café, naïve, \u{FFFD}")
        #expect(feed.entries.map(\.title) == ["Zoë"])
        #expect(feed.warnings == [ParseWarning(line: 1, message: "1 byte sequence is not valid UTF-8 and became U+FFFD")])

        var mixed = Array("<rss version=\"2.0\"><channel><title>Café and caf".utf8) + [0xE9, 0x2C, 0x20, 0xAB, 0x71, 0xBB]
        mixed += Array("</title></channel></rss>".utf8)
        #expect(try FeedParser.parse(Data(mixed)).title == "Café and café, «q»")

        // A byte-order mark settles UTF-8: only the invalid bytes are replaced.
        let marked = [0xEF, 0xBB, 0xBF] + Array("<rss version=\"2.0\"><channel><title>caf".utf8) + [0xE9, 0x20, 0xE7]
            + Array("</title></channel></rss>".utf8)
        #expect(try FeedParser.parse(Data(marked)).title == "caf\u{FFFD} \u{FFFD}")
    }

    /// A server's default charset (Apache's ISO-8859-1) or a template's declaration on a UTF-8 feed: every "ü" read as
    /// "Ã¼". Valid UTF-8 with characters beyond ASCII is read as UTF-8 (finanzen.net's feed in the real-world corpus).
    @Test func aUTF8FeedLabelledLatin1ReadsAsUTF8() throws {
        let text = "<rss version=\"2.0\"><channel><title>Kursziel für NVIDIA – 120 €</title></channel></rss>"
        let declared = try parse("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>" + text)
        #expect(declared.title == "Kursziel für NVIDIA – 120 €")
        #expect(declared.warnings == [ParseWarning(line: 1, message: "the document is labelled iso-8859-1 but is valid UTF-8; read as UTF-8")])
        let served = try FeedParser.parse(Data(text.utf8), contentType: "text/xml; charset=ISO-8859-1")
        #expect(served.title == "Kursziel für NVIDIA – 120 €")
        // Real windows-1252 stays windows-1252 (its "ü" alone is no UTF-8), and so does a label of another encoding.
        let latin1 = Data(Array("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss version=\"2.0\"><channel><title>f".utf8) + [0xFC]
            + Array("r</title></channel></rss>".utf8))
        #expect(try FeedParser.parse(latin1).title == "für")
        let cyrillic = try FeedParser.parse(Data(text.utf8), contentType: "text/xml; charset=koi8-r")
        #expect(cyrillic.title != "Kursziel für NVIDIA – 120 €")
    }

    /// A blank line before the XML declaration (a template's newline) is no error worth a warning on every poll, and
    /// moving it keeps the lines of later warnings right.
    @Test func blankLinesBeforeTheDeclarationAreMovedAfterIt() throws {
        let text = "\n\r\n<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>T</title>\n"
            + "<item><title>a</title></item>\n<item><title>b</title></wrong></item>\n</channel></rss>"
        let feed = try parse(text)
        #expect(feed.entries.map(\.title) == ["a", "b"])
        #expect(!feed.warnings.contains { $0.message.contains("XML declaration") }, "\(feed.warnings)")
        #expect(feed.warnings.first?.line == 5, "the mismatched tag is on line 5 of the document: \(feed.warnings)")
        let marked = Data([0xEF, 0xBB, 0xBF] + Array(text.utf8))
        #expect(try FeedParser.parse(marked).warnings.first?.line == 5, "after a byte-order mark too")
        #expect(LateDeclarationRepair.repair(Data("<?xml version=\"1.0\"?><rss/>".utf8)) == nil)
        #expect(LateDeclarationRepair.repair(Data("\n<rss/>".utf8)) == nil)
    }

    @Test func utf8ScanFindsEveryKindOfInvalidSequence() {
        func scan(_ bytes: [UInt8]) -> (multibyte: Int, invalid: Int, first: Int?) {
            let result = bytes.withUnsafeBytes { UTF8Scan($0) }
            return (result.multibyteSequences, result.invalidBytes, result.firstInvalidOffset)
        }
        #expect(scan(Array("plain ASCII, longer than eight bytes".utf8)) == (0, 0, nil))
        #expect(scan(Array("é€😀 and more ASCII after them".utf8)) == (3, 0, nil))
        #expect(scan([0x41, 0xC0, 0x80]) == (0, 2, 1), "overlong NUL")
        #expect(scan([0xED, 0xA0, 0x80]) == (0, 3, 0), "a surrogate")
        #expect(scan([0xF4, 0x90, 0x80, 0x80]) == (0, 4, 0), "past U+10FFFF")
        #expect(scan([0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0xE2, 0x82]) == (0, 2, 8), "cut off at the end")
        #expect(scan([0xE2, 0x82, 0xAC, 0xFF]) == (1, 1, 3))
    }

    @Test func stableKeyFallsBackToLinkThenHash() {
        #expect(ParsedEntry(id: " x ", link: "https://a").stableKey == "x")
        #expect(ParsedEntry(link: "https://a").stableKey == "https://a")
        let hashed = ParsedEntry(title: "T", published: Date(timeIntervalSince1970: 10)).stableKey
        #expect(hashed.hasPrefix("tidings:hash:"))
        #expect(hashed == ParsedEntry(title: "T", published: Date(timeIntervalSince1970: 10)).stableKey)
        #expect(hashed != ParsedEntry(title: "T", published: Date(timeIntervalSince1970: 11)).stableKey)
        // Ids and links with white space inside or around them (the fast path looks at the ends only).
        #expect(ParsedEntry(id: "\u{A0}x y\n").stableKey == "x y")
        #expect(ParsedEntry(id: "a b").stableKey == "a b")
        #expect(ParsedEntry(id: "  ", link: " https://b ").stableKey == "https://b")
    }

    @Test func changeHashTellsContentApart() {
        func hash(_ bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBytes { ChangeHash.hash($0) } }
        let text = Array("The quick brown fox jumps over the lazy dog, twice over.".utf8)
        #expect(hash(text) == hash(text))
        // One changed byte anywhere (in a whole word or in the tail) changes the hash.
        var seen: Set<UInt64> = [hash(text)]
        for index in text.indices {
            var changed = text
            changed[index] ^= 0x20
            seen.insert(hash(changed))
        }
        #expect(seen.count == text.count + 1)
        // Trailing zero bytes and the empty input count.
        #expect(hash([1, 2, 3, 4, 5, 6, 7, 8]) != hash([1, 2, 3, 4, 5, 6, 7, 8, 0]))
        #expect(hash([]) != hash([0]))
        // A hash continued from another depends on where it started.
        let continued = text.withUnsafeBytes { ChangeHash.hash($0, continuing: hash([1])) }
        #expect(continued != text.withUnsafeBytes { ChangeHash.hash($0, continuing: hash([2])) })
        #expect(continued != hash(text))
        #expect(ChangeHash.hexDigest(bytes: Data(text)).count == 16)
    }
}
