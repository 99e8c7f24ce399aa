import GeoCore

/// A static R-tree over bounding boxes, packed by Sort-Tile-Recursive: built once per layer version, then only
/// queried, so it needs no insertion logic and lives in a few flat arrays.
struct PackedRTree: Sendable {
    static let nodeSize = 16

    /// `levels[0]` holds the item boxes in packed order; each higher level holds one box per group of
    /// `nodeSize` boxes of the level below; the last level has a single root box.
    private let levels: [[BoundingBox]]
    /// The caller's index of the item at each packed position.
    private let order: [Int]

    init(boxes: [BoundingBox]) {
        let count = boxes.count
        guard count > 0 else {
            levels = []
            order = []
            return
        }
        // STR: sort by centre x, cut into vertical slices of about sqrt(leaves) leaves, sort each by centre y.
        let leafCount = (count + Self.nodeSize - 1) / Self.nodeSize
        let sliceCount = max(1, Int(Double(leafCount).squareRoot().rounded(.up)))
        let sliceSize = sliceCount * Self.nodeSize
        var byX = Array(0..<count)
        byX.sort { (boxes[$0].minX + boxes[$0].maxX, $0) < (boxes[$1].minX + boxes[$1].maxX, $1) }
        var packed: [Int] = []
        packed.reserveCapacity(count)
        var start = 0
        while start < count {
            let slice = byX[start..<min(start + sliceSize, count)]
            packed += slice.sorted { (boxes[$0].minY + boxes[$0].maxY, $0) < (boxes[$1].minY + boxes[$1].maxY, $1) }
            start += sliceSize
        }
        var levels = [packed.map { boxes[$0] }]
        while levels[levels.count - 1].count > 1 {
            let below = levels[levels.count - 1]
            var level: [BoundingBox] = []
            level.reserveCapacity((below.count + Self.nodeSize - 1) / Self.nodeSize)
            var i = 0
            while i < below.count {
                var box = below[i]
                for b in below[(i + 1)..<min(i + Self.nodeSize, below.count)] { box = box.union(b) }
                level.append(box)
                i += Self.nodeSize
            }
            levels.append(level)
        }
        self.levels = levels
        order = packed
    }

    /// The caller's indices of every box intersecting `query` (touching counts), ascending.
    func search(_ query: BoundingBox) -> [Int] {
        guard let top = levels.indices.last else { return [] }
        var found: [Int] = []
        var stack: [(level: Int, index: Int)] = [(top, 0)]
        while let (level, index) = stack.popLast() {
            guard levels[level][index].intersects(query) else { continue }
            if level == 0 {
                found.append(order[index])
                continue
            }
            let first = index * Self.nodeSize
            for child in first..<min(first + Self.nodeSize, levels[level - 1].count) {
                stack.append((level - 1, child))
            }
        }
        found.sort()
        return found
    }
}
