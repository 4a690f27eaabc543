import Foundation
@testable import StoryClustering
import Testing

@Suite struct NearDuplicateTests {
    let start = Date(timeIntervalSince1970: 1_632_000_000)
    let wire = """
        Chinese property developer Evergrande missed an interest payment due to offshore bondholders on Thursday, \
        people familiar with the matter said, deepening fears that the company's debt crisis could spread to the \
        wider financial system as regulators urged it to avoid a default. The company, which owes more than $300 \
        billion, has 30 days to make the payment before it is in default. Its shares fell 12 percent in Hong Kong \
        and analysts expect a restructuring that would favour domestic creditors over foreign investors.
        """

    func item(_ title: String, _ summary: String?, source: String, minutes: Double, key: Int64) -> ClusterItem {
        ClusterItem(title: title, summary: summary, source: source, published: start.addingTimeInterval(minutes * 60), key: key)
    }

    @Test func wireCopyWithSmallEditsJoinsItsOriginalAsADuplicate() {
        let clusterer = StoryClusterer()
        let original = clusterer.add(item("Evergrande misses bond payment", wire, source: "reuters", minutes: 0, key: 1))
        // Another outlet runs the copy with its own headline and two words changed.
        let edited = wire.replacingOccurrences(of: "on Thursday", with: "late Thursday")
            .replacingOccurrences(of: "deepening fears", with: "raising fears")
        let copy = clusterer.add(item("China's Evergrande misses bond interest payment", edited, source: "yahoo", minutes: 40, key: 2))
        #expect(copy.reason == .nearDuplicate)
        #expect(copy.duplicateOf == 1)
        #expect(copy.story == original.story)
    }

