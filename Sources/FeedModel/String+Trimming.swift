extension StringProtocol {
    /// The text without leading and trailing whitespace (any Unicode whitespace, newlines included).
    public func trimmingWhitespace() -> String {
        let string = String(self)
        let bytes = string.utf8
        // ASCII whitespace is trimmed byte by byte. When a non-ASCII byte is left at either end (U+00A0,
        // U+3000, a combining mark …), the whole string takes the Character walk below instead.
        var start = bytes.startIndex
        while start != bytes.endIndex, Self.isASCIIWhitespace(bytes[start]) { start = bytes.index(after: start) }
        var end = bytes.endIndex
        while end != start, Self.isASCIIWhitespace(bytes[bytes.index(before: end)]) { end = bytes.index(before: end) }
        if start == end { return "" }
        if bytes[start] < 0x80, bytes[bytes.index(before: end)] < 0x80 {
            return start == bytes.startIndex && end == bytes.endIndex ? string : String(string[start..<end])
        }
        var slice = Substring(string)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }

    private static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }
}
