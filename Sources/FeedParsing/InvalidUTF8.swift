import FeedModel
import Foundation

/// What a scan of bytes as UTF-8 found (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF).
struct UTF8Scan: Equatable {
    /// Valid sequences of two to four bytes.
    private(set) var multibyteSequences = 0
    /// Bytes at which no valid sequence starts; each counts alone.
    private(set) var invalidBytes = 0
    private(set) var firstInvalidOffset: Int?

    var isValid: Bool { invalidBytes == 0 }
    /// Valid, with characters beyond ASCII: text that is UTF-8 whatever it is labelled.
    var isUTF8Text: Bool { invalidBytes == 0 && multibyteSequences > 0 }

    init(_ bytes: UnsafeRawBufferPointer) {
        let count = bytes.count
        var offset = 0
        while offset < count {
            // Runs of ASCII, 32 and then 8 bytes at a time: most of a feed.
            while offset + 32 <= count,
                (bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                    | bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)
                    | bytes.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)
                    | bytes.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self)) & 0x8080_8080_8080_8080 == 0
            {
                offset += 32
            }
            while offset + 8 <= count,
                bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
            {
                offset += 8
            }
            guard offset < count else { break }
            if bytes[offset] < 0x80 {
                offset += 1
                continue
            }
            let length = Self.sequenceLength(bytes, at: offset)
            if length == 0 {
                invalidBytes += 1
                if firstInvalidOffset == nil { firstInvalidOffset = offset }
                offset += 1
            } else {
                multibyteSequences += 1
                offset += length
            }
        }
    }

    /// The length of the valid multi-byte sequence starting at `offset`, or 0 when none does (Unicode table 3-7).
    static func sequenceLength(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Int {
        let lead = bytes[offset]
        func continuation(_ index: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
            offset + index < bytes.count && range.contains(bytes[offset + index])
        }
        switch lead {
        case 0xC2...0xDF:
            return continuation(1) ? 2 : 0
        case 0xE0...0xEF:
            let second: ClosedRange<UInt8> = lead == 0xE0 ? 0xA0...0xBF : lead == 0xED ? 0x80...0x9F : 0x80...0xBF
            return continuation(1, second) && continuation(2) ? 3 : 0
        case 0xF0...0xF4:
            let second: ClosedRange<UInt8> = lead == 0xF0 ? 0x90...0xBF : lead == 0xF4 ? 0x80...0x8F : 0x80...0xBF
            return continuation(1, second) && continuation(2) && continuation(3) ? 4 : 0
        default:
            return 0
        }
    }
}

/// A document that should be UTF-8 (it says so, or says nothing) but is not valid UTF-8.
///
/// Publishers whose software writes Latin-1 or windows-1252 often declare no encoding, or declare UTF-8 by
/// template. libxml2 reads such a document as UTF-8 and turns every accented letter into U+FFFD ("S�o Paulo"),
/// with a warning on standard error. So, as feedparser does, a document in which invalid bytes outnumber valid
/// multi-byte sequences is read as windows-1252 instead (a UTF-8 feed with a stray byte keeps its UTF-8, and the
/// stray byte becomes U+FFFD).
enum InvalidUTF8 {
    struct Reading {
        /// The document as valid UTF-8.
        let conversion: LegacyEncoding.Conversion
        /// What was done, for the feed's warnings.
        let warnings: [ParseWarning]
    }

    /// How `data` is read when it is not valid UTF-8; nil when it is.
    /// - Parameters:
    ///   - declared: the document or the server named UTF-8 (rather than saying nothing).
    ///   - byteOrderMark: it starts with the UTF-8 byte-order mark, which settles the encoding: only the invalid
    ///     bytes are replaced.
    static func reading(_ data: Data, declared: Bool, byteOrderMark: Bool) -> Reading? {
        let scan = data.withUnsafeBytes { UTF8Scan($0) }
        guard let firstInvalid = scan.firstInvalidOffset else { return nil }
        let line = data.prefix(firstInvalid).count { $0 == 0x0A } + 1
        let bytes = scan.invalidBytes == 1 ? "1 byte" : "\(scan.invalidBytes) bytes"
        if !byteOrderMark, scan.invalidBytes > scan.multibyteSequences,
            let conversion = LegacyEncoding.utf8(data, from: "windows-1252")
        {
            let claim = declared ? "declares UTF-8 but " : ""
            var warnings = [
                ParseWarning(
                    line: line,
                    message: "the document \(claim)is not valid UTF-8 (\(bytes) outside any UTF-8 character); "
                        + "read as windows-1252")
            ]
            if let undefined = conversion.warning(in: data) { warnings.append(undefined) }
            return Reading(conversion: conversion, warnings: warnings)
        }
        let conversion = LegacyEncoding.Conversion(
            // Without its byte-order mark: the parser is told the encoding, and would read the mark as text.
            bytes: replacingInvalidBytes(byteOrderMark ? data.dropFirst(3) : data), encoding: "UTF-8", replaced: scan.invalidBytes,
            firstReplacedOffset: firstInvalid)
        return Reading(conversion: conversion, warnings: conversion.warning(in: data).map { [$0] } ?? [])
    }

    /// `data` with each byte at which no valid UTF-8 sequence starts replaced by U+FFFD.
    static func replacingInvalidBytes(_ data: Data) -> Data {
        var output = [UInt8]()
        output.reserveCapacity(data.count + 64)
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let length = bytes[offset] < 0x80 ? 1 : UTF8Scan.sequenceLength(bytes, at: offset)
                if length == 0 {
                    output += [0xEF, 0xBF, 0xBD]
                    offset += 1
                } else {
                    output += bytes[offset..<offset + length]
                    offset += length
                }
            }
        }
        return Data(output)
    }
}
