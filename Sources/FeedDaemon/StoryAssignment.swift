import FeedStore
import Foundation
import Logging
import StoryClustering
import Synchronization

/// The daemon's story clustering: one clusterer, fed inside the store's write transactions (so in commit order).
/// Its state comes from the snapshot the daemon stored when it last stopped, if no entry came or went since, or is
/// rebuilt from the store's recent entries. Either runs on its own thread, started when the first feed with a new
/// listing was parsed (`prepare`), so polling starts at once and a cycle of 304s neither loads the state nor waits
/// for it; the first new entry to cluster waits for it.
final class ClusteringStoryAssigner: StoryAssigner {
    private let clusterer: Mutex<StoryClusterer>
    private let restored = DispatchSemaphore(value: 0)
    private let ready = Mutex(false)
    /// What the restore needs, until `startRestoring` takes it (once) and runs the restore on its own thread.
    private let pendingRestore: Mutex<(now: Date, logger: Logger?)?>
    /// What is known of the clusterer's state: whether it is whole (loaded, or rebuilt without error, and nothing
    /// it was given rolled back since), whether it came from the stored snapshot, and whether it changed since.
    private let state = Mutex((whole: false, loaded: false, changed: false))
    private let store: FeedStore

    /// A snapshot of a clusterer that has seen more documents than this is neither loaded nor stored: the
    /// vocabulary and the document frequencies grow with everything ever clustered, and the rebuild bounds them to
    /// the window again.
    private let snapshotDocumentLimit: Int

    /// A clusterer that continues where the stored stories left off: the stored snapshot, or else the entries of
    /// the last window (at most the 20,000 most recent) put back into their stories. New story ids continue after
    /// the stored ones.
    init(store: FeedStore, now: Date = Date(), logger: Logger? = nil, snapshotDocumentLimit: Int = 200_000)
        throws(StoreError)
    {
        self.store = store
        self.snapshotDocumentLimit = snapshotDocumentLimit
        let firstStoryID = try store.maximumStoryID() + 1
        clusterer = Mutex(StoryClusterer(firstStoryID: firstStoryID))
        pendingRestore = Mutex((now, logger))
    }

    /// Loads the stored snapshot, or else rebuilds the state from the entries of the window before `now`.
    private func restoreState(now: Date, logger: Logger?) {
        defer { restored.signal() }
        if loadSnapshot(logger: logger) { return }
        let window = ClusteringParameters().windowHours * 3600
        do {
            // A merge re-points its entries, so each entry already names the story it belongs to now. Each entry is
            // restored as it is read.
            let count = try clusterer.withLock { clusterer in
                try store.forEachEntryForClustering(since: now.addingTimeInterval(-window)) { entry in
                    let item = Self.item(
                        title: entry.title, text: entry.text, feedID: entry.feedID, published: entry.published,
                        seenAt: entry.firstSeen, key: entry.id)
                    clusterer.restore(item, story: entry.storyID)
                }
            }
            state.withLock { $0.whole = true }
            logger?.debug("story clustering rebuilt from \(count) recent entries")
        } catch {
            logger?.error("could not rebuild story clustering from the store (new stories start fresh): \(error)")
        }
    }

    func prepare() {
        startRestoring()
    }

    /// Whether loading or rebuilding the state has started (by `prepare`, or by something that needs the state).
    var restoreStarted: Bool { pendingRestore.withLock { $0 == nil } }

    /// Starts loading or rebuilding the state on its own thread (once; later calls do nothing). The thread holds
    /// the assigner until it is done, as nothing else does before it starts.
    private func startRestoring() {
        guard let pending = pendingRestore.withLock({ pending in defer { pending = nil }; return pending }) else { return }
        let thread = Thread { [self] in restoreState(now: pending.now, logger: pending.logger) }
        thread.name = "tidings-cluster-restore"
        thread.start()
    }

    /// Takes the stored snapshot if there is a usable one; false when the state must be rebuilt.
    private func loadSnapshot(logger: Logger?) -> Bool {
        let snapshot: Data
        do {
            guard let stored = try store.clusteringSnapshot() else { return false }
            snapshot = stored
        } catch {
            logger?.notice("could not read the story clustering snapshot (\(error)); rebuilding from the store")
            return false
        }
        let failure = clusterer.withLock { current -> String? in
            do {
                let loaded = try StoryClusterer(snapshot: snapshot)
                guard loaded.documentsSeen <= snapshotDocumentLimit else {
                    return "it has seen \(loaded.documentsSeen) documents, the rebuild starts from the window"
                }
                current = loaded
                return nil
            } catch {
                return "\(error)"
            }
        }
        if let failure {
            logger?.notice("story clustering snapshot not used (\(failure)); rebuilding from the store")
            return false
        }
        state.withLock { $0 = (whole: true, loaded: true, changed: false) }
        logger?.debug("story clustering loaded from its snapshot (\(snapshot.count) bytes)")
        return true
    }

    func entriesRolledBack() {
        state.withLock { $0.whole = false }
    }

    /// Whether the state came from a stored snapshot (waits for it).
    var startedFromSnapshot: Bool {
        waitUntilRestored()
        return state.withLock { $0.loaded }
    }

    /// The clusterer's state as a snapshot would store it (waits for the rebuild).
    func currentState() -> Data {
        waitUntilRestored()
        return clusterer.withLock { $0.snapshot() }
    }

    /// Stores the clusterer's state for the next start, in one transaction with the id of the newest entry, so that
    /// it is used only if nothing was stored after it. Not when the state is not whole or is past the document limit
    /// (then the stored one is deleted), nor when it is the stored snapshot unchanged and still current.
    func saveSnapshot(logger: Logger? = nil) async {
        // Never needed (nothing new was parsed): nothing to store. A stored snapshot that is still current stays; one
        // that is not is ignored at the next start, which rebuilds when it first needs the state (not here, at
        // shutdown).
        if !restoreStarted { return }
        waitUntilRestored()
        let (loaded, changed) = state.withLock { ($0.loaded, $0.changed) }
        if loaded, !changed, (try? store.hasCurrentClusteringSnapshot()) == true { return }
        do {
            try await store.saveClusteringSnapshot { [self] emit in
                // Decided inside the transaction, where no record batch can come between the check and the write.
                guard state.withLock({ $0.whole }) else { return }
                // `emit` writes rows in the store's transaction, on this thread, while the lock is held: it never
                // leaves this call.
                nonisolated(unsafe) let emit = emit
                clusterer.withLock { clusterer in
                    guard clusterer.documentsSeen <= snapshotDocumentLimit else { return }
                    clusterer.writeSnapshot(chunkSize: 1 << 20, to: emit)
                }
            }
        } catch {
            logger?.error("could not store the story clustering snapshot (the next start rebuilds it): \(error)")
        }
    }

    /// Starts the load or rebuild if it has not started, and blocks until it has finished (once; later calls
    /// return at once).
    func waitUntilRestored() {
        guard !ready.withLock({ $0 }) else { return }
        startRestoring()
        restored.wait()
        restored.signal()
        ready.withLock { $0 = true }
    }

    func assign(_ entry: NewEntry) -> StoryAssignment {
        waitUntilRestored()
        state.withLock { $0.changed = true }
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
