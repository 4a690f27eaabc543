internal import CLibXML2
import Foundation

/// Escapes ampersands that do not start a known entity reference, before libxml2 sees the document.
///
/// Feeds are full of them (`?a=1&b=2` in links, `AT&T` in titles, `&doesnotexist;`), and libxml2's recovery
/// drops the text that follows each one. Text inside CDATA sections and comments is left alone. The scan is
/// byte-wise, which is safe for every ASCII-compatible encoding (in Shift_JIS, GBK and Big5 no trail byte is
/// `&` or `<`); callers must not use it on UTF-16 or UTF-32 documents.
enum AmpersandRepair {
    /// A repaired copy of `data`, or nil when nothing needed repair.
    static func repair(_ data: Data) -> Data? {
        data.withUnsafeBytes { raw -> Data? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var bare: [Int] = []
            let count = bytes.count
            // memchr jumps from one `&` to the next; `!` marks where a CDATA section or comment may open.
            var index = 0
            var bang = find(UInt8(ascii: "!"), in: bytes, from: 0)
            scan: while index < count {
                let ampersand = find(UInt8(ascii: "&"), in: bytes, from: index)
                guard ampersand < count else { break }
                // A CDATA section or comment that opens before the ampersand may hold it.
                while bang < ampersand {
                    if bang > 0, bytes[bang - 1] == UInt8(ascii: "<"), let end = skipCDATAOrComment(bytes, at: bang - 1) {
                        index = end
                        bang = find(UInt8(ascii: "!"), in: bytes, from: end)
                        if end > ampersand { continue scan }
                    } else {
                        bang = find(UInt8(ascii: "!"), in: bytes, from: bang + 1)
                    }
                }
                if !startsReference(bytes, at: ampersand) { bare.append(ampersand) }
                index = ampersand + 1
            }
            guard !bare.isEmpty else { return nil }
            var output = Data(capacity: count + bare.count * 4)
            var start = 0
            for position in bare {
                output.append(bytes.baseAddress! + start, count: position - start)
                output.append(contentsOf: "&amp;".utf8)
                start = position + 1
            }
            output.append(bytes.baseAddress! + start, count: count - start)
            return output
        }
    }

    /// The index of the first `byte` at or after `start`, or `bytes.count`.
    private static func find(_ byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        bytes.firstIndex(of: byte, from: start) ?? bytes.count
    }

    /// If a CDATA section or comment starts at `index`, the index just past its end.
    private static func skipCDATAOrComment(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "!") else { return nil }
        let terminator: [UInt8]
        let opener: [UInt8]
        if matches(bytes, at: index, cdataOpener) {
            opener = cdataOpener
            terminator = cdataTerminator
        } else if matches(bytes, at: index, commentOpener) {
            opener = commentOpener
            terminator = commentTerminator
        } else {
            return nil
        }
        var position = find(terminator[0], in: bytes, from: index + opener.count)
        while position < bytes.count {
            if matches(bytes, at: position, terminator) { return position + terminator.count }
            position = find(terminator[0], in: bytes, from: position + 1)
        }
        return bytes.count
    }

    private static let cdataOpener = Array("<![CDATA[".utf8)
    private static let cdataTerminator = Array("]]>".utf8)
    private static let commentOpener = Array("<!--".utf8)
    private static let commentTerminator = Array("-->".utf8)

    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, _ pattern: [UInt8]) -> Bool {
        guard index + pattern.count <= bytes.count else { return false }
        for offset in 0..<pattern.count where bytes[index + offset] != pattern[offset] { return false }
        return true
    }

    /// Whether the `&` at `index` starts `&#123;`, `&#x7B;`, or `&name;` for an XML or HTML entity name.
    private static func startsReference(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        var position = index + 1
        guard position < bytes.count else { return false }
        if bytes[position] == UInt8(ascii: "#") {
            position += 1
            var hex = false
            if position < bytes.count, bytes[position] == UInt8(ascii: "x") {
                hex = true
                position += 1
            }
            let digitsStart = position
            while position < bytes.count, isDigit(bytes[position], hex: hex) { position += 1 }
            return position > digitsStart && position < bytes.count && bytes[position] == UInt8(ascii: ";")
        }
        let nameStart = position
        while position < bytes.count, position - nameStart <= 32, isNameByte(bytes[position]) { position += 1 }
        guard position > nameStart, position < bytes.count, bytes[position] == UInt8(ascii: ";") else { return false }
        let length = position - nameStart
        let name = UnsafeBufferPointer(rebasing: bytes[nameStart..<position])
        if isXMLEntity(name) { return true }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length + 1) { buffer in
            _ = buffer.initialize(from: name)
            buffer[length] = 0
            return htmlEntityLookup(buffer.baseAddress) != nil
        }
    }

    private static func isXMLEntity(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        switch name.count {
        case 2: return name[1] == UInt8(ascii: "t") && (name[0] == UInt8(ascii: "l") || name[0] == UInt8(ascii: "g"))
        case 3: return name[0] == UInt8(ascii: "a") && name[1] == UInt8(ascii: "m") && name[2] == UInt8(ascii: "p")
        case 4:
            return (name[0] == UInt8(ascii: "q") && name[1] == UInt8(ascii: "u") && name[2] == UInt8(ascii: "o")
                && name[3] == UInt8(ascii: "t"))
                || (name[0] == UInt8(ascii: "a") && name[1] == UInt8(ascii: "p") && name[2] == UInt8(ascii: "o")
                    && name[3] == UInt8(ascii: "s"))
        default: return false
        }
    }

    private static func isDigit(_ byte: UInt8, hex: Bool) -> Bool {
        if byte >= 48, byte <= 57 { return true }
        guard hex else { return false }
        let lower = byte | 0x20
        return lower >= 97 && lower <= 102
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || ((byte | 0x20) >= 97 && (byte | 0x20) <= 122) || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte >= 0x80
    }
}
