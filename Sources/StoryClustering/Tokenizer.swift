/// One word of a headline or summary.
public struct Token {
    /// As written (possessive 's removed, ’ as ').
    public var surface: String
    public var lower: String
    /// First word of a sentence (capitalisation there says nothing about being a name).
    public var sentenceInitial: Bool
}

/// Splits news text into words: links, e-mail addresses and hashtags removed, dotted acronyms joined
/// (U.S. → US), words of Unicode letters and digits with inner apostrophes. Works on the UTF-8 bytes: ASCII is
/// classified directly, other characters through the Unicode tables.
public enum Tokenizer {
    public static func tokens(_ text: String) -> [Token] {
        var tokens: [Token] = []
        scan(text) { word, initial, _ in
            tokens.append(Token(surface: surfaceString(word), lower: lowerString(word), sentenceInitial: initial))
        }
        return tokens
    }

    /// How a word is written: what tells names from other words.
    struct Shape {
        /// The surface starts with a capital letter / with a letter.
        var startsUppercase: Bool
        var startsLetter: Bool
        /// Two or more characters, at least one capital and no lower-case letter ("NASA").
        var isAllCaps: Bool
        /// The word's bytes are all ASCII.
        var isASCII: Bool
    }

    /// Calls `body` with each word's UTF-8 bytes (possessive 's removed), whether it starts a sentence, and its
    /// shape. The bytes are valid only during the call.
    static func scan(_ text: String, _ body: (UnsafeBufferPointer<UInt8>, Bool, Shape) -> Void) {
        var text = text
        text.withUTF8 { original in
            let (links, acronyms) = mayHoldLinksOrAcronyms(original)
            guard links || acronyms else { return scanWords(original, body) }
            var bytes = Array(original)
            if links { bytes = removingLinks(bytes) }
            // Removing links never makes an acronym, and joining finds none where there is none.
            if acronyms { bytes = joiningAcronyms(bytes) }
            bytes.withUnsafeBufferPointer { scanWords($0, body) }
        }
    }

