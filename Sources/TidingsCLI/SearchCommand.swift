import ArgumentParser
import FeedStore
import Foundation

/// `tidings search QUERY`: full-text search over titles and text, best matches first.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search titles and text of every stored entry (SQLite FTS5), best matches first.",
        discussion: "QUERY is words (all must match), \"a phrase\", prefix*, or combinations with AND, OR, NOT. "
            + "The first 4,000 characters of each entry's text are searched (about 600 words).")

    @OptionGroup var store: StoreOptions

    @Argument(help: "What to look for.")
    var query: [String]

    @Option(help: "At most this many results.")
    var limit: Int = 20

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
        guard !query.joined().trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("give something to search for, e.g. tidings search evergrande")
        }
    }

    func run() async throws {
        do {
            let feedStore = try FeedStore(path: store.databasePath(), readOnly: true)
            let hits = try feedStore.search(query.joined(separator: " "), limit: limit)
            if json {
                print(try JSONOutput.encode(hits))
                return
            }
            let now = Date()
            var rows: [[String]] = [["WHEN", "FEED", "MATCH"]]
            for hit in hits {
                let entry = hit.entry
                rows.append([
                    RelativeTime.describe(entry.published ?? entry.firstSeen, now: now),
                    TextTable.truncate(entry.feedTitle ?? entry.feedURL, to: 20),
                    TextTable.truncate(hit.titleSnippet.isEmpty ? (entry.title ?? "") : hit.titleSnippet, to: 70)
                        + (hit.textSnippet.contains("[") ? " — " + TextTable.truncate(hit.textSnippet, to: 60) : ""),
                ])
            }
            print(hits.isEmpty ? "no entries match '\(query.joined(separator: " "))'" : TextTable.render(rows), terminator: hits.isEmpty ? "\n" : "")
        } catch let error as StoreError {
            throw CLIError(message: error.description)
        }
    }
}
