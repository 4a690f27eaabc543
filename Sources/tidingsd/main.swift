import ArgumentParser
import FeedConfig
import FeedDaemon
import Foundation
import Logging

/// `tidingsd`: polls the feeds of Feeds.yaml into the store until SIGTERM/SIGINT.
struct DaemonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tidingsd",
        abstract: "Poll the feeds listed in Feeds.yaml and keep their entries in the local store.",
        version: TidingsVersion.current)

    @Option(help: "The feed list (default: ./Feeds.yaml if present, else $XDG_CONFIG_HOME/tidings/Feeds.yaml).")
    var config: String?

    @Option(help: "The store (default: $TIDINGS_DATABASE, else $XDG_STATE_HOME/tidings/tidings.sqlite).")
    var database: String?

    @Flag(help: "Poll every enabled feed once, then exit (status 1 if any feed failed).")
    var once = false

    @Option(help: "Least severe messages to log: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(help: ArgumentHelp(
        "Run the daemon's clock this many times faster than real time (for replaying captured feeds; see README).",
        valueName: "factor"))
    var clockSpeed: Double = 1

    @Option(help: ArgumentHelp("Start the daemon's clock at this ISO 8601 time (for replays).", valueName: "time"))
    var clockStart: String?

    func validate() throws {
        guard clockSpeed > 0, clockSpeed <= 100_000 else { throw ValidationError("--clock-speed must be above 0 and at most 100000") }
        if let clockStart, (try? Date(clockStart, strategy: .iso8601)) == nil {
            throw ValidationError("--clock-start '\(clockStart)' is not an ISO 8601 time such as 2021-09-16T21:00:00Z")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }
}

#if os(Linux)
/// glibc's `mallopt` (malloc.h, which the Glibc module does not export).
@_silgen_name("mallopt") func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
/// malloc.h: `#define M_MMAP_THRESHOLD -3`.
let M_MMAP_THRESHOLD: Int32 = -3

// Blocks of 128 KiB and more (fetched bodies, whole articles' text) are mapped on their own and given back to the
// system when freed. glibc would otherwise raise this threshold as such blocks are freed, and keep them in its
// arenas, where the holes they leave between live blocks stay resident: 25 MB of the peak at 10,000 feeds
// (docs/PERFORMANCE.md).
_ = mallopt(M_MMAP_THRESHOLD, 128 * 1024)
#endif

// Connections wait in libcurl's cache for their host's next feed, a quarter of the open files allowed (CurlMultiLoop):
// the soft limit a service starts with (1,024) keeps 256, fewer than the hosts of a large feed list. The soft limit is
// raised towards the hard one (systemd's default is 524,288), as servers do; 65,536 is plenty.
do {
    var limit = rlimit()
    if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < min(limit.rlim_max, 65_536) {
        limit.rlim_cur = min(limit.rlim_max, 65_536)
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

let command: DaemonCommand
do {
    command = try DaemonCommand.parse()
} catch {
    DaemonCommand.exit(withError: error)
}
let level = Logger.Level(rawValue: command.logLevel) ?? .info
LoggingSystem.bootstrap { label in DaemonLogHandler(label: label, level: level) }
let paths = TidingsPaths()
let options = DaemonOptions(
    configPath: paths.configPath(explicit: command.config), databasePath: paths.databasePath(explicit: command.database),
    once: command.once,
    clock: DaemonClock(speed: command.clockSpeed, start: command.clockStart.flatMap { try? Date($0, strategy: .iso8601) }))
exit(await TidingsDaemon(options: options, logger: Logger(label: "tidingsd")).run())
