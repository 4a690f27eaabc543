import FeedModel
import Foundation
import Synchronization
import TestSupport

/// `tidings-replay`: serves a captured corpus of ../shared/replay the way its feeds looked at a replay clock
/// running K× real time, and writes a Feeds.yaml for it, so that the unmodified daemon can poll days of real
/// news in minutes:
///
///     .build/release/tidings-replay ../shared/replay/gesab001-headlines-2021-09 --speed 3000 --config /tmp/replay/Feeds.yaml
///     .build/release/tidingsd --config /tmp/replay/Feeds.yaml --database /tmp/replay/t.sqlite \
///         --clock-start 2021-09-16T21:24:18Z --clock-speed 3000
///
/// The replay clock starts at the first request. Each feed's URL returns the snapshot current at the replay clock (the file with the latest timestamp not
/// after it), with an ETag and Last-Modified derived from the file, and 304 to a request that names them.
/// Snapshots saved as .html (error pages the publisher served) are served as text/html. Prints the clock's
/// start, then one line per served snapshot change; runs until interrupted or until the corpus ends.
/// `--from TIME` starts the clock later than the corpus does (each feed then serves the file current at TIME),
/// `--hours H` ends the window H hours after its start.

/// One line on standard output, unbuffered (the log is often a file).
@Sendable func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

struct Snapshot: Sendable {
    var time: Date
    var path: String
}

func usage() -> Never {
    FileHandle.standardError.write(Data(
        "usage: tidings-replay CORPUS_DIR [--speed K] [--config FEEDS.yaml] [--interval 5m] [--from 2020-04-27T18:00:00Z] [--hours H]\n".utf8))
    exit(2)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let corpus = arguments.first, !corpus.hasPrefix("-") else { usage() }
func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}
let speed = option("--speed").flatMap(Double.init) ?? 1000
let configPath = option("--config") ?? "replay-Feeds.yaml"
let interval = option("--interval") ?? "5m"
let hours = option("--hours").flatMap(Double.init)
let from = option("--from").map { text -> Date in
    guard let date = try? Date(text, strategy: .iso8601) else {
        FileHandle.standardError.write(Data("tidings-replay: --from \(text) is not a time like 2020-04-27T18:00:00Z\n".utf8))
        exit(2)
    }
    return date
}

let timestampFormat = Date.ISO8601FormatStyle()
func parseTimestamp(_ text: Substring) -> Date? {
    // 20210916T212418Z
    guard text.count == 16 else { return nil }
    let t = Array(text)
    let iso = "\(String(t[0..<4]))-\(String(t[4..<6]))-\(String(t[6..<8]))T\(String(t[9..<11])):\(String(t[11..<13])):\(String(t[13..<15]))Z"
    return try? Date(iso, strategy: .iso8601)
}

guard let table = try? String(contentsOfFile: corpus + "/snapshots.tsv", encoding: .utf8) else {
    FileHandle.standardError.write(Data("tidings-replay: no snapshots.tsv in \(corpus)\n".utf8))
    exit(1)
}
var snapshots: [String: [Snapshot]] = [:]
for line in table.split(separator: "\n").dropFirst() {
    let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
    guard fields.count >= 3, let time = parseTimestamp(fields[1]) else { continue }
    let slug = String(fields[0])
    snapshots[slug, default: []].append(Snapshot(time: time, path: "\(corpus)/\(slug)/\(fields[1]).\(fields[2])"))
}
for slug in snapshots.keys { snapshots[slug]!.sort { $0.time < $1.time } }
guard var start = snapshots.values.compactMap({ $0.first?.time }).min(),
    var end = snapshots.values.compactMap({ $0.last?.time }).max()
else {
    FileHandle.standardError.write(Data("tidings-replay: \(corpus) has no snapshots\n".utf8))
    exit(1)
}
if let from { start = max(start, from) }
if let hours { end = min(end, start.addingTimeInterval(hours * 3600)) }
guard start < end else {
    FileHandle.standardError.write(Data("tidings-replay: the window starts after the corpus ends\n".utf8))
    exit(1)
}
let frozenSnapshots = snapshots

/// What the server saw, for the politeness and completeness checks printed at the end.
struct Ledger: Sendable {
    var requests = 0
    /// Re-polls of a feed that named no validator (If-None-Match / If-Modified-Since).
    var unconditionalRepolls = 0
    var lastRequest: [String: Date] = [:]
    /// Shortest time between two requests for one feed, in replay seconds, and which feed.
    var shortestGap: (seconds: Double, feed: String)?
    /// Every snapshot file served with 200.
    var servedFiles = Set<String>()
}
/// The ledger, shared with the server's handler threads.
final class LedgerBox: Sendable {
    let state = Mutex(Ledger())
    /// When the replay clock started: at the first request, so that a daemon that takes a while to start
    /// misses nothing (its `--clock-start` is then the replay's start to within its own start-up time).
    let clockStarted = Mutex<Date?>(nil)
}
let ledger = LedgerBox()

