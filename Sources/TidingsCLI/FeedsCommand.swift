import ArgumentParser
import FeedStore
import Foundation

/// `tidings feeds`: the feed list with its polling state.
struct FeedsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feeds", abstract: "Work with feeds.",
        subcommands: [
            FeedsListCommand.self, FeedsAddCommand.self, FeedsRemoveCommand.self, FeedsEnableCommand.self,
            FeedsDisableCommand.self, FeedsImportCommand.self, FeedsExportCommand.self,
        ],
        defaultSubcommand: FeedsListCommand.self)
}

/// `tidings feeds list`: url, title, last status and entry count of every feed.
struct FeedsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List feeds with their last status and entry count.")

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Flag(help: "Include feeds no longer in Feeds.yaml.")
    var all = false

    @Option(help: "Only feeds with this tag (from Feeds.yaml).")
    var tag: String?

    @Flag(help: "Only feeds whose last poll failed, or that are gone.")
    var failing = false

    func run() async throws {
        do {
            let feedStore = try FeedStore(path: store.databasePath(), readOnly: true)
            var feeds = try feedStore.feeds(subscribedOnly: !all)
            if let tag { feeds = feeds.filter { $0.tags.contains(tag) } }
            if failing { feeds = feeds.filter { $0.state.lastError != nil || $0.state.disabledReason != nil } }
            if json {
                print(try JSONOutput.encode(feeds.map(FeedJSON.init)))
            } else {
                print(FeedTable.render(feeds, now: Date()), terminator: "")
            }
        } catch let error as StoreError {
            throw CLIError(message: error.description)
        }
    }
}

enum FeedTable {
    static func render(_ feeds: [StoredFeed], now: Date) -> String {
        var rows: [[String]] = [["STATUS", "ENTRIES", "POLLED", "TITLE", "URL"]]
        for feed in feeds {
            let state = feed.state
            var status: String
            if let reason = state.disabledReason {
                status = "disabled: " + TextTable.truncate(reason, to: 40)
            } else if let error = state.lastError {
                status = "error: " + TextTable.truncate(error, to: 40)
            } else {
                status = state.lastStatus.map { "\($0)" } ?? "never"
            }
            var url = feed.url
            if let moved = state.movedTo {
                url += " (moved to \(moved): update Feeds.yaml)"
            } else if let candidate = state.redirectCandidate {
                url += " (redirects permanently to \(candidate))"
            }
            rows.append([
                status, "\(feed.entryCount)", state.lastPolledAt.map { RelativeTime.describe($0, now: now) } ?? "-",
                TextTable.truncate(feed.title ?? "", to: 30), url,
            ])
        }
        return TextTable.render(rows) { row, column in
            guard column == 0 else { return nil }
            let status = rows[row][0]
            return status.hasPrefix("error") ? .red : status.hasPrefix("disabled") ? .yellow : status == "never" ? nil : .green
        }
    }
}

/// The stable JSON shape of one feed in `tidings feeds --json` (snake_case keys, ISO 8601 dates).
struct FeedJSON: Encodable {
    var id: Int64
    var url: String
    var title: String?
    var siteLink: String?
    var subscribed: Bool
    var entryCount: Int
    /// ok, failing, disabled or never-polled.
    var health: String
    var lastStatus: Int?
    var lastError: String?
    var lastPolledAt: Date?
    var lastSuccessAt: Date?
    var nextPollAt: Date?
    var consecutiveFailures: Int
    /// Where the feed is polled since a confirmed permanent redirect; update Feeds.yaml to it.
    var movedTo: String?
    /// A permanent redirect seen but not yet confirmed.
    var redirectCandidate: String?
    var disabledReason: String?

    init(_ feed: StoredFeed) {
        let state = feed.state
        id = feed.id
        url = feed.url
        title = feed.title
        siteLink = feed.siteLink
        subscribed = feed.subscribed
        entryCount = feed.entryCount
        health = state.disabledReason != nil ? "disabled"
            : state.lastError != nil ? "failing" : state.lastPolledAt == nil ? "never-polled" : "ok"
        lastStatus = state.lastStatus
        lastError = state.lastError
        lastPolledAt = state.lastPolledAt
        lastSuccessAt = state.lastSuccessAt
        nextPollAt = state.nextPollAt
        consecutiveFailures = state.consecutiveFailures
        movedTo = state.movedTo
        redirectCandidate = state.redirectCandidate
        disabledReason = state.disabledReason
    }
}
