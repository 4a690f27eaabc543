import FeedModel
import Foundation
import Yams

/// Reads and validates Feeds.yaml. Every problem is reported with the file, line and column and what was
/// expected, so the user can fix it without guessing.
public enum ConfigLoader {
    /// Loads the configuration at `path`.
    public static func load(path: String) throws(ConfigError) -> FeedConfiguration {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? "\(error.localizedDescription)"
            throw ConfigError(path: path, message: "cannot read the file: \(reason)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(path: path, message: "the file is not valid UTF-8")
        }
        return try parse(text, path: path)
    }

    /// Parses configuration text; `path` is used only in error messages.
    public static func parse(_ text: String, path: String) throws(ConfigError) -> FeedConfiguration {
        let root: Node?
        do {
            root = try composeTree(text)
        } catch let error as YamlError {
            throw syntaxError(error, path: path)
        } catch {
            throw ConfigError(path: path, message: "not valid YAML: \(error)")
        }
        guard let root else { return FeedConfiguration() }
        return try ConfigReader(path: path).configuration(from: root)
    }

    /// The YAML node tree of `text`, with no tag resolved from a scalar's spelling: the configuration reads every
    /// value from its text (nulls and booleans by their YAML spellings), and Yams' default resolver runs its
    /// regular expressions on every scalar at each mapping-key comparison (most of the time of loading a
    /// 10,000-feed file).
    static func composeTree(_ text: String) throws -> Node? {
        try Yams.compose(yaml: text, .basic)
    }

    /// True when two URLs name the same feed (scheme and host case, default ports, a trailing slash).
    public static func sameFeed(_ a: String, _ b: String) -> Bool {
        ConfigReader.duplicateKey(a) == ConfigReader.duplicateKey(b)
    }

    private static func syntaxError(_ error: YamlError, path: String) -> ConfigError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = [context?.text, problem].compactMap { $0 }.joined(separator: ": ")
            return ConfigError(path: path, line: mark.line, column: mark.column, message: "not valid YAML: \(detail)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return ConfigError(
                path: path, line: context.mark.line, column: context.mark.column,
                message: "duplicate key \(keys); each key may appear once in a mapping")
        default:
            return ConfigError(path: path, message: "not valid YAML: \(error)")
        }
    }
}

/// Walks the composed YAML tree and builds the configuration, checking every key and value.
private struct ConfigReader {
    let path: String

    func configuration(from root: Node) throws(ConfigError) -> FeedConfiguration {
        let mapping = try self.mapping(root, what: "the top level of Feeds.yaml", expected: "keys 'defaults' and 'feeds'")
        try rejectUnknownKeys(in: mapping, allowed: ["defaults", "feeds"], section: "at the top level")
        var configuration = FeedConfiguration()
        if let defaultsNode = mapping["defaults"] {
            configuration.defaults = try defaults(from: defaultsNode)
        }
        if let feedsNode = mapping["feeds"], !isNull(feedsNode) {
            guard case .sequence(let sequence) = feedsNode else {
                throw error(at: feedsNode, "'feeds' must be a list of feeds (lines starting with '- url: ...')")
            }
            var seen: [String: Int] = [:]
            for item in sequence {
                let feed = try subscription(from: item, defaults: configuration.defaults)
                let key = Self.duplicateKey(feed.url)
                if let firstLine = seen[key] {
                    throw error(at: item, "duplicate feed '\(feed.url)': already listed on line \(firstLine)")
                }
                seen[key] = feed.line
                configuration.feeds.append(feed)
            }
        }
        return configuration
    }

