/// The key under which two links name the same article: what is left of a URL once the parts that vary between
/// copies of one link are taken out.
///
/// - Scheme: http and https are the same article; other schemes have no key.
/// - Host: lower-cased, without a trailing dot, a default port (80, 443), or a `www.`, `m.`, `mobile.` or `amp.`
///   prefix (mobile and AMP editions).
/// - Path: a trailing slash, an `amp` first or last segment and an `.amp` before the extension (or at the end) are
///   dropped: `/amp/world/x`, `/world/x/amp`, `/world/x.amp.html` are all `/world/x…`.
/// - Query: tracking parameters (`utm_*`, `fbclid`, `gclid`, `ref`, `mc_cid` …, see `trackingParameters`) and AMP
///   switches (`amp`, `outputType=amp`) are dropped; the others keep their order.
/// - Fragment: dropped.
///
/// A link to a site's front page (no path, no query) has no key: feeds that link every item to their home page
/// must not fold all their items into one.
public enum CanonicalURL {
    /// The key of `link`, or nil when it is not an http(s) URL of an article.
    public static func key(for link: String) -> String? {
        var rest = Substring(link.trimmingWhitespace())
        guard let schemeEnd = rest.firstIndex(of: ":") else { return nil }
        let scheme = rest[..<schemeEnd].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        rest = rest[rest.index(after: schemeEnd)...]
        guard rest.hasPrefix("//") else { return nil }
        rest = rest.dropFirst(2)
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        guard let host = self.host(of: rest[..<authorityEnd], scheme: scheme) else { return nil }
        let path = self.path(rest[authorityEnd...])
        let parameters = self.parameters(query)
        if path.isEmpty && parameters.isEmpty { return nil }
        return parameters.isEmpty ? host + path : host + path + "?" + parameters
    }

    /// Query parameters that say where a reader came from, not what they read (names compared lower-cased;
    /// `utm_` is matched as a prefix).
    public static let trackingParameters: Set<String> = [
        "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "twclid", "igshid", "mc_cid", "mc_eid", "ref",
        "ref_src", "ref_url", "referrer", "_ga", "_gl", "cmpid", "ocid", "smid", "s_cid", "at_medium", "at_campaign",
        "at_custom1", "at_custom2", "at_custom3", "at_custom4", "src", "ito", "__twitter_impression", "mod", "amp",
        "outputtype",
    ]

    private static func host(of authority: Substring, scheme: String) -> String? {
        var hostPart = authority
        if let at = hostPart.lastIndex(of: "@") { hostPart = hostPart[hostPart.index(after: at)...] }
        var port: Substring = ""
        if let colon = hostPart.lastIndex(of: ":"), !hostPart.hasSuffix("]") {
            port = hostPart[hostPart.index(after: colon)...]
            hostPart = hostPart[..<colon]
        }
        var host = hostPart.lowercased()
        while host.hasSuffix(".") { host.removeLast() }
        guard !host.isEmpty else { return nil }
        for prefix in ["www.", "m.", "mobile.", "amp."] where host.hasPrefix(prefix) && host.count > prefix.count + 3 {
            host.removeFirst(prefix.count)
            break
        }
        if !port.isEmpty && port != "80" && port != "443" { host += ":" + port }
        return host
    }

    private static func path(_ raw: Substring) -> String {
        var segments = raw.split(separator: "/", omittingEmptySubsequences: true)
        if segments.first == "amp" { segments.removeFirst() }
        if segments.last == "amp" { segments.removeLast() }
        guard let last = segments.popLast() else { return "" }
        var name = String(last)
        if name.hasSuffix(".amp") {
            name.removeLast(4)
        } else if let dot = name.lastIndex(of: "."), name[..<dot].hasSuffix(".amp") {
            name.removeSubrange(name.index(dot, offsetBy: -4)..<dot)
        }
        let head = segments.joined(separator: "/")
        return head.isEmpty ? "/" + name : "/" + head + "/" + name
    }

    private static func parameters(_ query: Substring) -> String {
        guard !query.isEmpty else { return "" }
        let kept = query.split(separator: "&", omittingEmptySubsequences: true).filter { parameter in
            let name = (parameter.firstIndex(of: "=").map { parameter[..<$0] } ?? parameter).lowercased()
            return !name.hasPrefix("utm_") && !trackingParameters.contains(name)
        }
        return kept.joined(separator: "&")
    }
}
