extension Array where Element == UInt8 {
    /// The offset of the first occurrence of `needle`. The generic `firstRange(of:)` on byte arrays is slow
    /// enough to make the loopback server the bottleneck of a poll benchmark; this is a plain loop.
    public func firstOffset(of needle: [UInt8]) -> Int? {
        guard let first = needle.first, needle.count <= count else { return nil }
        return withUnsafeBufferPointer { haystack in
            needle.withUnsafeBufferPointer { needle in
                var offset = 0
                let last = haystack.count - needle.count
                while offset <= last {
                    if haystack[offset] == first {
                        var matched = 1
                        while matched < needle.count, haystack[offset + matched] == needle[matched] { matched += 1 }
                        if matched == needle.count { return offset }
                    }
                    offset += 1
                }
                return nil
            }
        }
    }
}
