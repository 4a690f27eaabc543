/// Finds near-duplicate texts: syndicated wire copy that outlets run with small edits. Each text becomes a
/// MinHash signature over its word 3-shingles (64 bins of 16 bits, one-permutation hashing); candidates come from locality-sensitive hashing (16
/// bands of 4 hashes: a pair at Jaccard similarity 0.7 shares a band with probability 0.98, at 0.3 with 0.12)
/// and count only if the signatures agree on at least `threshold` of their hashes (the estimated Jaccard
/// similarity of their shingle sets). Deterministic. A class: the clusterer keeps one and calls it
/// for every item, and a struct in a class property is copied (all its arrays retained) on each read.
final class NearDuplicateIndex<Payload> {
    static var hashCount: Int { 64 }
    static var rowsPerBand: Int { 4 }

    /// Estimated Jaccard similarity from which two texts are copies of one.
    let threshold: Double
    /// Texts with fewer shingles (words − 2) are too short to tell a copy from a shared phrase.
    let minimumShingles: Int

    static var bandCount: Int { hashCount / rowsPerBand }

    // Texts by serial (arrival order), in flat arrays from serial `storageStart` on; serials below `firstLive`
    // are forgotten. Each bucket names its newest text; each text names the previous text of its bucket, per
    // band (older serials only, so a walk ends at the first forgotten one). One owner calls the index, never
    // re-entrantly (it is not thread-safe), so the run-time exclusivity checks are left out.
    @exclusivity(unchecked) private var signatures: [UInt16] = []
    @exclusivity(unchecked) private var payloads: [Payload?] = []
    @exclusivity(unchecked) private var times: [Double] = []
    @exclusivity(unchecked) private var sources: [String?] = []
    @exclusivity(unchecked) private var previousInBucket: [Int] = []
    @exclusivity(unchecked) private var buckets = IntegerTable()
    @exclusivity(unchecked) private var storageStart = 0
    @exclusivity(unchecked) private var firstLive = 0
    @exclusivity(unchecked) private var nextSerial = 0

    init(threshold: Double, minimumShingles: Int) {
        self.threshold = threshold
        self.minimumShingles = minimumShingles
    }

    var count: Int { nextSerial - firstLive }

    /// The signature of `texts` read as one (at most their first `byteLimit` bytes), or nil when too short.
    func signature(of texts: String?..., byteLimit: Int = 600) -> [UInt16]? {
        var wordHashes: [UInt64] = []
        wordHashes.reserveCapacity(min(byteLimit / 4, 512))
        var hash: UInt64 = 0
        var inWord = false
        var budget = byteLimit
        for text in texts {
            guard var text, budget > 0 else { continue }
            text.withUTF8 { bytes in
                wordBytes.withUnsafeBufferPointer { wordBytes in
                    for byte in bytes.prefix(budget) {
                        let lower = wordBytes[Int(byte)]
                        if lower != 0 {
                            if !inWord { hash = 0xcbf2_9ce4_8422_2325 }
                            hash = (hash ^ UInt64(lower)) &* 0x0000_0100_0000_01b3
                            inWord = true
                        } else if inWord {
                            wordHashes.append(hash)
                            inWord = false
                        }
                    }
                }
                budget -= min(budget, bytes.count)
            }
            if inWord {
                wordHashes.append(hash)
                inWord = false
            }
        }
        guard wordHashes.count - 2 >= minimumShingles else { return nil }
        // One-permutation hashing: each shingle is hashed once; its top bits pick one of the 64 bins, its next bits
        // are its value there, and each bin keeps its smallest value (Li, Owen and Zhang, NeurIPS 2012). An empty
        // bin takes the value of the first filled bin along its own fixed probe order, the same for every text
        // ("optimal densification", Shrivastava, ICML 2017), so that two texts agree in a bin with probability
        // their Jaccard similarity, as with 64 separate MinHash functions, at one hash per shingle instead of 64.
        var signature = [UInt16](repeating: .max, count: Self.hashCount)
        var filled: UInt64 = 0
        signature.withUnsafeMutableBufferPointer { minimums in
            for start in 0..<(wordHashes.count - 2) {
                var shingle = wordHashes[start] &* 0x9E37_79B9_7F4A_7C15
                shingle = (shingle ^ (shingle >> 29) ^ wordHashes[start + 1]) &* 0xBF58_476D_1CE4_E5B9
                shingle = (shingle ^ (shingle >> 32) ^ wordHashes[start + 2]) &* 0x94D0_49BB_1331_11EB
                shingle ^= shingle >> 31
                let bin = Int(truncatingIfNeeded: shingle >> 58)
                let value = UInt16(truncatingIfNeeded: (shingle &* 0xD6E8_FEB8_6659_FD93) >> 48)
                if value < minimums[bin] { minimums[bin] = value }
                filled |= 1 << UInt64(bin)
            }
            guard filled != .max else { return }
            for bin in 0..<Self.hashCount where filled & (1 << UInt64(bin)) == 0 {
                let probes = densificationProbes[(bin * Self.hashCount)..<((bin + 1) * Self.hashCount)]
                for probe in probes where filled & (1 << UInt64(probe)) != 0 {
                    minimums[bin] = minimums[Int(probe)]
                    break
                }
            }
        }
        return signature
    }

