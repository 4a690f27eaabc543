public import FeedConfig
import FeedFetching
import FeedModel
import FeedParsing
import FeedScheduling
public import FeedStore
import Foundation

/// The result of polling one feed, for logging and exit status.
public struct PollOutcome: Sendable {
    public var feedURL: String
    public var feedTitle: String?
    /// HTTP status, nil when no response arrived.
    public var status: Int?
    public var newEntries: Int
    public var updatedEntries: Int
    /// Of the new entries, those already brought by another feed (stored as duplicates of its entries).
    public var duplicateEntries = 0
    public var milliseconds: Int
    /// Why the poll failed, nil on success.
    public var error: String?
    /// Something the user should know that is not a failure (moved feed, unchanged body, host pause).
    public var notes: [String]
    public var warnings: [String]
    /// Not fetched: the host asked to be left alone until later.
    public var deferred: Bool = false
    /// The failure was put down to this machine being offline and not counted against the feed.
    public var offline: Bool = false

    public var succeeded: Bool { error == nil }
}

/// Polls one feed: conditional fetch, parse, and one all-or-nothing store write of the feed's new state and entries.
public struct FeedPoller: Sendable {
    let fetcher: FeedFetcher
    let store: FeedStore
    let environment: PollingEnvironment
    /// Files new entries under stories in the same transaction; nil stores them without stories.
    let stories: (any StoryAssigner)?
    let now: @Sendable () -> Date
    let random: @Sendable () -> Double

    init(
        fetcher: FeedFetcher, store: FeedStore, environment: PollingEnvironment, stories: (any StoryAssigner)? = nil,
        now: @escaping @Sendable () -> Date = { Date() },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.fetcher = fetcher
        self.store = store
        self.environment = environment
        self.stories = stories
        self.now = now
        self.random = random
    }