    /// The words of text whose links are removed and acronyms joined.
    private static func scanWords(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>, Bool, Shape) -> Void) {
        asciiClasses.withUnsafeBufferPointer { classes in
            var index = 0
            var lastEnd = 0
            var initial = true
            while index < bytes.count {
                // ASCII between words is skipped byte by byte.
                let firstClass = classes[Int(bytes[index])]
                if firstClass == ASCIIClass.other {
                    index += 1
                    continue
                }
                let (scalar, length) = decode(bytes, at: index)
                guard firstClass != ASCIIClass.nonASCII || isWordScalar(scalar) else {
                    index += length
                    continue
                }
                let start = index
                // The word: word characters, continued across an apostrophe between two of them.
                var allCaps = true
                var hasUpper = false
                var isASCII = true
                var count = 0
                var end = index
                while end < bytes.count {
                    let byteClass = classes[Int(bytes[end])]
                    if byteClass == ASCIIClass.lower {
                        allCaps = false
                    } else if byteClass == ASCIIClass.upper {
                        hasUpper = true
                    } else if byteClass == ASCIIClass.other {
                        // An apostrophe between two word characters continues the word.
                        guard bytes[end] == UInt8(ascii: "'"), end + 1 < bytes.count,
                            isWordScalar(decode(bytes, at: end + 1).0)
                        else { break }
                    } else if byteClass == ASCIIClass.nonASCII {
                        let (current, size) = decode(bytes, at: end)
                        if isWordScalar(current) {
                            if current.isCasedLowerOrTitle { allCaps = false }
                            if current.isUppercaseLetter { hasUpper = true }
                        } else if !(isApostrophe(current) && end + size < bytes.count && isWordScalar(decode(bytes, at: end + size).0)) {
                            break
                        }
                        isASCII = false
                        count += 1
                        end += size
                        continue
                    }
                    count += 1
                    end += 1
                }
                index = end
                if lastEnd > 0, endsSentence(bytes, from: lastEnd, to: start) { initial = true }
                // Possessive 's: "Biden's" → "Biden" (an apostrophe is never a word's first character).
                var wordEnd = end
                if count > 2, bytes[end - 1] == UInt8(ascii: "s") || bytes[end - 1] == UInt8(ascii: "S") {
                    if bytes[end - 2] == UInt8(ascii: "'") {
                        wordEnd = end - 2
                    } else if end - 4 >= start, bytes[end - 4] == 0xE2, bytes[end - 3] == 0x80, bytes[end - 2] == 0x99 {
                        wordEnd = end - 4
                    }
                    if wordEnd != end {
                        count -= 2
                        // The removed "s" may have been the only capital or lower-case letter.
                        let word = UnsafeBufferPointer(rebasing: bytes[start..<wordEnd])
                        (allCaps, hasUpper) = caseShape(word)
                        isASCII = word.allSatisfy { $0 < 0x80 }
                    }
                }
                body(
                    UnsafeBufferPointer(rebasing: bytes[start..<wordEnd]), initial,
                    Shape(
                        startsUppercase: scalar.isUppercaseLetter, startsLetter: scalar.isLetter,
                        isAllCaps: count >= 2 && allCaps && hasUpper, isASCII: isASCII))
                initial = false
                lastEnd = end
            }
        }
    }

    /// What a byte is to the word scanner.
    private enum ASCIIClass {
        static let other: UInt8 = 0
        static let lower: UInt8 = 1
        static let upper: UInt8 = 2
        static let digit: UInt8 = 3
        /// Part of a character beyond ASCII: the Unicode tables decide.
        static let nonASCII: UInt8 = 4
    }

    private static let asciiClasses: [UInt8] = (0...255).map { (byte: Int) -> UInt8 in
        switch byte {
        case 0x61...0x7A: ASCIIClass.lower
        case 0x41...0x5A: ASCIIClass.upper
        case 0x30...0x39: ASCIIClass.digit
        case 0x80...0xFF: ASCIIClass.nonASCII
        default: ASCIIClass.other
        }
    }

    /// (no lower-case letter, some capital) over a word's bytes.
    private static func caseShape(_ word: UnsafeBufferPointer<UInt8>) -> (Bool, Bool) {
        var allCaps = true
        var hasUpper = false
        var index = word.startIndex
        while index < word.endIndex {
            let (scalar, size) = decode(word, at: index)
            if scalar.isCasedLowerOrTitle { allCaps = false }
            if scalar.isUppercaseLetter { hasUpper = true }
            index += size
        }
        return (allCaps, hasUpper)
    }

    /// The scalar starting at `index` and its length in bytes; an invalid byte reads as U+FFFD.
    static func decode<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, at index: Bytes.Index) -> (Unicode.Scalar, Int)
    where Bytes.Index == Int {
        let first = bytes[index]
        if first < 0x80 { return (Unicode.Scalar(first), 1) }
        let length = first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : first >= 0xC0 ? 2 : 1
        guard length > 1, index + length <= bytes.endIndex else { return ("\u{FFFD}", 1) }
        var value = UInt32(first) & (0xFF >> (length + 1))
        for offset in 1..<length {
            let byte = bytes[index + offset]
            guard byte & 0xC0 == 0x80 else { return ("\u{FFFD}", 1) }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }

    /// The word as written, with ’ (E2 80 99) as '.
    private static func surfaceString(_ word: UnsafeBufferPointer<UInt8>) -> String {
        guard word.contains(0xE2) else { return String(decoding: word, as: UTF8.self) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(word.count)
        var index = word.startIndex
        while index < word.endIndex {
            if word[index] == 0xE2, index + 2 < word.endIndex, word[index + 1] == 0x80, word[index + 2] == 0x99 {
                bytes.append(UInt8(ascii: "'"))
                index += 3
            } else {
                bytes.append(word[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The word lower-cased, with ’ as ': ASCII byte by byte, other text through Unicode lower-casing.
    static func lowerString(_ word: UnsafeBufferPointer<UInt8>) -> String {
        if word.allSatisfy({ $0 < 0x80 }) {
            return String(unsafeUninitializedCapacity: word.count) { buffer in
                for (offset, byte) in word.enumerated() { buffer[offset] = byte >= 65 && byte <= 90 ? byte | 0x20 : byte }
                return word.count
            }
        }
        var lowered = String.UnicodeScalarView()
        lowered.append(contentsOf: lowercasedScalars(surfaceString(word)))
        return String(lowered)
    }

    /// The scalars of `text` lower-cased one by one, which is what `String.lowercased()` does: ASCII directly,
    /// other scalars through their lower-case mapping (`lowercased()` pays that lookup for ASCII too, and costs
    /// tens of thousands of instructions on a headline with one curly quote).
    static func lowercasedScalars(_ text: String) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                result.append(scalar.value >= 65 && scalar.value <= 90 ? Unicode.Scalar(UInt8(scalar.value) | 0x20) : scalar)
            } else {
                result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return result
    }

    /// The lower-cased words of a title joined by single spaces: the key under which identical titles meet.
    public static func normalizedTitle(_ title: String) -> String {
        if let ascii = normalizedASCIITitle(title) { return ascii }
        let scalars = lowercasedScalars(title)
        var words: [String] = []
        var index = 0
        while index < scalars.count {
            guard isWordScalar(scalars[index]) else {
                index += 1
                continue
            }
            let start = index
            index = wordEnd(scalars, from: index)
            words.append(Self.string(scalars[start..<index]))
        }
        return words.joined(separator: " ")
    }

    /// `normalizedTitle` for ASCII text, byte by byte; nil for other text.
    private static func normalizedASCIITitle(_ title: String) -> String? {
        var title = title
        return title.withUTF8 { bytes -> String? in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            func isWord(_ byte: UInt8) -> Bool { (byte >= 48 && byte <= 57) || (byte | 0x20 >= 97 && byte | 0x20 <= 122) }
            // Written in place: the output is never longer than the input (one space stands for one or more bytes).
            return String(unsafeUninitializedCapacity: bytes.count) { output in
                var count = 0
                var index = 0
                while index < bytes.count {
                    guard isWord(bytes[index]) else {
                        index += 1
                        continue
                    }
                    if count > 0 {
                        output[count] = 32
                        count += 1
                    }
                    while index < bytes.count {
                        let byte = bytes[index]
                        if isWord(byte) {
                            output[count] = byte >= 65 && byte <= 90 ? byte | 0x20 : byte
                        } else if byte == 39, index + 1 < bytes.count, isWord(bytes[index + 1]) {
                            output[count] = byte
                        } else {
                            break
                        }
                        count += 1
                        index += 1
                    }
                }
                return count
            }
        }
    }

    /// The scalars as a string, with ’ written as '; ASCII words are copied byte for byte.
    static func string<Scalars: Collection<Unicode.Scalar>>(_ scalars: Scalars) -> String {
        if scalars.allSatisfy(\.isASCII) {
            return String(unsafeUninitializedCapacity: scalars.count) { buffer in
                var index = 0
                for scalar in scalars {
                    buffer[index] = UInt8(scalar.value)
                    index += 1
                }
                return index
            }
        }
        var view = String.UnicodeScalarView()
        for scalar in scalars { view.append(scalar == "\u{2019}" ? "'" : scalar) }
        return String(view)
    }

    /// Letters and digits of any script (not marks, not underscore).
    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let value = scalar.value
            return (value >= 48 && value <= 57) || (value | 0x20 >= 97 && value | 0x20 <= 122)
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber,
            .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    private static func isApostrophe(_ scalar: Unicode.Scalar) -> Bool { scalar == "'" || scalar == "\u{2019}" }

    /// End of the word starting at `start`: word characters, continued across an apostrophe between two of them.
    private static func wordEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
        var index = start
        while index < scalars.count {
            if isWordScalar(scalars[index]) {
                index += 1
            } else if isApostrophe(scalars[index]), index + 1 < scalars.count, isWordScalar(scalars[index + 1]) {
                index += 1
            } else {
                break
            }
        }
        return index
    }

    /// The text between two words ends a sentence: it ends with . ! ? : | – — or a quote (then spaces), or
    /// holds . ! ? followed by a space.
    private static func endsSentence(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Bool {
        if end - start == 1, bytes[start] == UInt8(ascii: " ") { return false }
        // One pass: the last scalar that is not a space, and whether . ! ? is followed by a space anywhere.
        var lastNonSpace: Unicode.Scalar?
        var previous: Unicode.Scalar?
        var index = start
        while index < end {
            let (scalar, size) = decode(bytes, at: index)
            if scalar.isSpace {
                if previous == "." || previous == "!" || previous == "?" { return true }
            } else {
                lastNonSpace = scalar
            }
            previous = scalar
            index += size
        }
        switch lastNonSpace {
        case ".", "!", "?", ":", "|", "\u{2013}", "\u{2014}", "\"", "\u{201C}", "\u{2018}", "'": return true
        default: return false
        }
    }

    /// Whether `bytes` may hold a link, an e-mail address or a hashtag (without / @ # a link can only be a bare
    /// www. address), and whether it holds two letter-dot pairs in a row ("U.S"), the start of an acronym to join.
    private static func mayHoldLinksOrAcronyms(_ bytes: UnsafeBufferPointer<UInt8>) -> (links: Bool, acronyms: Bool) {
        var links = false
        var acronyms = false
        for index in bytes.indices {
            switch bytes[index] {
            case UInt8(ascii: "/"), UInt8(ascii: "@"), UInt8(ascii: "#"):
                links = true
            case UInt8(ascii: "w"):
                if index + 4 <= bytes.count, bytes[index + 1] == UInt8(ascii: "w"), bytes[index + 2] == UInt8(ascii: "w"),
                    bytes[index + 3] == UInt8(ascii: ".")
                {
                    links = true
                }
            case UInt8(ascii: "."):
                if index >= 1, index + 2 < bytes.count, bytes[index + 2] == UInt8(ascii: "."), isASCIILetter(bytes[index - 1]),
                    isASCIILetter(bytes[index + 1])
                {
                    acronyms = true
                }
            default:
                continue
            }
            if links && acronyms { break }
        }
        return (links, acronyms)
    }

    /// Replaces links (http://, https://, www.), e-mail addresses and #hashtags with a space: each runs to the
    /// end of its whitespace-delimited chunk.
    static func removingLinks(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let (scalar, size) = decode(bytes, at: index)
            if scalar.isSpace {
                output.append(contentsOf: bytes[index..<index + size])
                index += size
                continue
            }
            var end = index
            while end < bytes.count {
                let (current, length) = decode(bytes, at: end)
                if current.isSpace { break }
                end += length
            }
            if let cut = linkStart(bytes, from: index, to: end) {
                output.append(contentsOf: bytes[index..<cut])
                output.append(UInt8(ascii: " "))
            } else {
                output.append(contentsOf: bytes[index..<end])
            }
            index = end
        }
        return output
    }

    private static func linkStart(_ bytes: [UInt8], from start: Int, to end: Int) -> Int? {
        // An e-mail address: something@something.something — the whole chunk.
        if let at = bytes[start..<end].firstIndex(of: UInt8(ascii: "@")), at > start, at + 1 < end {
            let afterFirst = at + 1 + decode(bytes, at: at + 1).1
            if afterFirst < end, let dot = bytes[afterFirst..<end].firstIndex(of: UInt8(ascii: ".")), dot + 1 < end {
                return start
            }
        }
        var index = start
        while index < end {
            switch bytes[index] {
            case UInt8(ascii: "h"):
                if hasPrefix(bytes, at: index, "http://", before: end) || hasPrefix(bytes, at: index, "https://", before: end) {
                    return index
                }
            case UInt8(ascii: "w"):
                if hasPrefix(bytes, at: index, "www.", before: end) { return index }
            case UInt8(ascii: "#"):
                if index + 1 < end { return index }
            default:
                break
            }
            index += 1
        }
        return nil
    }

    private static func hasPrefix(_ bytes: [UInt8], at index: Int, _ prefix: StaticString, before end: Int? = nil) -> Bool {
        let limit = end ?? bytes.count
        guard index + prefix.utf8CodeUnitCount <= limit else { return false }
        for offset in 0..<prefix.utf8CodeUnitCount where bytes[index + offset] != prefix.utf8Start[offset] { return false }
        return true
    }

    /// U.S. → US, F.D.A. → FDA: two or more letter-dot pairs starting a word.
    static func joiningAcronyms(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        var copiedUpTo = 0
        var previousIsWord = false
        while index < bytes.count {
            if !previousIsWord {
                var end = index
                var letters = 0
                while end + 1 < bytes.count, isASCIILetter(bytes[end]), bytes[end + 1] == UInt8(ascii: ".") {
                    letters += 1
                    end += 2
                }
                if letters >= 2 {
                    output.append(contentsOf: bytes[copiedUpTo..<index])
                    for position in stride(from: index, to: end, by: 2) { output.append(bytes[position]) }
                    index = end
                    copiedUpTo = end
                    // The last character consumed is a dot: not a word character.
                    previousIsWord = false
                    continue
                }
            }
            let (scalar, size) = decode(bytes, at: index)
            previousIsWord = scalar == "_" || isWordScalar(scalar)
            index += size
        }
        output.append(contentsOf: bytes[copiedUpTo..<bytes.count])
        return output
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 97 && (byte | 0x20) <= 122 }

    private static func isASCIIWordByte(_ byte: UInt8) -> Bool { (byte >= 48 && byte <= 57) || isASCIILetter(byte) }
}

/// Unicode character classes as news text needs them.
/// ASCII is answered directly; only other scalars consult the Unicode tables.
extension Unicode.Scalar {
    var isUppercaseLetter: Bool {
        if isASCII { return value >= 65 && value <= 90 }
        return properties.generalCategory == .uppercaseLetter
    }
    var isCasedLowerOrTitle: Bool {
        if isASCII { return value >= 97 && value <= 122 }
        let category = properties.generalCategory
        return category == .lowercaseLetter || category == .titlecaseLetter
    }
    var isLetter: Bool {
        if isASCII { return (value | 0x20) >= 97 && (value | 0x20) <= 122 }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }
    var isDigit: Bool {
        if isASCII { return value >= 48 && value <= 57 }
        return properties.numericType == .decimal || properties.numericType == .digit
    }
    var isSpace: Bool {
        if isASCII { return value == 32 || (value >= 9 && value <= 13) }
        return properties.isWhitespace
    }
}
