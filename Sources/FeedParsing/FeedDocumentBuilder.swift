import FeedModel
import Foundation

/// Turns the SAX events of an RSS, RDF or Atom document into a `ParsedFeed`.
///
/// Elements are recognised by namespace URI and local name. Text of interesting elements is captured into a
/// byte buffer; child elements inside a captured element (Atom XHTML content, raw HTML in RSS descriptions)
/// are serialised back into markup. Containers whose children would be mistaken for feed fields
/// (`<image>`, `<textInput>`, Atom `<source>`) are skipped.
final class FeedDocumentBuilder: XMLEventReceiver {
    private(set) var format: FeedFormat?
    /// The local name of the root element, when it is not a feed root.
    private(set) var unrecognisedRoot: String?
    private(set) var feed = ParsedFeed(format: .rss)
    private var entry: ParsedEntry?
    private var entryState = EntryState()
    private var feedState = LinkChoice()

    private var depth = 0
    private var skipUntilDepth: Int?
    private var authorDepth: Int?
    private var capture: Capture?
    private var baseStack: [(depth: Int, url: URL)] = []
    private var languageStack: [(depth: Int, language: String)] = []
    private var warnedDates = 0

    init(documentURL: URL?) {
        if let documentURL { baseStack.append((0, documentURL)) }
    }

    /// The finished feed.
    func finish() -> ParsedFeed {
        var result = feed
        result.format = format ?? .rss
        if result.link == nil { result.link = feedState.best }
        return result
    }

    // MARK: - SAX events

    func startElement(namespace: XMLNamespace, name: String, attributes: [XMLAttribute]) {
        depth += 1
        if depth == 1 { detectFormat(namespace: namespace, name: name, attributes: attributes) }
        pushScopes(attributes)
        if skipUntilDepth != nil { return }
        if var capture {
            capture.appendStartTag(name: name, namespace: namespace, attributes: attributes, depth: depth)
            self.capture = capture
            return
        }
        handleStart(namespace: namespace, name: name, attributes: attributes)
    }

    func endElement(namespace: XMLNamespace, name: String) {
        defer {
            popScopes()
            depth -= 1
        }
        if let skip = skipUntilDepth {
            if depth == skip { skipUntilDepth = nil }
            return
        }
        if var capture {
            if depth == capture.depth {
                self.capture = nil
                finishCapture(capture)
            } else {
                capture.appendEndTag(name: name, depth: depth)
                self.capture = capture
            }
            return
        }
        if depth == authorDepth { authorDepth = nil }
        if entry != nil, isEntryElement(namespace: namespace, name: name) { finishEntry() }
    }

