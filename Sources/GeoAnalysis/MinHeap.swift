/// A binary min-heap of (key, value) pairs for Dijkstra-like searches and lazy greedy selection. Ties in the key
/// pop the smaller value first, so a search visits nodes in one order on every platform.
///
/// Entries are never decreased in place: a search pushes a node again with its better key and skips the stale
/// entry when it pops (cheaper than an index map for road graphs, where few nodes improve more than once).
struct MinHeap {
    private var keys: [Double] = []
    private var values: [Int32] = []

    init(capacity: Int = 0) {
        keys.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
    }

    var isEmpty: Bool { keys.isEmpty }
    var count: Int { keys.count }
    /// The smallest key, or +∞ when empty.
    var minimumKey: Double { keys.first ?? .infinity }

    @inline(__always)
    private func less(_ i: Int, _ j: Int) -> Bool {
        keys[i] < keys[j] || (keys[i] == keys[j] && values[i] < values[j])
    }

    mutating func push(_ key: Double, _ value: Int) {
        keys.append(key)
        values.append(Int32(value))
        var child = keys.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(child, parent) else { break }
            keys.swapAt(child, parent)
            values.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (key: Double, value: Int)? {
        guard let key = keys.first else { return nil }
        let value = Int(values[0])
        let lastKey = keys.removeLast(), lastValue = values.removeLast()
        if !keys.isEmpty {
            keys[0] = lastKey
            values[0] = lastValue
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < keys.count && less(left, smallest) { smallest = left }
                if right < keys.count && less(right, smallest) { smallest = right }
                if smallest == parent { break }
                keys.swapAt(parent, smallest)
                values.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return (key, value)
    }
}
