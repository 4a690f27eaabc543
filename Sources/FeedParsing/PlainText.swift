public import FeedModel
import Foundation

/// Plain-text renderings of feed text: titles as one line, HTML summaries and content as readable text,
/// both through libxml2's HTML parser so entities and tags are handled the way browsers do (`HTMLTextRenderer`).
public enum PlainText {
    /// A title as one line of plain text: markup stripped (for HTML), entities decoded, whitespace collapsed.
    static func title(_ raw: String, kind: TextContent.Kind) -> String {
        let text = kind == .html ? fromHTML(raw) : raw
        return collapseWhitespace(text)
    }

    /// Readable text of an HTML fragment: tags removed, `script`/`style` dropped, block elements separated
    /// by line breaks, whitespace collapsed within lines.
    public static func fromHTML(_ html: String) -> String {
        guard looksLikeHTML(html) else { return collapseLines(html) }
        var html = html
        guard let text = html.withUTF8({ HTMLTextRenderer.render(UnsafeRawBufferPointer($0)) }) else {
            return collapseLines(html)
        }
        return text.withUnsafeBufferPointer { collapsed($0, keepingLines: true) }
    }

    /// The visible text of a text construct.
    public static func of(_ content: TextContent) -> String {
        content.kind == .html ? fromHTML(content.value) : collapseLines(content.value)
    }

    /// A text construct as HTML: markup as it is, plain text with `&`, `<` and `>` escaped.
    public static func html(of content: TextContent) -> String {
        guard content.kind == .text else { return content.value }
        let text = content.value
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") })
        else { return text }
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + 32)
        MarkupEscaping.append(text.utf8, to: &output, inAttribute: false)
        return String(decoding: output, as: UTF8.self)
    }

    /// True when `text` contains something an HTML parser would change: a tag or an entity reference.
    static func looksLikeHTML(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            /// Whether some `marker` in the text is followed by a byte that `follows` accepts.
            func anyMarker(_ marker: UInt8, followedBy follows: (UInt8) -> Bool) -> Bool {
                var start = 0
                while let found = bytes.firstIndex(of: marker, from: start) {
                    if found + 1 < bytes.count, follows(bytes[found + 1]) { return true }
                    start = found + 1
                }
                return false
            }
            func isLetter(_ byte: UInt8) -> Bool { (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) }
            return anyMarker(UInt8(ascii: "<")) { isLetter($0) || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "!") }
                || anyMarker(UInt8(ascii: "&")) { isLetter($0) || $0 == UInt8(ascii: "#") }
        }
    }

    /// Collapses runs of spaces and tabs to one space, trims each line, and keeps at most one empty line.
    static func collapseLines(_ text: String) -> String {
        var text = text
        return text.withUTF8 { collapsed($0, keepingLines: true) }
    }

    /// UTF-8 bytes with their whitespace collapsed (invalid sequences become U+FFFD in the result), in one pass:
    /// between two pieces of text, line breaks become one (or two, where a blank line came between) when
    /// `keepingLines`, and any other whitespace run one space; nothing is kept before the first text or after the last.
    private static func collapsed(_ bytes: UnsafeBufferPointer<UInt8>, keepingLines: Bool) -> String {
        // The result is never longer than the input: every byte written stands for at least one byte read.
        let collapsed = [UInt8](unsafeUninitializedCapacity: bytes.count) { output, written in
            var count = 0
            var breaks = 0
            var space = false
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 0x0A, keepingLines {
                    breaks += 1
                    space = false
                    index += 1
                    continue
                }
                let width = whitespaceWidth(bytes, at: index, end: bytes.count)
                if width > 0 {
                    space = true
                    index += width
                    continue
                }
                if count > 0 {
                    if breaks > 0 {
                        output[count] = 0x0A
                        count += 1
                        if breaks > 1 {
                            output[count] = 0x0A
                            count += 1
                        }
                    } else if space {
                        output[count] = 0x20
                        count += 1
                    }
                }
                breaks = 0
                space = false
                // The run of bytes up to the next one that could start whitespace, copied at once.
                var end = index + 1
                while end < bytes.count, !mayStartWhitespace(bytes[end]) { end += 1 }
                for offset in index..<end { output[count + offset - index] = bytes[offset] }
                count += end - index
                index = end
            }
            written = count
        }
        return String(decoding: collapsed, as: UTF8.self)
    }

    /// Whether `byte` can begin a whitespace character as `whitespaceWidth` sees them.
    private static func mayStartWhitespace(_ byte: UInt8) -> Bool {
        byte <= 0x20 || byte == 0xC2 || byte == 0xE2 || byte == 0xE3
    }

    /// One line: every whitespace run (including non-breaking spaces) becomes one space, ends trimmed.
    /// Works on UTF-8 bytes: ASCII whitespace and U+00A0 are recognised directly, other Unicode spaces
    /// (U+2000–U+200A, U+3000 …) by their encodings.
    static func collapseWhitespace(_ text: String) -> String {
        var text = text
        return text.withUTF8 { collapsed($0, keepingLines: false) }
    }

    /// Byte length of the whitespace character at `index`, or 0.
    private static func whitespaceWidth(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, end: Int) -> Int {
        let byte = bytes[index]
        if byte < 0x80 { return byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) ? 1 : 0 }
        if byte == 0xC2, index + 1 < end, bytes[index + 1] == 0xA0 || bytes[index + 1] == 0x85 { return 2 }
        if byte == 0xE2, index + 2 < end {
            let second = bytes[index + 1], third = bytes[index + 2]
            if second == 0x80, (third >= 0x80 && third <= 0x8A) || third == 0xA8 || third == 0xA9 || third == 0xAF {
                return 3
            }
            if second == 0x81, third == 0x9F { return 3 }
        }
        if byte == 0xE3, index + 2 < end, bytes[index + 1] == 0x80, bytes[index + 2] == 0x80 { return 3 }
        return 0
    }
}
