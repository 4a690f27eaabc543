public import Foundation

/// What to fetch and how: the URL, the validators from the last fetch, and the limits.
public struct FetchRequest: Sendable, Equatable {
    public var url: String
    /// `ETag` from the last 200/304, sent back as `If-None-Match`.
    public var etag: String?
    /// `Last-Modified` from the last 200/304, sent back as `If-Modified-Since`.
    public var lastModified: String?
    public var userAgent: String
    public var limits: FetchLimits
    /// Extra request headers (name, value), e.g. from per-feed settings.
    public var extraHeaders: [(String, String)]
    /// HTTP basic authentication; libcurl sends it to the original host only, never to a redirect's.
    public var credentials: BasicCredentials?

    public init(
        url: String, etag: String? = nil, lastModified: String? = nil, userAgent: String,
        limits: FetchLimits = FetchLimits(), extraHeaders: [(String, String)] = [], credentials: BasicCredentials? = nil
    ) {
        self.url = url
        self.etag = etag
        self.lastModified = lastModified
        self.userAgent = userAgent
        self.limits = limits
        self.extraHeaders = extraHeaders
        self.credentials = credentials
    }

    public static func == (lhs: FetchRequest, rhs: FetchRequest) -> Bool {
        lhs.url == rhs.url && lhs.etag == rhs.etag && lhs.lastModified == rhs.lastModified
            && lhs.userAgent == rhs.userAgent && lhs.limits == rhs.limits && lhs.credentials == rhs.credentials
            && lhs.extraHeaders.map { "\($0.0): \($0.1)" } == rhs.extraHeaders.map { "\($0.0): \($0.1)" }
    }
}

/// A user name and password for HTTP basic authentication. Its description never shows the password.
public struct BasicCredentials: Sendable, Equatable, CustomStringConvertible {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    public var description: String { "\(username):(hidden)" }
}

/// Bounds on one fetch. Each has its own error when exceeded.
public struct FetchLimits: Sendable, Equatable {
    /// Largest body accepted, counted on decompressed bytes as they arrive.
    public var maxBodyBytes: Int = 16 * 1024 * 1024
    public var connectTimeoutSeconds: Int = 10
    /// Whole transfer, redirects included.
    public var totalTimeoutSeconds: Int = 30
    /// A transfer slower than `lowSpeedBytesPerSecond` for `lowSpeedSeconds` is abandoned.
    public var lowSpeedBytesPerSecond: Int = 10
    public var lowSpeedSeconds: Int = 20
    public var maxRedirects: Int = 5

    public init(
        maxBodyBytes: Int = 16 * 1024 * 1024, connectTimeoutSeconds: Int = 10, totalTimeoutSeconds: Int = 30,
        lowSpeedBytesPerSecond: Int = 10, lowSpeedSeconds: Int = 20, maxRedirects: Int = 5
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.totalTimeoutSeconds = totalTimeoutSeconds
        self.lowSpeedBytesPerSecond = lowSpeedBytesPerSecond
        self.lowSpeedSeconds = lowSpeedSeconds
        self.maxRedirects = maxRedirects
    }
}

/// An HTTP response: any status, headers of the final response, and the decompressed body.
public struct FetchResponse: Sendable {
    public var status: Int
    /// The URL the body came from, after redirects.
    public var effectiveURL: String
    public var redirectCount: Int
    /// The status of each redirect response followed, in order (e.g. [301, 302]).
    public var redirectStatuses: [Int] = []
    /// Response headers of the final response; names lower-cased, last value wins.
    public var headers: [String: String]
    public var body: Data

    public init(
        status: Int, effectiveURL: String, redirectCount: Int = 0, headers: [String: String] = [:], body: Data = Data()
    ) {
        self.status = status
        self.effectiveURL = effectiveURL
        self.redirectCount = redirectCount
        self.headers = headers
        self.body = body
    }

    public var etag: String? { headers["etag"] }
    public var lastModified: String? { headers["last-modified"] }
    public var contentType: String? { headers["content-type"] }
    public var contentLocation: String? { headers["content-location"] }

    /// Where the feed now lives when every redirect followed was permanent (301/308); nil otherwise.
    /// A temporary redirect (302/303/307) anywhere in the chain says the original URL stays right.
    public var permanentRedirectTarget: String? {
        guard !redirectStatuses.isEmpty, redirectStatuses.allSatisfy({ $0 == 301 || $0 == 308 }) else { return nil }
        return effectiveURL
    }
}

/// A fetch that produced no HTTP response: connection, DNS, timeout, size, redirect or protocol trouble.
public struct FetchError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable, Codable {
        case dns
        case connection
        case timeout
        case tls
        case bodyTooLarge
        case tooManyRedirects
        case protocolRefused
        case invalidURL
        case cancelled
        case other
    }

    public var kind: Kind
    public var url: String
    /// What went wrong, in words a user can act on.
    public var message: String

    public init(kind: Kind, url: String, message: String) {
        self.kind = kind
        self.url = url
        self.message = message
    }

    /// True for failures that say more about this machine's network than about the feed.
    public var isNetworkUnavailable: Bool { kind == .dns || kind == .connection }

    public var description: String { "\(url): \(message)" }
}
