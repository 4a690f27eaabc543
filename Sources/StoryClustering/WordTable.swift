/// Numbers words by their UTF-8 bytes with ASCII capitals lower-cased: 0, 1, 2… in the order they are first
/// added. An open-addressing hash table over one byte arena, so that looking a word up makes no `String` and
/// hashes its bytes once with a cheap hash (the clusterer looks up every word of every item; `[String: Int]`
/// spent most of that time in SipHash).
struct WordTable {
    /// The words' bytes one after another; word `n` is `arena[ends[n - 1]..<ends[n]]`.
    private var arena: [UInt8] = []
    private var ends: [Int] = []
    private var hashes: [UInt64] = []
    /// Word numbers by hash slot, -1 for an empty slot; the count is a power of two, at most half full.
    private var slots = [Int32](repeating: -1, count: 1024)

    var count: Int { ends.count }

    /// The number of the word with these bytes (ASCII capitals read as lower case), if added.
    func index<Bytes: Collection<UInt8>>(of bytes: Bytes) -> Int? {
        let hash = Self.hash(bytes)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] >= 0 {
            let word = Int(slots[slot])
            if hashes[word] == hash, equals(word, bytes) { return word }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Adds a word not yet in the table and returns its number.
    mutating func append<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Int {
        let word = ends.count
        let hash = Self.hash(bytes)
        for byte in bytes { arena.append(Self.lower(byte)) }
        ends.append(arena.count)
        hashes.append(hash)
        if ends.count * 2 > slots.count {
            slots = [Int32](repeating: -1, count: slots.count * 2)
            for existing in 0..<ends.count - 1 { place(existing, hash: hashes[existing]) }
        }
        place(word, hash: hash)
        return word
    }

    private mutating func place(_ word: Int, hash: UInt64) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(word)
    }

    private func equals<Bytes: Collection<UInt8>>(_ word: Int, _ bytes: Bytes) -> Bool {
        let start = word == 0 ? 0 : ends[word - 1]
        guard ends[word] - start == bytes.count else { return false }
        var position = start
        for byte in bytes {
            if arena[position] != Self.lower(byte) { return false }
            position += 1
        }
        return true
    }

    private static func lower(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte | 0x20 : byte }

    /// FNV-1a over the lower-cased bytes, then a multiply-xorshift so that the low bits (the slot) depend on every
    /// byte.
    private static func hash<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(lower(byte))) &* 0x0000_0100_0000_01b3 }
        hash = (hash ^ (hash >> 32)) &* 0x9E37_79B9_7F4A_7C15
        return hash ^ (hash >> 29)
    }
}

extension WordTable {
    /// The words in order, for a clusterer snapshot; loading adds them again, so hashes and slots are this build's.
    func encode(into writer: inout SnapshotWriter) {
        writer.write(arena)
        writer.write(ends)
    }

    init(from reader: inout SnapshotReader) throws(ClusteringSnapshotError) {
        let arena = try reader.readArray(UInt8.self)
        let ends = try reader.readInts()
        guard (ends.last ?? 0) == arena.count, (ends.first ?? 0) >= 0, zip(ends, ends.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw ClusteringSnapshotError("snapshot holds an inconsistent word table")
        }
        self.init()
        var start = 0
        for end in ends {
            let word = arena[start..<end]
            guard index(of: word) == nil else { throw ClusteringSnapshotError("snapshot repeats a word") }
            _ = append(word)
            start = end
        }
    }
}
