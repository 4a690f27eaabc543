import ArgumentParser
import FeedConfig
import FeedStore
import Foundation

/// `tidings stories`: the stories of the last day (or of --since … --until), most recently active first.
struct StoriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stories",
        abstract: "List stories (one event's reports across feeds), most recently active first.")

    @OptionGroup var store: StoreOptions

    @Option(help: "Only stories seen since then: a duration back from now (6h, 24h, 7d) or a date (2021-09-20, 2021-09-20T14:00). Default: 24h before --until, or before now.")
    var since: String?

    @Option(help: "Only stories first seen before then (same forms as --since): with --since, the stories of a past day.")
    var until: String?

    @Option(name: .customLong("min-sources"), help: "Only stories reported by at least this many feeds.")
    var minimumSources: Int = 1

    @Option(help: "At most this many stories.")
    var limit: Int = 30

    @Option(help: "Order: recent (most recently active first) or sources (most feeds, then most entries, first).")
    var sort: StoryOrderArgument = .recent

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
        guard minimumSources > 0 else { throw ValidationError("--min-sources must be at least 1") }
        if let since, TimeArgument.date(since, now: Date()) == nil {
            throw ValidationError("--since '\(since)': \(TimeArgument.expected)")
        }
        if let until, TimeArgument.date(until, now: Date()) == nil {
            throw ValidationError("--until '\(until)': \(TimeArgument.expected)")
        }
    }

    func run() async throws {
        let now = Date()
        let end = until.flatMap { TimeArgument.date($0, now: now) }
        // Without --since: the 24 hours before --until, or before now.
        let start = since.flatMap { TimeArgument.date($0, now: now) } ?? (end ?? now).addingTimeInterval(-86400)
        do {
            let feedStore = try FeedStore(path: store.databasePath(), readOnly: true)
            let stories = try feedStore.stories(
                since: start, until: end, minimumSources: minimumSources, limit: limit, order: sort.order)
            if json {
                print(try JSONOutput.encode(stories))
            } else {
                print(StoryTable.render(stories, now: now), terminator: "")
            }
        } catch let error as StoreError {
            throw CLIError(message: error.description)
        }
    }
}

/// `tidings story ID`: one story's entries.
struct StoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "story", abstract: "Show one story: every entry, with its feed, time, title and link.")

    @OptionGroup var store: StoreOptions

    @Argument(help: "The story's id (from 'tidings stories'; a merged story's old id still works).")
    var id: Int64

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() async throws {
        do {
            let feedStore = try FeedStore(path: store.databasePath(), readOnly: true)
            guard let (story, entries) = try feedStore.story(id: id) else {
                throw CLIError(message: "no story \(id) in \(feedStore.path); 'tidings stories' lists them")
            }
            if json {
                print(try JSONOutput.encode(StoryJSON(story: story, entries: entries)))
            } else {
                print(StoryTable.renderStory(story, entries: entries, requestedID: id, now: Date()), terminator: "")
            }
        } catch let error as StoreError {
            throw CLIError(message: error.description)
        }
    }

    private struct StoryJSON: Encodable {
        var story: StoredStory
        var entries: [StoredEntry]
    }
}

enum StoryTable {
    static func render(_ stories: [StoredStory], now: Date) -> String {
        var rows: [[String]] = [["ID", "SOURCES", "ENTRIES", "FIRST SEEN", "LAST SEEN", "HEADLINE"]]
        for story in stories {
            rows.append([
                "\(story.id)", "\(story.sourceCount)", "\(story.entryCount)",
                RelativeTime.describe(story.firstSeen, now: now), RelativeTime.describe(story.lastSeen, now: now),
                TextTable.truncate(story.headline ?? "(untitled)", to: 90),
            ])
        }
        return TextTable.render(rows) { row, column in
            column == 5 && (stories[row - 1].sourceCount >= 3) ? .bold : nil
        }
    }

    static func renderStory(_ story: StoredStory, entries: [StoredEntry], requestedID: Int64, now: Date) -> String {
        var text = "Story \(story.id)"
        if story.id != requestedID { text += " (story \(requestedID) was merged into it)" }
        text += ": \(story.headline ?? "(untitled)")\n"
        text += "\(story.entryCount) entries from \(story.sourceCount) feeds, first seen "
            + "\(RelativeTime.describe(story.firstSeen, now: now)), last seen \(RelativeTime.describe(story.lastSeen, now: now))\n\n"
        var rows: [[String]] = [["WHEN", "FEED", "TITLE", "LINK"]]
        for entry in entries {
            rows.append([
                RelativeTime.describe(entry.published ?? entry.firstSeen, now: now),
                // The same article in several feeds is one row with all of them (each name once).
                TextTable.truncate(
                    feedNames(entry.feedTitle ?? entry.feedURL, alsoIn: entry.alsoIn).joined(separator: ", "), to: 40),
                TextTable.truncate(entry.title ?? "(untitled)", to: 80), entry.url ?? "",
            ])
        }
        return text + TextTable.render(rows)
    }

    /// An entry's feed and the other feeds carrying the same article, each name once, in order.
    static func feedNames(_ feed: String, alsoIn: [String]) -> [String] {
        var seen = Set<String>()
        return ([feed] + alsoIn).filter { seen.insert($0).inserted }
    }
}

/// `--sort`'s values: the store's story orders.
enum StoryOrderArgument: String, ExpressibleByArgument, CaseIterable {
    case recent, sources

    var order: FeedStore.StoryOrder {
        switch self {
        case .recent: .recent
        case .sources: .sources
        }
    }
}