    /// Polls `subscription` (whose stored row is `stored`) under `configuration`'s defaults.
    public func poll(
        _ subscription: FeedSubscription, stored: StoredFeed, configuration: FeedConfiguration
    ) async -> PollOutcome {
        let defaults = configuration.defaults
        let settings = PollSettings(
            intervalSeconds: configuration.interval(of: subscription),
            minimumIntervalSeconds: defaults.minimumIntervalSeconds)
        let pollURL = stored.state.movedTo ?? subscription.url
        let host = URLComponents(string: pollURL)?.host?.lowercased() ?? ""
        var outcome = PollOutcome(
            feedURL: subscription.url, feedTitle: subscription.title ?? stored.title, status: nil, newEntries: 0,
            updatedEntries: 0, milliseconds: 0, error: nil, notes: [], warnings: [])
        let startedAt = now()

        if let resume = environment.resumeDate(for: host, now: startedAt) {
            // The host asked for a pause (Retry-After): do not contact it, come back when it said.
            var state = stored.state
            state.nextPollAt = resume.addingTimeInterval(60 * random())
            outcome.deferred = true
            outcome.notes.append("not polled: \(host) asked to wait until \(Self.timestamp(resume))")
            await save(FetchRecord(feedID: stored.id, state: state), into: &outcome)
            return outcome
        }

        var request = FetchRequest(
            url: pollURL, userAgent: defaults.userAgent,
            limits: FetchLimits(
                maxBodyBytes: defaults.maxBodyBytes, connectTimeoutSeconds: defaults.connectTimeoutSeconds,
                totalTimeoutSeconds: defaults.timeoutSeconds, maxRedirects: defaults.maxRedirects))
        let validators = PollPolicy.validators(for: stored.state, now: startedAt, settings: settings)
        request.etag = validators.etag
        request.lastModified = validators.lastModified
        let forgotValidators = validators.etag == nil && validators.lastModified == nil
            && (stored.state.etag != nil || stored.state.lastModified != nil)
        if forgotValidators { outcome.notes.append("asked without validators after a long run of 304s") }

        var observation: PollObservation
        var hostPause: HostPause?
        var parsedFeed: ParsedFeed?
        do {
            try Self.applySecrets(of: subscription, to: &request)
            let started = ContinuousClock.now
            let result = await fetcher.fetch(request)
            let elapsed = started.duration(to: .now).components
            outcome.milliseconds = Int(elapsed.seconds) * 1000 + Int(elapsed.attoseconds / 1_000_000_000_000_000)
            let finishedAt = now()
            switch result {
            case .failure(let error) where error.kind == .cancelled:
                outcome.error = "cancelled"
                return outcome
            case .failure(let error):
                environment.record(host: host, reachable: !error.isNetworkUnavailable, at: finishedAt)
                if error.isNetworkUnavailable, environment.looksOffline(excluding: host, now: finishedAt) {
                    outcome.offline = true
                    observation = PollObservation(
                        outcome: .offline(
                            message: "\(error.message); every other host is unreachable too, so this machine looks "
                                + "offline"))
                } else {
                    observation = PollObservation(outcome: .failed(message: error.message))
                }
            case .success(let response):
                environment.record(host: host, reachable: true, at: finishedAt)
                outcome.status = response.status
                (observation, parsedFeed) = Self.observe(
                    response, previous: stored.state, now: finishedAt)
                if let redirect = observation.permanentRedirect, redirect == pollURL { observation.permanentRedirect = nil }
                if let retryAfter = observation.retryAfter, [429, 503].contains(response.status), retryAfter > finishedAt {
                    let until = min(retryAfter, finishedAt.addingTimeInterval(settings.maximumBackoffSeconds))
                    environment.pause(host, until: until)
                    hostPause = HostPause(host: host, until: until, reason: "HTTP \(response.status) with Retry-After")
                    outcome.notes.append("\(host) asked to wait until \(Self.timestamp(until)); its other feeds wait too")
                }
            }
        } catch {
            observation = PollObservation(outcome: .failed(message: "\(error)"))
        }

        var previous = stored.state
        // After an unconditional request the run of 304s starts over, whatever the answer.
        if forgotValidators { previous.notModifiedSince = nil }
        var state = PollPolicy.apply(observation, to: previous, now: now(), settings: settings, randomUnit: random())
        state.pollCount += 1
        state.lastFetchMilliseconds = outcome.milliseconds
        switch observation.outcome {
        case .offline(let message):
            // The policy excuses the failure only for a feed that answered lately; say which it did.
            let counted = state.consecutiveFailures > stored.state.consecutiveFailures
            outcome.error = message + (counted ? " (counted: the feed has not answered for a day)" : " (not counted against the feed)")
            outcome.offline = !counted
        case .failed(let message), .gone(let message):
            outcome.error = message
        case .fetched(_, let unchanged, _, _):
            if unchanged { outcome.notes.append("body unchanged (same hash): not parsed again") }
        case .notModified:
            break
        }
        if let candidate = state.redirectCandidate {
            outcome.notes.append(
                "permanently redirected to \(candidate) (\(state.redirectSeenCount) polls so far; the new URL is used "
                    + "after \(settings.moveConfirmationPolls) polls over \(Int(settings.moveConfirmationSeconds / 86400)) days)")
        }
        if let moved = state.movedTo, moved != stored.state.movedTo {
            outcome.notes.append("moved permanently to \(moved): now polled there; update Feeds.yaml")
        }
        var record = FetchRecord(feedID: stored.id, state: state, hostPause: hostPause)
        if let parsedFeed {
            if !parsedFeed.entries.isEmpty { stories?.prepare() }
            record.listed = true
            record.feedTitle = parsedFeed.title
            record.siteLink = parsedFeed.link
            record.entries = entryInputs(parsedFeed.entries, feedID: stored.id)
            outcome.feedTitle = outcome.feedTitle ?? parsedFeed.title
            outcome.warnings = parsedFeed.warnings.prefix(3).map(\.description)
        }
        await save(record, into: &outcome)
        return outcome
    }

    /// The parsed entries as the store takes them. Text is rendered only for entries the store does not have yet
    /// (new, or changed since): an unchanged entry, or a new one whose article another feed brought, goes without.
    private func entryInputs(_ entries: [ParsedEntry], feedID: Int64) -> [EntryInput] {
        let keys = entries.map { (guid: $0.stableKey, canonicalURL: $0.link.flatMap(CanonicalURL.key(for:))) }
        // Without an answer (a busy or damaged store), everything is rendered and looked up: the write decides.
        let knowledge = try? store.listingKnowledge(
            feedID: feedID, guids: keys.map(\.guid), canonicalURLs: keys.compactMap(\.canonicalURL))
        // A link several entries of this feed share is no article's identity (the store ignores it too).
        let singleLinks = CanonicalURL.singleKeys(keys.map { ($0.guid, $0.canonicalURL) })
        return zip(entries, keys).map { entry, key in
            let hash = EntryInput.contentHash(of: entry)
            let link = key.canonicalURL.flatMap { singleLinks.contains($0) ? $0 : nil }
            let omit = knowledge?.hasContent(guid: key.guid, canonicalURL: link, contentHash: hash) ?? false
            var input = EntryInput(
                parsed: entry, guid: key.guid, canonicalURL: key.canonicalURL, contentHash: hash, omittingContent: omit)
            if let knowledge, knowledge.contentHashes[key.guid] == nil { input.knownAbsent = true }
            return input
        }
    }