/// The server: everything it captures is a local constant, so its handler can run on any thread.
@Sendable func makeServer(snapshots: [String: [Snapshot]], start: Date, speed: Double, ledger: LedgerBox) throws
    -> (LoopbackHTTPServer, @Sendable () -> Date)
{
    let replayNow: @Sendable () -> Date = {
        // Read the time under the lock: the first requests arrive together, and none may see a time before the start.
        let (now, realStart) = ledger.clockStarted.withLock { started in
            let now = Date()
            if started == nil { started = now }
            return (now, started!)
        }
        return start.addingTimeInterval(max(0, now.timeIntervalSince(realStart)) * speed)
    }
    let served = Mutex<[String: String]>([:])
    let format = Date.ISO8601FormatStyle()
    let server = try LoopbackHTTPServer { request in
        let name = request.path.split(separator: "/").last.map(String.init) ?? ""
        let slug = name.hasSuffix(".xml") ? String(name.dropLast(4)) : name
        guard let list = snapshots[slug] else { return .init(status: 404, text: "no feed \(slug)") }
        let now = replayNow()
        let current = list.last { $0.time <= now } ?? list[0]
        guard let body = FileManager.default.contents(atPath: current.path) else { return .init(status: 500, text: "unreadable") }
        let etag = "\"" + FNV1a64.hexDigest(bytes: body) + "\""
        let lastModified = httpDate(current.time)
        let changed = served.withLock { state -> Bool in
            defer { state[slug] = current.path }
            return state[slug] != current.path
        }
        if changed { say("\(now.formatted(format)) \(slug): \(URL(fileURLWithPath: current.path).lastPathComponent)") }
        let conditional = request.headers["if-none-match"] != nil || request.headers["if-modified-since"] != nil
        ledger.state.withLock { ledger in
            ledger.requests += 1
            if let previous = ledger.lastRequest[slug] {
                if !conditional { ledger.unconditionalRepolls += 1 }
                let gap = now.timeIntervalSince(previous)
                if gap < (ledger.shortestGap?.seconds ?? .infinity) { ledger.shortestGap = (gap, slug) }
            }
            ledger.lastRequest[slug] = now
        }
        if request.headers["if-none-match"] == etag
            || (request.headers["if-none-match"] == nil && request.headers["if-modified-since"] == lastModified)
        {
            return .init(status: 304, headers: [("ETag", etag), ("Last-Modified", lastModified)])
        }
        ledger.state.withLock { _ = $0.servedFiles.insert(current.path) }
        let type = current.path.hasSuffix(".html") ? "text/html; charset=utf-8" : "application/xml"
        return .init(
            status: 200, headers: [("ETag", etag), ("Last-Modified", lastModified), ("Content-Type", type)], body: Array(body))
    }
    return (server, replayNow)
}

/// RFC 7231 IMF-fixdate.
@Sendable func httpDate(_ date: Date) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "GMT")!
    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
    let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return String(
        format: "%@, %02d %@ %04d %02d:%02d:%02d GMT", days[c.weekday! - 1], c.day!, months[c.month! - 1], c.year!, c.hour!,
        c.minute!, c.second!)
}

let (server, replayNow) = try makeServer(snapshots: frozenSnapshots, start: start, speed: speed, ledger: ledger)

// Feeds.yaml: every feed of the corpus, titled by its outlet.
var outlets: [String: String] = [:]
if let manifest = try? String(contentsOfFile: corpus + "/MANIFEST.tsv", encoding: .utf8) {
    for line in manifest.split(separator: "\n").dropFirst() {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
        if fields.count >= 2 { outlets[String(fields[0])] = String(fields[1]) }
    }
}
var yaml = "# Generated by tidings-replay for \(corpus)\n# tidingsd --clock-start \(start.formatted(timestampFormat)) --clock-speed \(speed)\ndefaults:\n  interval: \(interval)\n  min_interval: 1m\nfeeds:\n"
for slug in frozenSnapshots.keys.sorted() {
    let title = (outlets[slug] ?? slug).replacingOccurrences(of: "\"", with: "'")
    yaml += "  - url: \(server.baseURL)/\(slug).xml\n    title: \"\(title)\"\n"
}
try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
say("replaying \(frozenSnapshots.count) feeds from \(start.formatted(timestampFormat)) to \(end.formatted(timestampFormat)) at \(speed)× on \(server.baseURL)")
say("feeds: \(configPath); run: tidingsd --config \(configPath) --clock-start \(start.formatted(timestampFormat)) --clock-speed \(speed)")
let realDuration = end.timeIntervalSince(start) / speed
let waitLimit = Date().addingTimeInterval(120)
while ledger.clockStarted.withLock({ $0 }) == nil {
    guard Date() < waitLimit else {
        FileHandle.standardError.write(Data("tidings-replay: no request in 2 minutes; is tidingsd running with --config \(configPath)?\n".utf8))
        server.stop()
        exit(1)
    }
    Thread.sleep(forTimeInterval: 0.01)
}
say("clock started by the first request")
Thread.sleep(forTimeInterval: realDuration + 5)
say("replay finished at \(replayNow().formatted(timestampFormat))")
server.stop()
let final = ledger.state.withLock { $0 }
for file in final.servedFiles.sorted() { say("served \(file)") }
say(
    "summary: \(final.requests) requests, \(final.unconditionalRepolls) unconditional re-polls, shortest gap between "
        + "two polls of one feed \(Int(final.shortestGap?.seconds ?? 0)) s (\(final.shortestGap?.feed ?? "-"))")
