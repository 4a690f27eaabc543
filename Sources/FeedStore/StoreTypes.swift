public import FeedModel
public import Foundation

/// A feed as the store knows it: identity, the user's settings, and its polling state.
public struct StoredFeed: Sendable, Equatable, Codable {
    public var id: Int64
    /// The URL as configured in Feeds.yaml (the feed's identity; `state.movedTo` is where it is polled once moved).
    public var url: String
    /// The title: the user's, else the feed's own, else nil.
    public var title: String?
    public var siteLink: String?
    /// False once the feed is no longer in Feeds.yaml; its entries are kept.
    public var subscribed: Bool
    public var entryCount: Int
    /// Tags from Feeds.yaml.
    public var tags: [String]
    public var state: FeedPollState
}

/// One entry as stored.
public struct StoredEntry: Sendable, Equatable, Codable {
    public var id: Int64
    public var feedID: Int64
    public var feedURL: String
    public var feedTitle: String?
    public var guid: String
    public var url: String?
    public var title: String?
    public var author: String?
    public var text: String?
    public var published: Date?
    public var updated: Date?
    public var firstSeen: Date
    public var storyID: Int64?
    /// The entry this one repeats (the same article, by canonical link, first stored from another feed); nil for
    /// an original. A duplicate keeps no content of its own: `text` is the original's.
    public var duplicateOf: Int64? = nil
    /// The other feeds that carry this same article (their titles, else URLs), when this is an original.
    public var alsoIn: [String] = []
}

/// An entry to insert or update, keyed by (feed, guid).
public struct EntryInput: Sendable, Equatable {
    public var guid: String
    public var url: String?
    public var title: String?
    public var author: String?
    public var summaryHTML: String?
    public var contentHTML: String?
    /// Plain-text rendering of content (else summary), for display and search.
    public var text: String?
    public var published: Date?
    public var updated: Date?
    /// The link's `CanonicalURL` key: another feed's entry with the same key is the same article.
    public var canonicalURL: String?
    /// A hash of everything the feed said about the entry; equal to the stored one means nothing changed.
    public var contentHash: Int64?
    /// True when the summary, content and text were left out because the store already has them (the entry is
    /// listed unchanged, or another feed brought the same article). If the store finds otherwise when it writes,
    /// it stores what it has and forgets the hash, so the next poll renders the entry in full.
    public var contentOmitted = false
    /// True when the poll asked the store before it wrote and the feed had no entry with this guid: the write skips
    /// looking it up. Only the feed's own polls add its entries, and the daemon polls each feed once at a time
    /// (`PollCycle.pollAll` takes each feed id once).
    public var knownAbsent = false

    /// `canonicalURL`: the link's key when the caller has it already (else it is worked out from `url`).
    public init(
        guid: String, url: String? = nil, title: String? = nil, author: String? = nil, summaryHTML: String? = nil,
        contentHTML: String? = nil, text: String? = nil, published: Date? = nil, updated: Date? = nil,
        canonicalURL: String? = nil
    ) {
        self.guid = guid
        self.url = url
        self.title = title
        self.author = author
        self.summaryHTML = summaryHTML
        self.contentHTML = contentHTML
        self.text = text
        self.published = published
        self.updated = updated
        self.canonicalURL = canonicalURL ?? url.flatMap(CanonicalURL.key(for:))
    }
}

/// Everything one fetch of one feed changes, written all or nothing.
public struct FetchRecord: Sendable, Equatable {
    public var feedID: Int64
    /// The feed's complete polling state after this fetch (validators, errors, schedule, moves).
    public var state: FeedPollState
    /// The feed's own title and site link, when the body was parsed.
    public var feedTitle: String?
    public var siteLink: String?
    public var entries: [EntryInput]
    /// A host that asked to be left alone until a date (429/503 Retry-After).
    public var hostPause: HostPause?
    /// True when a body was parsed: `entries` is everything the feed lists now (even if empty).
    public var listed: Bool = false

    public init(
        feedID: Int64, state: FeedPollState, feedTitle: String? = nil, siteLink: String? = nil,
        entries: [EntryInput] = [], hostPause: HostPause? = nil, listed: Bool = false
    ) {
        self.feedID = feedID
        self.state = state
        self.feedTitle = feedTitle
        self.siteLink = siteLink
        self.entries = entries
        self.hostPause = hostPause
        self.listed = listed
    }
}

/// A host's request not to be contacted before a date.
public struct HostPause: Sendable, Equatable {
    public var host: String
    public var until: Date
    public var reason: String

    public init(host: String, until: Date, reason: String) {
        self.host = host
        self.until = until
        self.reason = reason
    }
}

