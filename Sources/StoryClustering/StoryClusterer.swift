public import Foundation

/// One item to cluster: what a feed entry contributes.
public struct ClusterItem: Sendable, Equatable {
    public var title: String?
    public var summary: String?
    /// The feed it came from; items of one source never make a story on their own boilerplate.
    public var source: String?
    public var published: Date?
    /// The caller's id for the item (an entry id), returned by `representative(of:)`.
    public var key: Int64?

    public init(title: String?, summary: String?, source: String?, published: Date?, key: Int64? = nil) {
        self.title = title
        self.summary = summary
        self.source = source
        self.published = published
        self.key = key
    }
}

/// What the clusterer did with an item.
public struct ClusterDecision: Sendable, Equatable {
    public enum Reason: String, Sendable, Equatable {
        /// Started a new story.
        case new
        /// The same normalised title as an item of an active story.
        case sameTitle
        /// Similar enough to an active story.
        case similar
        /// A near-copy of an item of an active story from another source (wire copy with small edits).
        case nearDuplicate
    }

    /// The item's story, after any merge this item caused.
    public var story: Int64
    public var reason: Reason
    /// Stories this item showed to be one, in the order they happened: each `from` now lives on as `into`
    /// (a later merge may move that story on again).
    public var merges: [(from: Int64, into: Int64)] = []
    /// For a near-duplicate: the key of the item it copies (nil when that item had no key).
    public var duplicateOf: Int64?

    public static func == (lhs: ClusterDecision, rhs: ClusterDecision) -> Bool {
        lhs.story == rhs.story && lhs.reason == rhs.reason && lhs.duplicateOf == rhs.duplicateOf
            && lhs.merges.map(\.from) == rhs.merges.map(\.from) && lhs.merges.map(\.into) == rhs.merges.map(\.into)
    }
}

/// Online story clustering: items arrive one at a time and join the most similar active story or start one.
///
/// TF-IDF over title and summary (titles and names weigh more, each source's boilerplate is discounted) with
/// document frequencies maintained as items arrive; candidate stories come from an inverted index over the
/// stories' centroids, never a scan; stories inactive for `windowHours` are forgotten, so memory follows the
/// time window, not the history. Deterministic: the same items in the same order give the same stories.
/// Not thread-safe: one owner feeds it.
public final class StoryClusterer {
    public let parameters: ClusteringParameters
    private let stemmer = Stemmer()

    // The state below is marked `@exclusivity(unchecked)`: one owner calls the clusterer, never re-entrantly
    // (it is not thread-safe anyway), and the run-time exclusivity checks on every property access cost about 9%
    // of the clustering instructions (callgrind). The same holds for `Story`'s properties.

    // Vocabulary and statistics.
    @exclusivity(unchecked) private var termIDs: [String: Int32] = [:]
    @exclusivity(unchecked) private var termTexts: [String] = []
    @exclusivity(unchecked) private var documentFrequency: [Int32] = []
    @exclusivity(unchecked) private var documentCount = 0
    /// Per term id: the last IDF computed and the document count it was computed at (`idf`).
    @exclusivity(unchecked) private var idfValues: [Double] = []
    @exclusivity(unchecked) private var idfStamps: [Int] = []
    @exclusivity(unchecked) private var logDocuments = 0.0
    @exclusivity(unchecked) private var logDocumentsStamp = -1
    /// log(f + 1) for the frequencies f that most terms have.
    private let logFrequencies: [Double] = (0..<4096).map { log(Double($0) + 1) }
    @exclusivity(unchecked) private var words: [Word] = []
    @exclusivity(unchecked) private var wordTable = WordTable()
    /// Scratch space of `fieldTerms`, kept so that no item allocates it anew.
    @exclusivity(unchecked) private var scannedWords: [ScannedWord] = []
    @exclusivity(unchecked) private var selection = StrongestSelection()
    /// The vectors being compared with many stories, spread by term id (`bestCandidate`, `mergeIfSame`,
    /// `absorbSingletons`; one at a time).
    @exclusivity(unchecked) private var spreadVector = SpreadVector()
    @exclusivity(unchecked) private var spreadTitle = SpreadVector()
    /// Sources are numbered on first sight (a story's sources are compared for every candidate).
    @exclusivity(unchecked) private var sourceIDs: [String: Int32] = [:]
    /// Per source: how many stories it contributed to, and in how many of those it used each term (keyed by
    /// `sourceTermKey`): what makes a term boilerplate of the source.
    @exclusivity(unchecked) private var sourceStoryCount: [Int] = []
    @exclusivity(unchecked) private var sourceTermCount = IntegerTable()

    // Stories.
    @exclusivity(unchecked) private var stories: [Int64: Story] = [:]
    /// Per term id: the stories indexed under it, by ascending id (references, so that probing needs no lookup).
    @exclusivity(unchecked) private var postings: [[Story]] = []
    @exclusivity(unchecked) private var titleIndex: [String: Int64] = [:]
    /// Recent items' MinHash signatures, each with its story and key (copies of wire text join their original).
    private let nearDuplicates: NearDuplicateIndex<(story: Int64, key: Int64?)>
    /// Merged story ids → the story each became (what near-duplicate records of merged stories resolve through);
    /// pruned at each sweep once the story they lead to is gone. Ids, not references: a reference would keep a
    /// forgotten story's whole state alive while a record names it.
    @exclusivity(unchecked) private var mergedStoryIDs: [Int64: Int64] = [:]
    @exclusivity(unchecked) private var nextStoryID: Int64
    @exclusivity(unchecked) private var clock: Double?
    @exclusivity(unchecked) private var itemsSinceSweep = 0
    @exclusivity(unchecked) private var probeStamp = 0

    /// - Parameter firstStoryID: the id the next new story gets (continue after the stored ones).
    public init(parameters: ClusteringParameters = ClusteringParameters(), firstStoryID: Int64 = 1) {
        // Scoring reads a zero weight as an absent term.
        precondition(
            parameters.titleWeight > 0 && parameters.entityWeight > 0, "title and entity weights must be positive")
        self.parameters = parameters
        self.nextStoryID = firstStoryID
        nearDuplicates = NearDuplicateIndex(
            threshold: parameters.nearDuplicateSimilarity, minimumShingles: parameters.nearDuplicateMinimumShingles)
    }

    /// Active stories held in memory.
    public var activeStoryCount: Int { stories.count }

    /// How many items it has counted in its document frequencies (all it ever clustered or restored).
    public var documentsSeen: Int { documentCount }

    /// Distinct words seen (tests).
    var wordCount: Int { words.count }

    /// Clusters `item`.
    public func add(_ item: ClusterItem) -> ClusterDecision {
        let source = item.source.map(sourceID)
        let (features, now, itemTime) = prepare(item, source: source)
        var target: Int64?
        var reason = ClusterDecision.Reason.new

        var duplicateOf: Int64?
        let signature = nearDuplicateSignature(of: item)
        if let signature, let match = nearDuplicates.match(signature, source: item.source) {
            let story = currentStoryID(match.payload.story)
            if stories[story] != nil, isActive(story, now: now) {
                target = story
                reason = .nearDuplicate
                duplicateOf = match.payload.key
            }
        }
        let titleKey = titleKey(of: item)
        if target == nil, let titleKey, let story = titleIndex[titleKey], isActive(story, now: now) {
            target = story
            reason = .sameTitle
        }
        if target == nil, let best = bestCandidate(for: features, source: source, now: now, itemTime: itemTime) {
            target = best
            reason = .similar
        }
        let story: Int64
        if let target {
            story = target
        } else {
            story = nextStoryID
            nextStoryID += 1
            stories[story] = Story(id: story, last: itemTime ?? now)
        }
        file(
            item, source: source, features: features, signature: signature, titleKey: titleKey, into: story,
            time: itemTime ?? now)
        var decision = ClusterDecision(story: story, reason: reason, duplicateOf: duplicateOf)
        if reason == .similar, let merge = mergeIfSame(story, now: now) {
            decision.merges.append(merge)
            decision.story = merge.into
        }
        if reason != .new {
            let merges = absorbSingletons(into: decision.story, now: now, itemTime: itemTime)
            decision.merges += merges
            decision.story = merges.last?.into ?? decision.story
        }
        sweepIfDue(now: now)
        return decision
    }

