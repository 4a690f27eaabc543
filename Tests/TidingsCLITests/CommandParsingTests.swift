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

    @Test func timesAreDurationsBackFromNowOrDates() throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(TimeArgument.date("24h", now: now) == now.addingTimeInterval(-86400))
        #expect(TimeArgument.date("2021-09-20T14:00:00Z", now: now) == Date(timeIntervalSince1970: 1_632_146_400))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let day = try #require(TimeArgument.date("2021-09-20", now: now))
        #expect(calendar.dateComponents([.year, .month, .day, .hour, .minute], from: day)
            == DateComponents(year: 2021, month: 9, day: 20, hour: 0, minute: 0))
        let afternoon = try #require(TimeArgument.date("2021-09-20T14:30", now: now))
        #expect(afternoon.timeIntervalSince(day) == 14.5 * 3600)
        #expect(TimeArgument.date("2021-09-20T14:30:15", now: now) == afternoon.addingTimeInterval(15))
        for bad in ["yesterday", "2021-13-01", "2021-02-30", "2021-09", "-3h", "2021--09-20", "2021-09-20T25:00", "2021-09-20T14"] {
            #expect(TimeArgument.date(bad, now: now) == nil, "\(bad)")
        }
        let days = try #require(
            try TidingsCommand.parseAsRoot(["stories", "--since", "2021-09-20", "--until", "2021-09-21"]) as? StoriesCommand)
        #expect(days.since == "2021-09-20" && days.until == "2021-09-21" && days.sort == .recent)
        let plain = try #require(try TidingsCommand.parseAsRoot(["stories"]) as? StoriesCommand)
        #expect(plain.since == nil && plain.until == nil, "the last 24 hours")
        let biggest = try #require(try TidingsCommand.parseAsRoot(["stories", "--sort", "sources"]) as? StoriesCommand)
        #expect(biggest.sort == .sources)
        #expect(throws: (any Error).self) { try TidingsCommand.parseAsRoot(["stories", "--sort", "size"]) }
        #expect(throws: (any Error).self) { try TidingsCommand.parseAsRoot(["stories", "--until", "Monday"]) }
    }

    @Test func timesOlderThanAWeekAreShownAsDates() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(RelativeTime.describe(now.addingTimeInterval(-3 * 86400), now: now) == "3 d ago")
        let old = now.addingTimeInterval(-30 * 86400)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: old)
        let expected = String(format: "%04d-%02d-%02d %02d:%02d", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!)
        #expect(RelativeTime.describe(old, now: now) == expected)
    }

    @Test func exitStatusIsTwoForUsageOneForFailures() async {
        #expect(await TidingsMain.run(["stories", "--since", "soon"]) == 2)
        #expect(await TidingsMain.run(["stories", "--database", "/nonexistent/t.sqlite"]) == 1)
    }
}

/// How an article carried by several feeds is shown.
@Suite struct DuplicateDisplayTests {
    @Test func aStoryRowNamesEachFeedOnce() {
        #expect(StoryTable.feedNames("BBC", alsoIn: ["RNZ", "BBC", "RNZ", "AP"]) == ["BBC", "RNZ", "AP"])
    }

    @Test func anEntryListCountsTheOtherFeedsWithinItsColumn() {
        #expect(EntryTable.feedLabel("BBC News", alsoIn: ["RNZ", "AP"], width: 24) == "BBC News +2")
        let long = EntryTable.feedLabel("A feed with a very long title indeed", alsoIn: ["RNZ"], width: 24)
        #expect(long.count == 24 && long.hasSuffix("… +1"))
        #expect(EntryTable.feedLabel("BBC News", alsoIn: [], width: 24) == "BBC News")
    }
}