/// What the store knows of the entries a feed lists, asked before their text is rendered.
public struct ListingKnowledge: Sendable, Equatable {
    /// The feed's stored entries among those listed: guid → content hash (nil when none is stored yet).
    public var contentHashes: [String: Int64?] = [:]
    /// Canonical links among those listed that another feed's entry already has.
    public var carriedElsewhere: Set<String> = []

    public init(contentHashes: [String: Int64?] = [:], carriedElsewhere: Set<String> = []) {
        self.contentHashes = contentHashes
        self.carriedElsewhere = carriedElsewhere
    }

    /// Whether the store already has the content of `entry` (same hash), or has it from another feed (a new guid
    /// whose canonical link is known elsewhere).
    public func hasContent(guid: String, canonicalURL: String?, contentHash: Int64) -> Bool {
        if let stored = contentHashes[guid] { return stored == contentHash }
        return canonicalURL.map(carriedElsewhere.contains) ?? false
    }
}

/// What a recorded fetch changed.
public struct FetchRecordSummary: Sendable, Equatable {
    public var newEntries: Int
    public var updatedEntries: Int
    /// Of the new entries, those that repeat an article another feed brought first (stored as its duplicates).
    public var duplicateEntries: Int

    public init(newEntries: Int, updatedEntries: Int, duplicateEntries: Int = 0) {
        self.newEntries = newEntries
        self.updatedEntries = updatedEntries
        self.duplicateEntries = duplicateEntries
    }
}

/// A subscription from the configuration, as the store needs it.
public struct SubscriptionInput: Sendable, Equatable {
    public var url: String
    public var title: String?
    public var tags: [String]

    public init(url: String, title: String?, tags: [String] = []) {
        self.url = url
        self.title = title
        self.tags = tags
    }
}

/// Why the store could not do what was asked, with the database path and SQLite's own words.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// Chooses the story of each new entry, inside the transaction that stores it, so that entries and their story
/// assignments commit together. Called in commit order, one entry at a time.
public protocol StoryAssigner: Sendable {
    /// Entries may come soon (a feed's new listing was parsed): an assigner that restores its state only when it is
    /// needed starts now, so that the state is ready when `assign` is first called.
    func prepare()
    func assign(_ entry: NewEntry) -> StoryAssignment
    /// Entries it was given in a transaction that then rolled back are not stored: whatever state it keeps of them
    /// no longer matches the store (their ids will be given again).
    func entriesRolledBack()
}

extension StoryAssigner {
    public func prepare() {}
    public func entriesRolledBack() {}
}

/// A newly stored entry, as the story assigner sees it.
public struct NewEntry: Sendable {
    public var id: Int64
    public var feedID: Int64
    public var input: EntryInput
    /// When the poll that found it happened.
    public var seenAt: Date
}

/// Where a new entry goes.
public struct StoryAssignment: Sendable, Equatable {
    public var story: Int64
    /// Stories found to be the same, in order: each one's entries move to its `into`, and its id keeps resolving
    /// there.
    public var merges: [StoryMerge]
    /// The story's most representative entry now.
    public var headlineEntryID: Int64?
    /// The entry this one is a near-copy of (wire text with small edits from another feed): stored as its
    /// duplicate, with its own text.
    public var duplicateOf: Int64?

    public init(story: Int64, merges: [StoryMerge] = [], headlineEntryID: Int64? = nil, duplicateOf: Int64? = nil) {
        self.story = story
        self.merges = merges
        self.headlineEntryID = headlineEntryID
        self.duplicateOf = duplicateOf
    }
}

public struct StoryMerge: Sendable, Equatable {
    public var from: Int64
    public var into: Int64

    public init(from: Int64, into: Int64) {
        self.from = from
        self.into = into
    }
}

/// A story as listed: its headline entry, how many entries and sources, when first and last seen.
public struct StoredStory: Sendable, Equatable, Codable {
    public var id: Int64
    public var headline: String?
    public var headlineLink: String?
    public var entryCount: Int
    public var sourceCount: Int
    public var firstSeen: Date
    public var lastSeen: Date
}

/// One search hit: the entry and a snippet of the matching text with the matches marked.
public struct SearchHit: Sendable, Equatable, Codable {
    public var entry: StoredEntry
    /// The title with matches between `[` and `]`.
    public var titleSnippet: String
    /// A few words around the best match in the text, matches between `[` and `]`.
    public var textSnippet: String
    /// BM25 rank (lower is better).
    public var rank: Double
}

/// What the story clusterer needs of a stored entry to rebuild its state (text cut to its start).
public struct ClusteringEntry: Sendable, Equatable {
    public var id: Int64
    public var feedID: Int64
    public var title: String?
    public var text: String?
    public var published: Date?
    public var firstSeen: Date
    public var storyID: Int64
}
