import FeedModel

/// Resolves relative references against a base URI (RFC 3986 §5.2), on strings, so that IRIs with non-ASCII
/// characters resolve too (Foundation's URL refuses them).
enum URIResolver {
    /// `reference` made absolute against `base`; `reference` unchanged when it is already absolute or `base`
    /// is not an absolute URI.
    static func resolve(_ reference: String, against base: String?) -> String {
        let reference = reference.trimmingWhitespace()
        // Most links are absolute http(s) URLs already: nothing to parse.
        if hasHTTPScheme(reference) { return reference }
        guard let base, let baseParts = URIParts(base), baseParts.scheme != nil else { return reference }
        if reference.isEmpty { return base.split(separator: "#", maxSplits: 1).first.map(String.init) ?? base }
        guard let ref = URIParts(reference) else { return reference }
        if ref.scheme != nil { return reference }
        var target = URIParts()
        target.scheme = baseParts.scheme
        if ref.authority != nil {
            target.authority = ref.authority
            target.path = removeDotSegments(ref.path)
            target.query = ref.query
        } else {
            target.authority = baseParts.authority
            if ref.path.isEmpty {
                target.path = baseParts.path
                target.query = ref.query ?? baseParts.query
            } else {
                if ref.path.hasPrefix("/") {
                    target.path = removeDotSegments(ref.path)
                } else {
                    target.path = removeDotSegments(merge(base: baseParts, path: ref.path))
                }
                target.query = ref.query
            }
        }
        target.fragment = ref.fragment
        return target.text
    }

    private static func hasHTTPScheme(_ text: String) -> Bool {
        var bytes = text.utf8.makeIterator()
        for expected in "http".utf8 {
            guard let byte = bytes.next(), byte | 0x20 == expected else { return false }
        }
        var next = bytes.next()
        if next.map({ $0 | 0x20 }) == UInt8(ascii: "s") { next = bytes.next() }
        return next == UInt8(ascii: ":")
    }

    private static func merge(base: URIParts, path: String) -> String {
        if base.authority != nil, base.path.isEmpty { return "/" + path }
        guard let slash = base.path.lastIndex(of: "/") else { return path }
        return String(base.path[...slash]) + path
    }

    /// RFC 3986 §5.2.4.
    static func removeDotSegments(_ path: String) -> String {
        guard path.contains(".") else { return path }
        var output: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        let absolute = path.hasPrefix("/")
        for (index, segment) in segments.enumerated() {
            if index == 0, absolute { continue }
            let isLast = index == segments.count - 1
            switch segment {
            case ".":
                if isLast { output.append("") }
            case "..":
                if !output.isEmpty { output.removeLast() }
                if isLast { output.append("") }
            default:
                output.append(segment)
            }
        }
        return (absolute ? "/" : "") + output.joined(separator: "/")
    }
}

/// The five components of a URI reference (RFC 3986 Appendix B).
private struct URIParts {
    var scheme: String?
    var authority: String?
    var path = ""
    var query: String?
    var fragment: String?

    init() {}

    init?(_ text: String) {
        // Component boundaries are ASCII, so the UTF-8 view finds them without Character segmentation.
        let utf8 = text.utf8
        var start = utf8.startIndex
        var end = utf8.endIndex
        if let hash = utf8.firstIndex(of: UInt8(ascii: "#")) {
            fragment = String(text[utf8.index(after: hash)...])
            end = hash
        }
        if let question = utf8[start..<end].firstIndex(of: UInt8(ascii: "?")) {
            query = String(text[utf8.index(after: question)..<end])
            end = question
        }
        if let colon = utf8[start..<end].firstIndex(of: UInt8(ascii: ":")), colon > start,
            Self.isLetter(utf8[start]), utf8[start..<colon].allSatisfy(Self.isSchemeByte)
        {
            scheme = String(text[start..<colon])
            start = utf8.index(after: colon)
        }
        let slash = UInt8(ascii: "/")
        if utf8.distance(from: start, to: end) >= 2, utf8[start] == slash, utf8[utf8.index(after: start)] == slash {
            start = utf8.index(start, offsetBy: 2)
            let authorityEnd = utf8[start..<end].firstIndex(of: slash) ?? end
            authority = String(text[start..<authorityEnd])
            start = authorityEnd
        }
        path = String(text[start..<end])
    }

