@testable import FeedParsing
import Foundation
import Testing

@Suite struct PlainTextTests {
    @Test func htmlBecomesReadableText() {
        let cases: [(html: String, text: String)] = [
            ("<p>One</p><p>Two</p>", "One\n\nTwo"),
            ("a<br>b<br/>c", "a\nb\nc"),
            ("<ul><li>x</li><li>y</li></ul>", "x\n\ny"),
            ("<div>Tom &amp; Jerry&nbsp;&mdash; &#8217;s</div>", "Tom & Jerry — ’s"),
            ("<p>before<script>var x = '<p>no</p>';</script> after</p>", "before after"),
            ("<style>p { color: red }</style><p>shown</p>", "shown"),
            ("<p>kept<!-- not this --> text</p>", "kept text"),
            ("<p>  lots   of\t\tspace \n here </p>", "lots of space\nhere"),
            ("<p></p><p>after an empty paragraph</p>", "after an empty paragraph"),
            ("<b>unclosed <i>tags", "unclosed tags"),
            ("<div><noscript><p>hidden block</p></noscript>visible</div>", "visible"),
            ("<h1>Title</h1>Body<hr>End", "Title\n\nBody\n\nEnd"),
            ("<p>x</p>\n\n\n<p>y</p>", "x\n\ny"),
            ("<span>é</span> <span>日本</span>", "é 日本"),
            // A charset the fragment declares does not change how its (UTF-8) text is read.
            ("<meta charset=\"iso-8859-1\"><p>Café</p>", "Café"),
            ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"></head><body>Café — ok</body></html>", "Café — ok"),
        ]
        for (html, text) in cases {
            #expect(PlainText.fromHTML(html) == text, "\(html)")
        }
    }

    @Test func plainTextHasItsLinesCollapsed() {
        #expect(PlainText.fromHTML("no markup,   just\n\n\n\nlines  ") == "no markup, just\n\nlines")
        #expect(PlainText.collapseLines("\n\n  a \u{00A0} b\u{2003}c \n \n\t\nd\r\n") == "a b c\n\nd")
        #expect(PlainText.collapseLines(" \n\u{3000}\n") == "")
    }

    /// The one-pass collapse against the obvious line-by-line one, on random mixes of text, spaces of every kind and
    /// line breaks.
    @Test func collapsingMatchesALineByLineReference() {
        let pieces = ["a", "bc", "é", "日", " ", "  ", "\t", "\r", "\n", "\n\n", "\u{00A0}", "\u{2009}", "\u{3000}", "\u{2028}", "x y"]
        var state: UInt64 = 7
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        for _ in 0..<2_000 {
            let text = (0..<(next() % 12)).map { _ in pieces[next() % pieces.count] }.joined()
            #expect(PlainText.collapseLines(text) == Self.referenceCollapse(text), "\(Array(text.unicodeScalars))")
            // One line: every break is whitespace too.
            #expect(
                PlainText.collapseWhitespace(text)
                    == Self.referenceCollapse(text.replacingOccurrences(of: "\n", with: " ")), "\(Array(text.unicodeScalars))")
        }
    }

    /// Lines split at "\n", each with its whitespace runs made one space and its ends trimmed; empty lines dropped at
    /// both ends, and a run of them between text lines kept as one.
    static func referenceCollapse(_ text: String) -> String {
        func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            scalar.value == 0x20 || (0x09...0x0D).contains(scalar.value) || scalar.value == 0xA0 || scalar.value == 0x85
                || (0x2000...0x200A).contains(scalar.value) || [0x2028, 0x2029, 0x202F, 0x205F, 0x3000].contains(scalar.value)
        }
        var lines: [String] = []
        // Split as scalars: as Characters, "\r\n" is one and would hide its line break.
        for line in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            let words = line.split(whereSeparator: isSpace).map { String(String.UnicodeScalarView($0)) }
            lines.append(words.joined(separator: " "))
        }
        var output = ""
        var blank = false
        for line in lines {
            if line.isEmpty {
                if !output.isEmpty { blank = true }
                continue
            }
            if !output.isEmpty { output += blank ? "\n\n" : "\n" }
            blank = false
            output += line
        }
        return output
    }
}
