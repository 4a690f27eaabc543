import FeedStore
import Foundation
import StoryClustering
import Synchronization

/// The daemon's story clustering: one clusterer, fed inside the store's write transactions (so in commit order),
/// its state rebuilt from the store's recent entries at start.
final class ClusteringStoryAssigner: StoryAssigner {
    private let clusterer: Mutex<StoryClusterer>

    /// A clusterer that continues where the stored stories left off: the entries of the last window are put
    /// back into their stories.
    init(store: FeedStore, now: Date = Date()) throws(StoreError) {
        let clusterer = StoryClusterer(firstStoryID: try store.maximumStoryID() + 1)
        let window = clusterer.parameters.windowHours * 3600
        var resolved: [Int64: Int64] = [:]
        for entry in try store.entriesForClustering(since: now.addingTimeInterval(-window)) {
            guard let stored = entry.storyID else { continue }
            let story: Int64
            if let known = resolved[stored] {
                story = known
            } else {
                story = try store.resolvedStoryID(stored)
                resolved[stored] = story
            }
            clusterer.restore(
                Self.item(title: entry.title, text: entry.text, feedID: entry.feedID, published: entry.published,
                          seenAt: entry.firstSeen, key: entry.id),
                story: story)
        }
        self.clusterer = Mutex(clusterer)
    }

    func assign(_ entry: NewEntry) -> StoryAssignment {
        let item = Self.item(
            title: entry.input.title, text: entry.input.text, feedID: entry.feedID, published: entry.input.published,
            seenAt: entry.seenAt, key: entry.id)
        return clusterer.withLock { clusterer in
            let decision = clusterer.add(item)
            return StoryAssignment(
                story: decision.story, merged: decision.merge.map { StoryMerge(from: $0.from, into: $0.into) },
                headlineEntryID: clusterer.representative(of: decision.story))
        }
    }

    /// An entry as the clusterer sees it: the feed is the source; its time is the publication date, but never
    /// later than an hour after it was seen (a wrong future date must not push the clock ahead).
    static func item(title: String?, text: String?, feedID: Int64, published: Date?, seenAt: Date, key: Int64)
        -> ClusterItem
    {
        let latest = seenAt.addingTimeInterval(3600)
        let time = min(published ?? seenAt, latest)
        return ClusterItem(title: title, summary: text, source: "feed-\(feedID)", published: time, key: key)
    }
}