    /// The most similar indexed text from another source than `source` (a source's own near-identical texts are
    /// its boilerplate, not copies), with its estimated similarity, if it reaches the threshold.
    func match(_ signature: [UInt16], source: String?) -> (payload: Payload, similarity: Double)? {
        var best: (serial: Int, agreement: Int)?
        var seen: [Int] = []
        for band in 0..<Self.bandCount {
            var serial = buckets[bucketKey(signature, band: band)] ?? -1
            while serial >= firstLive {
                let slot = serial - storageStart
                defer { serial = previousInBucket[slot * Self.bandCount + band] }
                guard !seen.contains(serial) else { continue }
                seen.append(serial)
                guard source == nil || sources[slot] != source else { continue }
                var agreement = 0
                let offset = slot * Self.hashCount
                for index in 0..<Self.hashCount where signatures[offset + index] == signature[index] { agreement += 1 }
                if agreement > best?.agreement ?? -1 || (agreement == best?.agreement && serial < best!.serial) {
                    best = (serial, agreement)
                }
            }
        }
        guard let best, let payload = payloads[best.serial - storageStart] else { return nil }
        let similarity = Double(best.agreement) / Double(Self.hashCount)
        return similarity >= threshold ? (payload, similarity) : nil
    }

    func insert(_ signature: [UInt16], payload: Payload, time: Double, source: String?) {
        let serial = nextSerial
        nextSerial += 1
        signatures.append(contentsOf: signature)
        payloads.append(payload)
        times.append(time)
        sources.append(source)
        for band in 0..<Self.bandCount {
            let key = bucketKey(signature, band: band)
            previousInBucket.append(buckets[key] ?? -1)
            buckets[key] = serial
        }
    }

    /// Forgets texts older than `time`, in arrival order (memory follows the time window; a text that arrived
    /// late with an old time goes when those before it have gone), and the oldest beyond `capacity`.
    func removeAll(before time: Double, capacity: Int = .max) {
        while firstLive < nextSerial, times[firstLive - storageStart] < time || nextSerial - firstLive > capacity {
            let slot = firstLive - storageStart
            let signature = signatures[(slot * Self.hashCount)..<((slot + 1) * Self.hashCount)]
            for band in 0..<Self.bandCount {
                let key = bucketKey(signature, band: band)
                // The bucket's newest text is this one: everything older in it is gone too.
                if buckets[key] == firstLive { buckets[key] = nil }
            }
            payloads[slot] = nil
            firstLive += 1
        }
        let dead = firstLive - storageStart
        if dead > 4096 && dead * 2 > nextSerial - storageStart {
            signatures.removeFirst(dead * Self.hashCount)
            payloads.removeFirst(dead)
            times.removeFirst(dead)
            sources.removeFirst(dead)
            previousInBucket.removeFirst(dead * Self.bandCount)
            storageStart = firstLive
        }
    }

    private func bucketKey(_ signature: [UInt16], band: Int) -> UInt64 {
        Self.bucketKey(signature[...], band: band)
    }

    private func bucketKey(_ signature: ArraySlice<UInt16>, band: Int) -> UInt64 {
        Self.bucketKey(signature, band: band)
    }

    /// The bucket keys of a signature, one per band (what a snapshot's buckets were filed under).
    static func bucketKeys(of signature: [UInt16]) -> [UInt64] {
        (0..<bandCount).map { bucketKey(signature[...], band: $0) }
    }

