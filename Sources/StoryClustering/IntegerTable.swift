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
        self.init(slotCount: 64)
    }

    /// An empty table of `slotCount` slots, a power of two of at least 64.
    private init(slotCount: Int) {
        keys = [UInt64](repeating: 0, count: slotCount)
        values = [UInt32](repeating: Self.empty, count: slotCount)
        shift = UInt64(64 - slotCount.trailingZeroBitCount)
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
    /// The slot count, then the entries in slot order from just after an empty slot, for a clusterer snapshot.
    /// Inserted in that order into a table of that many slots, every entry lands in the slot it had (each finds
    /// the slots between its home and its own filled by entries before it, and its own free), so a loaded table
    /// encodes to the same bytes and probes as the original did: no sorting to write, no growing to load.
    func encode(into writer: inout SnapshotWriter) {
        let mask = values.count - 1
        // At most two thirds of the slots are full, so there is an empty one.
        let start = values.firstIndex(of: Self.empty)!
        var entryKeys: [UInt64] = []
        var entryValues: [UInt32] = []
        entryKeys.reserveCapacity(count)
        entryValues.reserveCapacity(count)
        for step in 1...values.count {
            let slot = (start + step) & mask
            if values[slot] != Self.empty {
                entryKeys.append(keys[slot])
                entryValues.append(values[slot])
            }
        }
        writer.write(Int64(values.count))
        writer.write(entryKeys)
        writer.write(entryValues)
    }

    init(from reader: inout SnapshotReader) throws(ClusteringSnapshotError) {
        let slotCount = try reader.read(Int64.self)
        let keys = try reader.readArray(UInt64.self)
        let values = try reader.readArray(UInt32.self)
        guard slotCount >= 64, slotCount.nonzeroBitCount == 1, keys.count == values.count,
            Int64(keys.count) * 3 <= slotCount * 2, !values.contains(Self.empty)
        else { throw ClusteringSnapshotError("snapshot holds an inconsistent integer table") }
        // A table keeps its slots when entries go; one emptied a thousandfold (or a damaged slot count) is loaded
        // compact rather than allocated at that size: the same lookups, another layout.
        if slotCount <= Int64(max(64, keys.count)) * 1024 {
            self.init(slotCount: Int(slotCount))
        } else {
            self.init()
        }
        for (key, value) in zip(keys, values) { set(value, for: key) }
        guard count == keys.count else { throw ClusteringSnapshotError("snapshot holds an integer table with a key twice") }
    }

    /// Whether every value is below `limit`.
    func allValues(below limit: Int) -> Bool {
        values.allSatisfy { $0 == Self.empty || Int($0) < limit }
    }
}
