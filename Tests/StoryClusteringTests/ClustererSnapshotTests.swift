import Foundation
@testable import StoryClustering
import Testing

@Suite struct ClustererSnapshotTests {
    /// Items with keys (entry ids), so that representatives and near-duplicate records can be compared.
    func keyed(_ items: [ClusterItem]) -> [ClusterItem] {
        items.enumerated().map { index, item in
            var item = item
            item.key = Int64(index + 1)
            return item
        }
    }

    func expectSameDecisions(
        _ items: [ClusterItem], splitAt split: Int, parameters: ClusteringParameters = ClusteringParameters()
    ) throws {
        let original = StoryClusterer(parameters: parameters)
        for item in items[..<split] { _ = original.add(item) }
        let bytes = original.snapshot()
        var pieces: [Data] = []
        original.writeSnapshot(chunkSize: 1000) { pieces.append($0) }
        #expect(pieces.dropLast().allSatisfy { $0.count == 1000 } && pieces.reduce(Data(), +) == bytes, "written in pieces, the same bytes")
        let copy = try StoryClusterer(snapshot: bytes, parameters: parameters)
        #expect(copy.snapshot() == bytes, "a loaded snapshot encodes to the same bytes")
        #expect(copy.activeStoryCount == original.activeStoryCount)
        var differences = 0
        for item in items[split...] {
            let expected = original.add(item)
            let decision = copy.add(item)
            if decision != expected || copy.representative(of: decision.story) != original.representative(of: expected.story) {
                differences += 1
            }
        }
        #expect(differences == 0, "\(differences) of \(items.count - split) later items decided differently")
        #expect(copy.snapshot() == original.snapshot())
    }

    /// Live feeds in time order: every later item (joins, merges, near-duplicates, the sweep) is decided as by a
    /// clusterer that never stopped.
    @Test func aLoadedSnapshotDecidesLaterItemsAsTheOriginal() throws {
        let live = keyed(try LabelledItems("replay-2021-09-17_18/dev.jsonl").inTimeOrder().items)
        try expectSameDecisions(live, splitAt: live.count / 2)
        // Headlines without times or summaries, in shuffled order (stories of a hundred items, many merges).
        let headlines = keyed(try LabelledItems("uci_newsagg_first5000/dev.jsonl").shuffledLikePythonSeed42().items)
        try expectSameDecisions(headlines, splitAt: 1_000)
    }

    /// Days of live feeds, over and over, with a small near-duplicate capacity: the snapshot is taken after stories
    /// left the window, the sweep forgot them and merge records, and the near-duplicate index dropped texts and
    /// compacted its storage; the loaded copy carries all of that on.
    @Test func aSnapshotTakenAfterForgettingCarriesOn() throws {
        let live = try LabelledItems("replay-2021-09-17_18/dev.jsonl").inTimeOrder().items
        let span = 5 * 86400.0
        var stream: [ClusterItem] = []
        for copy in 0..<9 {
            for item in live {
                var item = item
                item.published = item.published?.addingTimeInterval(Double(copy) * span)
                stream.append(item)
            }
        }
        var parameters = ClusteringParameters()
        parameters.nearDuplicateCapacity = 400
        // At 4,500 the sweep at 4,000 has forgotten texts that the index still stores (it compacts past 4,096); at
        // 5,500 the sweep at 5,000 has compacted them away.
        try expectSameDecisions(keyed(stream), splitAt: 4_500, parameters: parameters)
        try expectSameDecisions(keyed(stream), splitAt: 5_500, parameters: parameters)
    }

    /// The checksum is the same however the bytes are split into pieces, and any one changed byte changes it.
    @Test func checksumIgnoresHowBytesAreSplitAndSeesAnyChangedByte() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<1000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        func checksum(_ bytes: [UInt8], cuts: [Int]) -> UInt64 {
            var checksum = SnapshotChecksum()
            bytes.withUnsafeBytes { raw in
                for (start, end) in zip([0] + cuts, cuts + [raw.count]) {
                    checksum.add(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                }
            }
            return checksum.value
        }
        let whole = checksum(bytes, cuts: [])
        for _ in 0..<200 {
            let cuts = (0..<Int.random(in: 1...12)).map { _ in Int.random(in: 0...bytes.count) }.sorted()
            #expect(checksum(bytes, cuts: cuts) == whole, "\(cuts)")
        }
        for length in 0..<24 { #expect(checksum(Array(bytes.prefix(length)), cuts: []) != checksum(Array(bytes.prefix(length + 1)), cuts: [])) }
        for _ in 0..<200 {
            var changed = bytes
            let index = Int.random(in: 0..<bytes.count)
            changed[index] ^= UInt8.random(in: 1...255)
            #expect(checksum(changed, cuts: [index / 2]) != whole)
        }
    }

    @Test func anEmptyClustererRoundTrips() throws {
        let empty = StoryClusterer(firstStoryID: 7)
        let copy = try StoryClusterer(snapshot: empty.snapshot())
        let decision = copy.add(ClusterItem(title: "Wellington zoo welcomes twin red panda cubs", summary: nil, source: "a", published: nil))
        #expect(decision.story == 7 && decision.reason == .new)
    }

    @Test func damagedForeignOrMismatchedSnapshotsAreRefused() throws {
        let clusterer = StoryClusterer()
        for item in try LabelledItems("replay-2021-09-17_18/dev.jsonl").inTimeOrder().items.prefix(200) { _ = clusterer.add(item) }
        let bytes = clusterer.snapshot()
        func refusal(_ bytes: Data, parameters: ClusteringParameters = ClusteringParameters()) -> String? {
            do {
                _ = try StoryClusterer(snapshot: bytes, parameters: parameters)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(refusal(bytes) == nil)
        let truncated = refusal(bytes.prefix(bytes.count - 1000))
        #expect(truncated == "snapshot damaged (length mismatch)", "\(truncated ?? "read")")
        var flipped = bytes
        flipped[flipped.startIndex + bytes.count / 2] ^= 0x40
        #expect(refusal(flipped) == "snapshot damaged (checksum mismatch)")
        #expect(refusal(bytes.prefix(60)) != nil, "cut inside the header")
        #expect(refusal(Data("not a snapshot at all".utf8)) == "not a clusterer snapshot")
        var other = ClusteringParameters()
        other.centroidThreshold = 0.31
        #expect(refusal(bytes, parameters: other)?.contains("other clustering parameters") == true)
    }
}
