import FeedModel
import Foundation

/// Turns the SAX events of an RSS, RDF or Atom document into a `ParsedFeed`.
///
/// Elements are recognised by namespace URI and local name, and only as direct children of their container
/// (the channel or feed element, an item or entry, an Atom author, a `media:group`), so that the `<title>` of
/// an `<image>` or of an Atom `<source>` never overrides the real one. Text of interesting elements is
/// captured into a byte buffer; child elements inside a captured element (Atom XHTML content, raw HTML in RSS
/// descriptions) are serialised back into markup.
final class FeedDocumentBuilder: XMLEventReceiver {
    // The builder is confined to the one thread that runs the parser and is never re-entered, so its state is
    // `@exclusivity(unchecked)`: the run-time checks on every property access cost about 7% of parsing.
    @exclusivity(unchecked) private(set) var format: FeedFormat?
    /// The local name of the root element, when it is not a feed root.
    @exclusivity(unchecked) private(set) var unrecognisedRoot: String?
    @exclusivity(unchecked) private(set) var feed = ParsedFeed(format: .rss)
    /// The entry being read; meaningful only while `inEntry`. Not optional, so that setting one field
    /// (`entry.title = …`) never copies the whole entry out of an optional and back.
    @exclusivity(unchecked) private var entry = ParsedEntry()
    @exclusivity(unchecked) private var entryState = EntryState()
    @exclusivity(unchecked) private var feedLinks = LinkChoice()

    @exclusivity(unchecked) private var depth = 0
    /// Depth of the element whose children are feed-level fields: `<channel>` (RSS, RDF) or `<feed>` (Atom).
    @exclusivity(unchecked) private var feedContainerDepth: Int?
    @exclusivity(unchecked) private var entryDepth: Int?
    @exclusivity(unchecked) private var authorDepth: Int?
    @exclusivity(unchecked) private var mediaGroupDepth: Int?
    @exclusivity(unchecked) private var capture: Capture?
    @exclusivity(unchecked) private var baseStack: [(depth: Int, url: String)] = []
    @exclusivity(unchecked) private var languageStack: [(depth: Int, language: String)] = []
    @exclusivity(unchecked) private var warnedDates = 0

    /// Whether an item or entry element is open.
    private var inEntry: Bool { entryDepth != nil }
    private let httpLanguage: String?

    init(documentURL: String?, httpLanguage: String?) {
        if let documentURL { baseStack.append((0, documentURL)) }
        self.httpLanguage = httpLanguage
    }

    /// The finished feed.
    func finish() -> ParsedFeed {
        var result = feed
        result.format = format ?? .rss
        if result.link == nil { result.link = feedLinks.best }
        if result.language == nil { result.language = httpLanguage }
        return result
    }

    // MARK: - SAX events

    func startElement(namespace: XMLNamespace, name: String, attributes: [XMLAttribute]) {
        depth += 1
        if depth == 1 { detectFormat(namespace: namespace, name: name) }
        pushScopes(attributes)
        if capture != nil {
            capture!.appendStartTag(name: name, namespace: namespace, attributes: attributes, depth: depth)
            return
        }
        handleStart(namespace: namespace, name: name, attributes: attributes)
    }

    func endElement(namespace: XMLNamespace, name: String) {
        defer {
            popScopes()
            depth -= 1
        }
        if let captureDepth = capture?.depth {
            if depth == captureDepth {
                let finished = capture!
                capture = nil
                finishCapture(finished)
            } else {
                capture!.appendEndTag(name: name, depth: depth)
            }
            return
        }
        if depth == authorDepth { authorDepth = nil }
        if depth == mediaGroupDepth { mediaGroupDepth = nil }
        if depth == entryDepth { finishEntry() }
        if depth == feedContainerDepth, format != .atom { feedContainerDepth = nil }
    }

