import Foundation

/// Why a clusterer snapshot could not be read.
public struct ClusteringSnapshotError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Appends values to a snapshot as little-endian bytes: integers and floating-point numbers as they are in memory
/// (the header records the byte order), arrays with their count first. With an `emit` function it hands the bytes
/// on in chunks of `chunkSize` as they fill (a snapshot is megabytes, and a daemon that wrote it whole would hold
/// it twice or three times over at its peak); otherwise it keeps them all in `bytes`. The body (from `beginBody`)
/// is followed by a trailer: its checksum (`SnapshotChecksum`) and its length.
struct SnapshotWriter {
    /// The bytes not yet handed on. An array, not `Data`: `Data.append` cost most of a daemon's snapshot encoding,
    /// which appends a few bytes at a time.
    private var bytes: [UInt8] = []
    private let chunkSize: Int
    private let emit: ((Data) -> Void)?
    /// Bytes handed on before `bytes`.
    private var emitted = 0
    /// Where the body starts (an offset in the whole snapshot), and the checksum of its bytes handed on so far.
    private var bodyStart: Int?
    private var checksum = SnapshotChecksum()

    init(chunkSize: Int = .max, emit: ((Data) -> Void)? = nil) {
        precondition(chunkSize > 0, "snapshot chunks hold at least one byte")
        self.chunkSize = chunkSize
        self.emit = emit
    }

    mutating func beginBody() { bodyStart = emitted + bytes.count }

    /// Writes the trailer and hands on the rest; returns the bytes kept (all of them without `emit`).
    mutating func finish() -> Data {
        let start = bodyStart ?? emitted + bytes.count
        addBufferedBodyToChecksum()
        let length = emitted + bytes.count - start
        bodyStart = nil
        write(checksum.value)
        write(UInt64(length))
        if let emit, !bytes.isEmpty {
            emit(Data(bytes))
            bytes = []
        }
        return Data(bytes)
    }

    mutating func write<Value: FixedWidthInteger>(_ value: Value) {
        withUnsafeBytes(of: value.littleEndian) { append($0) }
    }

    mutating func write(_ value: Double) { write(value.bitPattern) }

    mutating func write(_ value: Bool) { write(UInt8(value ? 1 : 0)) }

    mutating func write(_ values: [Int32]) { writeRaw(values) }
    mutating func write(_ values: [UInt16]) { writeRaw(values) }
    mutating func write(_ values: [UInt32]) { writeRaw(values) }
    mutating func write(_ values: [UInt64]) { writeRaw(values) }
    mutating func write(_ values: [UInt8]) { writeRaw(values) }
    mutating func write(_ values: [Double]) { writeRaw(values) }
    mutating func write(_ values: [Int]) { writeRaw(values.map { Int64($0) }) }
    mutating func write(_ values: [Int64]) { writeRaw(values) }

    mutating func write(_ text: String) { write(Array(text.utf8)) }

    mutating func write(_ texts: [String]) {
        write(Int64(texts.count))
        for text in texts { write(text) }
    }

    /// The count, then the elements' bytes as laid out in memory (fixed-width integers and doubles only).
    private mutating func writeRaw<Element: BitwiseCopyable>(_ values: [Element]) {
        write(Int64(values.count))
        values.withUnsafeBytes { append($0) }
    }

    private mutating func append(_ raw: UnsafeRawBufferPointer) {
        guard let start = raw.baseAddress, raw.count > 0 else { return }
        var offset = 0
        while offset < raw.count {
            let count = min(raw.count - offset, chunkSize - bytes.count)
            bytes.append(contentsOf: UnsafeBufferPointer(start: (start + offset).assumingMemoryBound(to: UInt8.self), count: count))
            offset += count
            if bytes.count >= chunkSize, let emit {
                addBufferedBodyToChecksum()
                emit(Data(bytes))
                emitted += bytes.count
                bytes.removeAll(keepingCapacity: true)
            }
        }
    }
}

extension SnapshotWriter {
    /// Adds the part of the buffered bytes that belongs to the body to the checksum (before they are handed on).
    fileprivate mutating func addBufferedBodyToChecksum() {
        guard let bodyStart else { return }
        let first = max(0, bodyStart - emitted)
        bytes.withUnsafeBytes { checksum.add(UnsafeRawBufferPointer(rebasing: $0[first...])) }
    }
}