    /// What near-duplicate detection compares: the title and the summary.
    private func nearDuplicateSignature(of item: ClusterItem) -> [UInt16]? {
        nearDuplicates.signature(of: item.title, item.summary)
    }

    /// The key under which identical titles meet: the normalised title, when it is long enough to trust.
    private func titleKey(of item: ClusterItem) -> String? {
        guard let title = item.title.map(Tokenizer.normalizedTitle),
            Self.hasScalars(title, atLeast: parameters.exactTitleMinimumLength)
        else { return nil }
        return title
    }

    /// Files `item` under `story`: the source's boilerplate counts, the story's centroid and members, the title
    /// index and the near-duplicate index.
    private func file(
        _ item: ClusterItem, source: Int32?, features: Features, signature: [UInt16]?, titleKey: String?,
        into story: Int64, time: Double
    ) {
        countForBoilerplate(features, source: source, story: story)
        absorb(features, into: story, source: source, time: time, key: item.key)
        if let titleKey { index(title: titleKey, story: story) }
        if let signature { nearDuplicates.insert(signature, payload: (story, item.key), time: time, source: item.source) }
    }

    private static func sourceTermKey(_ source: Int32, _ term: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: source)) << 32 | UInt64(UInt32(bitPattern: term))
    }

    /// The number of `source`, given on first sight.
    private func sourceID(_ source: String) -> Int32 {
        if let id = sourceIDs[source] { return id }
        let id = Int32(sourceStoryCount.count)
        sourceIDs[source] = id
        sourceStoryCount.append(0)
        return id
    }

    /// Whether `text` has at least `count` Unicode scalars (counted no further than that).
    private static func hasScalars(_ text: String, atLeast count: Int) -> Bool {
        guard count > 0 else { return true }
        if text.utf8.count < count { return false }
        var seen = 0
        for _ in text.unicodeScalars {
            seen += 1
            if seen >= count { return true }
        }
        return false
    }

    /// The story `id` lives on as, after merges.
    private func currentStoryID(_ id: Int64) -> Int64 {
        var id = id
        while let next = mergedStoryIDs[id] { id = next }
        return id
    }

    /// Puts `item` into `story` without choosing (rebuilding the state of stories already stored, e.g. after a
    /// restart), so that later items meet the same stories as before.
    public func restore(_ item: ClusterItem, story: Int64) {
        let source = item.source.map(sourceID)
        let (features, now, itemTime) = prepare(item, source: source, scoring: false)
        if stories[story] == nil { stories[story] = Story(id: story, last: itemTime ?? now) }
        file(
            item, source: source, features: features, signature: nearDuplicateSignature(of: item),
            titleKey: titleKey(of: item), into: story, time: itemTime ?? now)
        nextStoryID = max(nextStoryID, story + 1)
        sweepIfDue(now: now)
    }

    /// The key of the story's most representative recent member: the one whose title is closest to the
    /// story's centroid (ties: the earlier member). Nil for an unknown story or one without keyed members.
    public func representative(of id: Int64) -> Int64? {
        guard let story = stories[id] else { return nil }
        let cache = cache(of: story)
        var best: Int64?
        var bestSimilarity = -1.0
        // Every title under today's IDF, so that equal titles tie (and the earlier member wins).
        for (vector, key) in zip(story.titles.map(vector), story.memberKeys) {
            guard let key else { continue }
            let similarity = vector.dot(cache.centroid)
            if similarity > bestSimilarity {
                bestSimilarity = similarity
                best = key
            }
        }
        return best
    }

    // MARK: - Features

    /// Terms with weights, sorted by term id.
    private struct WeightedTerms {
        var terms: [Int32] = []
        var weights: [Double] = []
    }

    private struct Features {
        /// Weighted term frequencies of title + summary (no IDF); boilerplate terms left out.
        var termWeights: WeightedTerms
        /// Title terms with their weights.
        var titleWeights: WeightedTerms
        /// Names, places and numbers among the terms, sorted.
        var entities: [Int32]
        /// The title terms among `entities`, sorted: what title-to-title evidence can share as a name.
        var titleEntities: [Int32]
        /// Every term of the item (boilerplate too), sorted: what document frequencies count.
        var allTerms: [Int32]
        /// The item's TF-IDF vector (empty for an item being restored) and title vector under the IDF after counting
        /// this item.
        var vector = SparseVector()
        var titleVector = SparseVector()

        func isEntity(_ term: Int32) -> Bool { entities.sortedIndex(of: term) != nil }
    }

    /// One term of a field: how often it occurs and whether any occurrence is a name, place or number.
    private struct FieldTerm {
        var term: Int32
        var count: Int
        var entity: Bool
    }

    /// Features of `item`, with the statistics updated to include it; the clock; the item's own time.
    /// `scoring`: the item will be compared with stories and needs its TF-IDF vector (a restored item does not).
    private func prepare(_ item: ClusterItem, source: Int32?, scoring: Bool = true) -> (Features, Double, Double?) {
        let itemTime = item.published?.timeIntervalSince1970
        if let itemTime { clock = max(clock ?? itemTime, itemTime) }
        let now = clock ?? 0
        var features = featurize(item, source: source)
        documentCount += 1
        for term in features.allTerms { documentFrequency[Int(term)] += 1 }
        if scoring { features.vector = vector(features.termWeights) }
        features.titleVector = vector(features.titleWeights)
        return (features, now, itemTime ?? clock)
    }

    private func termID(_ text: String) -> Int32 {
        if let id = termIDs[text] { return id }
        let id = Int32(termTexts.count)
        termIDs[text] = id
        termTexts.append(text)
        documentFrequency.append(0)
        idfValues.append(0)
        idfStamps.append(-1)
        spreadVector.addTerm()
        spreadTitle.addTerm()
        postings.append([])
        return id
    }

    private func featurize(_ item: ClusterItem, source: Int32?) -> Features {
        let parameters = self.parameters
        let titleTerms = fieldTerms(item.title ?? "")
        let summaryTerms = fieldTerms(Self.prefix(item.summary ?? "", scalars: parameters.summaryLength))
        let allTerms = Self.sortedUnion(titleTerms.map(\.term), summaryTerms.map(\.term))
        // Per-source boilerplate: 0 drops the term, below 1 discounts it.
        var sourceFactor: (Int32) -> Double = { _ in 1 }
        if let source {
            let counts = sourceTermCount
            let denominator = Double(sourceStoryCount[Int(source)]) + parameters.sourceBoilerplatePrior
            sourceFactor = { term in
                let count = counts[Self.sourceTermKey(source, term)] ?? 0
                let factor = 1 - Double(count) / denominator / parameters.sourceBoilerplateShare
                return max(0, min(1, factor))
            }
        }
        var weights = WeightedTerms()
        weights.terms.reserveCapacity(allTerms.count)
        weights.weights.reserveCapacity(allTerms.count)
        var titleWeights = WeightedTerms()
        titleWeights.terms.reserveCapacity(titleTerms.count)
        titleWeights.weights.reserveCapacity(titleTerms.count)
        var entities: [Int32] = []
        entities.reserveCapacity(allTerms.count)
        var titleEntities: [Int32] = []
        titleEntities.reserveCapacity(titleTerms.count)
        var summaryIndex = 0
        var titleIndex = 0
        for term in allTerms {
            let factor = sourceFactor(term)
            let title = titleIndex < titleTerms.count && titleTerms[titleIndex].term == term ? titleTerms[titleIndex] : nil
            let summary =
                summaryIndex < summaryTerms.count && summaryTerms[summaryIndex].term == term ? summaryTerms[summaryIndex] : nil
            if title != nil { titleIndex += 1 }
            if summary != nil { summaryIndex += 1 }
            guard factor > 0 else { continue }
            var weight = 0.0
            var entity = false
            if let title {
                let entityFactor = title.entity ? parameters.entityWeight : 1
                weight += parameters.titleWeight * (1 + log(Double(title.count))) * entityFactor * factor
                titleWeights.terms.append(term)
                titleWeights.weights.append(entityFactor * factor)
                entity = title.entity
            }
            if let summary {
                weight += (1 + log(Double(summary.count))) * (summary.entity ? parameters.entityWeight : 1) * factor
                entity = entity || summary.entity
            }
            weights.terms.append(term)
            weights.weights.append(weight)
            if entity {
                entities.append(term)
                if title != nil { titleEntities.append(term) }
            }
        }
        return Features(
            termWeights: weights, titleWeights: titleWeights, entities: entities, titleEntities: titleEntities,
            allTerms: allTerms)
    }

    /// The first `count` Unicode scalars of `text`.
    private static func prefix(_ text: String, scalars count: Int) -> String {
        let bytes = text.utf8
        // No more bytes than scalars wanted, or ASCII up to the cut: the cut is a byte offset.
        if bytes.count <= count { return text }
        if bytes.prefix(count).allSatisfy({ $0 < 0x80 }) { return String(text.utf8.prefix(count))! }
        let scalarsView = text.unicodeScalars
        let end = scalarsView.index(scalarsView.startIndex, offsetBy: count, limitedBy: scalarsView.endIndex)
        return String(scalarsView[..<(end ?? scalarsView.endIndex)])
    }

    /// Whether `text` has an uppercase letter; ASCII text is checked byte by byte.
    private static func containsUppercase(_ text: String) -> Bool {
        var ascii = true
        for byte in text.utf8 {
            if byte >= 0x80 {
                ascii = false
                break
            }
            if byte >= 65, byte <= 90 { return true }
        }
        return ascii ? false : text.unicodeScalars.contains { $0.isUppercaseLetter }
    }

    /// The terms of one field, sorted; learns how words are capitalised mid-sentence.
    private func fieldTerms(_ text: String) -> [FieldTerm] {
        scannedWords.removeAll(keepingCapacity: true)
        Tokenizer.scan(text) { bytes, initial, shape in
            scannedWords.append(ScannedWord(word: wordIndex(bytes, ascii: shape.isASCII), sentenceInitial: initial, shape: shape))
        }
        guard !scannedWords.isEmpty else { return [] }
        let allLower = !Self.containsUppercase(text)
        let titleCase = isTitleCase(scannedWords)
        var found: [FieldTerm] = []
        found.reserveCapacity(scannedWords.count)
        for token in scannedWords {
            let word = token.word
            let info = words[word]
            if info.isStopword { continue }
            var entity = false
            if info.hasDigit {
                entity = !info.isDateLike
            } else if !allLower {
                if token.shape.isAllCaps {
                    entity = true
                } else if titleCase {
                    entity = info.mostlyCapitalised
                } else if token.shape.startsUppercase {
                    entity = token.sentenceInitial ? info.mostlyCapitalised : true
                }
            }
            if !titleCase, !allLower, !token.sentenceInitial {
                if token.shape.startsUppercase { words[word].capitalised += 1 } else { words[word].lowerCase += 1 }
            }
            found.append(FieldTerm(term: info.stem, count: 1, entity: entity))
        }
        found.sort { $0.term < $1.term }
        var result: [FieldTerm] = []
        result.reserveCapacity(found.count)
        for term in found {
            if let last = result.last, last.term == term.term {
                result[result.count - 1].count += 1
                result[result.count - 1].entity = last.entity || term.entity
            } else {
                result.append(term)
            }
        }
        return result
    }

    /// What is known about one lower-cased word, looked up once per occurrence.
    private struct Word {
        var stem: Int32
        /// A stopword, or a single non-digit character: never a feature.
        var isStopword: Bool
        /// One of the English stopwords (what Title Case detection skips).
        var isEnglishStopword: Bool
        var hasDigit: Bool
        var isDateLike: Bool
        /// Mid-sentence occurrences seen capitalised and lower-case (names are mostly capitalised).
        var capitalised: Int32 = 0
        var lowerCase: Int32 = 0
        var mostlyCapitalised: Bool { capitalised > lowerCase }
    }

    /// One word of a field as scanned: its entry in `words`, and how it was written.
    private struct ScannedWord {
        var word: Int
        var sentenceInitial: Bool
        var shape: Tokenizer.Shape
    }

    /// The entry in `words` of a word given by its bytes as written (`ascii`: all of them ASCII), added on first
    /// sight.
    private func wordIndex(_ bytes: UnsafeBufferPointer<UInt8>, ascii: Bool) -> Int {
        // The key is the lower-cased UTF-8: the table lower-cases ASCII itself; other words go through
        // `Tokenizer.lowerString` and, if still not ASCII, are keyed by their composed form (NFC), so that
        // canonically equivalent spellings (a precomposed syllable and its jamo) are one word, as they are one
        // `String`.
        if ascii { return wordTable.index(of: bytes) ?? addWord(key: bytes, lower: nil) }
        let lowered = Tokenizer.lowerString(bytes)
        var key = lowered.utf8.allSatisfy { $0 < 0x80 } ? lowered : lowered.precomposedStringWithCanonicalMapping
        return key.withUTF8 { key in wordTable.index(of: key) ?? addWord(key: key, lower: lowered) }
    }

    /// Adds the word with table key `key` (its bytes) and lower-cased text `lower` (nil: the key read as ASCII
    /// and lower-cased).
    private func addWord(key: UnsafeBufferPointer<UInt8>, lower lowered: String?) -> Int {
        let lower = lowered ?? String(decoding: key, as: UTF8.self).lowercased()
        let isNumber = lower.unicodeScalars.allSatisfy(\.isDigit)
        let isEnglishStopword = Stopwords.english.contains(lower)
        let isStopword = isEnglishStopword || (lower.unicodeScalars.count < 2 && !isNumber)
        let hasDigit = lower.unicodeScalars.contains(where: \.isDigit)
        let word = Word(
            stem: isStopword ? -1 : termID(stemmer.stem(lower)), isStopword: isStopword,
            isEnglishStopword: isEnglishStopword, hasDigit: hasDigit,
            isDateLike: hasDigit && Stopwords.isDateLike(lower))
        words.append(word)
        let index = wordTable.append(key)
        assert(index == words.count - 1)
        return index
    }

    /// Headline style ("Biden Says Border Is Closed"): capitals there say nothing about names.
    private func isTitleCase(_ tokens: [ScannedWord]) -> Bool {
        var count = 0
        var capitalised = 0
        for token in tokens where !words[token.word].isEnglishStopword && token.shape.startsLetter {
            count += 1
            if token.shape.startsUppercase { capitalised += 1 }
        }
        guard count >= 3 else { return false }
        return Double(capitalised) >= 0.7 * Double(count)
    }

    /// The term's inverse document frequency now; remembered per term until the statistics change (every
    /// vector of one item, and the centroids rebuilt meanwhile, ask for the same terms).
    private func idf(_ term: Int32) -> Double {
        let index = Int(term)
        // Document frequencies change only with the document count (`prepare`).
        if idfStamps[index] == documentCount { return idfValues[index] }
        if logDocumentsStamp != documentCount {
            logDocuments = log(Double(documentCount) + parameters.idfPrior + 1)
            logDocumentsStamp = documentCount
        }
        let frequency = Int(documentFrequency[index])
        let logFrequency = frequency < logFrequencies.count ? logFrequencies[frequency] : log(Double(frequency) + 1)
        let value = logDocuments - logFrequency + 1
        idfStamps[index] = documentCount
        idfValues[index] = value
        return value
    }

    private func vector(_ weighted: WeightedTerms) -> SparseVector {
        vector(terms: weighted.terms, weights: weighted.weights)
    }

    /// The unit vector of `weights` (for `terms`, sorted) times each term's IDF.
    private func vector(terms: [Int32], weights: [Double]) -> SparseVector {
        var weighted: [Double] = []
        weighted.reserveCapacity(terms.count)
        for index in terms.indices { weighted.append(weights[index] * idf(terms[index])) }
        return SparseVector(sortedTerms: terms, weights: weighted)
    }

    /// The strongest `count` terms of a vector (ties broken by the term's text), sorted by id.
    private func strongest(_ vector: SparseVector, count: Int) -> [Int32] {
        strongestIndices(terms: vector.terms, weights: vector.weights, count: count).map { vector.terms[$0] }
    }

    /// The positions of the `count` largest weights (ties broken by the term's text), ascending.
    private func strongestIndices(terms: [Int32], weights: [Double], count: Int) -> [Int] {
        selection.positions(of: weights, count: count) { termTexts[Int(terms[$0])] < termTexts[Int(terms[$1])] }
    }

    // MARK: - Stories

    private final class Story {
        let id: Int64
        @exclusivity(unchecked) var termWeights = SortedTermMap<Double>()
        /// How many member items contain each term.
        @exclusivity(unchecked) var documentCounts = SortedTermMap<Int32>()
        @exclusivity(unchecked) var titles: [WeightedTerms] = []
        /// The kept titles' vectors, computed under the IDF when they joined or at the last refresh (see
        /// `cache(of:)`), with the document count of the oldest.
        @exclusivity(unchecked) var titleVectors: [SparseVector] = []
        @exclusivity(unchecked) var titleVectorsDocumentCount = 0
        /// The caller's key of the member each kept title belongs to.
        @exclusivity(unchecked) var memberKeys: [Int64?] = []
        @exclusivity(unchecked) var size = 0
        /// The numbers of its sources, ascending.
        @exclusivity(unchecked) var sources: [Int32] = []
        @exclusivity(unchecked) var last: Double
        @exclusivity(unchecked) var titleKeys = Set<String>()
        @exclusivity(unchecked) var cache: Cache?
        /// The last probe that found this story (`candidateStories` takes each story once).
        @exclusivity(unchecked) var probeStamp = 0
        /// The names, places and numbers of its item while it has one (what `absorbSingletons` needs).
        @exclusivity(unchecked) var firstEntities: [Int32] = []

        /// A class, not a struct: candidate scoring asks for it about 20 times per item, and a struct of four
        /// arrays would be copied (each array retained and released) every time.
        final class Cache {
            let documentCount: Int
            let centroid: SparseVector
            /// The strongest centroid terms, sorted by id.
            let topTerms: [Int32]
            /// Terms in at least `signatureMinimumCount` members, with that count (the only ones that can be
            /// signature terms), sorted by id.
            let frequentTerms: [(term: Int32, count: Int32)]

            init(documentCount: Int, centroid: SparseVector, topTerms: [Int32], frequentTerms: [(term: Int32, count: Int32)]) {
                self.documentCount = documentCount
                self.centroid = centroid
                self.topTerms = topTerms
                self.frequentTerms = frequentTerms
            }
        }

        /// The time of its first item: a story older than `maximumStoryAgeHours` takes no new items.
        @exclusivity(unchecked) var first: Double

        init(id: Int64, last: Double) {
            self.id = id
            self.last = last
            self.first = last
        }
    }

    private func isActive(_ id: Int64, now: Double) -> Bool {
        guard let story = stories[id] else { return false }
        return isOpen(story, now: now)
    }

    /// Takes new items: active within the window, and not older than the maximum story age (one event's
    /// coverage; after that, a development is a new story — this stops topics from chaining for days).
    private func isOpen(_ story: Story, now: Double) -> Bool {
        now - story.last <= parameters.windowHours * 3600 && now - story.first <= parameters.maximumStoryAgeHours * 3600
    }

    /// The story's centroid under the current IDF, recomputed when the story changed or the collection grew by
    /// 5% since; its title vectors are recomputed when the collection grew by 5% since the oldest was.
    private func cache(of story: Story) -> Story.Cache {
        if let cache = story.cache, isFresh(cache.documentCount) { return cache }
        if !isFresh(story.titleVectorsDocumentCount) {
            story.titleVectors = story.titles.map(vector)
            story.titleVectorsDocumentCount = documentCount
        }
        let centroid = vector(terms: story.termWeights.terms, weights: story.termWeights.values)
        let minimum = Int32(parameters.signatureMinimumCount)
        let cache = Story.Cache(
            documentCount: documentCount, centroid: centroid,
            topTerms: strongest(centroid, count: parameters.topTerms),
            frequentTerms: story.size < parameters.signatureMinimumCount
                ? [] : zip(story.documentCounts.terms, story.documentCounts.values).filter { $0.1 >= minimum }.map { ($0.0, $0.1) })
        story.cache = cache
        return cache
    }

    /// Statistics computed at `count` documents still hold (the collection grew by less than 5%).
    private func isFresh(_ count: Int) -> Bool { Double(documentCount) <= Double(count) * 1.05 + 2 }

    private func bestCandidate(for features: Features, source: Int32?, now: Double, itemTime: Double?) -> Int64? {
        spreadVector.spread(features.vector)
        spreadTitle.spread(features.titleVector)
        defer {
            spreadVector.clear(features.vector)
            spreadTitle.clear(features.titleVector)
        }
        var best: Int64?
        var bestScore = -1.0
        // The most `centroidEvidence` multiplies a cosine by.
        let maximumSignatureFactor = max(1, entitySignatureFactor, signatureFactor)
        // Candidates come in no particular order: ties go to the older story.
        for story in candidateStories(probing: strongest(features.vector, count: parameters.probeTerms), excluding: nil, sorted: false)
        where isOpen(story, now: now) {
            let cache = cache(of: story)
            let decay = decay(from: itemTime, to: story)
            let sizeBonus = parameters.sizeBonus * log(min(Double(story.size), parameters.sizeCap))
            let penalty = source != nil && story.sources.count == 1 && story.sources[0] == source!
                ? parameters.sameSourcePenalty : 0
            // The cosine times the largest signature factor bounds the centroid evidence (rounding is monotone):
            // below the bar, the signature and shared-term checks wait until a title join needs the exact score.
            let cosine = spreadVector.dot(cache.centroid)
            var centroidSimilarity: Double?
            var centroidJoins = false
            if cosine * maximumSignatureFactor * decay + sizeBonus >= parameters.centroidThreshold + penalty {
                let similarity = centroidEvidence(features, cache: cache, cosine: cosine) * decay + sizeBonus
                centroidSimilarity = similarity
                centroidJoins = similarity >= parameters.centroidThreshold + penalty
            }
            // Title evidence decides a join by title, which needs a name of the item's title in a kept title (so in
            // some member), or ranks a join.
            var titleSimilarity = 0.0
            var sharedName = false
            if centroidJoins || features.titleEntities.contains(where: story.documentCounts.contains) {
                (titleSimilarity, sharedName) = titleEvidence(entities: features.entities, story: story)
                titleSimilarity *= decay
            }
            let joins = centroidJoins || (titleSimilarity >= parameters.titleThreshold + penalty && sharedName)
            guard joins else { continue }
            let centroidScore = centroidSimilarity ?? centroidEvidence(features, cache: cache, cosine: cosine) * decay + sizeBonus
            let score = max(centroidScore, titleSimilarity * parameters.centroidThreshold / parameters.titleThreshold)
            if score > bestScore || (score == bestScore && best.map { story.id < $0 } == true) {
                bestScore = score
                best = story.id
            }
        }
        return best
    }

    /// The stories indexed under any of `terms`, each once; in ascending id order if `sorted` (sorting was a tenth of
    /// the clustering instructions, and only a caller whose result depends on the order needs it).
    private func candidateStories(probing terms: [Int32], excluding excluded: Int64?, sorted: Bool = true) -> [Story] {
        probeStamp += 1
        var result: [Story] = []
        result.reserveCapacity(32)
        for term in terms {
            for story in postings[Int(term)] where story.id != excluded {
                assert(stories[story.id] === story, "story \(story.id) left in the postings of term \(term)")
                guard story.probeStamp != probeStamp else { continue }
                story.probeStamp = probeStamp
                result.append(story)
            }
        }
        if sorted { result.sort { $0.id < $1.id } }
        return result
    }

    /// The item's cosine with the story's centroid, raised when the item carries one of the story's signature
    /// terms and zero when it shares fewer than `minimumSharedTopTerms` of its top terms otherwise. The item's
    /// vector is in `spreadVector`; `cosine` is its dot product with the centroid.
    private func centroidEvidence(_ features: Features, cache: Story.Cache, cosine: Double) -> Double {
        var centroidSimilarity = cosine
        var signature = 0.0
        var entitySignature = 0.0
        for (term, count) in cache.frequentTerms where spreadVector[term] != 0 {
            let concentration = Double(count) / Double(documentFrequency[Int(term)])
            signature = max(signature, concentration)
            if features.isEntity(term) { entitySignature = max(entitySignature, concentration) }
        }
        if entitySignature >= parameters.signatureConcentration {
            // The item names the story's own name (a person, a product): the strongest evidence there is.
            centroidSimilarity *= entitySignatureFactor
        } else if signature >= parameters.signatureConcentration {
            centroidSimilarity *= signatureFactor
        } else if spreadVector.count(of: cache.topTerms) < requiredSharedTopTerms(itemTerms: features.termWeights.terms.count) {
            centroidSimilarity = 0
        }
        return centroidSimilarity
    }

    /// How many of a story's top terms an item without a signature term of the story must share: fewer for a short
    /// item, whose few terms could otherwise hardly meet the bar (`itemTerms`: its distinct terms, boilerplate left out).
    private func requiredSharedTopTerms(itemTerms: Int) -> Int {
        itemTerms <= parameters.shortItemTerms ? parameters.shortItemSharedTopTerms : parameters.minimumSharedTopTerms
    }

    /// What a signature term of the story multiplies the item's centroid evidence by: the join bar over the
    /// signature's own bar (a name of the item; any term).
    private var entitySignatureFactor: Double { parameters.centroidThreshold / parameters.entitySignatureThreshold }
    private var signatureFactor: Double { parameters.centroidThreshold / parameters.signatureThreshold }

    /// How much evidence fades with the time between an item and a story's last item.
    private func decay(from itemTime: Double?, to story: Story) -> Double {
        guard parameters.decayHours > 0, let itemTime else { return 1 }
        return exp(-abs(itemTime - story.last) / 3600 / parameters.decayHours)
    }

    /// The union of two sorted arrays without duplicates, sorted.
    private static func sortedUnion(_ a: [Int32], _ b: [Int32]) -> [Int32] {
        var result: [Int32] = []
        result.reserveCapacity(a.count + b.count)
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i] < b[j]) {
                result.append(a[i])
                i += 1
            } else if i == a.count || b[j] < a[i] {
                result.append(b[j])
                j += 1
            } else {
                result.append(a[i])
                i += 1
                j += 1
            }
        }
        return result
    }

    /// The best cosine between the title in `spreadTitle` and the story's kept member titles, and whether that
    /// closest title shares `titleSharedTerms` terms with it, one of them a name (`entities`, sorted).
    private func titleEvidence(entities: [Int32], story: Story) -> (similarity: Double, sharedName: Bool) {
        var best = 0.0
        var bestTitle: SparseVector?
        for member in story.titleVectors {
            let similarity = spreadTitle.dot(member)
            if similarity > best {
                best = similarity
                bestTitle = member
            }
        }
        guard let bestTitle else { return (best, false) }
        var common = 0
        var sharesName = false
        for term in bestTitle.terms where spreadTitle[term] != 0 {
            common += 1
            if !sharesName, entities.sortedIndex(of: term) != nil { sharesName = true }
        }
        return (best, common >= parameters.titleSharedTerms && sharesName)
    }

    private static func sortedIntersectionCount(_ a: [Int32], _ b: [Int32]) -> Int {
        var count = 0
        var i = 0
        var j = 0
        while i < a.count, j < b.count {
            if a[i] == b[j] {
                count += 1
                i += 1
                j += 1
            } else if a[i] < b[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return count
    }

    /// Counts the item's terms for its source's boilerplate, by story rather than by item: a source's second
    /// report of one story adds nothing, so that an outlet's story of the day (many items) does not become its
    /// boilerplate while a tagline in every item ("Subscribe to 1News") does. Runs before the item joins `id`.
    private func countForBoilerplate(_ features: Features, source: Int32?, story id: Int64) {
        guard let source, let story = stories[id] else { return }
        let index = Int(source)
        let seen = story.sources.sortedIndex(of: source) != nil
        if !seen { sourceStoryCount[index] += 1 }
        for term in features.allTerms where !seen || (story.documentCounts.value(of: term) ?? 0) == 0 {
            let key = Self.sourceTermKey(source, term)
            sourceTermCount[key] = (sourceTermCount[key] ?? 0) + 1
        }
    }

    private func absorb(_ features: Features, into id: Int64, source: Int32?, time: Double, key: Int64?) {
        guard let story = stories[id] else { return }
        story.termWeights.add(sortedTerms: features.termWeights.terms, values: features.termWeights.weights)
        story.documentCounts.addOne(sortedTerms: features.allTerms)
        story.size += 1
        if story.titles.isEmpty { story.titleVectorsDocumentCount = documentCount }
        story.firstEntities = story.size == 1 ? features.entities : []
        story.titles.append(features.titleWeights)
        story.titleVectors.append(features.titleVector)
        story.memberKeys.append(key)
        if story.titles.count > parameters.titlesKept {
            let excess = story.titles.count - parameters.titlesKept
            story.titles.removeFirst(excess)
            story.titleVectors.removeFirst(excess)
            story.memberKeys.removeFirst(excess)
        }
        story.last = max(story.last, time)
        if let source {
            let position = story.sources.sortedInsertionPoint(of: source) { $0 }
            if position == story.sources.count || story.sources[position] != source {
                story.sources.insert(source, at: position)
            }
        }
        story.cache = nil
        prune(story, added: features.termWeights.terms)
    }

    /// Keeps the story's strongest terms and indexes it under the `added` ones (or all) that stay: the others
    /// are indexed already.
    private func prune(_ story: Story, added: [Int32]? = nil) {
        if story.termWeights.count > parameters.centroidTerms {
            let terms = story.termWeights.terms
            let weights = story.termWeights.values
            var scores: [Double] = []
            scores.reserveCapacity(terms.count)
            for index in terms.indices { scores.append(weights[index] * idf(terms[index])) }
            var kept = [Bool](repeating: false, count: terms.count)
            for index in strongestIndices(terms: terms, weights: scores, count: parameters.centroidTerms) { kept[index] = true }
            for index in terms.indices where !kept[index] { unindex(story, term: terms[index]) }
            story.termWeights.keep(positions: kept)
        }
        if let added {
            for term in added where story.termWeights.contains(term) { index(story, term: term) }
        } else {
            for term in story.termWeights.terms { index(story, term: term) }
        }
    }

    private func index(title key: String, story: Int64) {
        titleIndex[key] = story
        stories[story]?.titleKeys.insert(key)
    }

    /// After an item joined `id`: the most similar other active story, if similar enough, becomes one with it
    /// (the older id survives).
    private func mergeIfSame(_ id: Int64, now: Double) -> (from: Int64, into: Int64)? {
        guard let story = stories[id], story.size >= 2 else { return nil }
        let centroid = cache(of: story).centroid
        spreadVector.spread(centroid)
        defer { spreadVector.clear(centroid) }
        var best: Int64?
        var bestSimilarity = parameters.mergeThreshold
        // Candidates come in no particular order: ties go to the newer story.
        for candidate in candidateStories(probing: strongest(centroid, count: parameters.probeTerms), excluding: id, sorted: false)
        where isOpen(candidate, now: now) && candidate.size >= 1 {
            let similarity = spreadVector.dot(cache(of: candidate).centroid)
            // A single item joins no more easily by a merge than it would have by the join rule.
            if candidate.size == 1, similarity < parameters.centroidThreshold { continue }
            if similarity > bestSimilarity || (similarity == bestSimilarity && best.map { candidate.id > $0 } != false) {
                bestSimilarity = similarity
                best = candidate.id
            }
        }
        guard let best else { return nil }
        return merge(id, best)
    }

    /// After `id` grew: earlier single-item stories that would join it now by the join rule (centroid cosine
    /// with 3 shared top terms, time decay, size bonus, same-source penalty; or a close title with a shared
    /// name) become part of it. An item that came before its story had formed is not left alone for ever.
    private func absorbSingletons(into id: Int64, now: Double, itemTime: Double?) -> [(from: Int64, into: Int64)] {
        guard let grown = stories[id], grown.size >= 2 else { return [] }
        var merges: [(from: Int64, into: Int64)] = []
        var survivor = id
        let probe = strongest(cache(of: grown).centroid, count: parameters.probeTerms)
        // The survivor's centroid, spread by term id while it lasts (a merge changes it).
        var spread: SparseVector?
        defer { if let spread { spreadVector.clear(spread) } }
        for candidate in candidateStories(probing: probe, excluding: id)
        where candidate.size == 1 && isOpen(candidate, now: now) {
            guard let story = stories[survivor] else { break }
            let storyCache = cache(of: story)
            if spread == nil {
                spreadVector.spread(storyCache.centroid)
                spread = storyCache.centroid
            }
            let single = cache(of: candidate).centroid
            var score = spreadVector.dot(single)
            if Self.sortedIntersectionCount(single.terms, storyCache.topTerms) < requiredSharedTopTerms(itemTerms: single.terms.count) {
                score = 0
            }
            var decay = 1.0
            if parameters.decayHours > 0 {
                // The single item's distance in time from the story's span (none when it falls inside).
                let gap = max(0, story.first - candidate.last, candidate.last - story.last)
                decay = exp(-gap / 3600 / parameters.decayHours)
                score *= decay
            }
            score += parameters.sizeBonus * log(min(Double(story.size), parameters.sizeCap))
            let penalty = !candidate.sources.isEmpty && candidate.sources == story.sources ? parameters.sameSourcePenalty : 0
            if score < parameters.centroidThreshold + penalty {
                // Then only a close title sharing a name with a kept title of the story joins it.
                guard let title = candidate.titles.first,
                    title.terms.contains(where: { candidate.firstEntities.sortedIndex(of: $0) != nil && story.documentCounts.contains($0) })
                else { continue }
                let titleVector = vector(title)
                spreadTitle.spread(titleVector)
                let (titleSimilarity, sharedName) = titleEvidence(entities: candidate.firstEntities, story: story)
                spreadTitle.clear(titleVector)
                guard titleSimilarity * decay >= parameters.titleThreshold + penalty, sharedName else { continue }
            }
            guard let merged = merge(survivor, candidate.id) else { continue }
            merges.append(merged)
            survivor = merged.into
            if let old = spread {
                spreadVector.clear(old)
                spread = nil
            }
        }
        return merges
    }

    /// Makes two stories one: the older id survives and the other keeps resolving to it.
    private func merge(_ id: Int64, _ other: Int64) -> (from: Int64, into: Int64)? {
        let (keptID, goneID) = other < id ? (other, id) : (id, other)
        guard let kept = stories[keptID], let gone = stories[goneID] else { return nil }
        kept.termWeights.add(gone.termWeights)
        for term in gone.termWeights.terms { unindex(gone, term: term) }
        kept.documentCounts.add(gone.documentCounts)
        kept.size += gone.size
        kept.sources = Self.sortedUnion(kept.sources, gone.sources)
        kept.titles = Array((kept.titles + gone.titles).suffix(parameters.titlesKept))
        kept.titleVectors = Array((kept.titleVectors + gone.titleVectors).suffix(parameters.titlesKept))
        kept.titleVectorsDocumentCount = min(kept.titleVectorsDocumentCount, gone.titleVectorsDocumentCount)
        kept.memberKeys = Array((kept.memberKeys + gone.memberKeys).suffix(parameters.titlesKept))
        kept.last = max(kept.last, gone.last)
        kept.first = min(kept.first, gone.first)
        for key in gone.titleKeys where titleIndex[key] == goneID {
            titleIndex[key] = keptID
            kept.titleKeys.insert(key)
        }
        kept.firstEntities = []
        kept.cache = nil
        mergedStoryIDs[goneID] = keptID
        stories[goneID] = nil
        prune(kept)
        return (goneID, keptID)
    }

    /// Forgets stories that can never be joined again (the clock only moves forward).
    private func sweepIfDue(now: Double) {
        itemsSinceSweep += 1
        guard itemsSinceSweep >= 1000 else { return }
        itemsSinceSweep = 0
        let horizon = parameters.windowHours * 3600
        // The ids first: removing while iterating would copy the whole dictionary.
        let expired = stories.values.filter { now - $0.last > horizon }
        for story in expired {
            for term in story.termWeights.terms { unindex(story, term: term) }
            for key in story.titleKeys where titleIndex[key] == story.id { titleIndex[key] = nil }
            stories[story.id] = nil
        }
        nearDuplicates.removeAll(before: now - horizon, capacity: parameters.nearDuplicateCapacity)
        for from in mergedStoryIDs.keys where stories[currentStoryID(from)] == nil { mergedStoryIDs[from] = nil }
    }

    private func index(_ story: Story, term: Int32) {
        let position = postingPosition(of: story.id, term: term)
        if position == postings[Int(term)].count || postings[Int(term)][position] !== story {
            postings[Int(term)].insert(story, at: position)
        }
    }

    private func unindex(_ story: Story, term: Int32) {
        let position = postingPosition(of: story.id, term: term)
        if position < postings[Int(term)].count, postings[Int(term)][position] === story {
            postings[Int(term)].remove(at: position)
        }
    }

    /// Where the story with `id` is, or would go, in the postings of `term`.
    private func postingPosition(of id: Int64, term: Int32) -> Int {
        postings[Int(term)].sortedInsertionPoint(of: id, by: \.id)
    }
}

extension StoryClusterer {
    /// Clusters `items` in order from a fresh state and returns each item's final story (after every merge),
    /// as the daemon would have grouped them.
    public static func cluster(_ items: [ClusterItem], parameters: ClusteringParameters = ClusteringParameters())
        -> [Int64]
    {
        let clusterer = StoryClusterer(parameters: parameters)
        var labels: [Int64] = []
        labels.reserveCapacity(items.count)
        var mergedInto: [Int64: Int64] = [:]
        for item in items {
            let decision = clusterer.add(item)
            labels.append(decision.story)
            for merge in decision.merges { mergedInto[merge.from] = merge.into }
        }
        return labels.map { label in
            var story = label
            while let next = mergedInto[story] { story = next }
            return story
        }
    }
}

// MARK: - Snapshots

extension StoryClusterer {
    private static let snapshotMagic = Array("tidings clusterer".utf8)
    private static let snapshotVersion: UInt32 = 4
    /// 0x01020304 as laid out in memory: the byte order of the arrays a snapshot holds.
    private static let byteOrderMark = [UInt32(0x0102_0304)].withUnsafeBytes { Array($0) }

    /// What this build makes of a sample of news text: its words, names, stems, stopwords, normalised title,
    /// near-duplicate signature and bucket keys, and the other keys a snapshot stores. A snapshot holds these as the
    /// build that took it made them, so one from a build that reads text differently (another tokenizer, stemmer or
    /// hash) is not loaded.
    static let behaviourFingerprint: UInt64 = {
        let sample = """
            U.S. officials: Biden's plan https://t.co/x #news won't pass. L’Élysée’s “reply” at www.elysee.fr — the F.B.I. \
            said 3,000 running cats were counted on Tuesday 21 September in São Paulo; 東京 reported 12.5% more. NASA’s \
            rover and the EU's 3 GHz band generously followed.
            """
        let tokens = Tokenizer.tokens(sample)
        var parts: [String] = tokens.map { "\($0.surface) \($0.lower) \($0.sentenceInitial)" }
        parts.append(Tokenizer.normalizedTitle(sample))
        let stemmer = Stemmer()
        parts += tokens.map { stemmer.stem($0.lower) }
        parts += Stopwords.english.sorted()
        parts += ["21", "2021", "3rd", "1999", "12", "tuesday"].map { "\(Stopwords.isDateLike($0))" }
        let signature = NearDuplicateIndex<Int>(threshold: 0.7, minimumShingles: 8).signature(of: sample) ?? []
        parts += signature.map(String.init)
        // What stored keys were made with: near-duplicate buckets, per-source term counts, composed word keys.
        parts += NearDuplicateIndex<Int>.bucketKeys(of: signature).map(String.init)
        parts.append(String(sourceTermKey(3, 7)))
        parts.append("Cafe\u{301} \u{110C}\u{1166}\u{110C}\u{116E}".precomposedStringWithCanonicalMapping)
        var checksum = SnapshotChecksum()
        for part in parts { Array((part + "\n").utf8).withUnsafeBytes { checksum.add($0) } }
        return checksum.value
    }()

    /// The clusterer's whole state as bytes: a clusterer made from them (`init(snapshot:)`) decides every later item
    /// exactly as this one would. What a daemon keeps across a restart instead of rebuilding stories from stored
    /// entries (which featurises every entry of the window again and only approximates the state).
    public func snapshot() -> Data {
        var writer = SnapshotWriter()
        writeSnapshot(into: &writer)
        return writer.finish()
    }

    /// The same bytes as `snapshot()`, handed to `emit` in pieces of `chunkSize` as they are made, so that the
    /// whole never sits in memory at once.
    public func writeSnapshot(chunkSize: Int, to emit: sending (Data) -> Void) {
        withoutActuallyEscaping(emit) { emit in
            var writer = SnapshotWriter(chunkSize: chunkSize, emit: emit)
            writeSnapshot(into: &writer)
            _ = writer.finish()
        }
    }

    private func writeSnapshot(into writer: inout SnapshotWriter) {
        writer.write(Self.snapshotMagic)
        writer.write(Self.snapshotVersion)
        writer.write(Self.byteOrderMark)
        writer.write(String(describing: parameters))
        writer.write(Self.behaviourFingerprint)
        writer.beginBody()
        encodeState(into: &writer)
    }

    private func encodeState(into body: inout SnapshotWriter) {
        body.write(termTexts)
        body.write(documentFrequency)
        body.write(Int64(documentCount))
        body.write(words.map(\.stem))
        body.write(
            words.map {
                ($0.isStopword ? 1 : 0) | ($0.isEnglishStopword ? 2 : 0) | ($0.hasDigit ? 4 : 0) | ($0.isDateLike ? 8 : 0) as UInt8
            })
        body.write(words.map(\.capitalised))
        body.write(words.map(\.lowerCase))
        wordTable.encode(into: &body)
        body.write(sourceIDs.sorted { $0.value < $1.value }.map(\.key))
        body.write(sourceStoryCount)
        sourceTermCount.encode(into: &body)
        let storyIDs = stories.keys.sorted()
        body.write(Int64(storyIDs.count))
        for id in storyIDs { Self.encode(stories[id]!, into: &body) }
        let titles = titleIndex.sorted { $0.key < $1.key }
        body.write(titles.map(\.key))
        body.write(titles.map(\.value))
        nearDuplicates.encode(into: &body) { payload, writer in
            writer.write(payload.story)
            writer.write(payload.key != nil)
            writer.write(payload.key ?? 0)
        }
        let merged = mergedStoryIDs.sorted { $0.key < $1.key }
        body.write(merged.map(\.key))
        body.write(merged.map(\.value))
        body.write(nextStoryID)
        body.write(clock != nil)
        body.write(clock ?? 0)
        body.write([itemsSinceSweep, probeStamp])
    }

    /// A clusterer in the state `snapshot()` recorded. Throws when the bytes are not such a snapshot, are damaged,
    /// or were taken with other parameters (a snapshot of another configuration would decide differently).
    public convenience init(snapshot: Data, parameters: ClusteringParameters = ClusteringParameters())
        throws(ClusteringSnapshotError)
    {
        self.init(parameters: parameters)
        let result = snapshot.withUnsafeBytes { raw -> Result<Void, ClusteringSnapshotError> in
            var reader = SnapshotReader(raw)
            do throws(ClusteringSnapshotError) {
                try load(snapshot: &reader)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    private func load(snapshot reader: inout SnapshotReader) throws(ClusteringSnapshotError) {
        guard (try? reader.readArray(UInt8.self)) == Self.snapshotMagic else {
            throw ClusteringSnapshotError("not a clusterer snapshot")
        }
        let version = try reader.read(UInt32.self)
        guard version == Self.snapshotVersion else {
            throw ClusteringSnapshotError("snapshot format \(version), this build reads \(Self.snapshotVersion)")
        }
        guard try reader.readArray(UInt8.self) == Self.byteOrderMark else {
            throw ClusteringSnapshotError("snapshot taken on a machine of another byte order")
        }
        guard try reader.readString() == String(describing: parameters) else {
            throw ClusteringSnapshotError("snapshot taken with other clustering parameters")
        }
        guard try reader.read(UInt64.self) == Self.behaviourFingerprint else {
            throw ClusteringSnapshotError("snapshot taken by a build that reads text differently")
        }
        // The body, then its checksum and length.
        guard reader.remaining >= 16 else { throw ClusteringSnapshotError("snapshot ends early at byte \(reader.position)") }
        let body = try reader.skip(reader.remaining - 16)
        let checksum = try reader.read(UInt64.self)
        let length = try reader.read(UInt64.self)
        guard length == UInt64(body.count) else { throw ClusteringSnapshotError("snapshot damaged (length mismatch)") }
        var actual = SnapshotChecksum()
        actual.add(body)
        guard actual.value == checksum else { throw ClusteringSnapshotError("snapshot damaged (checksum mismatch)") }
        var bodyReader = SnapshotReader(body)
        try load(from: &bodyReader)
        guard bodyReader.isAtEnd else { throw ClusteringSnapshotError("snapshot body has trailing bytes") }
    }

    private func load(from reader: inout SnapshotReader) throws(ClusteringSnapshotError) {
        let termTexts = try reader.readStrings()
        let termCount = termTexts.count
        var termIDs = [String: Int32](minimumCapacity: termCount)
        for (offset, text) in termTexts.enumerated() where termIDs.updateValue(Int32(offset), forKey: text) != nil {
            throw ClusteringSnapshotError("snapshot repeats a term")
        }
        func checkTerms(_ terms: [Int32], allowingNone: Bool = false) throws(ClusteringSnapshotError) {
            guard terms.allSatisfy({ Int($0) < termCount && ($0 >= 0 || (allowingNone && $0 == -1)) }) else {
                throw ClusteringSnapshotError("snapshot names a term that does not exist")
            }
        }
        let documentFrequency = try reader.readArray(Int32.self)
        guard documentFrequency.count == termCount else { throw ClusteringSnapshotError("snapshot's term statistics mismatch") }
        let documentCount = Int(try reader.read(Int64.self))
        let stems = try reader.readArray(Int32.self)
        let flags = try reader.readArray(UInt8.self)
        let capitalised = try reader.readArray(Int32.self)
        let lowerCase = try reader.readArray(Int32.self)
        try checkTerms(stems, allowingNone: true)
        let wordTable = try WordTable(from: &reader)
        guard flags.count == stems.count, capitalised.count == stems.count, lowerCase.count == stems.count,
            wordTable.count == stems.count
        else { throw ClusteringSnapshotError("snapshot's vocabulary mismatches") }
        let sourceNames = try reader.readStrings()
        let sourceStoryCount = try reader.readInts()
        let sourceTermCount = try IntegerTable(from: &reader)
        guard sourceStoryCount.count == sourceNames.count, Set(sourceNames).count == sourceNames.count else {
            throw ClusteringSnapshotError("snapshot's sources mismatch")
        }
        var stories: [Int64: Story] = [:]
        for _ in 0..<(try reader.readCount(elementSize: 8)) {
            let story = try Self.decodeStory(from: &reader)
            let cached = story.cache.map { [$0.centroid.terms, $0.topTerms, $0.frequentTerms.map(\.term)] } ?? []
            for terms in [story.termWeights.terms, story.documentCounts.terms, story.firstEntities] + story.titles.map(\.terms)
                + story.titleVectors.map(\.terms) + cached
            {
                try checkTerms(terms)
            }
            guard story.sources.allSatisfy({ $0 >= 0 && Int($0) < sourceNames.count }), stories[story.id] == nil else {
                throw ClusteringSnapshotError("snapshot holds an inconsistent story \(story.id)")
            }
            stories[story.id] = story
        }
        let titleKeys = try reader.readStrings()
        let titleStories = try reader.readArray(Int64.self)
        guard titleKeys.count == titleStories.count, zip(titleKeys, titleKeys.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw ClusteringSnapshotError("snapshot's title index mismatches")
        }
        try nearDuplicates.load(from: &reader) { (reader: inout SnapshotReader) throws(ClusteringSnapshotError) in
            let story = try reader.read(Int64.self)
            let hasKey = try reader.readBool()
            let key = try reader.read(Int64.self)
            return (story, hasKey ? key : nil)
        }
        let mergedFrom = try reader.readArray(Int64.self)
        let mergedInto = try reader.readArray(Int64.self)
        // A merge keeps the older id, so every record leads to a smaller id (no cycles).
        guard mergedFrom.count == mergedInto.count, zip(mergedFrom, mergedFrom.dropFirst()).allSatisfy({ $0 < $1 }),
            zip(mergedFrom, mergedInto).allSatisfy({ $0 > $1 })
        else { throw ClusteringSnapshotError("snapshot's merge records are inconsistent") }
        let nextStoryID = try reader.read(Int64.self)
        let hasClock = try reader.readBool()
        let clock = try reader.readDouble()
        let counters = try reader.readInts()
        guard counters.count == 2 else { throw ClusteringSnapshotError("snapshot's counters are missing") }

        self.termTexts = termTexts
        self.termIDs = termIDs
        self.documentFrequency = documentFrequency
        self.documentCount = documentCount
        idfValues = Array(repeating: 0, count: termCount)
        idfStamps = Array(repeating: -1, count: termCount)
        for _ in 0..<termCount {
            spreadVector.addTerm()
            spreadTitle.addTerm()
        }
        words = stems.indices.map { index in
            Word(
                stem: stems[index], isStopword: flags[index] & 1 != 0, isEnglishStopword: flags[index] & 2 != 0,
                hasDigit: flags[index] & 4 != 0, isDateLike: flags[index] & 8 != 0, capitalised: capitalised[index],
                lowerCase: lowerCase[index])
        }
        self.wordTable = wordTable
        sourceIDs = Dictionary(uniqueKeysWithValues: sourceNames.enumerated().map { ($0.element, Int32($0.offset)) })
        self.sourceStoryCount = sourceStoryCount
        self.sourceTermCount = sourceTermCount
        self.stories = stories
        // Postings hold each story under its centroid terms, by ascending id.
        postings = Array(repeating: [], count: termCount)
        for id in stories.keys.sorted() {
            let story = stories[id]!
            for term in story.termWeights.terms { postings[Int(term)].append(story) }
        }
        titleIndex = Dictionary(uniqueKeysWithValues: zip(titleKeys, titleStories))
        mergedStoryIDs = Dictionary(uniqueKeysWithValues: zip(mergedFrom, mergedInto))
        self.nextStoryID = nextStoryID
        self.clock = hasClock ? clock : nil
        itemsSinceSweep = counters[0]
        probeStamp = counters[1]
    }

    private static func encode(_ story: Story, into writer: inout SnapshotWriter) {
        writer.write(story.id)
        writer.write(story.termWeights.terms)
        writer.write(story.termWeights.values)
        writer.write(story.documentCounts.terms)
        writer.write(story.documentCounts.values)
        writer.write(Int64(story.titles.count))
        for title in story.titles {
            writer.write(title.terms)
            writer.write(title.weights)
        }
        writer.write(Int64(story.titleVectors.count))
        for vector in story.titleVectors {
            writer.write(vector.terms)
            writer.write(vector.weights)
        }
        writer.write(Int64(story.titleVectorsDocumentCount))
        writer.write(story.memberKeys.map { $0 != nil ? 1 : 0 as UInt8 })
        writer.write(story.memberKeys.map { $0 ?? 0 })
        writer.write(Int64(story.size))
        writer.write(story.sources)
        writer.write(story.last)
        writer.write(story.first)
        writer.write(story.titleKeys.sorted())
        writer.write(story.firstEntities)
        writer.write(story.cache != nil)
        if let cache = story.cache {
            writer.write(Int64(cache.documentCount))
            writer.write(cache.centroid.terms)
            writer.write(cache.centroid.weights)
            writer.write(cache.topTerms)
            writer.write(cache.frequentTerms.map(\.term))
            writer.write(cache.frequentTerms.map(\.count))
        }
    }

    private static func decodeStory(from reader: inout SnapshotReader) throws(ClusteringSnapshotError) -> Story {
        func vector(_ reader: inout SnapshotReader) throws(ClusteringSnapshotError) -> SparseVector {
            var vector = SparseVector()
            vector.terms = try reader.readArray(Int32.self)
            vector.weights = try reader.readArray(Double.self)
            guard vector.terms.count == vector.weights.count else { throw ClusteringSnapshotError("snapshot holds a broken vector") }
            return vector
        }
        let id = try reader.read(Int64.self)
        let story = Story(id: id, last: 0)
        story.termWeights = try SortedTermMap(snapshotTerms: try reader.readArray(Int32.self), values: try reader.readArray(Double.self))
        story.documentCounts = try SortedTermMap(snapshotTerms: try reader.readArray(Int32.self), values: try reader.readArray(Int32.self))
        for _ in 0..<(try reader.readCount(elementSize: 16)) {
            let title = try vector(&reader)
            story.titles.append(WeightedTerms(terms: title.terms, weights: title.weights))
        }
        for _ in 0..<(try reader.readCount(elementSize: 16)) { story.titleVectors.append(try vector(&reader)) }
        story.titleVectorsDocumentCount = Int(try reader.read(Int64.self))
        let hasKey = try reader.readArray(UInt8.self)
        let keys = try reader.readArray(Int64.self)
        guard hasKey.count == keys.count else { throw ClusteringSnapshotError("snapshot's story \(id) has broken member keys") }
        story.memberKeys = zip(hasKey, keys).map { $0 != 0 ? $1 : nil }
        story.size = Int(try reader.read(Int64.self))
        story.sources = try reader.readArray(Int32.self)
        story.last = try reader.readDouble()
        story.first = try reader.readDouble()
        story.titleKeys = Set(try reader.readStrings())
        story.firstEntities = try reader.readArray(Int32.self)
        if try reader.readBool() {
            let documentCount = Int(try reader.read(Int64.self))
            let centroid = try vector(&reader)
            let topTerms = try reader.readArray(Int32.self)
            let frequent = try reader.readArray(Int32.self)
            let counts = try reader.readArray(Int32.self)
            guard frequent.count == counts.count else { throw ClusteringSnapshotError("snapshot's story \(id) has a broken cache") }
            story.cache = Story.Cache(
                documentCount: documentCount, centroid: centroid, topTerms: topTerms,
                frequentTerms: zip(frequent, counts).map { (term: $0, count: $1) })
        }
        return story
    }
}
