/// The clustering constants. One configuration serves every dataset and the daemon; see docs/CLUSTERING.md for
/// what each does and how it was chosen.
public struct ClusteringParameters: Sendable, Equatable {
    /// Title terms weigh this much more than summary terms (positive).
    public var titleWeight = 2.0
    /// Multiplier for names, places and numbers (positive).
    public var entityWeight = 1.5
    /// Only the start of a summary is used (Unicode scalars).
    public var summaryLength = 300
    /// Pseudo-documents added to the IDF's document count, so that the first items do not see extreme IDFs.
    public var idfPrior = 20.0
    /// A story's centroid keeps its K strongest terms (limits drift).
    public var centroidTerms = 60
    /// An item looks up candidate stories by its strongest terms.
    public var probeTerms = 10
    /// Join when the centroid similarity reaches this…
    public var centroidThreshold = 0.30
    /// …or the best title-to-title similarity reaches this with a shared name.
    public var titleThreshold = 0.45
    /// Two stories whose centroids are this similar are one story.
    public var mergeThreshold = 0.25
    /// A story takes no new items after this many hours without one…
    public var windowHours = 72.0
    /// …or once its first item is this many hours old.
    public var maximumStoryAgeHours = 72.0
    /// Member titles kept per story for title-to-title similarity.
    public var titlesKept = 16
    /// A term in more than this share of the stories a source reported is that source's boilerplate.
    public var sourceBoilerplateShare = 0.3
    /// Smoothing of the source share (stories).
    public var sourceBoilerplatePrior = 5.0
    /// Signature terms: a term seen in at least this many of a story's items…
    public var signatureMinimumCount = 5
    /// …that are this share of all items with the term makes the story's threshold `signatureThreshold`.
    public var signatureConcentration = 0.8
    public var signatureThreshold = 0.20
    /// …and this when the signature term is a name in the item.
    public var entitySignatureThreshold = 0.10
    /// Similarities decay with the time between the item and the story's last item (hours).
    public var decayHours = 48.0
    /// Without a signature term, an item must share this many of the story's top terms.
    public var topTerms = 20
    public var minimumSharedTopTerms = 3
    /// …or this many when the item has at most `shortItemTerms` terms (a headline without a summary: three shared
    /// terms would be most of it).
    public var shortItemSharedTopTerms = 2
    public var shortItemTerms = 8
    /// Extra threshold when the story so far comes from the item's own source only.
    public var sameSourcePenalty = 0.2
    /// Bigger stories attract a little more: + sizeBonus × ln(min(n, sizeCap)).
    public var sizeBonus = 0.05
    public var sizeCap = 100.0
    /// Title-to-title evidence needs this many shared terms, one of them a name.
    public var titleSharedTerms = 2
    /// Identical normalised titles longer than this join without further checks.
    public var exactTitleMinimumLength = 13
    /// Estimated Jaccard similarity of word 3-shingles (title and summary) from which an item from another source
    /// is a copy of an earlier one and joins its story directly.
    public var nearDuplicateSimilarity = 0.7
    /// Fewer shingles than this (about 10 words) are too short to call a copy.
    public var nearDuplicateMinimumShingles = 8
    /// At most this many recent texts are kept to find copies of (about 300 bytes each): wire copy follows its
    /// original within hours, and a day of 10,000 feeds can bring more new texts than that.
    public var nearDuplicateCapacity = 10_000

    public init() {}
}
