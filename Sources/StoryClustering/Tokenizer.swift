/// One word of a headline or summary.
public struct Token {
    /// As written (possessive 's removed, ’ as ').
    public var surface: String
    public var lower: String
    /// First word of a sentence (capitalisation there says nothing about being a name).
    public var sentenceInitial: Bool
    /// The surface starts with a capital letter / with a letter.
    var startsUppercase: Bool
    var startsLetter: Bool
    /// Two or more characters, at least one capital and no lower-case letter ("NASA", "COVID-19" is not one word).
    var isAllCaps: Bool
}

/// Splits news text into words: links, e-mail addresses and hashtags removed, dotted acronyms joined
/// (U.S. → US), words of Unicode letters and digits with inner apostrophes.
public enum Tokenizer {
    public static func tokens(_ text: String) -> [Token] {
        let scalars = joinAcronyms(removingLinks(Array(text.unicodeScalars)))
        var tokens: [Token] = []
        var index = 0
        var lastEnd = 0
        var initial = true
        while index < scalars.count {
            guard isWordScalar(scalars[index]) else {
                index += 1
                continue
            }
            let start = index
            index = wordEnd(scalars, from: index)
            if lastEnd > 0, endsSentence(scalars[lastEnd..<start]) { initial = true }
            var end = index
            if end - start > 2, isApostrophe(scalars[end - 2]), scalars[end - 1] == "s" || scalars[end - 1] == "S" {
                end -= 2
            }
            let word = scalars[start..<end]
            let text = Self.string(word)
            tokens.append(
                Token(
                    surface: text, lower: Self.lowercased(text), sentenceInitial: initial,
                    startsUppercase: word[start].isUppercaseLetter, startsLetter: word[start].isLetter,
                    isAllCaps: word.count >= 2 && isAllCaps(word)))
            initial = false
            lastEnd = index
        }
        return tokens
    }

    /// The lower-cased words of a title joined by single spaces: the key under which identical titles meet.
    public static func normalizedTitle(_ title: String) -> String {
        if let ascii = normalizedASCIITitle(title) { return ascii }
        let scalars = Array(title.lowercased().unicodeScalars)
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
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count)
            var index = 0
            while index < bytes.count {
                guard isWord(bytes[index]) else {
                    index += 1
                    continue
                }
                if !output.isEmpty { output.append(32) }
                while index < bytes.count {
                    let byte = bytes[index]
                    if isWord(byte) {
                        output.append(byte >= 65 && byte <= 90 ? byte | 0x20 : byte)
                    } else if byte == 39, index + 1 < bytes.count, isWord(bytes[index + 1]) {
                        output.append(byte)
                    } else {
                        break
                    }
                    index += 1
                }
            }
            return String(decoding: output, as: UTF8.self)
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