    private static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 97 && (byte | 0x20) <= 122 }

    private static func isSchemeByte(_ byte: UInt8) -> Bool {
        isLetter(byte) || (byte >= 48 && byte <= 57) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: ".")
    }

    var text: String {
        var result = ""
        if let scheme { result += scheme + ":" }
        if let authority { result += "//" + authority }
        result += path
        if let query { result += "?" + query }
        if let fragment { result += "#" + fragment }
        return result
    }
}

/// Makes the `href` and `src` attributes in an HTML fragment absolute.
enum HTMLLinks {
    static func absolutize(_ html: String, base: String?) -> String {
        guard let base else { return html }
        var html = html
        let rewritten = html.withUTF8 { absolutize($0, base: base) }
        return rewritten ?? html
    }

    /// The HTML with its links resolved, or nil when no link changes (most feeds' links are absolute already):
    /// bytes are copied only from the first changed link on.
    private static func absolutize(_ bytes: UnsafeBufferPointer<UInt8>, base: String) -> String? {
        guard bytes.firstIndex(of: UInt8(ascii: "="), from: 0) != nil else { return nil }
        var output: [UInt8] = []
        var copied = 0
        var index = 0
        var inTag = false
        while index < bytes.count {
            if !inTag {
                // Text between tags: jump to the next `<`.
                guard let open = bytes.firstIndex(of: UInt8(ascii: "<"), from: index) else { break }
                inTag = true
                index = open + 1
                continue
            }
            let byte = bytes[index]
            if byte == UInt8(ascii: ">") {
                inTag = false
                index += 1
                continue
            }
            // An attribute name starts after whitespace.
            if isSpace(byte), let (valueStart, valueEnd, quoted) = linkAttribute(in: bytes, after: index) {
                let value = bytes[valueStart..<valueEnd]
                let resolved = URIResolver.resolve(String(decoding: value, as: UTF8.self), against: base)
                if !resolved.utf8.elementsEqual(value) {
                    if output.isEmpty { output.reserveCapacity(bytes.count + 64) }
                    output.append(contentsOf: bytes[copied..<valueStart])
                    output.append(contentsOf: resolved.utf8)
                    copied = valueEnd
                }
                index = quoted ? valueEnd + 1 : valueEnd
                continue
            }
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                // Skip a quoted value of another attribute.
                index = bytes.firstIndex(of: byte, from: index + 1).map { $0 + 1 } ?? bytes.count
                continue
            }
            index += 1
        }
        guard copied > 0 else { return nil }
        output.append(contentsOf: bytes[copied...])
        return String(decoding: output, as: UTF8.self)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// After whitespace at `start`: if an `href`/`src` attribute follows, the range of its value and whether it
    /// is quoted (the closing quote is then at the end of the range).
    private static func linkAttribute(in bytes: UnsafeBufferPointer<UInt8>, after start: Int) -> (Int, Int, Bool)? {
        var index = start
        while index < bytes.count, isSpace(bytes[index]) { index += 1 }
        let nameStart = index
        while index < bytes.count, (bytes[index] | 0x20) >= 97, (bytes[index] | 0x20) <= 122 { index += 1 }
        let name = bytes[nameStart..<index].lazy.map { $0 | 0x20 }
        guard name.elementsEqual("href".utf8) || name.elementsEqual("src".utf8) else { return nil }
        while index < bytes.count, isSpace(bytes[index]) { index += 1 }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { return nil }
        index += 1
        while index < bytes.count, isSpace(bytes[index]) { index += 1 }
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") {
            let quote = bytes[index]
            let valueStart = index + 1
            var end = valueStart
            while end < bytes.count, bytes[end] != quote { end += 1 }
            guard end < bytes.count else { return nil }
            return (valueStart, end, true)
        }
        let valueStart = index
        var end = index
        while end < bytes.count, !isSpace(bytes[end]), bytes[end] != UInt8(ascii: ">") { end += 1 }
        return (valueStart, end, false)
    }
}
