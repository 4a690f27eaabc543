import Foundation
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

    /// A table's snapshot bytes, and the table they load back into.
    func roundTrip(_ table: IntegerTable) throws -> (bytes: Data, loaded: IntegerTable) {
        var writer = SnapshotWriter()
        table.encode(into: &writer)
        let bytes = writer.finish()
        let loaded = try bytes.withUnsafeBytes { raw in
            var reader = SnapshotReader(raw)
            return try IntegerTable(from: &reader)
        }
        return (bytes, loaded)
    }

    /// Tables after inserts and removals (runs that wrap around the end of the slots included) load with every
    /// entry in its old slot: the loaded table encodes to the same bytes, finds every key and no other, and goes on
    /// like the original.
    @Test func aLoadedTableKeepsItsLayout() throws {
        var state: UInt64 = 42
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        for size in [0, 1, 40, 42, 43, 500, 20_000] {
            var table = IntegerTable()
            var model: [UInt64: Int] = [:]
            for _ in 0..<(size * 2) {
                let key = next() % UInt64(max(size, 1) * 2)
                if next() % 4 == 0 {
                    table[key] = nil
                    model[key] = nil
                } else {
                    table[key] = Int(next() % 100_000)
                    model[key] = table[key]
                }
            }
            var (bytes, loaded) = try roundTrip(table)
            #expect(try roundTrip(loaded).bytes == bytes, "\(size): the loaded table encodes to the same bytes")
            #expect(loaded.count == model.count)
            for (key, value) in model { #expect(loaded[key] == value) }
            for key in UInt64(0)..<UInt64(max(size, 1) * 2) where model[key] == nil { #expect(loaded[key] == nil) }
            // The same changes to both keep them byte for byte the same.
            for _ in 0..<size {
                let key = next() % UInt64(max(size, 1) * 3)
                let value = next() % 3 == 0 ? nil : Int(next() % 100)
                table[key] = value
                loaded[key] = value
            }
            #expect(try roundTrip(loaded).bytes == roundTrip(table).bytes)
        }
    }

    /// A table emptied a thousandfold (or a slot count far beyond its entries) loads compact: the same lookups in a
    /// table sized for what it holds.
    @Test func aMostlyEmptiedTableLoadsCompact() throws {
        var table = IntegerTable()
        for key in UInt64(0)..<70_000 { table[key &* 0x9E37_79B9] = Int(key % 1_000) }
        for key in UInt64(10)..<70_000 { table[key &* 0x9E37_79B9] = nil }
        let (bytes, loaded) = try roundTrip(table)
        #expect(loaded.count == 10)
        for key in UInt64(0)..<10 { #expect(loaded[key &* 0x9E37_79B9] == Int(key)) }
        func slotCount(_ bytes: Data) throws -> Int64 {
            try bytes.withUnsafeBytes { raw in
                var reader = SnapshotReader(raw)
                return try reader.read(Int64.self)
            }
        }
        #expect(try slotCount(bytes) == 131_072)
        #expect(try slotCount(roundTrip(loaded).bytes) == 64)
    }

    /// A damaged table (a key twice, a slot count that is no power of two, more entries than slots allow) is
    /// refused, not loaded into a table that would lose entries.
    @Test func aDamagedTableIsRefused() {
        func load(slotCount: Int64, keys: [UInt64], values: [UInt32]) -> Bool {
            var writer = SnapshotWriter()
            writer.write(slotCount)
            writer.write(keys)
            writer.write(values)
            let bytes = writer.finish()
            return bytes.withUnsafeBytes { raw in
                var reader = SnapshotReader(raw)
                return (try? IntegerTable(from: &reader)) != nil
            }
        }
        #expect(load(slotCount: 64, keys: [1, 2, 3], values: [7, 8, 9]))
        #expect(!load(slotCount: 64, keys: [1, 2, 1], values: [7, 8, 9]))
        #expect(!load(slotCount: 96, keys: [1, 2, 3], values: [7, 8, 9]))
        #expect(!load(slotCount: 64, keys: Array(0..<43), values: Array(repeating: 1, count: 43)))
        #expect(!load(slotCount: 64, keys: [1, 2], values: [7, .max]))
    }
}
