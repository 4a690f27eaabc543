import ArgumentParser
import FeedConfig
import FeedStore
import Foundation

/// `tidings entries`: the newest entries, optionally of one feed.
struct EntriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "entries", abstract: "List the newest entries, newest first.")

    @OptionGroup var store: StoreOptions

    @Option(help: "Only entries of the feed with this URL.")
    var feed: String?

    @Option(help: "Only entries of feeds with this tag (from Feeds.yaml).")
    var tag: String?

    @Option(help: "Only entries since then: a duration back from now (6h, 7d) or a date (2021-09-20, 2021-09-20T14:00).")
    var since: String?

    @Option(help: "At most this many entries.")
    var limit: Int = 30

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
        if let since, TimeArgument.date(since, now: Date()) == nil {
            throw ValidationError("--since '\(since)': \(TimeArgument.expected)")
        }
    }

    func run() async throws {
        let feedStore: FeedStore
        do {
            feedStore = try FeedStore(path: store.databasePath(), readOnly: true)
        } catch {
            throw CLIError(message: error.description)
        }
        do {
            if let feed, try !feedStore.feeds().contains(where: { $0.url == feed }) {
                throw CLIError(message: "no feed '\(feed)' in \(feedStore.path); 'tidings feeds' lists the feeds")
            }
            let cutoff = since.flatMap { TimeArgument.date($0, now: Date()) }
            let entries = try feedStore.entries(feedURL: feed, tag: tag, since: cutoff, limit: limit)
            if json {
                print(try JSONOutput.encode(entries))
            } else {
                print(EntryTable.render(entries, now: Date()), terminator: "")
            }
        } catch let error as StoreError {
            throw CLIError(message: error.description)
        }
    }
}

enum EntryTable {
    static func render(_ entries: [StoredEntry], now: Date) -> String {
        var rows: [[String]] = [["WHEN", "FEED", "TITLE"]]
        for entry in entries {
            rows.append([
                RelativeTime.describe(entry.published ?? entry.updated ?? entry.firstSeen, now: now),
                feedLabel(entry.feedTitle ?? entry.feedURL, alsoIn: entry.alsoIn, width: 24),
                TextTable.truncate(entry.title ?? entry.url ?? entry.guid, to: 90),
            ])
        }
        return TextTable.render(rows)
    }

    /// The entry's feed, and how many other feeds carry the same article ("BBC News +2").
    static func feedLabel(_ feed: String, alsoIn: [String], width: Int) -> String {
        guard !alsoIn.isEmpty else { return TextTable.truncate(feed, to: width) }
        let count = " +\(alsoIn.count)"
        return TextTable.truncate(feed, to: max(1, width - count.count)) + count
    }
}