    func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard capture != nil else { return }
        capture!.appendText(bytes, depth: depth)
    }

    func recoverableError(line: Int, message: String) {
        warn(ParseWarning(line: line, message: message))
    }

    /// A problem found before parsing (in the document's bytes), reported with the feed's other warnings.
    func warn(_ warning: ParseWarning) {
        feed.warnings.append(warning)
    }

    // MARK: - Structure

    private func detectFormat(namespace: XMLNamespace, name: String) {
        switch (namespace, name) {
        case (.none, "rss"), (.rss, "rss"): format = .rss
        case (.rdf, "RDF"): format = .rdf
        case (.atom10, "feed"), (.atom03, "feed"):
            format = .atom
            feedContainerDepth = 1
        default: unrecognisedRoot = name
        }
    }

    private func isEntryElement(namespace: XMLNamespace, name: String) -> Bool {
        (namespace.isRSS && name == "item") || (namespace.isAtom && name == "entry")
    }

    private var currentBase: String? { baseStack.last?.url }

    private func pushScopes(_ attributes: [XMLAttribute]) {
        for attribute in attributes where attribute.namespace == .xml {
            if attribute.name == "base" {
                baseStack.append((depth, URIResolver.resolve(attribute.value, against: currentBase)))
            } else if attribute.name == "lang" {
                languageStack.append((depth, attribute.value))
            }
        }
    }

    private func popScopes() {
        while let last = baseStack.last, last.depth == depth, depth > 0 { baseStack.removeLast() }
        while let last = languageStack.last, last.depth == depth { languageStack.removeLast() }
    }

    /// The depth of the current element's parent: fields count only as direct children of their container.
    private var parentDepth: Int { depth - 1 }

    private func handleStart(namespace: XMLNamespace, name: String, attributes: [XMLAttribute]) {
        guard format != nil else { return }
        if !inEntry, isEntryElement(namespace: namespace, name: name) {
            entry = ParsedEntry()
            entryDepth = depth
            entryState = EntryState()
            if let about = attributes.first(where: { $0.namespace == .rdf && $0.name == "about" }) {
                entryState.rdfAbout = about.value
            }
            return
        }
        if !inEntry, namespace.isRSS, name == "channel", feedContainerDepth == nil, depth == 2 {
            feedContainerDepth = depth
            if feed.language == nil, let language = languageStack.last?.language, !language.isEmpty {
                feed.language = language
            }
            return
        }
        if depth == 1, feed.language == nil, format == .atom,
            let language = languageStack.last?.language, !language.isEmpty
        {
            feed.language = language
        }
        let container = inEntry ? entryDepth : feedContainerDepth
        guard let container else { return }
        if let authorDepth {
            guard parentDepth == authorDepth, namespace.isAtom else { return }
            if name == "name" || name == "email" || name == "uri" {
                capture = Capture(field: name == "name" ? .authorName : name == "email" ? .authorEmail : .ignored,
                                  depth: depth, attributes: attributes, namespace: namespace)
            }
            return
        }
        let inGroup = mediaGroupDepth.map { parentDepth == $0 } ?? false
        guard parentDepth == container || inGroup else { return }
        if namespace.isAtom, name == "author" {
            authorDepth = depth
            entryState.authorName = nil
            entryState.authorEmail = nil
            return
        }
        if namespace == .media, name == "group", inEntry {
            mediaGroupDepth = depth
            return
        }
        guard let field = Field(namespace: namespace, name: name) else { return }
        if field.isAttributeOnly {
            handleAttributeField(field, attributes: attributes)
        }
        if field.capturesText {
            capture = Capture(field: field, depth: depth, attributes: attributes, namespace: namespace)
        }
    }

    private func handleAttributeField(_ field: Field, attributes: [XMLAttribute]) {
        func attribute(_ name: String) -> String? {
            attributes.first { $0.name == name && ($0.namespace == .none || $0.namespace == .other) }?.value
        }
        switch field {
        case .atomLink:
            guard let href = attribute("href") else { return }
            offerAtomLink(href: href, rel: attribute("rel"), type: attribute("type"), length: attribute("length"))
        case .enclosure:
            guard inEntry, let url = attribute("url") else { return }
            entry.enclosures.append(
                Enclosure(url: resolve(url), type: attribute("type"), length: attribute("length").flatMap { Int($0.trimmingWhitespace()) }))
        case .atomCategory:
            guard inEntry, let term = attribute("term") ?? attribute("label") else { return }
            entry.categories.append(term)
        case .mediaContent:
            guard inEntry, let url = attribute("url") else { return }
            entry.media.append(MediaContent(url: resolve(url), type: attribute("type"), medium: attribute("medium")))
        case .mediaThumbnail:
            guard inEntry, let url = attribute("url") else { return }
            entry.thumbnails.append(resolve(url))
        default:
            break
        }
    }

    private func offerAtomLink(href: String, rel: String?, type: String?, length: String?) {
        let rel = rel?.lowercased() ?? "alternate"
        let resolved = resolve(href)
        if rel == "enclosure" {
            if inEntry { entry.enclosures.append(Enclosure(url: resolved, type: type, length: length.flatMap { Int($0) })) }
        } else if rel == "alternate" || rel == "http://www.iana.org/assignments/relation/alternate" {
            if inEntry {
                entryState.links.offer(resolved, type: type)
            } else {
                feedLinks.offer(resolved, type: type)
            }
        }
    }

    // MARK: - Captured text

    private func finishCapture(_ capture: Capture) {
        let raw = capture.text
        switch capture.field {
        case .title, .mediaTitle:
            let title = PlainText.title(raw, kind: capture.textKind(of: raw))
            if inEntry {
                if entry.title == nil || (capture.field == .title && entryState.titleFromMedia) {
                    entry.title = title
                    entryState.titleFromMedia = capture.field == .mediaTitle
                }
            } else if feed.title == nil, capture.field == .title {
                feed.title = title
            }
        case .rssLink:
            let link = raw.trimmingWhitespace()
            guard !link.isEmpty else { return }
            if inEntry {
                entryState.links.offer(resolve(link), type: "text/html")
            } else {
                feedLinks.offer(resolve(link), type: "text/html")
            }
        case .atomLink:
            // <link rel="alternate">http://…</link>: a link without href carries its URL as text.
            let text = raw.trimmingWhitespace()
            guard capture.attribute("href") == nil, !text.isEmpty else { return }
            offerAtomLink(
                href: text, rel: capture.attribute("rel"), type: capture.attribute("type"),
                length: capture.attribute("length"))
        case .guid:
            guard inEntry else { return }
            let guid = raw.trimmingWhitespace()
            entry.id = guid
            if capture.attribute("isPermaLink")?.lowercased() != "false" { entryState.guidLink = guid }
        case .atomID:
            if inEntry { entry.id = Self.resolveIdentifier(raw.trimmingWhitespace(), base: currentBase) }
        case .published:
            guard let date = parseDate(raw) else { return }
            if inEntry {
                if entry.published == nil { entry.published = date }
            } else if feed.updated == nil {
                feed.updated = date
            }
        case .updated:
            guard let date = parseDate(raw) else { return }
            if inEntry {
                entry.updated = date
            } else {
                feed.updated = date
            }
        case .summary, .itunesSummary, .mediaDescription:
            let content = textContent(of: capture, text: raw)
            if inEntry {
                let rank = capture.field.summaryRank
                if entry.summary == nil || rank > entryState.summaryRank {
                    entry.summary = content
                    entryState.summaryRank = rank
                }
            } else if capture.field != .mediaDescription, feed.subtitle == nil || capture.field == .summary {
                feed.subtitle = PlainText.title(content.value, kind: content.kind)
            }
        case .content:
            guard inEntry, entry.content == nil else { return }
            entry.content = textContent(of: capture, text: raw)
        case .subtitle:
            if !inEntry, feed.subtitle == nil {
                let content = textContent(of: capture, text: raw)
                feed.subtitle = PlainText.title(content.value, kind: content.kind)
            }
        case .author:
            guard inEntry else { return }
            let author = PersonName.fromRSS(raw)
            if !author.isEmpty, entry.author == nil { entry.author = author }
        case .authorName, .authorEmail:
            guard inEntry else { return }
            let value = raw.trimmingWhitespace()
            guard !value.isEmpty else { return }
            if capture.field == .authorName {
                entryState.authorName = value
            } else {
                entryState.authorEmail = value
            }
            if let name = entryState.authorName ?? entryState.authorEmail { entry.author = name }
        case .category:
            guard inEntry else { return }
            let category = raw.trimmingWhitespace()
            if !category.isEmpty { entry.categories.append(category) }
        case .language:
            if !inEntry, feed.language == nil {
                let language = raw.trimmingWhitespace()
                if !language.isEmpty { feed.language = language }
            }
        case .ttl, .skipHours, .skipDays, .updatePeriod, .updateFrequency:
            if !inEntry { feed.pollingHints.read(capture.field, text: raw) }
        case .enclosure, .atomCategory, .mediaContent, .mediaThumbnail, .ignored:
            break
        }
    }

    private func textContent(of capture: Capture, text: String) -> TextContent {
        var content = capture.textContent(of: text)
        if content.kind == .html { content.value = HTMLLinks.absolutize(content.value, base: currentBase) }
        return content
    }

    private func finishEntry() {
        guard inEntry else { return }
        var finished = entry
        entry = ParsedEntry()
        finished.link = entryState.links.best ?? entryState.guidLink.flatMap(Self.webURL)
        if finished.id == nil, let about = entryState.rdfAbout { finished.id = about }
        feed.entries.append(finished)
        entryDepth = nil
        mediaGroupDepth = nil
    }

    private func parseDate(_ text: String) -> Date? {
        if let date = FeedDate.parse(text) { return date }
        let trimmed = text.trimmingWhitespace()
        if !trimmed.isEmpty {
            warnedDates += 1
            if warnedDates <= 5 { feed.warnings.append(ParseWarning(line: nil, message: "unparseable date '\(trimmed)'")) }
        }
        return nil
    }

    private func resolve(_ reference: String) -> String {
        URIResolver.resolve(reference, against: currentBase)
    }

    /// Atom ids are IRIs; a relative one (which the spec forbids but feeds write) resolves like a link.
    private static func resolveIdentifier(_ id: String, base: String?) -> String {
        guard !id.isEmpty, !id.contains(":"), id.hasPrefix("/") || id.hasPrefix(".") else { return id }
        return URIResolver.resolve(id, against: base)
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
    var summaryRank = 0
    var titleFromMedia = false
    var authorName: String?
    var authorEmail: String?
}

/// Picks the best alternate link: the first HTML-typed one, else the first of any type.
private struct LinkChoice {
    private var first: String?
    private var firstHTML: String?

    mutating func offer(_ url: String, type: String?) {
        if first == nil { first = url }
        let isHTML = type.map { $0.containsASCII(caseInsensitive: "html") } ?? true
        if isHTML, firstHTML == nil { firstHTML = url }
    }

    var best: String? { firstHTML ?? first }
}
