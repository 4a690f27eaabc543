/// The key under which two links name the same article: what is left of a URL once the parts that vary between
/// copies of one link are taken out.
///
/// - Scheme: http and https are the same article; other schemes have no key.
/// - Host: lower-cased, without a trailing dot, a default port (80, 443), or a `www.`, `m.`, `mobile.` or `amp.`
///   prefix (mobile and AMP editions).
/// - Path: a trailing slash, an `amp` first or last segment and an `.amp` before the extension (or at the end) are
///   dropped: `/amp/world/x`, `/world/x/amp`, `/world/x.amp.html` are all `/world/x…`.
/// - Query: `&amp;` (a link escaped twice) is `&`; tracking parameters (`utm_*`, `fbclid`, `gclid`, `ref`, `mc_cid` …, see `trackingParameters`) and AMP
///   switches (`amp`, `outputType=amp`) are dropped; the others keep their order.
/// - Fragment: dropped.
///
/// A link to a site's front page (no path, no query) has no key: feeds that link every item to their home page
/// must not fold all their items into one.
public enum CanonicalURL {
    /// The key of `link`, or nil when it is not an http(s) URL of an article.
    public static func key(for link: String) -> String? {
        // Bytes, not Characters: a URL's syntax is ASCII, and this runs for every entry of every poll.
        var bytes = Array(link.utf8)[...]
        while let first = bytes.first, isSpace(first) { bytes.removeFirst() }
        while let last = bytes.last, isSpace(last) { bytes.removeLast() }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let scheme = lowercased(bytes[..<colon])
        guard scheme == Array("http".utf8) || scheme == Array("https".utf8) else { return nil }
        var rest = bytes[(colon + 1)...]
        guard rest.starts(with: "//".utf8) else { return nil }
        rest = rest.dropFirst(2)
        if let hash = rest.firstIndex(of: UInt8(ascii: "#")) { rest = rest[..<hash] }
        var query: ArraySlice<UInt8> = []
        if let mark = rest.firstIndex(of: UInt8(ascii: "?")) {
            query = rest[(mark + 1)...]
            rest = rest[..<mark]
        }
        let authorityEnd = rest.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
        guard var key = host(of: rest[..<authorityEnd]) else { return nil }
        let hostLength = key.count
        appendPath(rest[authorityEnd...], to: &key)
        let pathLength = key.count
        appendParameters(query, to: &key)
        if key.count == hostLength { return nil }
        if pathLength == hostLength && key.count > pathLength { key.insert(UInt8(ascii: "/"), at: hostLength) }
        return String(decoding: key, as: UTF8.self)
    }

    /// The keys of a listing that occur once, counting each guid once, as listed last (the store keeps only that
    /// listing of a guid). A key several entries of one listing share (a show page, a section) is no article's
    /// identity: the store and the poll match only these.
    public static func singleKeys(_ listing: [(guid: String, key: String?)]) -> Set<String> {
        var lastKeys: [String: String?] = [:]
        for entry in listing { lastKeys[entry.guid] = entry.key }
        var counts: [String: Int] = [:]
        for case let key? in lastKeys.values { counts[key, default: 0] += 1 }
        return Set(counts.compactMap { $0.value == 1 ? $0.key : nil })
    }

    /// Query parameters that say where a reader came from, not what they read (names compared lower-cased;
    /// `utm_` is matched as a prefix).
    public static let trackingParameters: Set<String> = [
        "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "twclid", "igshid", "mc_cid", "mc_eid", "ref",
        "ref_src", "ref_url", "referrer", "_ga", "_gl", "cmpid", "ocid", "smid", "s_cid", "at_medium", "at_campaign",
        "at_custom1", "at_custom2", "at_custom3", "at_custom4", "src", "ito", "__twitter_impression", "mod", "amp",
        "outputtype",
    ]

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C
    }

    private static func lowercased(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    }

    /// The host, lower-cased, without a trailing dot, userinfo, a default port or a mobile/AMP prefix.
    private static func host(of authority: ArraySlice<UInt8>) -> [UInt8]? {
        var hostPart = authority
        if let at = hostPart.lastIndex(of: UInt8(ascii: "@")) { hostPart = hostPart[(at + 1)...] }
        var port: ArraySlice<UInt8> = []
        if let colon = hostPart.lastIndex(of: UInt8(ascii: ":")), hostPart.last != UInt8(ascii: "]") {
            port = hostPart[(colon + 1)...]
            hostPart = hostPart[..<colon]
        }
        var host = lowercased(hostPart)[...]
        while host.last == UInt8(ascii: ".") { host.removeLast() }
        guard !host.isEmpty else { return nil }
        for prefix in ["www.", "m.", "mobile.", "amp."] where host.starts(with: prefix.utf8) && host.count > prefix.utf8.count + 3 {
            host = host.dropFirst(prefix.utf8.count)
            break
        }
        var result = Array(host)
        if !port.isEmpty && !port.elementsEqual("80".utf8) && !port.elementsEqual("443".utf8) {
            result.append(UInt8(ascii: ":"))
            result.append(contentsOf: port)
        }
        return result
    }

    /// Appends the path without empty segments, a trailing slash, `amp` first or last segments or `.amp` names.
    private static func appendPath(_ raw: ArraySlice<UInt8>, to key: inout [UInt8]) {
        var segments = raw.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true)
        let amp = Array("amp".utf8)
        if let first = segments.first, first.elementsEqual(amp) { segments.removeFirst() }
        if let last = segments.last, last.elementsEqual(amp) { segments.removeLast() }
        guard let last = segments.popLast() else { return }
        for segment in segments {
            key.append(UInt8(ascii: "/"))
            key.append(contentsOf: segment)
        }
        key.append(UInt8(ascii: "/"))
        let dotAmp = Array(".amp".utf8)
        if last.count > 4 && last.suffix(4).elementsEqual(dotAmp) {
            key.append(contentsOf: last.dropLast(4))
        } else if let dot = last.lastIndex(of: UInt8(ascii: ".")), dot - last.startIndex > 4,
            last[(dot - 4)..<dot].elementsEqual(dotAmp)
        {
            key.append(contentsOf: last[..<(dot - 4)])
            key.append(contentsOf: last[dot...])
        } else {
            key.append(contentsOf: last)
        }
    }

    /// Appends "?" and the query's parameters that are not tracking ones, in their order (nothing if none is left).
    private static func appendParameters(_ query: ArraySlice<UInt8>, to key: inout [UInt8]) {
        var first = true
        // Feeds that escape a link twice leave "&amp;" between parameters.
        var query = query
        if query.contains(UInt8(ascii: ";")) {
            query = ArraySlice(String(decoding: query, as: UTF8.self).replacingOccurrences(of: "&amp;", with: "&").utf8)
        }
        for parameter in query.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let name = lowercased(parameter.firstIndex(of: UInt8(ascii: "=")).map { parameter[..<$0] } ?? parameter)
            if name.starts(with: "utm_".utf8) || trackingParameters.contains(String(decoding: name, as: UTF8.self)) {
                continue
            }
            key.append(first ? UInt8(ascii: "?") : UInt8(ascii: "&"))
            key.append(contentsOf: parameter)
            first = false
        }
    }
}
