/// The user's feed list and polling defaults, as read from Feeds.yaml.
public struct FeedConfiguration: Sendable, Equatable {
    /// Settings that apply to every feed unless the feed overrides them.
    public var defaults: FeedDefaults
    /// The subscribed feeds, in file order.
    public var feeds: [FeedSubscription]

    public init(defaults: FeedDefaults = FeedDefaults(), feeds: [FeedSubscription] = []) {
        self.defaults = defaults
        self.feeds = feeds
    }

    /// The feeds that are not disabled.
    public var enabledFeeds: [FeedSubscription] { feeds.filter(\.enabled) }

    /// The poll interval of `feed`: its own, else the default.
    public func interval(of feed: FeedSubscription) -> Int {
        feed.intervalSeconds ?? defaults.intervalSeconds
    }
}

/// The `defaults:` section of Feeds.yaml.
public struct FeedDefaults: Sendable, Equatable {
    /// Poll interval in seconds (`interval: 30m`).
    public var intervalSeconds: Int = 30 * 60
    /// The shortest interval a feed may ask for (`min_interval: 5m`); lower it deliberately to poll faster.
    public var minimumIntervalSeconds: Int = 5 * 60
    /// The User-Agent header sent with every request.
    public var userAgent: String = FeedDefaults.standardUserAgent
    /// Whole-transfer timeout in seconds (`timeout: 30s`).
    public var timeoutSeconds: Int = 30
    /// Connection timeout in seconds (`connect_timeout: 10s`).
    public var connectTimeoutSeconds: Int = 10
    /// The largest response body accepted, counted after decompression (`max_body_size: 16MiB`).
    public var maxBodyBytes: Int = 16 * 1024 * 1024
    /// How many redirects one fetch may follow (`max_redirects: 5`).
    public var maxRedirects: Int = 5

    public init() {}

    /// The version-bearing User-Agent Tidings identifies itself with.
    public static let standardUserAgent = "Tidings/\(TidingsVersion.current) (+https://github.com/tidings-reader/tidings)"
}

/// One entry of the `feeds:` list.
public struct FeedSubscription: Sendable, Equatable {
    /// The feed's http(s) URL, as written.
    public var url: String
    /// A title chosen by the user; the feed's own title is used when absent.
    public var title: String?
    public var tags: [String]
    /// Poll interval in seconds, when the feed overrides the default.
    public var intervalSeconds: Int?
    public var enabled: Bool
    /// The line in Feeds.yaml where this feed starts (1-based).
    public var line: Int

    public init(
        url: String, title: String? = nil, tags: [String] = [], intervalSeconds: Int? = nil, enabled: Bool = true,
        line: Int = 0
    ) {
        self.url = url
        self.title = title
        self.tags = tags
        self.intervalSeconds = intervalSeconds
        self.enabled = enabled
        self.line = line
    }
}

/// The version of Tidings, shared by both executables.
public enum TidingsVersion {
    public static let current = "0.1.0"
}
