import FeedModel
import FeedScheduling
import Foundation
import Testing

/// The polling rules with an injected clock: every time below is a fixed date plus seconds.
@Suite struct PollPolicyTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15 08:00:00 UTC, a Friday
    let settings = PollSettings(intervalSeconds: 1800, minimumIntervalSeconds: 300)

    func wait(_ state: FeedPollState, from now: Date) -> Double {
        (state.nextPollAt ?? now).timeIntervalSince(now)
    }

    func fetched(_ dates: [Date] = [], hints: PollingHints? = nil, hash: String = "h1") -> PollObservation {
        PollObservation(outcome: .fetched(bodyHash: hash, unchanged: false, hints: hints, entryDates: dates), status: 200)
    }

    @Test func backoffDoublesPerFailureUpToADayAndResetsOnSuccess() {
        var state = FeedPollState()
        var now = start
        var waits: [Double] = []
        for _ in 0..<9 {
            state = PollPolicy.apply(
                PollObservation(outcome: .failed(message: "HTTP 500"), status: 500), to: state, now: now,
                settings: settings, randomUnit: 0)
            waits.append(wait(state, from: now))
            now = state.nextPollAt!
        }
        #expect(waits == [1800, 3600, 7200, 14400, 28800, 57600, 86400, 86400, 86400])
        #expect(state.consecutiveFailures == 9)
        #expect(state.lastError == "HTTP 500")
        #expect(state.nextPollAt != nil, "never a silent permanent stop")
        state = PollPolicy.apply(fetched(), to: state, now: now, settings: settings, randomUnit: 0)
        #expect(state.consecutiveFailures == 0)
        #expect(state.lastError == nil)
        #expect(wait(state, from: now) == 1800)
    }

    @Test func jitterStaysWithinTenPercentLater() {
        for unit in [0.0, 0.25, 0.5, 0.999] {
            let state = PollPolicy.apply(fetched(), to: FeedPollState(), now: start, settings: settings, randomUnit: unit)
            let seconds = wait(state, from: start)
            #expect(seconds >= 1800 && seconds < 1980)
            #expect(abs(seconds - (1800 + 180 * unit)) < 0.001)
        }
    }

    @Test func intervalAdaptsToThePostingRateWithinBounds() {
        // A feed posting every 2 minutes: polled at max(min_interval, interval / 2).
        let busy = (0..<20).map { start.addingTimeInterval(Double(-120 * $0)) }
        let busyState = PollPolicy.apply(fetched(busy), to: FeedPollState(), now: start, settings: settings, randomUnit: 0)
        #expect(busyState.postingIntervalSeconds == 120)
        #expect(wait(busyState, from: start) == 900)
        // A feed posting daily: half a day, capped at 4× the interval.
        let daily = (0..<10).map { start.addingTimeInterval(Double(-86400 * $0)) }
        let dailyState = PollPolicy.apply(fetched(daily), to: FeedPollState(), now: start, settings: settings, randomUnit: 0)
        #expect(wait(dailyState, from: start) == 7200)
        // Every 40 minutes: half of that is 20 min, inside the bounds.
        let steady = (0..<10).map { start.addingTimeInterval(Double(-2400 * $0)) }
        #expect(PollPolicy.adaptedInterval(settings: settings, postingInterval: PostingRate.interval(of: steady, now: start)) == 1200)
        // No dates: the configured interval.
        let undated = PollPolicy.apply(fetched(), to: FeedPollState(), now: start, settings: settings, randomUnit: 0)
        #expect(wait(undated, from: start) == 1800)
        // A lowered min_interval lets a busy feed be polled faster, never below it.
        var eager = settings
        eager.minimumIntervalSeconds = 60
        #expect(PollPolicy.adaptedInterval(settings: eager, postingInterval: 120) == 900)
    }

    @Test func postingRateCountsSilenceAndIgnoresFutureDates() {
        let lastWeek = (0..<5).map { start.addingTimeInterval(Double(-86400 * 7 - 3600 * $0)) }
        #expect(abs(PostingRate.interval(of: lastWeek, now: start)! - 7 * 86400) < 0.01, "silent for a week")
        #expect(PostingRate.interval(of: [start.addingTimeInterval(86400 * 365)], now: start) == nil)
        #expect(PostingRate.interval(of: [start.addingTimeInterval(-60)], now: start) == nil, "one date says nothing")
        let ancient = [start.addingTimeInterval(-90 * 86400)]
        #expect(abs(PostingRate.interval(of: ancient, now: start)! - 60 * 86400) < 0.01, "capped at 60 days")
    }

    @Test func feedAndServerHintsRaiseTheInterval() {
        let ttl = PollPolicy.apply(
            fetched(hints: PollingHints(ttlMinutes: 120)), to: FeedPollState(), now: start, settings: settings, randomUnit: 0)
        #expect(wait(ttl, from: start) == 7200)
        let syndication = PollingHints(updatePeriod: "daily", updateFrequency: 12)
        #expect(syndication.minimumIntervalSeconds == 7200)
        let small = PollPolicy.apply(
            fetched(hints: PollingHints(ttlMinutes: 5)), to: FeedPollState(), now: start, settings: settings, randomUnit: 0)
        #expect(wait(small, from: start) == 1800, "hints raise the interval, never lower it")
        let huge = PollPolicy.apply(
            fetched(hints: PollingHints(ttlMinutes: 60 * 24 * 30)), to: FeedPollState(), now: start, settings: settings,
            randomUnit: 0)
        #expect(wait(huge, from: start) == 86400, "capped at a day")
        // Cache-Control max-age on a 304 counts for that response; the feed's ttl stays remembered across 304s.
        let notModified = PollPolicy.apply(
            PollObservation(outcome: .notModified, status: 304, maxAgeSeconds: 3 * 3600), to: ttl, now: start,
            settings: settings, randomUnit: 0)
        #expect(wait(notModified, from: start) == 3 * 3600)
        let plain304 = PollPolicy.apply(
            PollObservation(outcome: .notModified, status: 304), to: ttl, now: start, settings: settings, randomUnit: 0)
        #expect(wait(plain304, from: start) == 7200)
    }

    @Test func skipHoursAndDaysMoveTheNextPoll() {
        // 08:00 UTC + 30 min lands at 08:30; hours 8–11 are skipped, so 12:00.
        let hints = PollingHints(skipHours: [8, 9, 10, 11])
        let state = PollPolicy.apply(fetched(hints: hints), to: FeedPollState(), now: start, settings: settings, randomUnit: 0)
        #expect(state.nextPollAt == start.addingTimeInterval(4 * 3600))
        // Skipping Friday (weekday 6) moves it to Saturday 00:00 UTC.
        let friday = PollPolicy.apply(
            fetched(hints: PollingHints(skipDays: [6])), to: FeedPollState(), now: start, settings: settings, randomUnit: 0)
        #expect(friday.nextPollAt == start.addingTimeInterval(16 * 3600))
        // Every hour skipped: ignored rather than never polling.
        let all = SkipWindows.firstAllowed(after: start, skipHours: Array(0..<24), skipDays: [])
        #expect(all == start)
    }

    @Test func retryAfterIsHonouredAndCapped() {
        let in3h = PollPolicy.apply(
            PollObservation(outcome: .failed(message: "HTTP 429"), status: 429, retryAfter: start.addingTimeInterval(3 * 3600)),
            to: FeedPollState(), now: start, settings: settings, randomUnit: 0)
        #expect(wait(in3h, from: start) == 3 * 3600)
        let inAMonth = PollPolicy.apply(
            PollObservation(outcome: .failed(message: "HTTP 503"), status: 503, retryAfter: start.addingTimeInterval(30 * 86400)),
            to: FeedPollState(), now: start, settings: settings, randomUnit: 0)
        #expect(wait(inAMonth, from: start) == 86400)
    }

    @Test func goneDisablesTheFeedWithItsReason() {
        let state = PollPolicy.apply(
            PollObservation(outcome: .gone(message: "HTTP 410 Gone"), status: 410), to: FeedPollState(), now: start,
            settings: settings, randomUnit: 0)
        #expect(state.disabledReason == "HTTP 410 Gone")
        #expect(state.nextPollAt == nil)
    }

    @Test func offlineFailuresAreNotCountedUnlessTheFeedHasBeenDeadForADay() {
        var dead = FeedPollState()
        dead = PollPolicy.apply(
            PollObservation(outcome: .offline(message: "could not connect")), to: dead, now: start, settings: settings,
            randomUnit: 0)
        #expect(dead.consecutiveFailures == 1, "never answered: two dead hosts must not excuse each other")
        var state = FeedPollState()
        state.lastSuccessAt = start.addingTimeInterval(-3600)
        state.consecutiveFailures = 2
        state = PollPolicy.apply(
            PollObservation(outcome: .offline(message: "could not resolve the host name")), to: state, now: start,
            settings: settings, randomUnit: 0)
        #expect(state.consecutiveFailures == 2)
        #expect(state.lastError == "could not resolve the host name")
        #expect(wait(state, from: start) == 600)
    }

    @Test func permanentRedirectMovesTheFeedOnlyAfterDaysAndPolls() {
        let target = "https://new.example/feed"
        func poll(_ state: FeedPollState, at offset: Double, redirect: String?) -> FeedPollState {
            PollPolicy.apply(
                PollObservation(outcome: .notModified, status: 304, permanentRedirect: redirect), to: state,
                now: start.addingTimeInterval(offset), settings: settings, randomUnit: 0)
        }
        // Five polls within one day: seen, not yet moved.
        var state = FeedPollState()
        for hour in 0..<5 { state = poll(state, at: Double(hour) * 3600, redirect: target) }
        #expect(state.movedTo == nil)
        #expect(state.redirectCandidate == target && state.redirectSeenCount == 5)
        // Still seen three days after the first: moved.
        state = poll(state, at: 3 * 86400, redirect: target)
        #expect(state.movedTo == target)
        #expect(state.redirectCandidate == nil)

        // Interrupted by a plain response (or a temporary redirect, which reports no permanent target): starts over.
        var interrupted = FeedPollState()
        for day in 0..<3 { interrupted = poll(interrupted, at: Double(day) * 86400, redirect: target) }
        interrupted = poll(interrupted, at: 3 * 86400, redirect: nil)
        for day in 4..<6 { interrupted = poll(interrupted, at: Double(day) * 86400, redirect: target) }
        #expect(interrupted.movedTo == nil)
        #expect(interrupted.redirectSeenCount == 2)
        // A failure without a response says nothing about the redirect.
        let failed = PollPolicy.apply(
            PollObservation(outcome: .failed(message: "timed out")), to: interrupted, now: start.addingTimeInterval(6 * 86400),
            settings: settings, randomUnit: 0)
        #expect(failed.redirectSeenCount == 2)
    }

    @Test func validatorsAreForgottenOnceAfterAWeekOf304() {
        var state = FeedPollState()
        state.etag = "\"abc\""
        state.lastModified = "Fri, 15 Jan 2027 08:00:00 GMT"
        for day in 0..<8 {
            state = PollPolicy.apply(
                PollObservation(outcome: .notModified, status: 304), to: state, now: start.addingTimeInterval(Double(day) * 86400),
                settings: settings, randomUnit: 0)
        }
        #expect(state.notModifiedSince == start, "the run of 304s started at the first one")
        let sixDays = PollPolicy.validators(for: state, now: start.addingTimeInterval(6 * 86400), settings: settings)
        #expect(sixDays.etag == "\"abc\"")
        let eightDays = PollPolicy.validators(for: state, now: start.addingTimeInterval(8 * 86400), settings: settings)
        #expect(eightDays.etag == nil && eightDays.lastModified == nil)
        // The unconditional request's 200 starts a new run with its own validators.
        let after = PollPolicy.apply(
            PollObservation(outcome: .fetched(bodyHash: "h", unchanged: true, hints: nil, entryDates: []), status: 200, etag: "\"def\""),
            to: state, now: start.addingTimeInterval(8 * 86400), settings: settings, randomUnit: 0)
        #expect(after.notModifiedSince == nil)
        #expect(PollPolicy.validators(for: after, now: start.addingTimeInterval(8 * 86400), settings: settings).etag == "\"def\"")
    }

    @Test func hostPausesAffectOnlyTheirHost() {
        var pauses = HostPauses()
        pauses.pause("Slow.Example", until: start.addingTimeInterval(600))
        pauses.pause("slow.example", until: start.addingTimeInterval(300))
        #expect(pauses.resumeDate(for: "slow.example", now: start) == start.addingTimeInterval(600), "the later pause wins")
        #expect(pauses.resumeDate(for: "other.example", now: start) == nil)
        #expect(pauses.resumeDate(for: "slow.example", now: start.addingTimeInterval(601)) == nil)
    }

    @Test func offlineMeansEveryOtherHostFailsToo() {
        var ledger = ConnectivityLedger()
        #expect(!ledger.looksOffline(excluding: "a.example", now: start), "nothing to compare with: the feed's fault")
        ledger.record(host: "b.example", reachable: true, at: start)
        ledger.record(host: "c.example", reachable: false, at: start)
        #expect(!ledger.looksOffline(excluding: "a.example", now: start))
        ledger.record(host: "b.example", reachable: false, at: start.addingTimeInterval(10))
        #expect(ledger.looksOffline(excluding: "a.example", now: start.addingTimeInterval(20)))
        #expect(!ledger.looksOffline(excluding: "a.example", now: start.addingTimeInterval(2 * 86400)), "old news")
    }

    @Test func interleavingAlternatesHostsAndKeepsEachHostsOrder() {
        let items = ["a1", "a2", "a3", "b1", "b2", "c1"]
        #expect(HostInterleaving.order(items) { String($0.prefix(1)) } == ["a1", "b1", "c1", "a2", "b2", "a3"])
        #expect(HostInterleaving.order([String]()) { $0 }.isEmpty)
    }
}
