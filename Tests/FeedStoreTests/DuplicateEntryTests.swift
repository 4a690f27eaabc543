import FeedModel
@testable import FeedStore
import Foundation
import TestSupport
import Testing

@Suite struct CanonicalURLTests {
    @Test(arguments: [
        // Scheme, host case, www., default port, trailing slash, fragment, tracking parameters.
        ("https://www.Example.com/world/story-1/?utm_source=rss&utm_medium=feed#comments", "example.com/world/story-1"),
        ("http://example.com:80/world/story-1", "example.com/world/story-1"),
        ("HTTPS://EXAMPLE.COM:443/world/story-1?fbclid=abc&gclid=x&ref=rss", "example.com/world/story-1"),
        // Parameters that choose the article stay, in their order.
        ("https://example.com/article.php?id=42&utm_campaign=x&page=2", "example.com/article.php?id=42&page=2"),
        ("https://example.com/article.cfm?c_id=1&amp;objectid=7&amp;ref=rss", "example.com/article.cfm?c_id=1&objectid=7"),
        // Mobile and AMP editions.
        ("https://m.example.com/world/story-1", "example.com/world/story-1"),
        ("https://amp.example.com/world/story-1", "example.com/world/story-1"),
        ("https://example.com/amp/world/story-1", "example.com/world/story-1"),
        ("https://example.com/world/story-1/amp/", "example.com/world/story-1"),
        ("https://example.com/world/story-1.amp.html", "example.com/world/story-1.html"),
        ("https://example.com/world/story-1.amp", "example.com/world/story-1"),
        ("https://example.com/world/story-1?amp=1&outputType=amp", "example.com/world/story-1"),
        // A port that is not the default stays; the path keeps its case.
        ("http://example.com:8080/World/Story", "example.com:8080/World/Story"),
    ])
    func copiesOfOneLinkShareAKey(link: String, key: String) {
        #expect(CanonicalURL.key(for: link) == key)
    }

    @Test func frontPagesAndOtherSchemesHaveNoKey() {
        #expect(CanonicalURL.key(for: "https://www.example.com/") == nil)
        #expect(CanonicalURL.key(for: "https://example.com/?utm_source=rss") == nil)
        #expect(CanonicalURL.key(for: "ftp://example.com/file") == nil)
        #expect(CanonicalURL.key(for: "mailto:someone@example.com") == nil)
        #expect(CanonicalURL.key(for: "not a link") == nil)
        // Short hosts are not mistaken for mobile prefixes ("m.io" is a site of its own).
        #expect(CanonicalURL.key(for: "https://m.io/a") == "m.io/a")
    }

    @Test func onlyKeysThatOccurOnceIdentifyAnArticle() {
        #expect(CanonicalURL.singleKeys([("1", "a"), ("2", "b"), ("3", nil), ("4", "a"), ("5", "c")]) == ["b", "c"])
        // A guid listed twice counts once, with its last link.
        #expect(CanonicalURL.singleKeys([("1", "a"), ("2", "b"), ("1", "a")]) == ["a", "b"])
        #expect(CanonicalURL.singleKeys([("1", "a"), ("2", "b"), ("1", "b")]) == [])
    }

    @Test func differentArticlesKeepDifferentKeys() {
        #expect(CanonicalURL.key(for: "https://example.com/a?id=1") != CanonicalURL.key(for: "https://example.com/a?id=2"))
        #expect(CanonicalURL.key(for: "https://example.com/a") != CanonicalURL.key(for: "https://example.org/a"))
    }
}

/// One article in several feeds: stored once, with every feed that carries it.
@Suite struct DuplicateEntryTests {
    let scratch = ScratchDirectory(prefix: "tidings-dup")
    var directory: URL { scratch.url }
    var path: String { directory.appendingPathComponent("store.sqlite").path }
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// Every new entry starts a story of its own, numbered by entry id.
    struct OwnStory: StoryAssigner {
        func assign(_ entry: NewEntry) -> StoryAssignment {
            StoryAssignment(story: entry.id, headlineEntryID: entry.id)
        }
    }

    func state(_ at: Date) -> FeedPollState {
        var state = pollState(at: at, status: 200, next: at + 1800)
        state.lastSuccessAt = at
        return state
    }