    func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard skipUntilDepth == nil, capture != nil else { return }
        capture!.appendText(bytes)
    }

    func recoverableError(line: Int, message: String) {
        feed.warnings.append(ParseWarning(line: line, message: message))
    }

    // MARK: - Structure

    private func detectFormat(namespace: XMLNamespace, name: String, attributes: [XMLAttribute]) {
        switch (namespace, name) {
        case (.none, "rss"), (.rss, "rss"): format = .rss
        case (.rdf, "RDF"): format = .rdf
        case (.atom10, "feed"), (.atom03, "feed"): format = .atom
        default: unrecognisedRoot = name
        }
    }

    private func isEntryElement(namespace: XMLNamespace, name: String) -> Bool {
        (namespace.isRSS && name == "item") || (namespace.isAtom && name == "entry")
    }

    private var currentBase: URL? { baseStack.last?.url }

    private func pushScopes(_ attributes: [XMLAttribute]) {
        for attribute in attributes where attribute.namespace == .xml {
            if attribute.name == "base" {
                let value = attribute.value.trimmingCharacters(in: .whitespacesAndNewlines)
                if let url = URL(string: value, relativeTo: currentBase)?.absoluteURL {
                    baseStack.append((depth, url))
                }
            } else if attribute.name == "lang" {
                languageStack.append((depth, attribute.value))
            }
        }
    }

    private func popScopes() {
        while let last = baseStack.last, last.depth == depth, depth > 0 { baseStack.removeLast() }
        while let last = languageStack.last, last.depth == depth { languageStack.removeLast() }
    }

    private func handleStart(namespace: XMLNamespace, name: String, attributes: [XMLAttribute]) {
        if format == nil { return }
        if isEntryElement(namespace: namespace, name: name) {
            entry = ParsedEntry()
            entryState = EntryState()
            if let about = attributes.first(where: { $0.namespace == .rdf && $0.name == "about" }) {
                entryState.rdfAbout = about.value
            }
            return
        }
        if namespace.isRSS, ["image", "textinput", "textInput", "items"].contains(name), depth > 1 {
            skipUntilDepth = depth
            return
        }
        if namespace.isAtom, name == "source", entry != nil {
            skipUntilDepth = depth
            return
        }
        if depth <= 2, entry == nil, feed.language == nil, let language = languageStack.last?.language,
            !language.isEmpty
        {
            feed.language = language
        }
        if namespace.isAtom, name == "author" || name == "contributor" {
            if name == "author" { authorDepth = depth } else { skipUntilDepth = depth }
            return
        }
        if let field = Field(namespace: namespace, name: name, inAuthor: authorDepth != nil) {
            if field.isAttributeOnly {
                handleAttributeField(field, attributes: attributes)
            } else {
                capture = Capture(field: field, depth: depth, attributes: attributes, namespace: namespace)
            }
        }
    }

    private func handleAttributeField(_ field: Field, attributes: [XMLAttribute]) {
        func attribute(_ name: String) -> String? {
            attributes.first { $0.name == name && ($0.namespace == .none || $0.namespace == .other) }?.value
        }
        switch field {
        case .atomLink:
            guard let href = attribute("href") else { return }
            let rel = attribute("rel")?.lowercased() ?? "alternate"
            let resolved = resolve(href)
            if rel == "enclosure" {
                entry?.enclosures.append(
                    Enclosure(url: resolved, type: attribute("type"), length: attribute("length").flatMap { Int($0) }))
            } else if rel == "alternate" || rel == "http://www.iana.org/assignments/relation/alternate" {
                if entry != nil {
                    entryState.links.offer(resolved, type: attribute("type"))
                } else {
                    feedState.offer(resolved, type: attribute("type"))
                }
            }
        case .enclosure:
            guard entry != nil, let url = attribute("url") else { return }
            entry?.enclosures.append(
                Enclosure(
                    url: resolve(url), type: attribute("type"),
                    length: attribute("length").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }))
        case .atomCategory:
            guard entry != nil, let term = attribute("term") ?? attribute("label") else { return }
            entry?.categories.append(term)
        default:
            break
        }
    }

    // MARK: - Captured text

    private func finishCapture(_ capture: Capture) {
        let raw = capture.text
        let inEntry = entry != nil
        switch capture.field {
        case .title:
            let title = PlainText.title(raw, kind: capture.textKind(defaultHTMLForRSS: true))
            if inEntry {
                if entry!.title == nil { entry!.title = title }
            } else if feed.title == nil {
                feed.title = title
            }
        case .rssLink:
            let link = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !link.isEmpty else { return }
            if inEntry {
                entryState.links.offer(resolve(link), type: "text/html")
            } else {
                feedState.offer(resolve(link), type: "text/html")
            }
        case .guid:
            guard inEntry else { return }
            let guid = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            entry!.id = guid
            let permaLink = capture.attribute("isPermaLink")?.lowercased() != "false"
            if permaLink { entryState.guidLink = guid }
        case .atomID:
            if inEntry { entry!.id = raw.trimmingCharacters(in: .whitespacesAndNewlines) }
        case .published:
            guard let date = parseDate(raw) else { return }
            if inEntry {
                if entry!.published == nil { entry!.published = date }
            } else {
                if feed.updated == nil { feed.updated = date }
            }
        case .updated:
            guard let date = parseDate(raw) else { return }
            if inEntry {
                if entry!.updated == nil { entry!.updated = date }
            } else {
                feed.updated = date
            }
        case .summary, .itunesSummary:
            let content = capture.textContent(defaultHTMLForRSS: true, resolveAgainst: currentBase)
            if inEntry {
                if entry!.summary == nil || (capture.field == .summary && entryState.summaryFromItunes) {
                    entry!.summary = content
                    entryState.summaryFromItunes = capture.field == .itunesSummary
                }
            } else if feed.subtitle == nil || capture.field == .summary {
                feed.subtitle = PlainText.title(content.value, kind: content.kind)
            }
        case .content:
            guard inEntry else { return }
            if entry!.content == nil {
                entry!.content = capture.textContent(defaultHTMLForRSS: true, resolveAgainst: currentBase)
            }
        case .subtitle:
            if !inEntry, feed.subtitle == nil {
                feed.subtitle = PlainText.title(raw, kind: capture.textKind(defaultHTMLForRSS: false))
            }
        case .author, .authorName, .authorEmail:
            guard inEntry else { return }
            let author = capture.field == .author
                ? PersonName.fromRSS(raw) : raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !author.isEmpty else { return }
            if entry!.author == nil || (capture.field == .authorName && entryState.authorIsEmail) {
                entry!.author = author
                entryState.authorIsEmail = capture.field == .authorEmail
            }
        case .category:
            guard inEntry else { return }
            let category = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if !category.isEmpty { entry!.categories.append(category) }
        case .language:
            if !inEntry, feed.language == nil {
                let language = raw.trimmingCharacters(in: .whitespacesAndNewlines)
                if !language.isEmpty { feed.language = language }
            }
        case .atomLink, .enclosure, .atomCategory:
            break
        }
    }

    private func finishEntry() {
        guard var finished = entry else { return }
        finished.link = entryState.links.best ?? entryState.guidLink.flatMap(Self.webURL)
        if finished.id == nil, let about = entryState.rdfAbout { finished.id = about }
        feed.entries.append(finished)
        entry = nil
        if feed.link == nil { feed.link = feedState.best }
    }

    private func parseDate(_ text: String) -> Date? {
        if let date = FeedDate.parse(text) { return date }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if !trimmed.isEmpty {
            warnedDates += 1
            if warnedDates <= 5 { feed.warnings.append(ParseWarning(line: nil, message: "unparseable date '\(trimmed)'")) }
        }
        return nil
    }

    private func resolve(_ reference: String) -> String {
        let trimmed = reference.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let base = currentBase else { return trimmed }
        return URL(string: trimmed, relativeTo: base)?.absoluteString ?? trimmed
    }

    private static func webURL(_ text: String) -> String? {
        let lower = text.lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://") ? text : nil
    }
}

/// Per-entry state that is not part of the result.
private struct EntryState {
    var links = LinkChoice()
    var guidLink: String?
    var rdfAbout: String?
    var summaryFromItunes = false
    var authorIsEmail = false
}

/// Picks the best alternate link: the first HTML-typed one, else the first of any type.
private struct LinkChoice {
    private var first: String?
    private var firstHTML: String?

    mutating func offer(_ url: String, type: String?) {
        if first == nil { first = url }
        let isHTML = type.map { $0.lowercased().contains("html") } ?? true
        if isHTML, firstHTML == nil { firstHTML = url }
    }

    var best: String? { firstHTML ?? first }
}