    private static func bucketKey(_ signature: ArraySlice<UInt16>, band: Int) -> UInt64 {
        var key = UInt64(band) &* 0x9E37_79B9_7F4A_7C15
        let first = signature.startIndex + band * Self.rowsPerBand
        for index in first..<(first + Self.rowsPerBand) {
            key = (key ^ UInt64(signature[index])) &* 0x0000_0100_0000_01b3
        }
        return key
    }
}

extension NearDuplicateIndex {
    /// The index's live texts (the forgotten ones it still stores are left out), for a clusterer snapshot;
    /// `payload` writes one payload.
    func encode(into writer: inout SnapshotWriter, payload: (Payload, inout SnapshotWriter) -> Void) {
        let live = firstLive - storageStart
        writer.write(Array(signatures[(live * Self.hashCount)...]))
        writer.write(Int64(payloads.count - live))
        for entry in payloads[live...] {
            writer.write(entry != nil)
            if let entry { payload(entry, &writer) }
        }
        writer.write(Array(times[live...]))
        writer.write(Int64(sources.count - live))
        for source in sources[live...] {
            writer.write(source != nil)
            if let source { writer.write(source) }
        }
        writer.write(Array(previousInBucket[(live * Self.bandCount)...]))
        buckets.encode(into: &writer)
        writer.write([firstLive, firstLive, nextSerial])
    }

    /// Replaces the index's contents with what `encode` wrote; `payload` reads one payload.
    func load(
        from reader: inout SnapshotReader, payload: (inout SnapshotReader) throws(ClusteringSnapshotError) -> Payload
    ) throws(ClusteringSnapshotError) {
        let signatures = try reader.readArray(UInt16.self)
        var payloads: [Payload?] = []
        for _ in 0..<(try reader.readCount(elementSize: 1)) { payloads.append(try reader.readBool() ? try payload(&reader) : nil) }
        let times = try reader.readArray(Double.self)
        var sources: [String?] = []
        for _ in 0..<(try reader.readCount(elementSize: 1)) { sources.append(try reader.readBool() ? try reader.readString() : nil) }
        let previousInBucket = try reader.readInts()
        let buckets = try IntegerTable(from: &reader)
        let serials = try reader.readInts()
        guard serials.count == 3, 0 <= serials[0], serials[0] <= serials[1], serials[1] <= serials[2] else {
            throw ClusteringSnapshotError("snapshot holds inconsistent near-duplicate serials")
        }
        let stored = serials[2] - serials[0]
        guard payloads.count == stored, times.count == stored, sources.count == stored,
            signatures.count == stored * Self.hashCount, previousInBucket.count == stored * Self.bandCount
        else { throw ClusteringSnapshotError("snapshot holds a near-duplicate index of mismatched sizes") }
        // Each bucket walk goes to strictly older texts and starts at a text that exists.
        guard previousInBucket.indices.allSatisfy({ previousInBucket[$0] < serials[0] + $0 / Self.bandCount }),
            buckets.allValues(below: serials[2])
        else { throw ClusteringSnapshotError("snapshot holds a near-duplicate index with broken bucket chains") }
        self.signatures = signatures
        self.payloads = payloads
        self.times = times
        self.sources = sources
        self.previousInBucket = previousInBucket
        self.buckets = buckets
        (storageStart, firstLive, nextSerial) = (serials[0], serials[1], serials[2])
    }
}

/// Per byte: the byte lower-cased if it belongs to a word (ASCII letters and digits, and every byte of a non-ASCII
/// character), else 0.
private let wordBytes: [UInt8] = (0...255).map { (byte: Int) -> UInt8 in
    switch byte {
    case 0x30...0x39, 0x61...0x7A, 0x80...0xFF: UInt8(byte)
    case 0x41...0x5A: UInt8(byte | 0x20)
    default: 0
    }
}

/// For each bin, the order in which an empty bin looks for a filled one to copy: a fixed pseudo-random permutation
/// of the bins (an LCG-driven shuffle), the same in every run.
private let densificationProbes: [UInt8] = {
    var state: UInt64 = 0x2545_F491_4F6C_DD1D
    var probes: [UInt8] = []
    probes.reserveCapacity(64 * 64)
    for _ in 0..<64 {
        var order = (0..<64).map { UInt8($0) }
        for index in stride(from: 63, to: 0, by: -1) {
            state = state &* 0x5851_F42D_4C95_7F2D &+ 0x1405_7B7E_F767_814F
            order.swapAt(index, Int((state >> 33) % UInt64(index + 1)))
        }
        probes += order
    }
    return probes
}()
