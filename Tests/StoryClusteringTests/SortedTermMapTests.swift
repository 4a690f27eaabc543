@testable import StoryClustering
import Testing

@Suite struct SortedTermMapTests {
    /// Random sorted batches added (present, missing and interleaved terms), counts added by one, other maps merged
    /// in and positions dropped, checked against a Dictionary after every step: the in-place merge from the back
    /// is where an entry could be lost or land out of order.
    @Test func agreesWithADictionaryThroughAddsMergesAndKeeps() {
        var map = SortedTermMap<Double>()
        var counts = SortedTermMap<Int32>()
        var model: [Int32: Double] = [:]
        var countModel: [Int32: Int32] = [:]
        var state: UInt64 = 0x0DDB_1A5E_5BAD_5EED
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        func batch() -> [Int32] {
            // Small ids so that batches meet present terms; sometimes beyond every present one, sometimes empty.
            Set((0..<next(12)).map { _ in Int32(next(next(4) == 0 ? 400 : 120)) }).sorted()
        }
        for step in 0..<3_000 {
            switch next(4) {
            case 0, 1:
                let terms = batch()
                let values = terms.map { _ in Double(next(100)) / 8 }
                map.add(sortedTerms: terms, values: values)
                for (term, value) in zip(terms, values) { model[term, default: 0] += value }
                counts.addOne(sortedTerms: terms)
                for term in terms { countModel[term, default: 0] += 1 }
            case 2:
                var other = SortedTermMap<Double>()
                let terms = batch()
                let values = terms.map { _ in Double(next(50)) }
                other.add(sortedTerms: terms, values: values)
                map.add(other)
                for (term, value) in zip(terms, values) { model[term, default: 0] += value }
            default:
                let kept = map.terms.map { _ in next(5) != 0 }
                for (term, keep) in zip(map.terms, kept) where !keep { model[term] = nil }
                map.keep(positions: kept)
            }
            #expect(map.terms == model.keys.sorted(), "step \(step)")
            #expect(map.values == map.terms.map { model[$0]! }, "step \(step)")
            #expect(counts.terms == countModel.keys.sorted(), "step \(step)")
            #expect(counts.values == counts.terms.map { countModel[$0]! }, "step \(step)")
        }
        #expect(map.count > 20, "the walk should leave a map of some size: \(map.count)")
    }
}