    /// `word` lower-cased, without the general Unicode machinery when it is ASCII.
    static func lowercased(_ word: String) -> String {
        var word = word
        let ascii = word.withUTF8 { bytes -> String? in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            guard bytes.contains(where: { $0 >= 65 && $0 <= 90 }) else { return "" }
            return String(unsafeUninitializedCapacity: bytes.count) { buffer in
                for (index, byte) in bytes.enumerated() { buffer[index] = byte >= 65 && byte <= 90 ? byte | 0x20 : byte }
                return bytes.count
            }
        }
        guard let ascii else { return word.lowercased() }
        return ascii.isEmpty ? word : ascii
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

    private static func isAllCaps(_ word: ArraySlice<Unicode.Scalar>) -> Bool {
        var hasUpper = false
        for scalar in word {
            if scalar.isCasedLowerOrTitle { return false }
            if scalar.isUppercaseLetter { hasUpper = true }
        }
        return hasUpper
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
    private static func endsSentence(_ gap: ArraySlice<Unicode.Scalar>) -> Bool {
        var last = gap.endIndex
        while last > gap.startIndex, gap[last - 1].isSpace { last -= 1 }
        if last > gap.startIndex {
            switch gap[last - 1] {
            case ".", "!", "?", ":", "|", "\u{2013}", "\u{2014}", "\"", "\u{201C}", "\u{2018}", "'": return true
            default: break
            }
        }
        var index = gap.startIndex
        while index + 1 < gap.endIndex {
            let scalar = gap[index]
            if scalar == "." || scalar == "!" || scalar == "?", gap[index + 1].isSpace { return true }
            index += 1
        }
        return false
    }

    /// Replaces links (http://, https://, www.), e-mail addresses and #hashtags with a space: each runs to the
    /// end of its whitespace-delimited chunk.
    static func removingLinks(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        // Without / @ # a link can only be a bare www. address.
        guard scalars.contains(where: { $0 == "/" || $0 == "@" || $0 == "#" }) || containsWWW(scalars) else {
            return scalars
        }
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(scalars.count)
        var index = 0
        while index < scalars.count {
            if scalars[index].isSpace {
                output.append(scalars[index])
                index += 1
                continue
            }
            var end = index
            while end < scalars.count, !scalars[end].isSpace { end += 1 }
            let chunk = scalars[index..<end]
            if let cut = linkStart(in: chunk) {
                output.append(contentsOf: scalars[index..<cut])
                output.append(" ")
            } else {
                output.append(contentsOf: chunk)
            }
            index = end
        }
        return output
    }

    private static func linkStart(in chunk: ArraySlice<Unicode.Scalar>) -> Int? {
        // An e-mail address: something@something.something — the whole chunk.
        if let at = chunk.firstIndex(of: "@"), at > chunk.startIndex,
            let dot = chunk[(at + 1)...].dropFirst().firstIndex(of: "."), dot + 1 < chunk.endIndex
        {
            return chunk.startIndex
        }
        var index = chunk.startIndex
        while index < chunk.endIndex {
            switch chunk[index] {
            case "h":
                if hasPrefix(chunk[index...], "http://") || hasPrefix(chunk[index...], "https://") { return index }
            case "w":
                if hasPrefix(chunk[index...], "www.") { return index }
            case "#":
                if index + 1 < chunk.endIndex { return index }
            default:
                break
            }
            index += 1
        }
        return nil
    }

    private static func containsWWW(_ scalars: [Unicode.Scalar]) -> Bool {
        var index = 0
        while index + 3 < scalars.count {
            if scalars[index] == "w", scalars[index + 1] == "w", scalars[index + 2] == "w", scalars[index + 3] == "." {
                return true
            }
            index += 1
        }
        return false
    }

    private static func hasPrefix(_ slice: ArraySlice<Unicode.Scalar>, _ prefix: String) -> Bool {
        var index = slice.startIndex
        for scalar in prefix.unicodeScalars {
            guard index < slice.endIndex, slice[index] == scalar else { return false }
            index += 1
        }
        return true
    }

    /// U.S. → US, F.D.A. → FDA: two or more letter-dot pairs starting a word.
    static func joinAcronyms(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard scalars.contains(".") else { return scalars }
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(scalars.count)
        var index = 0
        while index < scalars.count {
            let atBoundary = index == 0 || !isWordOrUnderscore(scalars[index - 1])
            if atBoundary {
                var end = index
                var letters: [Unicode.Scalar] = []
                while end + 1 < scalars.count, isASCIILetter(scalars[end]), scalars[end + 1] == "." {
                    letters.append(scalars[end])
                    end += 2
                }
                if letters.count >= 2 {
                    output.append(contentsOf: letters)
                    index = end
                    continue
                }
            }
            output.append(scalars[index])
            index += 1
        }
        return output
    }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.value | 0x20) >= 97 && (scalar.value | 0x20) <= 122
    }

    private static func isWordOrUnderscore(_ scalar: Unicode.Scalar) -> Bool { scalar == "_" || isWordScalar(scalar) }
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