    private func defaults(from node: Node) throws(ConfigError) -> FeedDefaults {
        var defaults = FeedDefaults()
        if isNull(node) { return defaults }
        let mapping = try self.mapping(node, what: "'defaults'", expected: "a mapping of settings")
        let allowed = [
            "interval", "min_interval", "user_agent", "timeout", "connect_timeout", "max_body_size", "max_redirects", "keep",
            "keep_per_feed",
        ]
        try rejectUnknownKeys(in: mapping, allowed: allowed, section: "in 'defaults'")
        if let value = mapping["min_interval"] {
            defaults.minimumIntervalSeconds = try duration(value, key: "min_interval", minimum: 1)
        }
        if let value = mapping["interval"] {
            defaults.intervalSeconds = try interval(value, key: "interval", minimum: defaults.minimumIntervalSeconds)
        }
        if let value = mapping["user_agent"] {
            defaults.userAgent = try nonEmptyString(value, key: "user_agent")
        }
        if let value = mapping["timeout"] {
            defaults.timeoutSeconds = try duration(value, key: "timeout", minimum: 1)
        }
        if let value = mapping["connect_timeout"] {
            defaults.connectTimeoutSeconds = try duration(value, key: "connect_timeout", minimum: 1)
        }
        if let value = mapping["max_body_size"] {
            let text = try scalarText(value, key: "max_body_size", expected: "a size such as 16MiB")
            guard let bytes = Quantities.bytes(text), bytes >= 1024 else {
                throw error(at: value, "max_body_size '\(text)' is not a size of at least 1KiB; expected e.g. 512KiB, 16MiB or 10MB")
            }
            defaults.maxBodyBytes = bytes
        }
        if let value = mapping["max_redirects"] {
            let text = try scalarText(value, key: "max_redirects", expected: "a whole number from 0 to 20")
            guard let count = Int(text), (0...20).contains(count) else {
                throw error(at: value, "max_redirects '\(text)' must be a whole number from 0 to 20")
            }
            defaults.maxRedirects = count
        }
        if let value = mapping["keep"] {
            let text = try scalarText(value, key: "keep", expected: "a duration such as 90d, or 'forever'")
            if text == "forever" {
                defaults.keepSeconds = nil
            } else {
                guard let seconds = Quantities.seconds(text), seconds >= 86400 else {
                    throw error(at: value, "keep '\(text)' must be a duration of at least 1d (e.g. 30d, 365d) or 'forever'")
                }
                defaults.keepSeconds = seconds
            }
        }
        if let value = mapping["keep_per_feed"] {
            let text = try scalarText(value, key: "keep_per_feed", expected: "a whole number, or 'all'")
            if text == "all" {
                defaults.keepPerFeed = nil
            } else {
                guard let count = Int(text), count >= 10 else {
                    throw error(at: value, "keep_per_feed '\(text)' must be a whole number of at least 10, or 'all'")
                }
                defaults.keepPerFeed = count
            }
        }
        return defaults
    }

    private func subscription(from node: Node, defaults: FeedDefaults) throws(ConfigError) -> FeedSubscription {
        let line = node.mark?.line ?? 0
        if case .scalar(let scalar) = node {
            throw error(at: node, "a feed must be a mapping with a 'url' key, not '\(scalar.string)'; write '- url: \(scalar.string)'")
        }
        let mapping = try self.mapping(node, what: "a feed", expected: "a mapping with at least 'url'")
        try rejectUnknownKeys(
            in: mapping, allowed: ["url", "title", "tags", "interval", "enabled", "headers", "auth"], section: "in a feed")
        guard let urlNode = mapping["url"] else {
            throw error(at: node, "feed has no 'url'; every feed needs 'url: https://…'")
        }
        let url = try feedURL(urlNode)
        var feed = FeedSubscription(url: url, line: line)
        if let value = mapping["title"], !isNull(value) {
            feed.title = try nonEmptyString(value, key: "title")
        }
        if let value = mapping["tags"], !isNull(value) {
            feed.tags = try tags(value)
        }
        if let value = mapping["interval"] {
            feed.intervalSeconds = try interval(value, key: "interval", minimum: defaults.minimumIntervalSeconds)
        }
        if let value = mapping["enabled"] {
            guard let flag = flag(value) else { throw error(at: value, "'enabled' must be true or false") }
            feed.enabled = flag
        }
        if let value = mapping["headers"], !isNull(value) {
            feed.headers = try headers(value)
        }
        if let value = mapping["auth"], !isNull(value) {
            feed.auth = try basicAuth(value)
        }
        return feed
    }

