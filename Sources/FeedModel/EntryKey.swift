public import Foundation

extension ParsedEntry {
    /// The key that identifies this entry within its feed across polls: the publisher's id, else the link,
    /// else a hash of title and date. Re-polling a feed maps the same item to the same key, so it is stored once.
    public var stableKey: String {
        if let id = id.map(Self.trimmed), !id.isEmpty { return id }
        if let link = link.map(Self.trimmed), !link.isEmpty { return link }
        let date = (published ?? updated).map { String(Int64($0.timeIntervalSince1970)) } ?? ""
        let material = (title ?? "") + "\u{1F}" + date + "\u{1F}" + (summary?.value ?? content?.value ?? "")
        return "tidings:hash:" + FNV1a64.hexDigest(of: material)
    }

    /// `text` without leading and trailing white space. Ids and links nearly always have none: that case is told
    /// from the first and last bytes, without Foundation's (much slower) trimming.
    static func trimmed(_ text: String) -> String {
        var text = text
        let untouched = text.withUTF8 { bytes in
            guard let first = bytes.first, let last = bytes.last else { return true }
            func plain(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x80 }
            return plain(first) && plain(last)
        }
        return untouched ? text : text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// FNV-1a, 64 bit: a small, stable, non-cryptographic hash for identifiers derived from content.
public enum FNV1a64 {
    /// The hash of the UTF-8 bytes of `text` as 16 lowercase hex digits.
    public static func hexDigest(of text: String) -> String {
        hexDigits(hash(text.utf8))
    }

    /// The hash of `bytes` as 16 lowercase hex digits.
    public static func hexDigest<Bytes: Sequence>(bytes: Bytes) -> String where Bytes.Element == UInt8 {
        // Contiguous storage (Data, [UInt8]) is hashed through a buffer pointer, much faster than iterating.
        hexDigits(bytes.withContiguousStorageIfAvailable { hash($0) } ?? hash(bytes))
    }

    /// The hash of a byte sequence.
    public static func hash<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}

/// A fast 64-bit hash that reads eight bytes at a step, for telling whether content changed (feed bodies, entry
/// fields): about eight times faster than `FNV1a64` on long texts. Not for identities kept in the store (entry
/// keys use `FNV1a64`, whose values must never change).
public enum ChangeHash {
    /// Where every hash starts.
    public static let seed: UInt64 = 0x9e37_79b9_7f4a_7c15

    /// The hash of `bytes`, or of `start`'s bytes followed by these (to hash several fields as one).
    public static func hash(_ bytes: UnsafeRawBufferPointer, continuing start: UInt64 = seed) -> UInt64 {
        var hash = start
        var offset = 0
        let count = bytes.count
        while offset + 8 <= count {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            hash = (hash ^ word) &* 0x0000_0100_0000_01b3
            hash ^= hash >> 29
            offset += 8
        }
        while offset < count {
            hash = (hash ^ UInt64(bytes[offset])) &* 0x0000_0100_0000_01b3
            offset += 1
        }
        // The length, so that trailing zero bytes count; then a final mix.
        hash ^= UInt64(count)
        hash = (hash ^ (hash >> 33)) &* 0xff51_afd7_ed55_8ccd
        return hash ^ (hash >> 33)
    }

    /// The hash of `bytes` as 16 lowercase hex digits.
    public static func hexDigest(bytes: Data) -> String {
        hexDigits(bytes.withUnsafeBytes { hash($0) })
    }
}

/// `value` as 16 lowercase hex digits.
private func hexDigits(_ value: UInt64) -> String {
    let hex = String(value, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}
