/// Values keyed by term id, kept as parallel arrays sorted by id. An item's terms arrive sorted, so adding them
/// is one merge walk, and a story's centroid is read off in order: no hashing, no sorting.
struct SortedTermMap<Value: AdditiveArithmetic> {
    private(set) var terms: [Int32] = []
    private(set) var values: [Value] = []

    var count: Int { terms.count }

    func value(of term: Int32) -> Value? {
        terms.sortedIndex(of: term).map { values[$0] }
    }

    func contains(_ term: Int32) -> Bool { terms.sortedIndex(of: term) != nil }

    /// Adds `addedValues[i]` to the value of `addedTerms[i]`; `addedTerms` is sorted without repeats. Terms not
    /// present yet start from zero.
    mutating func add(sortedTerms addedTerms: [Int32], values addedValues: [Value]) {
        add(sortedTerms: addedTerms) { addedValues[$0] }
    }

    /// Adds one to the count of each of `addedTerms` (sorted without repeats).
    mutating func addOne(sortedTerms addedTerms: [Int32]) where Value: ExpressibleByIntegerLiteral {
        add(sortedTerms: addedTerms) { _ in 1 }
    }

    /// Adds `addedValue(j)` to the value of `addedTerms[j]`, in place: the missing terms are counted first, the arrays
    /// grow by that many, and one walk from the back merges the new entries in (no copy of the map).
    private mutating func add(sortedTerms addedTerms: [Int32], addedValue: (Int) -> Value) {
        var missing = 0
        var i = 0
        for term in addedTerms {
            while i < terms.count, terms[i] < term { i += 1 }
            if i == terms.count || terms[i] != term { missing += 1 }
        }
        if missing == 0 {
            i = 0
            for (j, term) in addedTerms.enumerated() {
                while terms[i] < term { i += 1 }
                values[i] += addedValue(j)
            }
            return
        }
        let oldCount = terms.count
        terms.append(contentsOf: repeatElement(0, count: missing))
        values.append(contentsOf: repeatElement(.zero, count: missing))
        var source = oldCount - 1
        var added = addedTerms.count - 1
        var target = terms.count - 1
        // Until the added terms run out; what is left in front is in place already.
        while added >= 0 {
            if source >= 0, terms[source] > addedTerms[added] {
                terms[target] = terms[source]
                values[target] = values[source]
                source -= 1
            } else if source >= 0, terms[source] == addedTerms[added] {
                terms[target] = terms[source]
                values[target] = values[source] + addedValue(added)
                source -= 1
                added -= 1
            } else {
                terms[target] = addedTerms[added]
                values[target] = .zero + addedValue(added)
                added -= 1
            }
            target -= 1
        }
    }

    /// Adds every value of `other`.
    mutating func add(_ other: SortedTermMap<Value>) {
        add(sortedTerms: other.terms, values: other.values)
    }

    /// Keeps the entries at the positions where `kept` is true (in place).
    mutating func keep(positions kept: [Bool]) {
        var count = 0
        for index in terms.indices where kept[index] {
            terms[count] = terms[index]
            values[count] = values[index]
            count += 1
        }
        terms.removeLast(terms.count - count)
        values.removeLast(values.count - count)
    }
}

extension SortedTermMap {
    /// A map of these terms (sorted, without repeats) and values, as a snapshot recorded them.
    init(snapshotTerms terms: [Int32], values: [Value]) throws(ClusteringSnapshotError) {
        guard terms.count == values.count, zip(terms, terms.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw ClusteringSnapshotError("snapshot holds an unsorted term map")
        }
        self.terms = terms
        self.values = values
    }
}
