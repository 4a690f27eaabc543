import Foundation
import Testing

import FeedModel

@testable import FeedParsing

@Suite struct RepairAndResolveTests {
    @Test func doubleEncodedUTF8IsRepaired() throws {
        let broken = Data("<rss version=\"2.0\"><channel><title>KÃ¶ln â€™ ok</title></channel></rss>".utf8)
        let repaired = try #require(MojibakeRepair.repair(broken))
        #expect(String(decoding: repaired, as: UTF8.self) == "<rss version=\"2.0\"><channel><title>Köln ’ ok</title></channel></rss>")
        #expect(try FeedParser.parse(broken).title == "Köln ’ ok")
    }

    @Test func correctTextIsLeftAlone() throws {
        #expect(MojibakeRepair.repair(Data("<rss><channel><title>Köln Ã ’ €</title></channel></rss>".utf8)) == nil)
        let latin1 = Data("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss version=\"2.0\"><channel><title>".utf8)
            + Data([0xC3, 0x83, 0xC2, 0xB6, 0x20, 0xE9]) + Data("</title></channel></rss>".utf8)
        #expect(!DocumentEncoding(latin1, contentType: nil).isUTF8, "only UTF-8 documents are repaired")
        // The Latin-1 label reads as windows-1252 (WHATWG), where 0x83 is "ƒ"; the four bytes stay four characters.
        // (The lone 0xE9 makes the document no UTF-8: valid UTF-8 would be read as UTF-8 whatever its label.)
        #expect(try FeedParser.parse(latin1).title == "\u{C3}\u{192}\u{C2}\u{B6} é", "Latin-1 bytes read one by one")
        #expect(DocumentEncoding(Data("<rss/>".utf8), contentType: "text/xml; charset=UTF-8").isUTF8)
        #expect(DocumentEncoding(Data([0xFF, 0xFE, 0x3C, 0x00]), contentType: "text/xml; charset=utf-8").isWide)
    }

    @Test func legacyEncodingsBecomeUTF8WithEachInvalidSequenceReplaced() throws {
        // EUC-JP: あ, then a sequence cut off by the end of the document.
        let japanese = try #require(LegacyEncoding.utf8(Data([0xA4, 0xA2, 0x41, 0xA4]), from: "euc-jp"))
        #expect(String(decoding: japanese.bytes, as: UTF8.self) == "あA\u{FFFD}")
        #expect(japanese.replaced == 1 && japanese.firstReplacedOffset == 3)
        // Thai: each byte becomes three in UTF-8, more than the output buffer first holds (two per byte).
        let thai = Data(repeating: 0xA1, count: 100_000)  // ก
        let converted = try #require(LegacyEncoding.utf8(thai, from: "tis-620"))
        #expect(converted.bytes == Data(String(repeating: "ก", count: 100_000).utf8) && converted.replaced == 0)
        #expect(LegacyEncoding.utf8(Data("x".utf8), from: "no-such-encoding") == nil)
    }

    /// Feeds that declare ISO-8859-1 (or ASCII) write windows-1252's quotes and dashes; read as Latin-1 they would be
    /// invisible control characters.
    @Test func latin1LabelsReadAsWindows1252() throws {
        var declared = Data("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>".utf8)
        declared += [0x64, 0x6F, 0x6E, 0x92, 0x74, 0x20, 0x96, 0x20, 0x63, 0x61, 0x66, 0xE9]  // don’t – café
        declared += Data("</title></channel></rss>".utf8)
        #expect(try FeedParser.parse(declared).title == "don’t – café")
        #expect(LegacyEncoding.decoderName(for: "us-ascii") == "windows-1252")
        #expect(LegacyEncoding.decoderName(for: "iso-8859-2") == "iso-8859-2")
    }

    /// U+0080–U+009F in text are windows-1252 read as Latin-1 (or written as `&#146;`): they become the characters
    /// windows-1252 has there.
    @Test func controlCharactersReadAsWindows1252() throws {
        let feed = try FeedParser.parse(Data(
            "<rss version=\"2.0\"><channel><title>don\u{92}t</title><item><title>&#147;quoted&#148; &#128;5</title></item></channel></rss>".utf8))
        #expect(feed.title == "don’t")
        #expect(feed.entries.first?.title == "“quoted” €5")
        let plain = Array("plain é and ü".utf8)
        #expect(MojibakeRepair.windows1252Controls(plain) == plain)
        #expect(MojibakeRepair.windows1252Controls(Array("\u{81}x\u{85}".utf8)) == Array("\u{81}x…".utf8), "0x81 is undefined")
    }

    /// RFC 3986 §5.4's examples, plus IRIs.
    @Test(arguments: [
        ("g", "http://a/b/c/g"), ("./g", "http://a/b/c/g"), ("g/", "http://a/b/c/g/"), ("/g", "http://a/g"),
        ("//g", "http://g"), ("?y", "http://a/b/c/d;p?y"), ("g?y", "http://a/b/c/g?y"), ("#s", "http://a/b/c/d;p?q#s"),
        ("g#s", "http://a/b/c/g#s"), ("", "http://a/b/c/d;p?q"), (".", "http://a/b/c/"), ("..", "http://a/b/"),
        ("../g", "http://a/b/g"), ("../..", "http://a/"), ("../../../g", "http://a/g"), ("g;x=1/../y", "http://a/b/c/y"),
        ("https://other/x", "https://other/x"), ("À", "http://a/b/c/À"),
    ])
    func resolvesReferences(_ reference: String, _ expected: String) {
        #expect(URIResolver.resolve(reference, against: "http://a/b/c/d;p?q") == expected)
    }

