import FeedModel
import Foundation

/// Turns a document in a byte encoding other than UTF-8 (windows-1252, Shift_JIS, EUC-JP, KOI8-R…) into UTF-8
/// with the C library's iconv, replacing each byte sequence the encoding does not define by U+FFFD.
///
/// libxml2 converts such documents itself, but stops at the first invalid sequence and keeps nothing after it:
/// a windows-1252 feed with one stray 0x81 byte in its title came out with no entries at all, and the error went
/// to standard error instead of the feed's warnings. A document converted here is parsed as UTF-8.
enum LegacyEncoding {
    /// The encoding to decode a label as: the labels of Latin-1 and ASCII mean windows-1252, as the WHATWG Encoding
    /// Standard says and browsers do. Publishers that declare ISO-8859-1 write windows-1252's quotes and dashes
    /// (0x80–0x9F), which in Latin-1 are invisible control characters ("don\u{92}t" for "don’t").
    static func decoderName(for label: String) -> String {
        windows1252Labels.contains(label) ? "windows-1252" : label
    }

    private static let windows1252Labels: Set<String> = [
        "ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819", "iso-8859-1", "iso-ir-100", "iso8859-1",
        "iso88591", "iso_8859-1", "iso_8859-1:1987", "l1", "latin1", "us-ascii", "windows-1252", "x-cp1252",
    ]

    /// A document converted to UTF-8.
    struct Conversion {
        let bytes: Data
        /// The encoding it was read as.
        let encoding: String
        /// How many byte sequences were not valid in it, and where the first began in the original document.
        let replaced: Int
        let firstReplacedOffset: Int?

        /// The feed's warning about the replaced sequences, if any, with the line of the first in `original`.
        func warning(in original: Data) -> ParseWarning? {
            guard let firstReplacedOffset else { return nil }
            let line = original.prefix(firstReplacedOffset).count { $0 == 0x0A } + 1
            let sequences = replaced == 1 ? "1 byte sequence is" : "\(replaced) byte sequences are"
            return ParseWarning(line: line, message: "\(sequences) not valid \(encoding) and became U+FFFD")
        }
    }

    /// The UTF-8 form of `data`, read as `encoding`; nil when iconv does not know the encoding.
    /// - Parameter unitSize: the encoding's code unit in bytes (2 for UTF-16): an invalid sequence is skipped a unit
    ///   at a time, so that the units after it keep their alignment.
    static func utf8(_ data: Data, from encoding: String, unitSize: Int = 1) -> Conversion? {
        let converter = iconv_open("UTF-8", encoding)
        guard converter != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(converter) }
        var output = [UInt8](repeating: 0, count: max(64, data.count * 2))
        var written = 0
        var replaced = 0
        var firstReplacedOffset: Int?
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            guard let base = raw.baseAddress else { return }
            var consumed = 0
            while consumed < raw.count {
                var source: UnsafeMutablePointer<CChar>? = UnsafeMutablePointer(
                    mutating: base.assumingMemoryBound(to: CChar.self) + consumed)
                var inputLeft = raw.count - consumed
                let outputSize = output.count - written
                var outputLeft = outputSize
                let result = output.withUnsafeMutableBytes { buffer -> Int in
                    var target: UnsafeMutablePointer<CChar>? = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
                        + written
                    return iconv(converter, &source, &inputLeft, &target, &outputLeft)
                }
                let failure = result == -1 ? errno : 0
                consumed = raw.count - inputLeft
                written += outputSize - outputLeft
                switch failure {
                case 0:
                    continue
                case E2BIG:
                    output += [UInt8](repeating: 0, count: output.count)
                default:
                    // EILSEQ (a sequence the encoding does not define) or EINVAL (one cut off by the end of the
                    // document): one U+FFFD for its first unit, then go on from the next.
                    if output.count - written < 3 { output += [UInt8](repeating: 0, count: output.count) }
                    output.replaceSubrange(written..<written + 3, with: [0xEF, 0xBF, 0xBD])
                    written += 3
                    replaced += 1
                    if firstReplacedOffset == nil { firstReplacedOffset = consumed }
                    consumed = min(raw.count, consumed + unitSize)
                    // A stateful encoding (ISO-2022-JP) starts again from its initial state.
                    iconv(converter, nil, nil, nil, nil)
                }
            }
        }
        return Conversion(
            bytes: Data(output[..<written]), encoding: encoding, replaced: replaced, firstReplacedOffset: firstReplacedOffset)
    }
}
