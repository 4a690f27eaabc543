/// A map from `UInt64` keys to values below 2³² − 1: open addressing with linear probing, a multiplicative hash
/// and backward-shift deletion (no tombstones, so a table that keeps losing old keys stays short). The
/// clusterer's hot maps (near-duplicate buckets, per-source term counts) are keyed by integers that Swift's
/// `Dictionary` would run through SipHash on every lookup. 12 bytes a slot, at most two thirds full.
struct IntegerTable {
    private var keys: [UInt64]
    /// `empty` marks an empty slot.
    private var values: [UInt32]
    private var shift: UInt64
    private(set) var count = 0
    private static var empty: UInt32 { .max }

    init() {
        keys = [UInt64](repeating: 0, count: 64)
        values = [UInt32](repeating: Self.empty, count: 64)
        shift = 64 - 6
    }

    subscript(key: UInt64) -> Int? {
        get {
            let mask = values.count - 1
            var slot = home(of: key)
            while values[slot] != Self.empty {
                if keys[slot] == key { return Int(values[slot]) }
                slot = (slot + 1) & mask
            }
            return nil
        }
        set {
            if let newValue {
                precondition(newValue >= 0 && newValue < Int(Self.empty), "IntegerTable holds values in 0..<2³² − 1")
                set(UInt32(newValue), for: key)
            } else {
                remove(key)
            }
        }
    }

    private func home(of key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    private mutating func set(_ value: UInt32, for key: UInt64) {
        let mask = values.count - 1
        var slot = home(of: key)
        while values[slot] != Self.empty {
            if keys[slot] == key {
                values[slot] = value
                return
            }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        values[slot] = value
        count += 1
        if count * 3 > values.count * 2 { grow() }
    }

    private mutating func remove(_ key: UInt64) {
        let mask = values.count - 1
        var slot = home(of: key)
        while values[slot] != Self.empty {
            if keys[slot] == key { break }
            slot = (slot + 1) & mask
        }
        guard values[slot] != Self.empty else { return }
        count -= 1
        // Backward shift: pull later entries of the run into the hole when their home allows it.
        var hole = slot
        var next = (slot + 1) & mask
        while values[next] != Self.empty {
            let home = home(of: keys[next])
            // The entry at `next` may move to `hole` if its home is not in (hole, next], cyclically.
            if (next - home) & mask >= (next - hole) & mask {
                keys[hole] = keys[next]
                values[hole] = values[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        values[hole] = Self.empty
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        keys = [UInt64](repeating: 0, count: oldValues.count * 2)
        values = [UInt32](repeating: Self.empty, count: oldValues.count * 2)
        shift -= 1
        count = 0
        for index in oldValues.indices where oldValues[index] != Self.empty { set(oldValues[index], for: oldKeys[index]) }
    }
}

extension IntegerTable {
    /// The entries, ordered by key, for a clusterer snapshot: the same contents encode the same way whatever the
    /// table's size and probe order (only lookups depend on those, and they find the same values).
    func encode(into writer: inout SnapshotWriter) {
        var entries: [(key: UInt64, value: UInt32)] = []
        entries.reserveCapacity(count)
        for slot in values.indices where values[slot] != Self.empty { entries.append((keys[slot], values[slot])) }
        entries.sort { $0.key < $1.key }
        writer.write(entries.map(\.key))
        writer.write(entries.map(\.value))
    }

    init(from reader: inout SnapshotReader) throws(ClusteringSnapshotError) {
        let keys = try reader.readArray(UInt64.self)
        let values = try reader.readArray(UInt32.self)
        guard keys.count == values.count, zip(keys, keys.dropFirst()).allSatisfy({ $0 < $1 }),
            !values.contains(Self.empty)
        else { throw ClusteringSnapshotError("snapshot holds an inconsistent integer table") }
        self.init()
        for (key, value) in zip(keys, values) { set(value, for: key) }
    }

    /// Whether every value is below `limit`.
    func allValues(below limit: Int) -> Bool {
        values.allSatisfy { $0 == Self.empty || Int($0) < limit }
    }
}