    @Test func absolutizesLinksInHTML() {
        let html = #"<p><a href="/x?a=1&amp;b=2">x</a> <img src='pic.png' alt="href=no"> <a href=https://abs/>y</a></p>"#
        #expect(
            HTMLLinks.absolutize(html, base: "https://site.example/blog/post")
                == #"<p><a href="https://site.example/x?a=1&amp;b=2">x</a> <img src='https://site.example/blog/pic.png' alt="href=no"> <a href=https://abs/>y</a></p>"#)
    }

    /// The memchr scan must still leave CDATA sections and comments alone, whatever `!` precedes them.
    @Test func bareAmpersandsAreEscapedOutsideCDATAAndComments() throws {
        let document = """
            <?xml version="1.0"?><!DOCTYPE rss><rss><channel><title>Wow! AT&T & co</title>\
            <!-- a & b --><description><![CDATA[x && y]]> then &amp; and &bogus</description>\
            <link>http://e/?a=1&b=2&#38;c=&#x26;</link><!-- unterminated & comment
            """
        let repaired = try #require(AmpersandRepair.repair(Data(document.utf8)))
        let text = String(decoding: repaired, as: UTF8.self)
        #expect(text.contains("<title>Wow! AT&amp;T &amp; co</title>"))
        #expect(text.contains("<!-- a & b -->"), "comments are left alone")
        #expect(text.contains("<![CDATA[x && y]]> then &amp; and &amp;bogus"), "CDATA is left alone, text after it is not")
        #expect(text.contains("?a=1&amp;b=2&#38;c=&#x26;"), "character references are kept")
        #expect(text.hasSuffix("<!-- unterminated & comment"))
        #expect(AmpersandRepair.repair(Data("<rss><title>A &amp; B &lt; &eacute;</title></rss>".utf8)) == nil)
    }

    @Test func accentedTextIsNotMistakenForDoubleEncoding() {
        // 0xC3 starts every double-encoded sequence but also every "é", "à", "ü" …
        #expect(MojibakeRepair.repair(Data("<t>Café à Zürich, naïve, São Paulo, Ã</t>".utf8)) == nil)
        let mixed = Data("<t>été â€” Ã©tÃ©</t>".utf8)
        #expect(MojibakeRepair.repair(mixed).map { String(decoding: $0, as: UTF8.self) } == "<t>été — été</t>")
    }

    @Test func htmlIsRecognisedByTagsAndEntities() {
        #expect(PlainText.looksLikeHTML("a <b>bold</b> move"))
        #expect(PlainText.looksLikeHTML("<!-- note -->"))
        #expect(PlainText.looksLikeHTML("Tom &amp; Jerry"))
        #expect(PlainText.looksLikeHTML("&#8217;"))
        #expect(!PlainText.looksLikeHTML("1 < 2 and 3 > 2, & more"))
        #expect(!PlainText.looksLikeHTML("ends with <"))
        #expect(!PlainText.looksLikeHTML(""))
    }

    @Test func linksThatAreAbsoluteLeaveTheHTMLUntouched() {
        let html = #"<p class="x>y"><a HREF="https://a.example/">a</a><img src=http://b.example/i.png></p>"#
        #expect(HTMLLinks.absolutize(html, base: "https://site.example/") == html)
        #expect(HTMLLinks.absolutize(#"<a title='say "hi"' Href="p">x</a>"#, base: "https://s.example/d/")
            == #"<a title='say "hi"' Href="https://s.example/d/p">x</a>"#)
    }

    @Test(arguments: [
        ("  text \n", "text"), ("text", "text"), ("\r\n\t", ""), ("", ""), ("\u{00A0}nbsp\u{3000}", "nbsp"),
        (" a b ", "a b"), ("x \u{2003}", "x"), ("\n<p>é</p>\n", "<p>é</p>"),
    ])
    func trimsWhitespace(_ raw: String, _ expected: String) {
        #expect(raw.trimmingWhitespace() == expected)
    }

    /// The byte-level fast path must agree with trimming `Character`s, also where a combining mark or a
    /// non-ASCII space meets ASCII whitespace.
    @Test func trimmingAgreesWithTheCharacterWalk() {
        func byCharacters(_ text: String) -> String {
            var slice = Substring(text)
            while let first = slice.first, first.isWhitespace { slice.removeFirst() }
            while let last = slice.last, last.isWhitespace { slice.removeLast() }
            return String(slice)
        }
        let samples = [
            " \u{301}x", "\t\u{301}x", "x \u{301}", "x\t\u{301}", " \u{A0} x \u{A0} ", "\r\n\u{2028}y\r\n", "\u{301}",
            "  ", "a", " é ", "\u{3000}全角\u{3000}", "x\u{85}", "\u{FEFF}bom",
        ]
        for sample in samples { #expect(sample.trimmingWhitespace() == byCharacters(sample), "\(sample.debugDescription)") }
    }

    @Test func plainTextBecomesEscapedHTMLAndMarkupStaysAsItIs() {
        #expect(PlainText.html(of: TextContent(kind: .text, value: "AT&T <b>bold</b> > 5 — é"))
            == "AT&amp;T &lt;b&gt;bold&lt;/b&gt; &gt; 5 — é")
        #expect(PlainText.html(of: TextContent(kind: .text, value: "nothing to escape")) == "nothing to escape")
        #expect(PlainText.html(of: TextContent(kind: .html, value: "<p>a &amp; b</p>")) == "<p>a &amp; b</p>")
    }
}
