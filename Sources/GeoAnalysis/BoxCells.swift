import GeoCore

/// Boxes listed by the buckets of a ``BucketGrid`` they touch, answering "which boxes meet this one" by reading a few
/// buckets: the spatial lookup of coverage (disks, target polygons) and overlay (the other layer's features).
struct BoxCells: Sendable {
    let boxes: [BoundingBox]
    private let grid: BucketGrid
    private let buckets: BucketLists

    /// Lists `boxes` (nil: never found) in buckets of about `cellSize` (the boxes' usual size works well) over their
    /// extent, at most 1,024 a side.
    init(_ boxes: [BoundingBox?], cellSize: Double) {
        let usable = boxes.map { box in box.flatMap { [$0.minX, $0.minY, $0.maxX, $0.maxY].allSatisfy(\.isFinite) ? $0 : nil } }
        let known = usable.compactMap { $0 }
        let extent = known.dropFirst().reduce(known.first) { $0?.union($1) } ?? BoundingBox(minX: 0, minY: 0, maxX: 0, maxY: 0)
        grid = BucketGrid(covering: extent, cellSize: max(cellSize, extent.width / 1_024, extent.height / 1_024, 1e-9))
        // A box that is not there (or not finite) lies beyond the extent, in no bucket, meeting nothing.
        let far = BoundingBox(minX: .infinity, minY: .infinity, maxX: .infinity, maxY: .infinity)
        self.boxes = usable.map { $0 ?? far }
        buckets = BucketLists(grid: grid, boxes: self.boxes)
    }

    /// Indexes of the boxes that meet `box`, ascending.
    func indices(near box: BoundingBox) -> [Int] {
        guard let cells = grid.cells(covering: box) else { return [] }
        // A query covering more buckets than there are boxes (a district as one target): test every box instead.
        guard Double(cells.columns.count) * Double(cells.rows.count) <= Double(max(boxes.count, 64)) else {
            return boxes.indices.filter { boxes[$0].intersects(box) }
        }
        var found = Set<Int>()
        grid.forEachBucket(overlapping: box) { bucket in
            for k in Int(buckets.starts[bucket])..<Int(buckets.starts[bucket + 1]) {
                let i = Int(buckets.items[k])
                if boxes[i].intersects(box) { found.insert(i) }
            }
        }
        return found.sorted()
    }
}
