/// Sorted, disjoint intervals of a parameter along a segment or an edge (0 at its start, 1 at its end).
enum ParameterIntervals {
    typealias List = [(Double, Double)]

    /// Everything in either list.
    static func union(_ x: List, _ y: List) -> List {
        guard !x.isEmpty else { return y }
        guard !y.isEmpty else { return x }
        var merged: List = []
        for interval in (x + y).sorted(by: { $0.0 < $1.0 }) {
            if let last = merged.last, interval.0 <= last.1 {
                merged[merged.count - 1].1 = max(last.1, interval.1)
            } else {
                merged.append(interval)
            }
        }
        return merged
    }

    /// What of `x` is not in `y`.
    static func subtract(_ x: List, _ y: List) -> List {
        guard !y.isEmpty else { return x }
        var result: List = []
        for (first, end) in x {
            var start = first
            for (cut0, cut1) in y where cut1 > start && cut0 < end {
                if cut0 > start { result.append((start, cut0)) }
                start = max(start, cut1)
            }
            if end > start { result.append((start, end)) }
        }
        return result
    }
}
