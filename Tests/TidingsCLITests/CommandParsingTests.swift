import ArgumentParser
import Foundation
import Testing

@testable import TidingsCLI

/// The command line as a pure function: arguments in, a configured command (or a usage error) out.
@Suite struct CommandParsingTests {
    @Test func readingCommandsTakeTheirOptions() throws {
        let stories = try #require(try TidingsCommand.parseAsRoot(["stories", "--since", "7d", "--min-sources", "3", "--json"]) as? StoriesCommand)
        #expect(stories.since == "7d" && stories.minimumSources == 3 && stories.json && stories.limit == 30)
        let story = try #require(try TidingsCommand.parseAsRoot(["story", "42"]) as? StoryCommand)
        #expect(story.id == 42)
        let search = try #require(try TidingsCommand.parseAsRoot(["search", "red", "panda", "--limit", "5"]) as? SearchCommand)
        #expect(search.query == ["red", "panda"] && search.limit == 5)
        let entries = try #require(try TidingsCommand.parseAsRoot(["entries", "--tag", "world", "--since", "6h"]) as? EntriesCommand)
        #expect(entries.tag == "world" && entries.since == "6h")
    }

    @Test func feedCommandsTakeTheirArguments() throws {
        let add = try #require(
            try TidingsCommand.parseAsRoot(["feeds", "add", "https://a.example/", "--tag", "x", "--tag", "y", "--interval", "15m"])
                as? FeedsAddCommand)
        #expect(add.url == "https://a.example/" && add.tags == ["x", "y"] && add.interval == "15m" && !add.noCheck)
        #expect(try TidingsCommand.parseAsRoot(["feeds"]) is FeedsListCommand, "feeds lists by default")
        #expect(try TidingsCommand.parseAsRoot(["feeds", "remove", "Alpha"]) is FeedsRemoveCommand)
        #expect(try TidingsCommand.parseAsRoot(["config", "check", "--config", "/x/Feeds.yaml"]) is ConfigCheckCommand)
    }

    @Test(arguments: [
        ["stories", "--since", "soon"], ["stories", "--limit", "0"], ["search"], ["feeds", "add", "ftp://a.example/"],
        ["feeds", "add", "https://a.example/", "--interval", "often"], ["story", "abc"], ["nonsense"],
    ])
    func badArgumentsAreUsageErrors(_ arguments: [String]) {
        #expect(throws: (any Error).self) { try TidingsCommand.parseAsRoot(arguments) }
    }

    @Test func exitStatusIsTwoForUsageOneForFailures() async {
        #expect(await TidingsMain.run(["stories", "--since", "soon"]) == 2)
        #expect(await TidingsMain.run(["stories", "--database", "/nonexistent/t.sqlite"]) == 1)
    }
}
