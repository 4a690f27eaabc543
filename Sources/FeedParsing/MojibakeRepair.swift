import Foundation

/// Undoes double-encoded UTF-8: text that was UTF-8, read as Latin-1 or windows-1252, and encoded as UTF-8
/// again ("KÃ¶ln" for "Köln", "â€™" for "’"). Real feeds ship this (five of feedconf's real-world files).
///
/// Only exact re-encodings of a valid UTF-8 sequence are replaced: a lead byte 0xC2–0xF4 followed by the right
/// number of continuation bytes 0x80–0xBF, each seen as its Latin-1 or windows-1252 character encoded in UTF-8.
/// Such runs do not occur in real text, so correct characters elsewhere in the document are never touched.
enum MojibakeRepair {
    /// A repaired copy of `data` (which must be UTF-8), or nil when it holds no double-encoded sequence.
    static func repair(_ data: Data) -> Data? {
        data.withUnsafeBytes { raw -> Data? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var output: Data?
            var copied = 0
            var index = 0
            while index < bytes.count {
                // Every double-encoded lead byte (U+00C2…U+00F4) starts with 0xC3: memchr jumps between them.
                guard let found = bytes.firstIndex(of: 0xC3, from: index) else { break }
                index = found
                guard let (decoded, length) = sequence(in: bytes, at: index) else {
                    index += 1
                    continue
                }
                if output == nil { output = Data(capacity: bytes.count) }
                output!.append(bytes.baseAddress! + copied, count: index - copied)
                output!.append(contentsOf: decoded)
                index += length
                copied = index
            }
            guard var result = output else { return nil }
            result.append(bytes.baseAddress! + copied, count: bytes.count - copied)
            return result
        }
    }

    /// At `index`, a double-encoded sequence: its original bytes and how many bytes it spans.
    private static func sequence(in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> ([UInt8], Int)? {
        guard index + 1 < bytes.count else { return nil }
        // The lead code point U+00C2…U+00F4 is encoded as C3 82…C3 B4.
        let lead = bytes[index + 1] &+ 0x40
        guard lead >= 0xC2, lead <= 0xF4, bytes[index + 1] >= 0x80 else { return nil }
        let continuations = lead < 0xE0 ? 1 : lead < 0xF0 ? 2 : 3
        // Most 0xC3 bytes are plain accented letters ("é" is C3 A9): reject before allocating anything.
        guard let (firstByte, firstWidth) = continuation(in: bytes, at: index + 2) else { return nil }
        var original: [UInt8] = [lead, firstByte]
        var position = index + 2 + firstWidth
        for _ in 1..<continuations {
            guard let (byte, width) = continuation(in: bytes, at: position) else { return nil }
            original.append(byte)
            position += width
        }
        // Must decode as valid UTF-8, or it was not double encoding after all.
        guard String(validating: original, as: UTF8.self) != nil else { return nil }
        return (original, position - index)
    }

    /// A continuation byte 0x80–0xBF as it appears after double encoding: Latin-1 (C2 80…C2 BF) or the
    /// windows-1252 characters of 0x80–0x9F (€, ‚, ƒ, „, …, ’, ™ …).
    private static func continuation(in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (UInt8, Int)? {
        guard index + 1 < bytes.count else { return nil }
        let first = bytes[index]
        if first == 0xC2, bytes[index + 1] >= 0x80, bytes[index + 1] <= 0xBF { return (bytes[index + 1], 2) }
        // The windows-1252 characters below are encoded starting with one of these bytes.
        guard first == 0xC5 || first == 0xC6 || first == 0xCB || first == 0xE2 else { return nil }
        for (byte, encoded) in windows1252 where index + encoded.count <= bytes.count {
            if zip(encoded.indices, encoded).allSatisfy({ bytes[index + $0] == $1 }) { return (byte, encoded.count) }
        }
        return nil
    }

    /// Text with the control characters U+0080–U+009F read as the windows-1252 characters of those bytes ("don\u{92}t"
    /// becomes "don’t"): they are never meant as controls in a feed, but are windows-1252 text decoded as Latin-1, or
    /// written as `&#146;`. `utf8` is returned as it is when it holds none (UTF-8 encodes them as C2 80…C2 9F).
    static func windows1252Controls(_ utf8: [UInt8]) -> [UInt8] {
        utf8.withUnsafeBufferPointer { bytes in
            var output: [UInt8]?
            var copied = 0
            var index = 0
            // C2 is rare next to the ASCII of most text: memchr jumps between them.
            while let found = bytes.firstIndex(of: 0xC2, from: index) {
                index = found + 1
                guard index < bytes.count, bytes[index] <= 0x9F, let encoded = windows1252Characters[bytes[index]] else {
                    continue
                }
                if output == nil { output = []; output!.reserveCapacity(bytes.count + 8) }
                output!.append(contentsOf: bytes[copied..<found])
                output!.append(contentsOf: encoded)
                index += 1
                copied = index
            }
            guard var result = output else { return utf8 }
            result.append(contentsOf: bytes[copied...])
            return result
        }
    }

    /// The same table by byte (the five bytes windows-1252 leaves undefined are not in it).
    private static let windows1252Characters = Dictionary(uniqueKeysWithValues: windows1252)

    /// windows-1252 bytes 0x80–0x9F and the UTF-8 of the characters they stand for.
    private static let windows1252: [(UInt8, [UInt8])] = {
        let characters: [(UInt8, Unicode.Scalar)] = [
            (0x80, "\u{20AC}"), (0x82, "\u{201A}"), (0x83, "\u{0192}"), (0x84, "\u{201E}"), (0x85, "\u{2026}"),
            (0x86, "\u{2020}"), (0x87, "\u{2021}"), (0x88, "\u{02C6}"), (0x89, "\u{2030}"), (0x8A, "\u{0160}"),
            (0x8B, "\u{2039}"), (0x8C, "\u{0152}"), (0x8E, "\u{017D}"), (0x91, "\u{2018}"), (0x92, "\u{2019}"),
            (0x93, "\u{201C}"), (0x94, "\u{201D}"), (0x95, "\u{2022}"), (0x96, "\u{2013}"), (0x97, "\u{2014}"),
            (0x98, "\u{02DC}"), (0x99, "\u{2122}"), (0x9A, "\u{0161}"), (0x9B, "\u{203A}"), (0x9C, "\u{0153}"),
            (0x9E, "\u{017E}"), (0x9F, "\u{0178}"),
        ]
        return characters.map { ($0.0, Array(String($0.1).utf8)) }
    }()
}
