@testable import StoryClustering
import Testing

@Suite struct StrongestSelectionTests {
    /// Random weights from a small set of values (so that ties at the cut are common), checked against sorting
    /// every position by weight (descending), then by the tie order, and taking the first `count`.
    @Test func choosesWhatSortingWouldChoose() {
        var selection = StrongestSelection()
        var state: UInt64 = 42
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        for round in 0..<2_000 {
            let length = next(90)
            let distinct = 1 + next(12)
            let weights = (0..<length).map { _ in Double(next(distinct)) / 4 }
            // The tie order: a fixed shuffle of the positions, as term texts would be.
            let rank = (0..<length).map { _ in next(1_000) }
            let before = { (a: Int, b: Int) in rank[a] != rank[b] ? rank[a] < rank[b] : a < b }
            let count = next(25)
            let expected = weights.indices.sorted { a, b in
                weights[a] != weights[b] ? weights[a] > weights[b] : before(a, b)
            }.prefix(count).sorted()
            let chosen = selection.positions(of: weights, count: count, before: before)
            #expect(chosen == Array(expected), "round \(round): \(weights), count \(count)")
        }
    }

    @Test func findsTheRankedValue() {
        var values: [Double] = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]
        let sorted = values.sorted(by: >)
        for rank in 1...values.count {
            var copy = values
            #expect(StrongestSelection.largest(rank, of: &copy) == sorted[rank - 1])
        }
        values = [7]
        #expect(StrongestSelection.largest(1, of: &values) == 7)
    }
}
