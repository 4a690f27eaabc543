public import Foundation
import Yams

/// Edits Feeds.yaml as text, at the positions YAML node marks give, so that comments, order and formatting of
/// everything not touched stay byte for byte. Every result is validated by `ConfigLoader` before it is
/// written, and written atomically (temporary file + rename, same mode) only if the file did not change on
/// disk since it was read.
public struct FeedsFileEditor {
    public let path: String
    /// The file's bytes as read.
    public let original: Data
    /// The text as read, split into lines that keep their terminators.
    private var lines: [String]
    /// The file's line ending ("\r\n" when it uses them), used for inserted lines.
    private var newline: String {
        lines.first.map { $0.hasSuffix("\r\n") ? "\r\n" : "\n" } ?? "\n"
    }

    /// A feed to add.
    public struct NewFeed: Sendable, Equatable {
        public var url: String
        public var title: String?
        public var tags: [String]
        /// A duration as written in Feeds.yaml (`15m`).
        public var interval: String?

        public init(url: String, title: String? = nil, tags: [String] = [], interval: String? = nil) {
            self.url = url
            self.title = title
            self.tags = tags
            self.interval = interval
        }
    }

    /// Reads `path`; a missing file starts from an empty feed list.
    public init(path: String) throws(ConfigError) {
        self.path = path
        if FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigError(path: path, message: "cannot read the file")
            }
            original = data
        } else {
            original = Data()
        }
        guard let text = String(data: original, encoding: .utf8) else {
            throw ConfigError(path: path, message: "the file is not valid UTF-8")
        }
        lines = Self.splitLines(text)
    }

    /// The current text (the original plus the edits made so far).
    public var text: String { lines.joined() }

    // MARK: - Edits

    /// Appends `feed` at the end of the feed list, in the list's own indentation.
    public mutating func add(_ feed: NewFeed) throws(ConfigError) {
        let configuration = try ConfigLoader.parse(text, path: path)
        if let existing = configuration.feeds.first(where: { ConfigLoader.sameFeed($0.url, feed.url) }) {
            throw ConfigError(
                path: path, line: existing.line,
                message: "'\(feed.url)' is already in the feed list\(existing.url == feed.url ? "" : " as '\(existing.url)'")")
        }
        let structure = try self.structure()
        let dashIndent: Int
        var insertAt: Int
        if let last = structure.items.last {
            dashIndent = last.dashColumn
            insertAt = last.endLine + 1
        } else if let keyLine = structure.feedsKeyLine {
            dashIndent = 2
            insertAt = keyLine + 1
            // `feeds: []` or `feeds: ~` on the key line becomes a block list.
            lines[keyLine] = Self.leadingSpaces(lines[keyLine]) + "feeds:" + Self.terminator(of: lines[keyLine])
        } else {
            if let last = lines.indices.last, !Self.endsLine(lines[last]) { lines[last] += "\n" }
            lines.append("feeds:\n")
            dashIndent = 2
            insertAt = lines.count
        }
        let pad = String(repeating: " ", count: dashIndent)
        let newline = self.newline
        var block = ["\(pad)- url: \(Self.scalar(feed.url))\(newline)"]
        if let title = feed.title { block.append("\(pad)  title: \(Self.scalar(title))\(newline)") }
        if !feed.tags.isEmpty { block.append("\(pad)  tags: [\(feed.tags.map(Self.scalar).joined(separator: ", "))]\(newline)") }
        if let interval = feed.interval { block.append("\(pad)  interval: \(Self.scalar(interval))\(newline)") }
        if insertAt > 0, insertAt <= lines.count, !Self.endsLine(lines[insertAt - 1]) { lines[insertAt - 1] += newline }
        insertAt = min(insertAt, lines.count)
        lines.insert(contentsOf: block, at: insertAt)
        _ = try ConfigLoader.parse(text, path: path)
    }

    /// Removes the feed `reference` names (its URL, or its title), with all its settings; comments around it stay.
    /// - Returns: the removed feed's URL.
    @discardableResult
    public mutating func remove(_ reference: String) throws(ConfigError) -> String {
        let (item, feed) = try find(reference)
        lines.removeSubrange(item.startLine...item.endLine)
        _ = try ConfigLoader.parse(text, path: path)
        return feed.url
    }

    /// Sets `enabled:` of the feed `reference` names: rewrites the value where the key exists, else adds the key
    /// after the feed's last line. Returns the feed's URL.
    @discardableResult
    public mutating func setEnabled(_ enabled: Bool, _ reference: String) throws(ConfigError) -> String {
        let (item, feed) = try find(reference)
        let value = enabled ? "true" : "false"
        if let mark = item.enabledValue {
            let line = lines[mark.line]
            let characters = Array(line)
            let start = mark.column
            var end = start
            while end < characters.count, !characters[end].isWhitespace, characters[end] != "#" { end += 1 }
            lines[mark.line] = String(characters[..<start]) + value + String(characters[end...])
        } else {
            let pad = String(repeating: " ", count: item.dashColumn + 2)
            if !Self.endsLine(lines[item.endLine]) { lines[item.endLine] += newline }
            lines.insert("\(pad)enabled: \(value)\(newline)", at: item.endLine + 1)
        }
        _ = try ConfigLoader.parse(text, path: path)
        return feed.url
    }

    // MARK: - Writing

    /// Validates the text and replaces the file with it atomically, keeping the file's mode. Refuses when the
    /// file changed on disk since it was read (another editor, a concurrent `tidings feeds` command).
    public func write() throws(ConfigError) {
        _ = try ConfigLoader.parse(text, path: path)
        let current = FileManager.default.contents(atPath: path) ?? Data()
        guard current == original else {
            throw ConfigError(path: path, message: "the file changed on disk since it was read; nothing was written, run the command again")
        }
        // Through a symlink, replace its target (the link stays a link).
        let url = URL(fileURLWithPath: path).resolvingSymlinksInPath()
        let target = url.path
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tidings-\(getpid())")
        let mode = (try? FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? NSNumber)?.uint16Value ?? 0o644
        let data = Data(text.utf8)
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode_t(mode))
        guard fd >= 0 else {
            throw ConfigError(path: path, message: "cannot write next to it (\(temporary.path)): \(String(cString: strerror(errno)))")
        }
        let written = data.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        _ = fchmod(fd, mode_t(mode))
        let synced = fsync(fd) == 0
        close(fd)
        guard written == data.count, synced, rename(temporary.path, target) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw ConfigError(path: path, message: "cannot replace the file: \(reason)")
        }
    }

    // MARK: - Structure

    /// Where each feed item sits: 0-based first and last line (the last line with content; comments and blank
    /// lines after it belong to what follows), the column of its dash, and where its `enabled:` value is.
    struct Item {
        var startLine: Int
        var endLine: Int
        var dashColumn: Int
        var url: String
        var enabledValue: (line: Int, column: Int)?
    }

    private struct Structure {
        var feedsKeyLine: Int?
        var items: [Item]
    }

    private func structure() throws(ConfigError) -> Structure {
        let root: Node?
        do {
            root = try ConfigLoader.composeTree(text)
        } catch {
            _ = try ConfigLoader.parse(text, path: path)
            throw ConfigError(path: path, message: "not valid YAML")
        }
        guard case .mapping(let mapping)? = root else { return Structure(feedsKeyLine: nil, items: []) }
        guard let feedsKey = mapping.keys.first(where: { $0.scalar?.string == "feeds" }), let keyMark = feedsKey.mark else {
            return Structure(feedsKeyLine: nil, items: [])
        }
        // The feed list ends where the next top-level key starts.
        let nextKeyLine = mapping.keys.compactMap { $0.mark?.line }.filter { $0 > keyMark.line }.min().map { $0 - 1 }
        let limit = nextKeyLine ?? lines.count
        guard case .sequence(let sequence)? = mapping["feeds"] else {
            return Structure(feedsKeyLine: keyMark.line - 1, items: [])
        }
        // Items written inline (`feeds: [{url: a}]`, `- {url: a, title: A}`) share lines: refuse rather than guess.
        let itemMarks = sequence.compactMap(\.mark)
        let inline = itemMarks.contains { mark in
            let characters = Array(lines[mark.line - 1])
            let column = mark.column - 1
            return mark.line == keyMark.line || (column < characters.count && characters[column] == "{")
        } || Set(itemMarks.map(\.line)).count != itemMarks.count
        if inline {
            throw ConfigError(
                path: path, line: keyMark.line,
                message: "the feed list is written inline ({...} or [...]); tidings edits only block lists "
                    + "('- url: ...' lines): rewrite it that way or edit the file by hand")
        }
        let starts = sequence.compactMap { $0.mark }
        var items: [Item] = []
        for (index, node) in sequence.enumerated() {
            guard let mark = node.mark, case .mapping(let feed) = node else { continue }
            let startLine = mark.line - 1
            let dashColumn = max(mark.column - 3, 0)
            let boundary = index + 1 < starts.count ? starts[index + 1].line - 1 : limit
            var endLine = startLine
            var line = startLine + 1
            while line < boundary {
                let content = lines[line].trimmingCharacters(in: .whitespacesAndNewlines)
                if !content.isEmpty, !content.hasPrefix("#") {
                    if Self.indentation(lines[line]) <= dashColumn { break }
                    endLine = line
                }
                line += 1
            }
            var enabledValue: (Int, Int)?
            if let value = feed["enabled"], let valueMark = value.mark {
                enabledValue = (valueMark.line - 1, valueMark.column - 1)
            }
            items.append(
                Item(startLine: startLine, endLine: endLine, dashColumn: dashColumn, url: feed["url"]?.scalar?.string ?? "",
                     enabledValue: enabledValue))
        }
        return Structure(feedsKeyLine: keyMark.line - 1, items: items)
    }

    /// The item for a URL (exact, or the same feed written differently) or a title (case-insensitive).
    private func find(_ reference: String) throws(ConfigError) -> (Item, FeedSubscription) {
        let configuration = try ConfigLoader.parse(text, path: path)
        let items = try structure().items
        let match = configuration.feeds.firstIndex { $0.url == reference }
            ?? configuration.feeds.firstIndex { ConfigLoader.sameFeed($0.url, reference) }
            ?? configuration.feeds.firstIndex { $0.title?.lowercased() == reference.lowercased() }
        guard let match, match < items.count else {
            var message = "no feed '\(reference)' in \(path)"
            let candidates = configuration.feeds.flatMap { [$0.url] + ($0.title.map { [$0] } ?? []) }
            if let suggestion = candidates.min(by: { Self.distance($0, reference) < Self.distance($1, reference) }),
                Self.distance(suggestion, reference) <= max(3, reference.count / 4)
            {
                message += " (did you mean '\(suggestion)'?)"
            } else {
                message += "; 'tidings feeds list' shows the feeds"
            }
            throw ConfigError(path: path, message: message)
        }
        return (items[match], configuration.feeds[match])
    }

    // MARK: - Text helpers

    static func splitLines(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if character == "\n" || character == "\r\n" {
                result.append(current)
                current = ""
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// True when the line ends with a line break ("\r\n" is a single Character, so hasSuffix("\n") misses it).
    static func endsLine(_ line: String) -> Bool { line.hasSuffix("\n") || line.hasSuffix("\r\n") }

    static func indentation(_ line: String) -> Int { line.prefix { $0 == " " }.count }
    static func leadingSpaces(_ line: String) -> String { String(line.prefix { $0 == " " }) }
    static func terminator(of line: String) -> String { line.hasSuffix("\r\n") ? "\r\n" : "\n" }

    /// A YAML scalar: plain when that is unambiguous, else double-quoted (JSON escapes are valid YAML).
    static func scalar(_ value: String) -> String {
        let plainSafe = !value.isEmpty && value.first.map { !"-?:,[]{}#&*!|>'\"%@`~ ".contains($0) } == true
            && !value.contains(": ") && !value.contains(" #") && !value.hasSuffix(":") && !value.hasSuffix(" ")
            && value.allSatisfy { $0 != "\n" && $0 != "\t" && $0 != "\r" }
            && !["true", "false", "yes", "no", "null", "on", "off", "~"].contains(value.lowercased())
            && Double(value) == nil
        if plainSafe { return value }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Levenshtein distance, for "did you mean".
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where j <= b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
