public import FeedModel
public import Foundation

/// The settings that shape one feed's schedule.
public struct PollSettings: Sendable, Equatable {
    /// The configured interval (the feed's own or the default).
    public var intervalSeconds: Int
    /// The configured floor (`min_interval`): adaptation never polls more often than this.
    public var minimumIntervalSeconds: Int
    /// Longest wait after repeated failures, and the cap on Retry-After and feed hints.
    public var maximumBackoffSeconds: Double = 24 * 3600
    /// Jitter as a fraction of the wait (0.1 = up to 10% later), so that polls never align.
    public var jitterFraction: Double = 0.1
    /// A permanent redirect becomes the feed's URL after it was seen this long…
    public var moveConfirmationSeconds: Double = 3 * 86400
    /// …and on at least this many polls in a row.
    public var moveConfirmationPolls: Int = 5
    /// After answering 304 for this long, the next request goes without validators, once.
    public var forgetValidatorsAfterSeconds: Double = 7 * 86400

    public init(intervalSeconds: Int, minimumIntervalSeconds: Int) {
        self.intervalSeconds = intervalSeconds
        self.minimumIntervalSeconds = minimumIntervalSeconds
    }
}

/// What one poll of a feed observed, reduced to what the schedule needs.
public struct PollObservation: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// 304 Not Modified.
        case notModified
        /// A 2xx body: parsed, or recognised as unchanged by its hash and not parsed again.
        case fetched(bodyHash: String, unchanged: Bool, hints: PollingHints?, entryDates: [Date])
        /// HTTP 410: the publisher removed the feed.
        case gone(message: String)
        /// Any other failure that counts against the feed (HTTP error, unusable body, DNS failure of this host…).
        case failed(message: String)
        /// A network failure while every other host fails too: this machine is offline; not the feed's fault.
        case offline(message: String)
    }

    public var outcome: Outcome
    public var status: Int?
    public var etag: String?
    public var lastModified: String?
    /// Freshness the server granted (Cache-Control max-age, else Expires − Date), in seconds.
    public var maxAgeSeconds: Double?
    /// Retry-After of a 429/503, as a date.
    public var retryAfter: Date?
    /// The target when the URL answered with permanent redirects (301/308) only.
    public var permanentRedirect: String?

    public init(
        outcome: Outcome, status: Int? = nil, etag: String? = nil, lastModified: String? = nil,
        maxAgeSeconds: Double? = nil, retryAfter: Date? = nil, permanentRedirect: String? = nil
    ) {
        self.outcome = outcome
        self.status = status
        self.etag = etag
        self.lastModified = lastModified
        self.maxAgeSeconds = maxAgeSeconds
        self.retryAfter = retryAfter
        self.permanentRedirect = permanentRedirect
    }
}

/// The polling rules as pure functions of the stored state, an observation, the clock and one random draw:
/// every number here is testable without a network or a real clock.
public enum PollPolicy {
    /// The validators to send: none once the feed has answered 304 for longer than
    /// `forgetValidatorsAfterSeconds` (servers stuck on 304 are then asked for the full body once).
    public static func validators(for state: FeedPollState, now: Date, settings: PollSettings)
        -> (etag: String?, lastModified: String?)
    {
        if let since = state.notModifiedSince, now.timeIntervalSince(since) >= settings.forgetValidatorsAfterSeconds {
            return (nil, nil)
        }
        return (state.etag, state.lastModified)
    }

