import Foundation

extension ParsedEntry {
    /// The key that identifies this entry within its feed across polls: the publisher's id, else the link,
    /// else a hash of title and date. Re-polling a feed maps the same item to the same key, so it is stored once.
    public var stableKey: String {
        if let id = id?.trimmingCharacters(in: .whitespacesAndNewlines), !id.isEmpty { return id }
        if let link = link?.trimmingCharacters(in: .whitespacesAndNewlines), !link.isEmpty { return link }
        let date = (published ?? updated).map { String(Int64($0.timeIntervalSince1970)) } ?? ""
        let material = (title ?? "") + "\u{1F}" + date + "\u{1F}" + (summary?.value ?? content?.value ?? "")
        return "tidings:hash:" + FNV1a64.hexDigest(of: material)
    }
}

/// FNV-1a, 64 bit: a small, stable, non-cryptographic hash for identifiers derived from content.
public enum FNV1a64 {
    /// The hash of the UTF-8 bytes of `text` as 16 lowercase hex digits.
    public static func hexDigest(of text: String) -> String {
        let value = hash(text.utf8)
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The hash of `bytes` as 16 lowercase hex digits.
    public static func hexDigest<Bytes: Sequence>(bytes: Bytes) -> String where Bytes.Element == UInt8 {
        // Contiguous storage (Data, [UInt8]) is hashed through a buffer pointer, much faster than iterating.
        let value = bytes.withContiguousStorageIfAvailable { hash($0) } ?? hash(bytes)
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The hash of no bytes, where every hash starts.
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325

    /// The hash of a byte sequence, or of `start`'s bytes followed by these (to hash several fields as one).
    @inlinable
    public static func hash<Bytes: Sequence>(_ bytes: Bytes, continuing start: UInt64 = offsetBasis) -> UInt64
    where Bytes.Element == UInt8 {
        var hash = start
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}
