import GeoCore

/// An immutable in-memory index answering "which polygon holds this point" in well under a microsecond, for
/// layers that tile the plane (unit grids, communities, streets) or merely cover parts of it.
///
/// Polygons are flattened into contiguous coordinate arrays and bucketed on a uniform grid sized so that a
/// bucket overlaps a handful of polygons; a query computes its bucket, tests the candidates' bounding boxes
/// and runs a crossing-number test on the survivors.
///
/// **Edges.** The crossing test is half-open, so where polygons share an edge exactly (as unit grids do) a
/// point on that edge belongs to exactly one of them: the polygon to the east of a north-south edge, to the
/// north of an east-west edge. When polygons overlap, the one added first wins.
public struct PolygonIndex: Sendable {
    /// Every polygon part's rings, back to back.
    private let parts: FlatPolygons
    private let partBoxes: [BoundingBox]
    /// The entry (caller's index) each polygon part belongs to.
    private let partEntry: [Int32]
    /// Bucket b lists parts bucketItems[bucketStart[b] ..< bucketStart[b + 1]].
    private let bucketStart: [Int32]
    private let bucketItems: [Int32]
    private let grid: BucketGrid

    /// The number of entries the index was built from.
    public let count: Int
    /// The bounding box of every polygon; nil when the index is empty.
    public let bounds: BoundingBox?

    /// Builds the index. Entry `i` of the result is `geometries[i]`; non-polygonal geometries are skipped.
    /// - Parameter bucketsPerPolygon: about how many buckets one average polygon spans (smaller buckets cost
    ///   memory, larger ones cost candidate tests).
    public init(_ geometries: [Geometry?], bucketsPerPolygon: Double = 1) {
        var flat = FlatPolygons()
        var partBoxes: [BoundingBox] = []
        var partEntry: [Int32] = []
        for (entry, geometry) in geometries.enumerated() {
            guard let geometry else { continue }
            let parts: [Polygon] =
                switch geometry {
                case .polygon(let p): [p]
                case .multiPolygon(let m): m.polygons
                default: []
                }
            for part in parts {
                // The exterior's box: holes lie inside it in any valid polygon.
                guard let box = BoundingBox(coordinates: part.exterior) else { continue }
                flat.append(rings: part.rings)
                partBoxes.append(box)
                partEntry.append(Int32(entry))
            }
        }

        let bounds = partBoxes.dropFirst().reduce(partBoxes.first) { $0?.union($1) }
        // Size buckets from the mean part area so a bucket overlaps a few parts whatever the layer's scale.
        var grid = BucketGrid(originX: 0, originY: 0, cellSize: 1, columns: 1, rows: 1)
        if let bounds, !partBoxes.isEmpty {
            let meanArea = partBoxes.reduce(0) { $0 + max($1.width * $1.height, 1e-18) } / Double(partBoxes.count)
            let bucketSize = max((meanArea / bucketsPerPolygon).squareRoot(), max(bounds.width, bounds.height) / 4096, 1e-12)
            grid = BucketGrid(covering: bounds, cellSize: bucketSize)
        }
        let buckets = BucketLists(grid: grid, boxes: partBoxes)

        self.parts = flat
        self.partBoxes = partBoxes
        self.partEntry = partEntry
        self.bucketStart = buckets.starts
        self.bucketItems = buckets.items
        self.grid = grid
        self.count = geometries.count
        self.bounds = bounds
    }

    /// The entry whose polygon holds `point`, or nil when none does.
    public func locate(_ point: Coordinate) -> Int? {
        guard let bounds, bounds.contains(point) else { return nil }
        let b = grid.clampedBucket(ofX: point.x, y: point.y)
        var best: Int32 = .max
        for k in Int(bucketStart[b])..<Int(bucketStart[b + 1]) {
            let part = Int(bucketItems[k])
            let entry = partEntry[part]
            // Entries are tried in bucket order; keep the lowest entry among the holders so overlaps resolve
            // to the entry added first, independent of bucket layout.
            guard entry < best, partBoxes[part].contains(point), parts.contains(part: part, x: point.x, y: point.y) else { continue }
            best = entry
        }
        return best == .max ? nil : Int(best)
    }

    /// Every entry whose polygon holds `point`, ascending (for layers whose polygons overlap, e.g. fences).
    public func locateAll(_ point: Coordinate) -> [Int] {
        var result: [Int] = []
        locateAll(point, into: &result)
        return result
    }

    /// Replaces `entries` with every entry whose polygon holds `point`, ascending and each once: the form for hot
    /// loops over overlapping layers (lookup families), which reuse one array instead of allocating per point.
    public func locateAll(_ point: Coordinate, into entries: inout [Int]) {
        entries.removeAll(keepingCapacity: true)
        guard let bounds, bounds.contains(point) else { return }
        let b = grid.clampedBucket(ofX: point.x, y: point.y)
        for k in Int(bucketStart[b])..<Int(bucketStart[b + 1]) {
            let part = Int(bucketItems[k])
            guard partBoxes[part].contains(point), parts.contains(part: part, x: point.x, y: point.y) else { continue }
            // A handful of holders at most: insertion keeps them sorted and drops a second part of one entry.
            let entry = Int(partEntry[part])
            var position = entries.count
            while position > 0, entries[position - 1] > entry { position -= 1 }
            if position > 0, entries[position - 1] == entry { continue }
            entries.insert(entry, at: position)
        }
    }

    /// Entries whose bounding box intersects `box`, ascending.
    public func candidates(intersecting box: BoundingBox) -> [Int] {
        var result = Set<Int>()
        for (part, partBox) in partBoxes.enumerated() where partBox.intersects(box) { result.insert(Int(partEntry[part])) }
        return result.sorted()
    }
}
