import FeedStore
import Foundation
import Logging
import StoryClustering
import Synchronization

/// The daemon's story clustering: one clusterer, fed inside the store's write transactions (so in commit order),
/// its state rebuilt from the store's recent entries. The rebuild runs on its own thread from the start, so
/// polling starts at once; the first new entry to cluster waits for it (a cycle of 304s never does).
final class ClusteringStoryAssigner: StoryAssigner {
    private let clusterer: Mutex<StoryClusterer>
    private let restored = DispatchSemaphore(value: 0)
    private let ready = Mutex(false)

    /// A clusterer that continues where the stored stories left off: the entries of the last window (at most the
    /// 20,000 most recent) are put back into their stories. New story ids continue after the stored ones.
    init(store: FeedStore, now: Date = Date(), logger: Logger? = nil) throws(StoreError) {
        clusterer = Mutex(StoryClusterer(firstStoryID: try store.maximumStoryID() + 1))
        let window = ClusteringParameters().windowHours * 3600
        let thread = Thread { [self] in
            do {
                // A merge re-points its entries, so each entry already names the story it belongs to now. Each entry
                // is restored as it is read.
                let count = try clusterer.withLock { clusterer in
                    try store.forEachEntryForClustering(since: now.addingTimeInterval(-window)) { entry in
                        let item = Self.item(
                            title: entry.title, text: entry.text, feedID: entry.feedID, published: entry.published,
                            seenAt: entry.firstSeen, key: entry.id)
                        clusterer.restore(item, story: entry.storyID)
                    }
                }
                logger?.debug("story clustering rebuilt from \(count) recent entries")
            } catch {
                logger?.error("could not rebuild story clustering from the store (new stories start fresh): \(error)")
            }
            restored.signal()
        }
        thread.name = "tidings-cluster-restore"
        thread.start()
    }

    /// Blocks until the rebuild has finished (once; later calls return at once).
    func waitUntilRestored() {
        guard !ready.withLock({ $0 }) else { return }
        restored.wait()
        restored.signal()
        ready.withLock { $0 = true }
    }

    func assign(_ entry: NewEntry) -> StoryAssignment {
        waitUntilRestored()
        let item = Self.item(
            title: entry.input.title, text: entry.input.text, feedID: entry.feedID, published: entry.input.published,
            seenAt: entry.seenAt, key: entry.id)
        return clusterer.withLock { clusterer in
            let decision = clusterer.add(item)
            return StoryAssignment(
                story: decision.story, merges: decision.merges.map { StoryMerge(from: $0.from, into: $0.into) },
                headlineEntryID: clusterer.representative(of: decision.story), duplicateOf: decision.duplicateOf)
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
