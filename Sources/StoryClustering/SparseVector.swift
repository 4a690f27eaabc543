/// A sparse vector over term ids, sorted by id, so that a dot product is one merge walk.
struct SparseVector {
    var terms: [Int32] = []
    var weights: [Double] = []

    var isEmpty: Bool { terms.isEmpty }

    /// Builds a unit vector from terms already sorted by id (without repeats) and their weights.
    init(sortedTerms: [Int32], weights: [Double]) {
        var norm = 0.0
        for weight in weights { norm += weight * weight }
        norm = norm > 0 ? norm.squareRoot() : 1
        terms = sortedTerms
        self.weights = weights.map { $0 / norm }
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

    func weight(of term: Int32) -> Double {
        terms.sortedIndex(of: term).map { weights[$0] } ?? 0
    }

    func contains(_ term: Int32) -> Bool { weight(of: term) != 0 }
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
