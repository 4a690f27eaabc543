/// A sparse vector over term ids, sorted by id, so that a dot product is one merge walk.
struct SparseVector {
    var terms: [Int32] = []
    var weights: [Double] = []

    /// Builds a unit vector from terms already sorted by id (without repeats) and their weights.
    init(sortedTerms: [Int32], weights: consuming [Double]) {
        precondition(sortedTerms.count == weights.count, "a term without a weight")
        var norm = 0.0
        for index in weights.indices { norm += weights[index] * weights[index] }
        norm = norm > 0 ? norm.squareRoot() : 1
        for index in weights.indices { weights[index] /= norm }
        terms = sortedTerms
        self.weights = weights
    }

    init() {}

    func dot(_ other: SparseVector) -> Double {
        var sum = 0.0
        var i = 0
        var j = 0
        let a = terms, b = other.terms
        while i < a.count, j < b.count {
            let x = a[i], y = b[j]
            if x == y {
                sum += weights[i] * other.weights[j]
                i += 1
                j += 1
            } else if x < y {
                i += 1
            } else {
                j += 1
            }
        }
        return sum
    }
}

extension Array {
    /// Where an element with `key` is, or would be inserted, in this array sorted ascending by `key(of:)`
    /// (binary search).
    func sortedInsertionPoint<Key: Comparable>(of key: Key, by keyOf: (Element) -> Key) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if keyOf(self[middle]) < key { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

extension Array where Element == Int32 {
    /// The position of `value` in this array sorted ascending, by binary search; nil when absent.
    func sortedIndex(of value: Int32) -> Int? {
        let low = sortedInsertionPoint(of: value) { $0 }
        return low < count && self[low] == value ? low : nil
    }
}

/// One sparse vector spread over an array indexed by term id, so that its dot product with many others reads
/// each of their terms once instead of walking two sorted lists. Holds one vector at a time: `spread`, use,
/// `clear`. Its owner adds a place for each term id it creates (`addTerm`), so every term id has one: the reads
/// below, which run for every term of every candidate story, index the storage without bounds checks (debug builds
/// still check them).
struct SpreadVector {
    private var weights: [Double] = []

    /// Makes a place for the next term id.
    mutating func addTerm() { weights.append(0) }

    mutating func spread(_ vector: SparseVector) {
        for index in vector.terms.indices { weights[Int(vector.terms[index])] = vector.weights[index] }
    }

    mutating func clear(_ vector: SparseVector) {
        for term in vector.terms { weights[Int(term)] = 0 }
    }

    /// The spread vector's weight of `term` (0 when it lacks the term).
    subscript(term: Int32) -> Double { weights.withUnsafeBufferPointer { $0[Int(term)] } }

    /// The dot product with `other`, summed in `other`'s term order: the same as `SparseVector.dot`.
    func dot(_ other: SparseVector) -> Double {
        weights.withUnsafeBufferPointer { spread in
            other.terms.withUnsafeBufferPointer { terms in
                other.weights.withUnsafeBufferPointer { otherWeights in
                    var sum = 0.0
                    for index in 0..<terms.count {
                        let weight = spread[Int(terms[index])]
                        if weight != 0 { sum += weight * otherWeights[index] }
                    }
                    return sum
                }
            }
        }
    }

    /// How many of `terms` the spread vector has.
    func count(of terms: [Int32]) -> Int {
        weights.withUnsafeBufferPointer { spread in
            var count = 0
            for term in terms where spread[Int(term)] != 0 { count += 1 }
            return count
        }
    }
}
