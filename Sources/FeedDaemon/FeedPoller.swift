public import FeedConfig
public import FeedFetching
import FeedModel
import FeedParsing
public import FeedStore
public import Foundation

/// The result of polling one feed, for logging and exit status.
public struct PollOutcome: Sendable {
    public var feedURL: String
    public var feedTitle: String?
    /// HTTP status, nil when no response arrived.
    public var status: Int?
    public var newEntries: Int
    public var updatedEntries: Int
    public var milliseconds: Int
    /// Why the poll failed, nil on success.
    public var error: String?
    public var warnings: [String]

    public var succeeded: Bool { error == nil }
}

/// Polls one feed: conditional fetch, parse, and one store transaction with the feed's new state and entries.
public struct FeedPoller: Sendable {
    let fetcher: FeedFetcher
    let store: FeedStore
    let schedule: PollSchedule
    let now: @Sendable () -> Date
    let random: @Sendable () -> Double

    public init(
        fetcher: FeedFetcher, store: FeedStore, schedule: PollSchedule = PollSchedule(),
        now: @escaping @Sendable () -> Date = { Date() },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.fetcher = fetcher
        self.store = store
        self.schedule = schedule
        self.now = now
        self.random = random
    }

    /// Polls `feed` (whose stored state is `state`) under `configuration`'s defaults.
    public func poll(
        _ subscription: FeedSubscription, state: StoredFeed, configuration: FeedConfiguration
    ) async -> PollOutcome {
        let defaults = configuration.defaults
        let request = FetchRequest(
            url: subscription.url, etag: state.etag, lastModified: state.lastModified, userAgent: defaults.userAgent,
            limits: FetchLimits(
                maxBodyBytes: defaults.maxBodyBytes, connectTimeoutSeconds: defaults.connectTimeoutSeconds,
                totalTimeoutSeconds: defaults.timeoutSeconds, maxRedirects: defaults.maxRedirects))
        let interval = configuration.interval(of: subscription)
        var outcome = PollOutcome(
            feedURL: subscription.url, feedTitle: subscription.title ?? state.title, status: nil, newEntries: 0,
            updatedEntries: 0, milliseconds: 0, error: nil, warnings: [])

        let started = ContinuousClock.now
        let result = await fetcher.fetch(request)
        let elapsed = started.duration(to: .now).components
        outcome.milliseconds = Int(elapsed.seconds) * 1000 + Int(elapsed.attoseconds / 1_000_000_000_000_000)
        if case .failure(let error) = result, error.kind == .cancelled {
            outcome.error = "cancelled"
            return outcome
        }
        let polledAt = now()
        var record = FetchRecord(feedID: state.id, polledAt: polledAt, status: nil, nextPollAt: polledAt)
        switch result {
        case .failure(let error):
            outcome.error = error.message
            record.error = error.message
        case .success(let response):
            outcome.status = response.status
            record.status = response.status
            switch response.status {
            case 304:
                record.etag = response.etag
                record.lastModified = response.lastModified
            case 200...299:
                let base = FeedParser.documentURL(
                    fetchedFrom: URL(string: response.effectiveURL), contentLocation: response.contentLocation)
                do {
                    let parsed = try FeedParser.parse(
                        response.body, documentURL: base, contentType: response.contentType,
                        contentLanguage: response.headers["content-language"])
                    record.etag = response.etag
                    record.lastModified = response.lastModified
                    record.feedTitle = parsed.title
                    record.siteLink = parsed.link
                    record.entries = parsed.entries.map(EntryInput.init(parsed:))
                    outcome.feedTitle = outcome.feedTitle ?? parsed.title
                    outcome.warnings = parsed.warnings.prefix(3).map(\.description)
                } catch {
                    record.error = "HTTP \(response.status) but \(error.message)"
                    outcome.error = record.error
                }
            default:
                let reason = HTTPStatusText.reason(response.status)
                record.error = "HTTP \(response.status)\(reason.isEmpty ? "" : " \(reason)")"
                outcome.error = record.error
            }
        }
        let failures = record.error == nil ? 0 : state.consecutiveFailures + 1
        record.nextPollAt = schedule.nextPoll(
            after: polledAt, intervalSeconds: interval, consecutiveFailures: failures, randomUnit: random())
        do {
            let summary = try await store.record(record)
            outcome.newEntries = summary.newEntries
            outcome.updatedEntries = summary.updatedEntries
        } catch {
            outcome.error = "could not save: \(error)"
        }
        return outcome
    }
}

/// Reason phrases for the statuses feeds actually return.
enum HTTPStatusText {
    static func reason(_ status: Int) -> String {
        switch status {
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 406: return "Not Acceptable"
        case 408: return "Request Timeout"
        case 410: return "Gone"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return ""
        }
    }
}