    private func save(_ record: FetchRecord, into outcome: inout PollOutcome) async {
        do {
            let summary = try await store.record(record, stories: stories)
            outcome.newEntries = summary.newEntries
            outcome.updatedEntries = summary.updatedEntries
            outcome.duplicateEntries = summary.duplicateEntries
            environment.clearSaveFailure(record.feedID)
        } catch {
            outcome.error = "could not save: \(error)"
            // Keep the schedule at least: save the state alone; if even that fails (disk full, read-only), hold
            // the feed back in memory so that the loop does not re-poll it at once.
            // Its validators and body hash are dropped, so that the next poll fetches and parses the feed in full
            // instead of taking a 304 or an unchanged body for entries that were never stored.
            var stateOnly = record
            stateOnly.entries = []
            stateOnly.listed = false
            stateOnly.state.etag = nil
            stateOnly.state.lastModified = nil
            stateOnly.state.bodyHash = nil
            if (try? await store.record(stateOnly)) == nil {
                environment.holdBack(record.feedID, until: now().addingTimeInterval(300))
            }
        }
    }

    /// Turns a response into what the schedule needs, parsing the body when it is new.
    static func observe(_ response: FetchResponse, previous: FeedPollState, now: Date)
        -> (PollObservation, ParsedFeed?)
    {
        var observation = PollObservation(
            outcome: .notModified, status: response.status, etag: response.etag, lastModified: response.lastModified,
            maxAgeSeconds: HTTPCacheHeaders.maxAgeSeconds(response.headers, now: now),
            retryAfter: HTTPCacheHeaders.retryAfter(response.headers, now: now),
            permanentRedirect: response.permanentRedirectTarget)
        // A permanent redirect to something that does not work (an error page, a parked domain) is no move.
        if !(200..<300).contains(response.status), response.status != 304 { observation.permanentRedirect = nil }
        switch response.status {
        case 304:
            return (observation, nil)
        case 200...299:
            let hash = ChangeHash.hexDigest(bytes: response.body)
            if hash == previous.bodyHash, previous.lastError == nil {
                observation.outcome = .fetched(bodyHash: hash, unchanged: true, hints: nil, entryDates: [])
                return (observation, nil)
            }
            let base = FeedParser.documentURL(
                fetchedFrom: URL(string: response.effectiveURL), contentLocation: response.contentLocation)
            do {
                let parsed = try FeedParser.parse(
                    response.body, documentURL: base, contentType: response.contentType,
                    contentLanguage: response.headers["content-language"])
                let dates = parsed.entries.compactMap { $0.published ?? $0.updated }
                observation.outcome = .fetched(
                    bodyHash: hash, unchanged: false, hints: parsed.pollingHints, entryDates: dates)
                return (observation, parsed)
            } catch {
                observation.outcome = .failed(message: "HTTP \(response.status) but \(error.message)")
                observation.permanentRedirect = nil
                return (observation, nil)
            }
        case 410:
            observation.outcome = .gone(
                message: "HTTP 410 Gone: the publisher removed this feed, so it is no longer polled; remove it from "
                    + "Feeds.yaml")
            return (observation, nil)
        default:
            let reason = HTTPStatusText.reason(response.status)
            var message = "HTTP \(response.status)\(reason.isEmpty ? "" : " \(reason)")"
            if let retryAfter = observation.retryAfter, retryAfter > now {
                message += " (Retry-After: \(timestamp(retryAfter)))"
            }
            observation.outcome = .failed(message: message)
            return (observation, nil)
        }
    }

    /// Adds the feed's extra headers and credentials, reading secrets now (never logging them).
    static func applySecrets(of subscription: FeedSubscription, to request: inout FetchRequest) throws(SecretError) {
        for header in subscription.headers {
            switch header.value {
            case .literal(let value): request.extraHeaders.append((header.name, value))
            case .secret(let reference): request.extraHeaders.append((header.name, try reference.resolve()))
            }
        }
        if let auth = subscription.auth {
            request.credentials = BasicCredentials(username: auth.username, password: try auth.password.resolve())
        }
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
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
