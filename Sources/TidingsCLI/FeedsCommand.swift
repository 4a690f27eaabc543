import ArgumentParser
import FeedStore
import Foundation

/// `tidings feeds`: the feed list with its polling state.
struct FeedsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feeds", abstract: "Work with feeds.", subcommands: [FeedsListCommand.self],
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

    func run() async throws {
        do {
            let feedStore = try FeedStore(path: store.databasePath(), readOnly: true)
            let feeds = try feedStore.feeds(subscribedOnly: !all)
            if json {
                print(try JSONOutput.encode(feeds))
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
            let status: String
            if let error = feed.lastError {
                status = "error: " + TextTable.truncate(error, to: 40)
            } else {
                status = feed.lastStatus.map { "\($0)" } ?? "never"
            }
            rows.append([
                status, "\(feed.entryCount)", feed.lastPolledAt.map { RelativeTime.describe($0, now: now) } ?? "-",
                TextTable.truncate(feed.title ?? "", to: 30), feed.url,
            ])
        }
        return TextTable.render(rows)
    }
}