    @Test func anArticleInThreeFeedsIsStoredOnceWithAllItsSources() async throws {
        let store = try FeedStore(path: path)
        let ids = try await store.syncSubscriptions([
            SubscriptionInput(url: "https://wire.example/feed", title: "Wire"),
            SubscriptionInput(url: "https://paper.example/feed", title: "Paper"),
            SubscriptionInput(url: "https://blog.example/feed", title: "Blog"),
        ])
        let wire = try #require(ids["https://wire.example/feed"])
        let paper = try #require(ids["https://paper.example/feed"])
        let blog = try #require(ids["https://blog.example/feed"])
        let original = EntryInput(
            guid: "w1", url: "https://www.news.example/world/summit-talks", title: "Leaders meet for summit talks",
            contentHTML: "<p>Leaders met on Monday.</p>", text: "Leaders met on Monday in Geneva.")
        let first = try await store.record(
            FetchRecord(feedID: wire, state: state(now), entries: [original], listed: true), stories: OwnStory())
        #expect(first == FetchRecordSummary(newEntries: 1, updatedEntries: 0, duplicateEntries: 0))

        // The same link with tracking parameters, over http, from the mobile site.
        let copy = EntryInput(
            guid: "p-77", url: "http://m.news.example/world/summit-talks/?utm_source=paper&utm_medium=rss",
            title: "Summit talks begin", text: "Leaders met on Monday in Geneva, the paper says.")
        let second = try await store.record(
            FetchRecord(feedID: paper, state: state(now + 60), entries: [copy], listed: true), stories: OwnStory())
        #expect(second == FetchRecordSummary(newEntries: 1, updatedEntries: 0, duplicateEntries: 1))
        let third = try await store.record(
            FetchRecord(
                feedID: blog, state: state(now + 120),
                entries: [EntryInput(guid: "b", url: "https://news.example/world/summit-talks#top", title: "Summit")],
                listed: true),
            stories: OwnStory())
        #expect(third.duplicateEntries == 1)

        // Three rows, one article: listed once, with the other feeds beside it.
        #expect(try store.entryCount() == 3)
        let listed = try store.entries(limit: 10)
        #expect(listed.count == 1)
        #expect(listed.first?.title == "Leaders meet for summit talks")
        #expect(listed.first?.alsoIn.sorted() == ["Blog", "Paper"])
        // One feed's own list still shows its copy, with the original's text.
        let paperEntries = try store.entries(feedURL: "https://paper.example/feed", limit: 10)
        #expect(paperEntries.count == 1)
        #expect(paperEntries.first?.title == "Summit talks begin")
        #expect(paperEntries.first?.duplicateOf == listed.first?.id)
        #expect(paperEntries.first?.text == "Leaders met on Monday in Geneva.")

        // The story has one entry and three sources; search finds the article once.
        let storyID = try #require(listed.first?.storyID)
        let story = try #require(try store.story(id: storyID))
        #expect(story.story.entryCount == 1)
        #expect(story.story.sourceCount == 3)
        #expect(story.entries.count == 1)
        #expect(try store.stories(since: nil).count == 1, "duplicates start no stories")
        #expect(try store.search("summit").count == 1)
        #expect(try store.integrityCheck() == "ok")

        // A copy's edit changes its own title, never gives it content or a place in search.
        var edited = copy
        edited.title = "Summit talks begin in Geneva"
        edited.text = "An edited text."
        try await store.record(
            FetchRecord(feedID: paper, state: state(now + 180), entries: [edited], listed: true), stories: OwnStory())
        #expect(try store.entries(feedURL: "https://paper.example/feed", limit: 1).first?.title == "Summit talks begin in Geneva")
        #expect(try store.search("edited").isEmpty)
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func linksWithinOneFeedAndFrontPagesAreNotDuplicates() async throws {
        let store = try FeedStore(path: path)
        let ids = try await store.syncSubscriptions([
            SubscriptionInput(url: "https://a.example/feed", title: "A"), SubscriptionInput(url: "https://b.example/feed", title: "B"),
        ])
        let a = try #require(ids["https://a.example/feed"])
        let b = try #require(ids["https://b.example/feed"])
        var minutes = 0.0
        /// Records one fetch of `feed` listing (guid, link) pairs, a minute after the last.
        func fetch(_ feed: Int64, _ entries: [(String, String)]) async throws -> FetchRecordSummary {
            minutes += 1
            return try await store.record(
                FetchRecord(
                    feedID: feed, state: state(now + minutes * 60),
                    entries: entries.map { EntryInput(guid: $0.0, url: $0.1, title: "Item \($0.0)") }),
                stories: OwnStory())
        }
        // A podcast-like feed whose items all link to one show page, and a feed linking every item to its home page.
        _ = try await fetch(a, [("e1", "https://show.example/episodes"), ("e2", "https://show.example/episodes"),
                                ("h1", "https://home.example/")])
        #expect(try await fetch(b, [("h2", "https://home.example/")]).duplicateEntries == 0)
        // Another feed linking the show page that A's two episodes share: not a copy of either.
        #expect(try await fetch(b, [("e9", "https://show.example/episodes")]).duplicateEntries == 0)
        // Nor are two entries of one fetch that share a link, though another feed has one entry under it.
        _ = try await fetch(a, [("s1", "https://section.example/world")])
        let shared = try await fetch(b, [("s2", "https://section.example/world"), ("s3", "https://section.example/world")])
        #expect(shared.duplicateEntries == 0)
        #expect(try store.entries(limit: 10).count == 8)
        #expect(try store.listingKnowledge(feedID: b, guids: [], canonicalURLs: ["show.example/episodes"]).carriedElsewhere.isEmpty)
    }

    @Test func anOriginalOutlivesItsDuplicatesInRetention() async throws {
        let store = try FeedStore(path: path)
        let ids = try await store.syncSubscriptions([
            SubscriptionInput(url: "https://a.example/feed", title: "A"), SubscriptionInput(url: "https://b.example/feed", title: "B"),
        ])
        let a = try #require(ids["https://a.example/feed"])
        let b = try #require(ids["https://b.example/feed"])
        let day = 86400.0
        let article = EntryInput(guid: "x", url: "https://news.example/x", title: "X happened", text: "What happened.")
        try await store.record(FetchRecord(feedID: a, state: state(now), entries: [article], listed: true), stories: OwnStory())
        try await store.record(FetchRecord(feedID: b, state: state(now), entries: [article], listed: true), stories: OwnStory())
        // 100 days on, A no longer lists the article; B still does. The original stays for B's copy.
        try await store.record(FetchRecord(feedID: a, state: state(now + 100 * day), entries: [], listed: true))
        try await store.record(FetchRecord(feedID: b, state: state(now + 100 * day), entries: [article], listed: true))
        let kept = try await store.applyRetention(RetentionPolicy(maxAge: 90 * day, maxPerFeed: nil), now: now + 100 * day)
        #expect(kept.entriesDeleted == 0)
        #expect(try store.entries(feedURL: "https://b.example/feed", limit: 1).first?.text == "What happened.")
        // Once B stops listing it too, both go, the copy first and then the original, in one pass.
        // (A listed entry's last_seen is refreshed once a day, so "no longer listed" means a day older than the
        // feed's latest listing.)
        try await store.record(FetchRecord(feedID: b, state: state(now + 102 * day), entries: [], listed: true))
        let gone = try await store.applyRetention(RetentionPolicy(maxAge: 90 * day, maxPerFeed: nil), now: now + 200 * day)
        #expect(gone.entriesDeleted == 2)
        #expect(gone.storiesDeleted == 1)
        #expect(try store.entryCount() == 0)
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func contentTheStoreHasIsNeitherRenderedNorRewritten() async throws {
        let store = try FeedStore(path: path)
        let ids = try await store.syncSubscriptions([
            SubscriptionInput(url: "https://a.example/feed", title: "A"), SubscriptionInput(url: "https://b.example/feed", title: "B"),
        ])
        let a = try #require(ids["https://a.example/feed"])
        let b = try #require(ids["https://b.example/feed"])
        var article = EntryInput(guid: "x", url: "https://news.example/x", title: "X happened", text: "What happened.")
        article.contentHash = 42
        try await store.record(FetchRecord(feedID: a, state: state(now), entries: [article], listed: true), stories: OwnStory())

        // What a poll asks before rendering: A has "x" with hash 42; B's new "y" links an article A carries.
        let knowledge = try store.listingKnowledge(
            feedID: b, guids: ["y"], canonicalURLs: ["news.example/x", "news.example/other"])
        #expect(knowledge.carriedElsewhere == ["news.example/x"])
        #expect(knowledge.contentHashes.isEmpty)
        let own = try store.listingKnowledge(feedID: a, guids: ["x", "new"], canonicalURLs: ["news.example/x"])
        #expect(own.contentHashes == ["x": 42])
        #expect(own.carriedElsewhere.isEmpty, "an entry of the feed itself is not another feed's")
        #expect(own.hasContent(guid: "x", canonicalURL: "news.example/x", contentHash: 42))
        #expect(!own.hasContent(guid: "x", canonicalURL: "news.example/x", contentHash: 43))

        // Listed again unchanged, without its text: nothing is updated and the text stays.
        var bare = EntryInput(guid: "x", url: "https://news.example/x", title: "X happened")
        bare.contentHash = 42
        bare.contentOmitted = true
        let again = try await store.record(
            FetchRecord(feedID: a, state: state(now + 1800), entries: [bare], listed: true), stories: OwnStory())
        #expect(again == FetchRecordSummary(newEntries: 0, updatedEntries: 0))
        #expect(try store.entries(limit: 1).first?.text == "What happened.")

        // A new entry sent without text because its article seemed known, when the store finds no original (it was
        // deleted meanwhile): not stored without its text; the feed's validators and body hash are dropped, so the
        // next poll fetches and parses it in full and stores it then.
        var feedB = try #require(try store.feeds().first { $0.id == b })
        var orphan = EntryInput(guid: "z", url: "https://news.example/z", title: "Z happened")
        orphan.contentHash = 7
        orphan.contentOmitted = true
        var validated = state(now + 60)
        validated.etag = "\"b1\""
        validated.bodyHash = "abc"
        try await store.record(FetchRecord(feedID: b, state: validated, entries: [orphan], listed: true), stories: OwnStory())
        #expect(try store.entries(feedURL: "https://b.example/feed", limit: 5).isEmpty)
        feedB = try #require(try store.feeds().first { $0.id == b })
        #expect(feedB.state.etag == nil && feedB.state.bodyHash == nil)
        var full = EntryInput(guid: "z", url: "https://news.example/z", title: "Z happened", text: "Z's whole text.")
        full.contentHash = 7
        let completed = try await store.record(
            FetchRecord(feedID: b, state: state(now + 120), entries: [full], listed: true), stories: OwnStory())
        #expect(completed.newEntries == 1)
        #expect(try store.entries(feedURL: "https://b.example/feed", limit: 1).first?.text == "Z's whole text.")
        #expect(try store.search("whole").count == 1)
        #expect(try store.integrityCheck() == "ok")
    }

    /// Files everything under story 1, each entry proposing itself as headline; an entry titled "copy …" is a near-copy
    /// of entry 1.
    struct CopiesOfTheFirst: StoryAssigner {
        func assign(_ entry: NewEntry) -> StoryAssignment {
            let isCopy = entry.input.title?.hasPrefix("copy") == true
            return StoryAssignment(story: 1, headlineEntryID: entry.id, duplicateOf: isCopy ? 1 : nil)
        }
    }

    @Test func aNearCopyKeepsItsTextButIsListedAndSearchedOnce() async throws {
        let store = try FeedStore(path: path)
        let ids = try await store.syncSubscriptions([
            SubscriptionInput(url: "https://wire.example/feed", title: "Wire"),
            SubscriptionInput(url: "https://paper.example/feed", title: "Paper"),
        ])
        let wire = try #require(ids["https://wire.example/feed"])
        let paper = try #require(ids["https://paper.example/feed"])
        try await store.record(
            FetchRecord(
                feedID: wire, state: state(now),
                entries: [EntryInput(guid: "w", url: "https://wire.example/a", title: "Storm hits coast", text: "Wire text about the storm.")]),
            stories: CopiesOfTheFirst())
        let second = try await store.record(
            FetchRecord(
                feedID: paper, state: state(now + 60),
                entries: [EntryInput(guid: "p", url: "https://paper.example/b", title: "copy: Storm hits the coast", text: "Edited wire text about the storm.")]),
            stories: CopiesOfTheFirst())
        #expect(second.duplicateEntries == 1)
        let listed = try store.entries(limit: 10)
        #expect(listed.map(\.title) == ["Storm hits coast"])
        #expect(listed.first?.alsoIn == ["Paper"])
        #expect(try store.entries(feedURL: "https://paper.example/feed", limit: 1).first?.text == "Edited wire text about the storm.")
        #expect(try store.search("storm").count == 1)
        let story = try #require(try store.story(id: 1))
        #expect(story.story.entryCount == 1 && story.story.sourceCount == 2)
        #expect(story.story.headline == "Storm hits coast", "a hidden copy is never the headline")
        #expect(try store.integrityCheck() == "ok")

        // The copy's feed edits its text: kept (the copy has text of its own), still out of search.
        var edited = EntryInput(guid: "p", url: "https://paper.example/b", title: "copy: Storm hits the coast", text: "Revised storm text.")
        edited.contentHash = 99
        let update = try await store.record(
            FetchRecord(feedID: paper, state: state(now + 120), entries: [edited]), stories: CopiesOfTheFirst())
        #expect(update.updatedEntries == 1)
        #expect(try store.entries(feedURL: "https://paper.example/feed", limit: 1).first?.text == "Revised storm text.")
        #expect(try store.search("revised").isEmpty)
        #expect(try store.integrityCheck() == "ok")
    }
}
