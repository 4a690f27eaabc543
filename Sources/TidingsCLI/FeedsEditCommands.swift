import ArgumentParser
import FeedConfig
import FeedFetching
import FeedParsing
import Foundation

/// Options of the commands that edit Feeds.yaml.
struct ConfigOptions: ParsableArguments {
    @Option(help: "The feed list to edit (default: ./Feeds.yaml if present, else $XDG_CONFIG_HOME/tidings/Feeds.yaml).")
    var config: String?

    func configPath() -> String { TidingsPaths().configPath(explicit: config) }
}

/// `tidings feeds add URL`: checks the URL with the real fetcher and parser, then appends it to Feeds.yaml.
struct FeedsAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a feed to Feeds.yaml after fetching it once to check it is a feed.",
        discussion: """
            A web page that advertises one feed is replaced by that feed; one that advertises several lists them. \
            The rest of Feeds.yaml (comments, order, formatting) stays as it is. A running tidingsd notices the \
            change by itself.
            """)

    @OptionGroup var options: ConfigOptions

    @Argument(help: "The feed's (or its web page's) http(s) URL.")
    var url: String

    @Option(help: "A title of your own (default: the feed's).")
    var title: String?

    @Option(name: .customLong("tag"), help: "A tag (repeat for several).")
    var tags: [String] = []

    @Option(help: "Poll interval for this feed, e.g. 15m or 2h.")
    var interval: String?

    @Flag(name: .customLong("no-check"), help: "Add without fetching it first (e.g. while offline).")
    var noCheck = false

    func validate() throws {
        guard let scheme = URLComponents(string: url)?.scheme?.lowercased(), scheme == "http" || scheme == "https",
            URLComponents(string: url)?.host?.isEmpty == false
        else {
            throw ValidationError("'\(url)' is not an http:// or https:// URL")
        }
        if let interval, Quantities.seconds(interval) == nil {
            throw ValidationError("--interval '\(interval)' is not a duration; expected e.g. 15m or 2h")
        }
    }

    func run() async throws {
        let path = options.configPath()
        var editor = try editor(path)
        var feedURL = url
        var feedTitle: String?
        // A feed already listed is refused before anything is fetched.
        if let configuration = try? ConfigLoader.parse(editor.text, path: path),
            let existing = configuration.feeds.first(where: { ConfigLoader.sameFeed($0.url, url) })
        {
            throw CLIError(
                message: "\(path):\(existing.line): '\(url)' is already in the feed list"
                    + (existing.url == url ? "" : " as '\(existing.url)'"))
        }
        if !noCheck {
            (feedURL, feedTitle) = try await check(url)
        }
        do {
            try editor.add(.init(url: feedURL, title: title, tags: tags, interval: interval))
            try editor.write()
        } catch {
            throw CLIError(message: error.description)
        }
        print("added \(feedURL)\(feedTitle.map { " (\($0))" } ?? "") to \(path)")
    }

    /// Fetches and parses `url`; follows a web page to the one feed it advertises. Returns the feed URL and title.
    private func check(_ url: String) async throws -> (String, String?) {
        let fetcher = FeedFetcher(maxConcurrent: 2, maxPerHost: 1)
        defer { fetcher.shutdown() }
        var candidate = url
        for _ in 0..<2 {
            let response: FetchResponse
            switch await fetcher.fetch(FetchRequest(url: candidate, userAgent: FeedDefaults.standardUserAgent)) {
            case .failure(let error):
                throw CLIError(message: "cannot add \(candidate): \(error.message) (add it anyway with --no-check)")
            case .success(let success):
                response = success
            }
            guard (200..<300).contains(response.status) else {
                throw CLIError(message: "cannot add \(candidate): the server answered HTTP \(response.status) (add it anyway with --no-check)")
            }
            let base = FeedParser.documentURL(
                fetchedFrom: URL(string: response.effectiveURL), contentLocation: response.contentLocation)
            do {
                let feed = try FeedParser.parse(response.body, documentURL: base, contentType: response.contentType)
                return (candidate, feed.title)
            } catch {
                let links = error.discoveredFeeds.compactMap { URL(string: $0, relativeTo: base)?.absoluteString }
                if links.count == 1, candidate == url {
                    print("\(url) is a web page; it advertises the feed \(links[0]), which is added instead")
                    candidate = links[0]
                    continue
                }
                if links.count > 1 {
                    throw CLIError(
                        message: "\(url) is a web page that advertises several feeds; add one of them:\n"
                            + links.map { "  tidings feeds add \($0)" }.joined(separator: "\n"))
                }
                throw CLIError(message: "cannot add \(candidate): \(error.message)")
            }
        }
        throw CLIError(message: "cannot add \(url): its advertised feed is not a feed either")
    }
}

/// `tidings feeds remove URL|TITLE`.
struct FeedsRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a feed (by URL or title) from Feeds.yaml; its stored entries stay.")

    @OptionGroup var options: ConfigOptions

    @Argument(help: "The feed's URL or title.")
    var feed: String

    func run() async throws {
        let path = options.configPath()
        var editor = try editor(path)
        do {
            let removed = try editor.remove(feed)
            try editor.write()
            print("removed \(removed) from \(path)")
        } catch {
            throw CLIError(message: error.description)
        }
    }
}

/// `tidings feeds enable|disable URL|TITLE`.
struct FeedsEnableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable", abstract: "Poll a feed again (sets enabled: true in Feeds.yaml).")

    @OptionGroup var options: ConfigOptions

    @Argument(help: "The feed's URL or title.")
    var feed: String

    func run() async throws { try setEnabled(true, feed, options.configPath()) }
}

struct FeedsDisableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable", abstract: "Stop polling a feed but keep it listed (sets enabled: false in Feeds.yaml).")

    @OptionGroup var options: ConfigOptions

    @Argument(help: "The feed's URL or title.")
    var feed: String

    func run() async throws { try setEnabled(false, feed, options.configPath()) }
}

private func editor(_ path: String) throws -> FeedsFileEditor {
    do {
        return try FeedsFileEditor(path: path)
    } catch {
        throw CLIError(message: error.description)
    }
}

private func setEnabled(_ enabled: Bool, _ feed: String, _ path: String) throws {
    var editor = try editor(path)
    do {
        let url = try editor.setEnabled(enabled, feed)
        try editor.write()
        print("\(enabled ? "enabled" : "disabled") \(url) in \(path)")
    } catch {
        throw CLIError(message: error.description)
    }
}
