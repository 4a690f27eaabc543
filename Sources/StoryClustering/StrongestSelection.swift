/// Chooses the `count` largest weights of a vector without sorting it: the `count`-th largest weight is found by
/// quickselect, and only weights tied at that cut are ordered (by `before`, the clusterer's term-text order).
/// Holds a scratch array so that choosing allocates nothing but its result.
struct StrongestSelection {
    private var scratch: [Double] = []

    /// The positions of the `count` largest `weights`, ascending; among weights equal to the cut, those whose
    /// positions come first by `before`. All positions when there are no more than `count`.
    mutating func positions(of weights: [Double], count: Int, before: (Int, Int) -> Bool) -> [Int] {
        guard count > 0 else { return [] }
        guard weights.count > count else { return Array(weights.indices) }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: weights)
        let cut = Self.largest(count, of: &scratch)
        var above = 0
        var atCut = 0
        for weight in weights where weight >= cut {
            if weight > cut { above += 1 } else { atCut += 1 }
        }
        var chosen: [Int] = []
        chosen.reserveCapacity(count)
        guard above + atCut > count else {
            // Every weight at the cut fits.
            for index in weights.indices where weights[index] >= cut { chosen.append(index) }
            return chosen
        }
        // Of the weights equal to the cut, the first by `before` fill the places left.
        var tied = weights.indices.filter { weights[$0] == cut }
        tied.sort(by: before)
        let admitted = Set(tied.prefix(count - above))
        for index in weights.indices where weights[index] > cut || admitted.contains(index) { chosen.append(index) }
        return chosen
    }

    /// The `rank`-th largest of `values` (1 is the largest), by quickselect, which reorders `values`;
    /// 1 ≤ `rank` ≤ `values.count`.
    static func largest(_ rank: Int, of values: inout [Double]) -> Double {
        var low = 0
        var high = values.count - 1
        let target = rank - 1
        while low < high {
            // Hoare partition around the middle value, descending: larger values to the left.
            let pivot = values[(low + high) / 2]
            var i = low
            var j = high
            while i <= j {
                while values[i] > pivot { i += 1 }
                while values[j] < pivot { j -= 1 }
                if i <= j {
                    values.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if target <= j {
                high = j
            } else if target >= i {
                low = i
            } else {
                return values[target]
            }
        }
        return values[target]
    }
}