    @Test func aSourcesOwnRepeatedTextAndShortTextsAreNotCopies() {
        let clusterer = StoryClusterer()
        let boilerplate = "Watch the latest news, sport and weather from around the country every night on our channel."
        _ = clusterer.add(item("Council votes on new cycle lanes", boilerplate, source: "tv", minutes: 0, key: 1))
        let sameSource = clusterer.add(item("Storm closes mountain roads", boilerplate, source: "tv", minutes: 30, key: 2))
        #expect(sameSource.reason != .nearDuplicate, "one source's boilerplate is not wire copy")
        #expect(sameSource.duplicateOf == nil)
        let index = NearDuplicateIndex<Int>(threshold: 0.7, minimumShingles: 8)
        #expect(index.signature(of: "Evergrande misses bond payment") == nil, "too short to call a copy")
        // Title and summary read as one text: the word across their boundary is not glued together.
        let words = (0..<20).map { "w\($0)" }
        #expect(index.signature(of: words[..<5].joined(separator: " "), words[5...].joined(separator: " "))
            == index.signature(of: words.joined(separator: " ")))
    }

    @Test func signaturesEstimateShingleOverlap() throws {
        let index = NearDuplicateIndex<Int>(threshold: 0.7, minimumShingles: 8)
        let words = (0..<60).map { "word\($0)" }
        let text = words.joined(separator: " ")
        // Changing every tenth word keeps 60 − 2 − 6·3 of 58 shingles... roughly 0.45 Jaccard: not a copy.
        let scattered = words.enumerated().map { $0.offset % 10 == 5 ? "other\($0.offset)" : $0.element }.joined(separator: " ")
        // Changing the last word only keeps 57 of 58 shingles (Jaccard 56/59 ≈ 0.95): a copy.
        let tail = (words.dropLast() + ["changed"]).joined(separator: " ")
        let signature = try #require(index.signature(of: text))
        index.insert(signature, payload: 1, time: 0, source: "a")
        let nearly = try #require(index.signature(of: tail))
        #expect(index.match(nearly, source: "b")?.payload == 1)
        #expect((index.match(nearly, source: "b")?.similarity ?? 0) > 0.8)
        #expect(index.match(nearly, source: "a") == nil, "the same source is never its own copy")
        #expect(index.match(try #require(index.signature(of: scattered)), source: "b") == nil)
        index.removeAll(before: 1)
        #expect(index.count == 0)
        #expect(index.match(nearly, source: "b") == nil)
    }

    @Test func oldTextsLeaveByTimeAndBeyondTheCapacity() throws {
        let index = NearDuplicateIndex<Int>(threshold: 0.7, minimumShingles: 8)
        func text(_ n: Int) -> String { (0..<30).map { "t\(n)w\($0)" }.joined(separator: " ") }
        // 10,000 texts, one a minute: enough that the flat storage drops its dead front.
        for n in 0..<10_000 {
            index.insert(try #require(index.signature(of: text(n))), payload: n, time: Double(n) * 60, source: "s")
        }
        index.removeAll(before: 6_000 * 60)
        #expect(index.count == 4_000)
        #expect(index.match(try #require(index.signature(of: text(5_999))), source: "other") == nil)
        #expect(index.match(try #require(index.signature(of: text(6_000))), source: "other")?.payload == 6_000)
        #expect(index.match(try #require(index.signature(of: text(9_999))), source: "other")?.payload == 9_999)
        index.removeAll(before: 0, capacity: 100)
        #expect(index.count == 100)
        #expect(index.match(try #require(index.signature(of: text(9_899))), source: "other") == nil)
        #expect(index.match(try #require(index.signature(of: text(9_900))), source: "other")?.payload == 9_900)
    }

    /// On two days of real feeds, every item the clusterer calls a copy is labelled as the same story as the item
    /// it copies.
    @Test func copiesFoundInLiveFeedsAreTheSameStory() throws {
        let data = try LabelledItems("replay-2021-09-17_18/dev.jsonl").inTimeOrder()
        let clusterer = StoryClusterer()
        var copies = 0
        for (index, var item) in data.items.enumerated() {
            item.key = Int64(index)
            let decision = clusterer.add(item)
            guard decision.reason == .nearDuplicate, let original = decision.duplicateOf else { continue }
            copies += 1
            #expect(data.labels[Int(original)] == data.labels[index], "\(data.ids[index]) is not a copy of \(data.ids[Int(original)])")
        }
        #expect(copies >= 5, "\(copies) copies found")
    }

    /// One-permutation hashing estimates the Jaccard similarity of two texts' word 3-shingles as well as 64 separate
    /// hash functions would (standard error about √(J(1 − J)/64)), short texts included, where most of the 64 bins
    /// are filled by densification.
    @Test func signaturesEstimateJaccardSimilarityForShortAndLongTexts() throws {
        let index = NearDuplicateIndex<Int>(threshold: 0.7, minimumShingles: 8)
        func shingles(_ words: [String]) -> Set<String> {
            Set((0..<(words.count - 2)).map { words[$0..<($0 + 3)].joined(separator: " ") })
        }
        var state: UInt64 = 42
        func random(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var errors: [Double] = []
        for pair in 0..<300 {
            let length = 10 + random(50)
            let words = (0..<length).map { "p\(pair)w\($0)" }
            // The other text changes a random share of the words (each change breaks up to three shingles).
            let changes = random(length / 2 + 1)
            var other = words
            for _ in 0..<changes { other[random(length)] = "p\(pair)x\(random(1_000_000))" }
            let (a, b) = (shingles(words), shingles(other))
            let jaccard = Double(a.intersection(b).count) / Double(a.union(b).count)
            let first = try #require(index.signature(of: words.joined(separator: " ")))
            let second = try #require(index.signature(of: other.joined(separator: " ")))
            let estimate = Double(zip(first, second).count { $0 == $1 }) / 64
            if jaccard == 1 { #expect(estimate == 1, "identical shingle sets give identical signatures") }
            errors.append(abs(estimate - jaccard))
        }
        let meanError = errors.reduce(0, +) / Double(errors.count)
        #expect(meanError < 0.06, "mean absolute error \(meanError)")
        #expect(errors.max()! < 0.3, "largest error \(errors.max()!)")
    }
}
