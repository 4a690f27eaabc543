@testable import StoryClustering
import Testing

@Suite struct IntegerTableTests {
    /// Random inserts, overwrites and removals, checked against a Dictionary after every step: removal shifts
    /// entries back along their probe runs, which is where an open-addressing table goes wrong.
    @Test func agreesWithADictionaryThroughInsertsOverwritesAndRemovals() {
        var table = IntegerTable()
        var model: [UInt64: Int] = [:]
        var state: UInt64 = 0x1234_5678_9ABC_DEF0
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        for step in 0..<40_000 {
            // Few distinct keys, so that runs collide, overwrite and empty again; some keys far apart.
            let key = next() % 3_000 &* (step % 7 == 0 ? 0x1_0000_0001 : 1)
            if next() % 3 == 0 {
                table[key] = nil
                model[key] = nil
            } else {
                let value = Int(next() % 1_000)
                table[key] = value
                model[key] = value
            }
            #expect(table.count == model.count)
            if step % 1_000 == 0 {
                for (key, value) in model { #expect(table[key] == value) }
            }
        }
        for (key, value) in model { #expect(table[key] == value) }
        for key in UInt64(0)..<3_000 where model[key] == nil { #expect(table[key] == nil) }
    }
}
