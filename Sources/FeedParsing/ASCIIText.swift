import Foundation

extension StringProtocol {
    /// Whether `needle` (lower-case ASCII) occurs in the text, ignoring ASCII case. A byte scan: Foundation's
    /// `contains` goes through NSString and costs thousands of instructions per call, and the parser asks this
    /// of every `type` attribute.
    func containsASCII(caseInsensitive needle: StaticString) -> Bool {
        let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        guard let first = pattern.first else { return true }
        let bytes = Array(utf8)
        guard bytes.count >= pattern.count else { return false }
        for start in 0...(bytes.count - pattern.count) where Self.lowered(bytes[start]) == first {
            var offset = 1
            while offset < pattern.count, Self.lowered(bytes[start + offset]) == pattern[offset] { offset += 1 }
            if offset == pattern.count { return true }
        }
        return false
    }

    private static func lowered(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte | 0x20 : byte
    }
}
