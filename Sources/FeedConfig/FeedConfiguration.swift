public import Foundation

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
    /// Entries no feed has listed for this long are deleted (`keep: 90d`); nil keeps everything.
    public var keepSeconds: Int? = 90 * 86400
    /// At most this many entries per feed (`keep_per_feed: 5000`); the oldest no longer listed go first.
    public var keepPerFeed: Int? = 5000

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
    /// Extra request headers (`headers:`), in file order.
    public var headers: [RequestHeader]
    /// HTTP basic authentication (`auth:`).
    public var auth: BasicAuth?
    /// The line in Feeds.yaml where this feed starts (1-based).
    public var line: Int

    public init(
        url: String, title: String? = nil, tags: [String] = [], intervalSeconds: Int? = nil, enabled: Bool = true,
        headers: [RequestHeader] = [], auth: BasicAuth? = nil, line: Int = 0
    ) {
        self.url = url
        self.title = title
        self.tags = tags
        self.intervalSeconds = intervalSeconds
        self.enabled = enabled
        self.headers = headers
        self.auth = auth
        self.line = line
    }
}

/// A value kept out of Feeds.yaml and read when a request is made: from an environment variable or a file.
/// Its description names where it comes from, never the value.
public enum SecretReference: Sendable, Equatable, CustomStringConvertible {
    case environment(String)
    case file(String)

    public var description: String {
        switch self {
        case .environment(let name): return "environment variable \(name)"
        case .file(let path): return "file \(path)"
        }
    }

    /// Reads the secret; a missing variable or unreadable file is an error naming it (not the value).
    public func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws(SecretError) -> String {
        switch self {
        case .environment(let name):
            guard let value = environment[name], !value.isEmpty else {
                throw SecretError(message: "environment variable \(name) is not set (Feeds.yaml refers to it)")
            }
            return value
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SecretError(message: "cannot read the secret file \(path) (Feeds.yaml refers to it)")
            }
            var text = String(decoding: data, as: UTF8.self)
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            return text
        }
    }
}

/// A secret that could not be read.
public struct SecretError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// One extra request header of a feed: a literal value, or a secret reference (API keys, tokens).
public struct RequestHeader: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case literal(String)
        case secret(SecretReference)
    }

    public var name: String
    public var value: Value

    public init(name: String, value: Value) {
        self.name = name
        self.value = value
    }
}

/// HTTP basic authentication for one feed; the password is always a reference, never written in Feeds.yaml.
public struct BasicAuth: Sendable, Equatable {
    public var username: String
    public var password: SecretReference

    public init(username: String, password: SecretReference) {
        self.username = username
        self.password = password
    }
}

/// The version of Tidings, shared by both executables.
public enum TidingsVersion {
    public static let current = "0.1.0"
}
