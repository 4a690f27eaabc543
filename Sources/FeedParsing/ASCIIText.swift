import Foundation

extension StringProtocol {
    /// Whether `needle` (lower-case ASCII) occurs in the text, ignoring ASCII case. A byte scan: Foundation's
    /// `contains` goes through NSString and costs thousands of instructions per call, and the parser asks this
    /// of every `type` attribute.
    func containsASCII(caseInsensitive needle: StaticString) -> Bool {
        let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        guard !pattern.isEmpty else { return true }
        var text = String(self)
        return text.withUTF8 { bytes in
            guard bytes.count >= pattern.count else { return false }
            for start in 0...(bytes.count - pattern.count) {
                var offset = 0
                while offset < pattern.count, Self.lowered(bytes[start + offset]) == pattern[offset] { offset += 1 }
                if offset == pattern.count { return true }
            }
            return false
        }
    }

    private static func lowered(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte | 0x20 : byte
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// The index of the first `byte` at or after `start` (memchr), or nil.
    func firstIndex(of byte: UInt8, from start: Int) -> Int? {
        guard start < count, let base = baseAddress, let found = memchr(base + start, Int32(byte), count - start) else {
            return nil
        }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }
}