/// A 64-bit checksum fed in pieces of any length, eight bytes at a time: each little-endian word is xored in,
/// multiplied by an odd constant and its high half folded into the low one, and the byte count comes last (every
/// step a bijection, so for inputs of one length any one changed word changes the result). Catches a damaged
/// snapshot before it is read, at a small part of the cost of a byte-at-a-time hash over megabytes.
struct SnapshotChecksum {
    private var state: UInt64 = 0xcbf2_9ce4_8422_2325
    /// The bytes of a word not yet complete, in its low `pendingCount` bytes.
    private var pending: UInt64 = 0
    private var pendingCount = 0

    /// Bytes added so far: the value covers the length, so that inputs of different lengths (a tail of zero bytes)
    /// differ.
    private var length: UInt64 = 0

    var value: UInt64 { Self.mix(pendingCount == 0 ? state : Self.mix(state, pending), length) }

    mutating func add(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var index = 0
        // Bytes one at a time to finish a part-filled word and at the tail; whole words in between.
        while index < bytes.count, pendingCount > 0 {
            addPending(bytes[index])
            index += 1
        }
        while index + 8 <= bytes.count {
            state = Self.mix(state, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
            index += 8
        }
        while index < bytes.count {
            addPending(bytes[index])
            index += 1
        }
    }

    private mutating func addPending(_ byte: UInt8) {
        pending |= UInt64(byte) << (8 * pendingCount)
        pendingCount += 1
        if pendingCount == 8 {
            state = Self.mix(state, pending)
            (pending, pendingCount) = (0, 0)
        }
    }

    private static func mix(_ state: UInt64, _ word: UInt64) -> UInt64 {
        let product = (state ^ word) &* 0x9e37_79b9_7f4a_7c15
        return product ^ (product >> 32)
    }
}

/// Reads what `SnapshotWriter` wrote, checking every count against the bytes that are left. Valid while the bytes
/// it reads are.
struct SnapshotReader {
    private let bytes: UnsafeRawBufferPointer
    private(set) var position = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var isAtEnd: Bool { position == bytes.count }

    var remaining: Int { bytes.count - position }

    /// The next `count` bytes, skipped.
    mutating func skip(_ count: Int) throws(ClusteringSnapshotError) -> UnsafeRawBufferPointer {
        guard count >= 0, bytes.count - position >= count else { throw ClusteringSnapshotError("snapshot ends early at byte \(position)") }
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
    }

    mutating func read<Value: FixedWidthInteger>(_: Value.Type = Value.self) throws(ClusteringSnapshotError) -> Value {
        let size = MemoryLayout<Value>.size
        guard bytes.count - position >= size else { throw ClusteringSnapshotError("snapshot ends early at byte \(position)") }
        let value = bytes.loadUnaligned(fromByteOffset: position, as: Value.self)
        position += size
        return Value(littleEndian: value)
    }

    mutating func readDouble() throws(ClusteringSnapshotError) -> Double { Double(bitPattern: try read(UInt64.self)) }

    mutating func readBool() throws(ClusteringSnapshotError) -> Bool { try read(UInt8.self) != 0 }

    /// A count that must be plausible for elements of `size` bytes in what is left.
    mutating func readCount(elementSize size: Int) throws(ClusteringSnapshotError) -> Int {
        let count = try read(Int64.self)
        guard count >= 0, count <= (bytes.count - position) / max(size, 1) else {
            throw ClusteringSnapshotError("snapshot has an impossible count \(count) at byte \(position)")
        }
        return Int(count)
    }

    mutating func readArray<Element: BitwiseCopyable>(_: Element.Type) throws(ClusteringSnapshotError) -> [Element] {
        let size = MemoryLayout<Element>.stride
        let count = try readCount(elementSize: size)
        let result = [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(
                from: UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count * size)]))
            initialized = count
        }
        position += count * size
        return result
    }

    mutating func readInts() throws(ClusteringSnapshotError) -> [Int] { try readArray(Int64.self).map { Int($0) } }

    mutating func readString() throws(ClusteringSnapshotError) -> String {
        String(decoding: try readArray(UInt8.self), as: UTF8.self)
    }

    mutating func readStrings() throws(ClusteringSnapshotError) -> [String] {
        let count = try readCount(elementSize: 8)
        var result: [String] = []
        result.reserveCapacity(count)
        for _ in 0..<count { result.append(try readString()) }
        return result
    }
}
