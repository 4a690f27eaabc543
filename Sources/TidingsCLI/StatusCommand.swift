import ArgumentParser
import FeedModel
import FeedStore
import Foundation

/// `tidings status`: is the daemon running, when did it last poll, which feeds fail, moved or are gone.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show whether tidingsd is running, its last poll, and feeds that fail, moved or are gone.")

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() async throws {
        let path = store.databasePath()
        let report: StatusReport
        do {
            let feedStore = try FeedStore(path: path, readOnly: true)
            report = try StatusReport(store: feedStore, daemon: DaemonProbe.check(storePath: path))
        } catch {
            throw CLIError(message: error.description)
        }
        if json {
            print(try JSONOutput.encode(report))
        } else {
            print(report.render(now: Date()), terminator: "")
        }
    }
}

/// Whether a tidingsd holds the store's lock, and its pid.
struct DaemonProbe: Encodable {
    var running: Bool
    var pid: Int?

    static func check(storePath: String) -> DaemonProbe {
        let lockPath = FeedStore.lockPath(forStore: storePath)
        let fd = open(lockPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return DaemonProbe(running: false, pid: nil) }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return DaemonProbe(running: false, pid: nil)
        }
        let pid = (try? String(contentsOfFile: lockPath, encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return DaemonProbe(running: true, pid: pid)
    }
}

/// The stable JSON shape of `tidings status --json`.
struct StatusReport: Encodable {
    struct FeedProblem: Encodable {
        var url: String
        var title: String?
        var error: String?
        var consecutiveFailures: Int
        var nextPollAt: Date?
        var movedTo: String?
        var redirectCandidate: String?
        var disabledReason: String?
    }

    var daemon: DaemonProbe
    var store: String
    var storeBytes: Int
    var lastPollAt: Date?
    var feeds: Int
    var ok: Int
    var failing: Int
    var moved: Int
    var disabled: Int
    var neverPolled: Int
    /// Failing feeds by kind of error: dns, connection, timeout, tls, http-404, not-a-feed, …
    var errorsByKind: [String: Int]
    var entries: Int
    var stories: Int
    /// Fetches made so far, over all feeds.
    var polls: Int
    /// Median and slowest of the feeds' last fetch durations, in milliseconds.
    var fetchMillisecondsMedian: Int?
    var fetchMillisecondsMax: Int?
    var problems: [FeedProblem]

    init(store feedStore: FeedStore, daemon: DaemonProbe) throws(StoreError) {
        let feeds = try feedStore.feeds(subscribedOnly: true, countingEntries: false)
        self.daemon = daemon
        store = feedStore.path
        storeBytes = ["", "-wal"].reduce(0) { total, suffix in
            total + ((try? FileManager.default.attributesOfItem(atPath: feedStore.path + suffix)[.size] as? Int) ?? 0)
        }
        lastPollAt = feeds.compactMap(\.state.lastPolledAt).max()
        self.feeds = feeds.count
        disabled = feeds.filter { $0.state.disabledReason != nil }.count
        failing = feeds.filter { $0.state.disabledReason == nil && $0.state.lastError != nil }.count
        moved = feeds.filter { $0.state.movedTo != nil || $0.state.redirectCandidate != nil }.count
        neverPolled = feeds.filter { $0.state.lastPolledAt == nil }.count
        ok = feeds.filter { $0.state.lastError == nil && $0.state.disabledReason == nil && $0.state.lastPolledAt != nil }.count
        var kinds: [String: Int] = [:]
        for feed in feeds where feed.state.lastError != nil && feed.state.disabledReason == nil {
            kinds[Self.kind(of: feed.state.lastError!), default: 0] += 1
        }
        errorsByKind = kinds
        polls = feeds.reduce(0) { $0 + $1.state.pollCount }
        let durations = feeds.compactMap(\.state.lastFetchMilliseconds).sorted()
        fetchMillisecondsMedian = durations.isEmpty ? nil : durations[durations.count / 2]
        fetchMillisecondsMax = durations.last
        entries = try feedStore.entryCount()
        stories = try feedStore.storyCount()
        problems = feeds.filter {
            $0.state.lastError != nil || $0.state.disabledReason != nil || $0.state.movedTo != nil
                || $0.state.redirectCandidate != nil
        }.map {
            FeedProblem(
                url: $0.url, title: $0.title, error: $0.state.lastError, consecutiveFailures: $0.state.consecutiveFailures,
                nextPollAt: $0.state.nextPollAt, movedTo: $0.state.movedTo, redirectCandidate: $0.state.redirectCandidate,
                disabledReason: $0.state.disabledReason)
        }
    }

    static func kind(of error: String) -> String {
        if error.hasPrefix("HTTP "), let status = error.dropFirst(5).split(separator: " ").first, Int(status) != nil {
            return error.contains(" but ") ? "not-a-feed" : "http-\(status)"
        }
        if error.contains("resolve") { return "dns" }
        if error.contains("timed out") || error.contains("stalled") { return "timeout" }
        if error.contains("connect") || error.contains("connection") { return "connection" }
        if error.hasPrefix("TLS") { return "tls" }
        if error.contains("exceeds") { return "too-large" }
        if error.contains("redirect") { return "redirect" }
        if error.contains("environment variable") || error.contains("secret file") { return "secret" }
        return "other"
    }

    func render(now: Date) -> String {
        var text = "tidingsd: "
        text += daemon.running ? "running\(daemon.pid.map { " (pid \($0))" } ?? "")" : "not running"
        text += ", last poll " + (lastPollAt.map { RelativeTime.describe($0, now: now) } ?? "never") + "\n"
        text += "feeds: \(feeds) (\(ok) ok, \(failing) failing, \(moved) moved, \(disabled) gone"
        text += neverPolled > 0 ? ", \(neverPolled) never polled)\n" : ")\n"
        if let median = fetchMillisecondsMedian, let slowest = fetchMillisecondsMax {
            text += "polls: \(polls), last fetch per feed: median \(median) ms, slowest \(slowest) ms\n"
        }
        text += "entries: \(entries), stories: \(stories), store: "
            + String(format: "%.1f MB", Double(storeBytes) / 1_000_000) + " (\(store))\n"
        guard !problems.isEmpty else { return text }
        var rows: [[String]] = [["FEED", "PROBLEM", "NEXT TRY"]]
        for problem in problems {
            let what: String
            if let reason = problem.disabledReason {
                what = "gone: " + reason
            } else if let error = problem.error {
                what = "\(problem.consecutiveFailures)× " + error
            } else if let moved = problem.movedTo {
                what = "moved to \(moved): update Feeds.yaml"
            } else {
                what = "redirects permanently to \(problem.redirectCandidate ?? "?")"
            }
            let next = problem.disabledReason != nil ? "never" : problem.nextPollAt.map { Self.until($0, now: now) } ?? "-"
            rows.append([TextTable.truncate(problem.title ?? problem.url, to: 40), TextTable.truncate(what, to: 80), next])
        }
        return text + "\n" + TextTable.render(rows)
    }

    static func until(_ date: Date, now: Date) -> String {
        let seconds = Int(date.timeIntervalSince(now))
        if seconds <= 0 { return "due" }
        if seconds < 3600 { return "in \(seconds / 60 + 1) min" }
        if seconds < 86400 { return "in \(seconds / 3600) h" }
        return "in \(seconds / 86400) d"
    }
}
