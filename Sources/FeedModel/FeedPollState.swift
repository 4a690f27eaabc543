public import Foundation

/// Everything remembered about polling one feed between polls. It lives in the store, so the schedule,
/// validators, backoff and move tracking survive restarts.
public struct FeedPollState: Sendable, Equatable, Codable {
    /// `ETag` of the last 200/304, sent back as `If-None-Match`.
    public var etag: String?
    /// `Last-Modified` of the last 200/304, sent back as `If-Modified-Since`.
    public var lastModified: String?
    public var lastStatus: Int?
    /// Why the last poll failed; nil after a success.
    public var lastError: String?
    public var lastPolledAt: Date?
    public var lastSuccessAt: Date?
    /// When to poll next; nil means now (a new feed) unless the feed is disabled.
    public var nextPollAt: Date?
    /// Failures in a row that count against the feed (going offline does not count).
    public var consecutiveFailures: Int = 0
    /// Since when every poll has answered 304; nil after a 200.
    public var notModifiedSince: Date?
    /// Hash of the last 200 body, so that an unchanged body is not parsed again.
    public var bodyHash: String?
    /// The URL polled instead of the configured one, once a permanent redirect was confirmed.
    public var movedTo: String?
    /// A permanent redirect under observation: its target, when first seen, and how many polls in a row saw it.
    public var redirectCandidate: String?
    public var redirectFirstSeen: Date?
    public var redirectSeenCount: Int = 0
    /// Why the feed is no longer polled (HTTP 410 Gone); nil while it is polled.
    public var disabledReason: String?
    /// The shortest interval the feed itself asks for (`ttl`, `sy:updatePeriod`), in seconds.
    public var hintIntervalSeconds: Double?
    /// Hours (0–23 UTC) and days (1 = Sunday) the feed asks not to be polled in.
    public var skipHours: [Int] = []
    public var skipDays: [Int] = []
    /// The feed's observed time between entries, in seconds.
    public var postingIntervalSeconds: Double?
    /// Fetches made so far (for `tidings status`).
    public var pollCount: Int = 0
    /// How long the last fetch took, in milliseconds.
    public var lastFetchMilliseconds: Int?

    public init() {}
}
