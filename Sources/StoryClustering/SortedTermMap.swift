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
        // First walk: are all of them present? Then the values are updated in place.
        var missing = 0
        var i = 0
        for term in addedTerms {
            while i < terms.count, terms[i] < term { i += 1 }
            if i == terms.count || terms[i] != term { missing += 1 }
        }
        if missing == 0 {
            i = 0
            for (term, value) in zip(addedTerms, addedValues) {
                while terms[i] < term { i += 1 }
                values[i] += value
            }
            return
        }
        var mergedTerms: [Int32] = []
        var mergedValues: [Value] = []
        mergedTerms.reserveCapacity(terms.count + missing)
        mergedValues.reserveCapacity(terms.count + missing)
        i = 0
        var j = 0
        while i < terms.count || j < addedTerms.count {
            if j == addedTerms.count || (i < terms.count && terms[i] < addedTerms[j]) {
                mergedTerms.append(terms[i])
                mergedValues.append(values[i])
                i += 1
            } else if i == terms.count || addedTerms[j] < terms[i] {
                mergedTerms.append(addedTerms[j])
                mergedValues.append(.zero + addedValues[j])
                j += 1
            } else {
                mergedTerms.append(terms[i])
                mergedValues.append(values[i] + addedValues[j])
                i += 1
                j += 1
            }
        }
        terms = mergedTerms
        values = mergedValues
    }

    /// Adds every value of `other`.
    mutating func add(_ other: SortedTermMap<Value>) {
        add(sortedTerms: other.terms, values: other.values)
    }

    /// Keeps the entries at the positions where `kept` is true.
    mutating func keep(positions kept: [Bool]) {
        var keptTerms: [Int32] = []
        var keptValues: [Value] = []
        keptTerms.reserveCapacity(terms.count)
        keptValues.reserveCapacity(terms.count)
        for index in terms.indices where kept[index] {
            keptTerms.append(terms[index])
            keptValues.append(values[index])
        }
        terms = keptTerms
        values = keptValues
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