    /// The feed's state after `observation`, including its next poll time.
    public static func apply(
        _ observation: PollObservation, to state: FeedPollState, now: Date, settings: PollSettings, randomUnit: Double
    ) -> FeedPollState {
        var next = state
        next.lastPolledAt = now
        next.lastStatus = observation.status
        var wait: Double
        switch observation.outcome {
        case .notModified:
            next.markSuccess(at: now)
            if let etag = observation.etag { next.etag = etag }
            if let lastModified = observation.lastModified { next.lastModified = lastModified }
            next.notModifiedSince = state.notModifiedSince ?? now
            wait = successWait(next, observation: observation, settings: settings)
        case .fetched(let bodyHash, let unchanged, let hints, let entryDates):
            next.markSuccess(at: now)
            // A 200 carries the current validators; one without them makes the old ones stale.
            next.etag = observation.etag
            next.lastModified = observation.lastModified
            next.notModifiedSince = nil
            next.bodyHash = bodyHash
            if !unchanged {
                if let hints {
                    next.hintIntervalSeconds = hints.minimumIntervalSeconds
                    next.skipHours = hints.skipHours
                    next.skipDays = hints.skipDays
                }
                next.postingIntervalSeconds = PostingRate.interval(of: entryDates, now: now)
            }
            wait = successWait(next, observation: observation, settings: settings)
        case .gone(let message):
            next.lastError = message
            next.consecutiveFailures += 1
            next.disabledReason = message
            next.nextPollAt = nil
            next.redirectCandidate = nil
            next.redirectSeenCount = 0
            return next
        case .failed(let message):
            next.lastError = message
            next.consecutiveFailures += 1
            wait = backoffWait(failures: next.consecutiveFailures, settings: settings)
        case .offline(let message) where state.lastSuccessAt.map({ now.timeIntervalSince($0) < 86400 }) ?? false:
            next.lastError = message
            // Not counted: retry at the plain interval, or sooner, to catch the network coming back.
            wait = min(Double(settings.intervalSeconds), Double(max(settings.minimumIntervalSeconds, 600)))
        case .offline(let message):
            // A feed that has not answered for a day (or never) is not excused by other hosts being down too:
            // two dead hosts must not keep each other's failures uncounted for ever.
            next.lastError = message
            next.consecutiveFailures += 1
            wait = backoffWait(failures: next.consecutiveFailures, settings: settings)
        }
        if let retryAfter = observation.retryAfter {
            wait = max(wait, min(retryAfter.timeIntervalSince(now), settings.maximumBackoffSeconds))
        }
        trackRedirect(observation, state: &next, now: now, settings: settings)
        let jitter = wait * settings.jitterFraction * min(max(randomUnit, 0), 1)
        next.nextPollAt = SkipWindows.firstAllowed(
            after: now.addingTimeInterval(wait + jitter), skipHours: next.skipHours, skipDays: next.skipDays)
        return next
    }

    /// The wait after a success: the interval adapted to the posting rate, raised by the feed's and the server's hints.
    static func successWait(_ state: FeedPollState, observation: PollObservation, settings: PollSettings) -> Double {
        var wait = adaptedInterval(settings: settings, postingInterval: state.postingIntervalSeconds)
        let hint = max(state.hintIntervalSeconds ?? 0, observation.maxAgeSeconds ?? 0)
        wait = max(wait, min(hint, settings.maximumBackoffSeconds))
        return wait
    }

    /// The configured interval moved towards half the feed's posting interval: busy feeds down to
    /// max(min_interval, interval/2), quiet ones up to 4× the interval (at most a day, never below the interval).
    public static func adaptedInterval(settings: PollSettings, postingInterval: Double?) -> Double {
        let base = Double(settings.intervalSeconds)
        guard let postingInterval, postingInterval > 0 else { return base }
        let lower = min(base, max(Double(settings.minimumIntervalSeconds), base / 2))
        let upper = max(base, min(base * 4, 86400))
        return min(max(postingInterval / 2, lower), upper)
    }

    /// 1×, 2×, 4×… the interval (from a floor of 5 minutes so that short intervals still back off), capped.
    public static func backoffWait(failures: Int, settings: PollSettings) -> Double {
        let interval = Double(settings.intervalSeconds)
        let base = max(interval, 300)
        let wait = min(base * pow(2, Double(min(max(failures - 1, 0), 20))), settings.maximumBackoffSeconds)
        return max(wait, interval)
    }

    /// A permanent redirect becomes the feed's URL only when the same target was seen on enough polls in a row
    /// over enough time; any response that is not that redirect resets the count. Failures without a response
    /// leave it alone.
    static func trackRedirect(
        _ observation: PollObservation, state: inout FeedPollState, now: Date, settings: PollSettings
    ) {
        guard observation.status != nil else { return }
        guard let target = observation.permanentRedirect else {
            state.redirectCandidate = nil
            state.redirectFirstSeen = nil
            state.redirectSeenCount = 0
            return
        }
        if state.redirectCandidate == target, let firstSeen = state.redirectFirstSeen {
            state.redirectSeenCount += 1
            if state.redirectSeenCount >= settings.moveConfirmationPolls,
                now.timeIntervalSince(firstSeen) >= settings.moveConfirmationSeconds
            {
                state.movedTo = target
                state.redirectCandidate = nil
                state.redirectFirstSeen = nil
                state.redirectSeenCount = 0
            }
        } else {
            state.redirectCandidate = target
            state.redirectFirstSeen = now
            state.redirectSeenCount = 1
        }
    }
}

extension FeedPollState {
    fileprivate mutating func markSuccess(at now: Date) {
        lastError = nil
        consecutiveFailures = 0
        lastSuccessAt = now
    }
}