    /// `headers: {Name: value, Other: {env: VAR}}`.
    private func headers(_ node: Node) throws(ConfigError) -> [RequestHeader] {
        let mapping = try self.mapping(node, what: "'headers'", expected: "a mapping of header names to values")
        var headers: [RequestHeader] = []
        for (key, value) in mapping {
            let name = key.scalar?.string ?? ""
            let tokenCharacters = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "!#$%&'*+-.^_`|~"))
            guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.isASCII && tokenCharacters.contains($0) }) else {
                throw error(at: key, "header name '\(name)' is not a valid HTTP header name (letters, digits and -)")
            }
            let reserved = ["host", "content-length", "if-none-match", "if-modified-since", "authorization", "accept-encoding"]
            if reserved.contains(name.lowercased()) {
                throw error(
                    at: key,
                    "header '\(name)' is set by Tidings itself\(name.lowercased() == "authorization" ? "; use 'auth:' for basic authentication" : "")")
            }
            if case .scalar(let scalar) = value {
                guard !scalar.string.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                    throw error(at: value, "the value of header '\(name)' must be one line")
                }
                headers.append(RequestHeader(name: name, value: .literal(scalar.string)))
            } else {
                headers.append(RequestHeader(name: name, value: .secret(try secret(value, key: "headers.\(name)"))))
            }
        }
        return headers
    }

    /// `auth: {username: alice, password: {env: VAR} | {file: PATH}}`.
    private func basicAuth(_ node: Node) throws(ConfigError) -> BasicAuth {
        let mapping = try self.mapping(node, what: "'auth'", expected: "a mapping with 'username' and 'password'")
        try rejectUnknownKeys(in: mapping, allowed: ["username", "password"], section: "in 'auth'")
        guard let userNode = mapping["username"] else { throw error(at: node, "'auth' needs a 'username'") }
        let username = try nonEmptyString(userNode, key: "username")
        guard !username.contains(":") else { throw error(at: userNode, "a basic-auth username cannot contain ':'") }
        guard let passwordNode = mapping["password"] else {
            throw error(at: node, "'auth' needs a 'password': {env: VARIABLE} or {file: /path/to/file}")
        }
        return BasicAuth(username: username, password: try secret(passwordNode, key: "password"))
    }

    /// `{env: NAME}` or `{file: PATH}`; a literal secret is refused so that Feeds.yaml can be shared.
    private func secret(_ node: Node, key: String) throws(ConfigError) -> SecretReference {
        guard case .mapping(let mapping) = node else {
            throw error(
                at: node,
                "'\(key)' must refer to the secret, not contain it: write {env: VARIABLE} or {file: /path/to/file} "
                    + "(Feeds.yaml is often shared or world-readable)")
        }
        try rejectUnknownKeys(in: mapping, allowed: ["env", "file"], section: "in '\(key)'")
        guard mapping.count == 1 else { throw error(at: node, "'\(key)' takes exactly one of 'env' or 'file'") }
        if let name = mapping["env"] {
            return .environment(try nonEmptyString(name, key: "env"))
        }
        let path = try nonEmptyString(mapping["file"]!, key: "file")
        guard path.hasPrefix("/") else { throw error(at: mapping["file"]!, "secret file '\(path)' must be an absolute path") }
        return .file(path)
    }

    private func feedURL(_ node: Node) throws(ConfigError) -> String {
        let text = try scalarText(node, key: "url", expected: "an http:// or https:// URL")
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw error(at: node, "url '\(text)' is not a valid URL; expected e.g. https://example.com/feed.xml")
        }
        guard scheme == "http" || scheme == "https" else {
            throw error(at: node, "url '\(text)' uses '\(scheme)'; only http:// and https:// feeds are supported")
        }
        guard let host = components.host, !host.isEmpty else {
            throw error(at: node, "url '\(text)' has no host; expected e.g. https://example.com/feed.xml")
        }
        return text
    }

    private func tags(_ node: Node) throws(ConfigError) -> [String] {
        switch node {
        case .scalar(let scalar):
            return [scalar.string]
        case .sequence(let sequence):
            var tags: [String] = []
            for item in sequence {
                guard case .scalar(let scalar) = item, !scalar.string.isEmpty else {
                    throw error(at: item, "each tag must be a word, e.g. tags: [world, tech]")
                }
                tags.append(scalar.string)
            }
            return tags
        default:
            throw error(at: node, "'tags' must be a list of words, e.g. tags: [world, tech]")
        }
    }

    private func interval(_ node: Node, key: String, minimum: Int) throws(ConfigError) -> Int {
        let seconds = try duration(node, key: key, minimum: 1)
        guard seconds >= minimum else {
            throw error(
                at: node,
                "\(key) \(Quantities.durationText(seconds)) is shorter than the minimum \(Quantities.durationText(minimum)); "
                    + "polling that often burdens the publisher (lower defaults.min_interval if you really mean it)")
        }
        guard seconds <= 7 * 86400 else {
            throw error(at: node, "\(key) \(Quantities.durationText(seconds)) is longer than the maximum of 7d")
        }
        return seconds
    }

    private func duration(_ node: Node, key: String, minimum: Int) throws(ConfigError) -> Int {
        let text = try scalarText(node, key: key, expected: "a duration such as 30m")
        guard let seconds = Quantities.seconds(text) else {
            throw error(at: node, "\(key) '\(text)' is not a duration; expected e.g. 90s, 30m, 2h or 1d")
        }
        guard seconds >= minimum else {
            throw error(at: node, "\(key) '\(text)' must be at least \(Quantities.durationText(minimum))")
        }
        return seconds
    }

    private func nonEmptyString(_ node: Node, key: String) throws(ConfigError) -> String {
        let text = try scalarText(node, key: key, expected: "text")
        guard !text.trimmingWhitespace().isEmpty else { throw error(at: node, "'\(key)' must not be empty") }
        return text
    }

    private func scalarText(_ node: Node, key: String, expected: String) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node else {
            throw error(at: node, "'\(key)' must be \(expected), not a \(kind(of: node))")
        }
        return scalar.string
    }

    private func mapping(_ node: Node, what: String, expected: String) throws(ConfigError) -> Node.Mapping {
        guard case .mapping(let mapping) = node else {
            throw error(at: node, "\(what) must be \(expected), not a \(kind(of: node))")
        }
        return mapping
    }

    private func rejectUnknownKeys(in mapping: Node.Mapping, allowed: [String], section: String) throws(ConfigError) {
        for key in mapping.keys {
            let name = key.scalar?.string ?? "\(key)"
            guard !allowed.contains(name) else { continue }
            var message = "unknown key '\(name)' \(section); expected one of: \(allowed.joined(separator: ", "))"
            if let suggestion = allowed.first(where: { Self.isNearMiss(name, $0) }) {
                message += " (did you mean '\(suggestion)'?)"
            }
            throw error(at: key, message)
        }
    }

    /// A YAML boolean: unquoted true/yes/on or false/no/off, all lower-case, capitalised or upper-case.
    private func flag(_ node: Node) -> Bool? {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.tag == Tag(.bool) else { return nil }
        let spelling = scalar.string
        guard [spelling.lowercased(), spelling.capitalized, spelling.uppercased()].contains(spelling) else { return nil }
        switch spelling.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }

    private func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        // YAML's null: an explicit !!null, or a plain (unquoted) empty value, ~, null, Null or NULL.
        return scalar.tag == Tag(.null)
            || (scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string))
    }

    private func kind(of node: Node) -> String {
        switch node {
        case .scalar: return "single value"
        case .mapping: return "mapping"
        case .sequence: return "list"
        case .alias: return "alias"
        }
    }

    private func error(at node: Node, _ message: String) -> ConfigError {
        ConfigError(path: path, line: node.mark?.line, column: node.mark?.column, message: message)
    }

    /// Two URLs that differ only in scheme/host case or a trailing slash are the same feed.
    static func duplicateKey(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.scheme = components.scheme?.lowercased()
        components.host = components.host?.lowercased()
        var text = components.string ?? url
        if text.hasSuffix("/") { text.removeLast() }
        return text
    }

    /// True when `typed` is one edit (insert, delete, substitute or adjacent swap) away from `known`.
    static func isNearMiss(_ typed: String, _ known: String) -> Bool {
        let a = Array(typed.lowercased()), b = Array(known)
        if a == b { return true }
        if abs(a.count - b.count) > 1 { return false }
        var distance = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { distance[i][0] = i }
        for j in 0...b.count { distance[0][j] = j }
        for i in stride(from: 1, through: a.count, by: 1) {
            for j in stride(from: 1, through: b.count, by: 1) {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                distance[i][j] = min(distance[i - 1][j] + 1, distance[i][j - 1] + 1, distance[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    distance[i][j] = min(distance[i][j], distance[i - 2][j - 2] + 1)
                }
            }
        }
        return distance[a.count][b.count] <= 1 || (a.count > 4 && distance[a.count][b.count] <= 2)
    }
}
