/// The arithmetic of a uniform grid of square cells (buckets) on a plane, in degrees or metres: which cell holds
/// a position, which cells a box covers, the rings of cells around a cell. Shared by the in-memory indexes
/// (polygons, point layers, fences, track segments); each keeps its own storage.
///
/// Cell (column, row) spans `[originX + column * cellSize, originX + (column + 1) * cellSize)` east-west and the
/// like north-south. A grid has an extent of `columns` × `rows` cells, numbered row-major as buckets
/// `row * columns + column`; cells outside the extent exist arithmetically (``cell(of:)``) but hold no bucket.
/// A sparse index, which keys a map by cell instead of an array by bucket, uses a grid without extent and
/// ``sparseKey(column:row:)``.
public struct BucketGrid: Hashable, Sendable {
    /// The south-west corner of cell (0, 0).
    public let originX: Double
    public let originY: Double
    /// The edge of a cell.
    public let cellSize: Double
    /// The extent in cells.
    public let columns: Int
    public let rows: Int

    /// A grid of `columns` × `rows` cells from `(originX, originY)`.
    public init(originX: Double, originY: Double, cellSize: Double, columns: Int, rows: Int) {
        self.originX = originX
        self.originY = originY
        self.cellSize = cellSize
        self.columns = columns
        self.rows = rows
    }

    /// A grid without extent, for sparse indexes: cells are told by ``cell(of:)`` and kept in a map.
    public init(originX: Double = 0, originY: Double = 0, cellSize: Double) {
        self.init(originX: originX, originY: originY, cellSize: cellSize, columns: 0, rows: 0)
    }

    /// The grid from the south-west corner of `box` with as many cells as cover it (at least one each way).
    public init(covering box: BoundingBox, cellSize: Double) {
        self.init(
            originX: box.minX, originY: box.minY, cellSize: cellSize,
            columns: Swift.max(1, Int((box.width / cellSize).rounded(.up))),
            rows: Swift.max(1, Int((box.height / cellSize).rounded(.up))))
    }

    /// The number of buckets, `columns * rows`.
    public var bucketCount: Int { columns * rows }

    // MARK: Cells, with or without extent

    /// The column and row of the cell holding `(x, y)`, which may lie outside the extent (clamped to ±10⁹ so
    /// that a far-away or non-finite position cannot trap the conversion to `Int`).
    @inlinable
    public func cell(ofX x: Double, y: Double) -> (column: Int, row: Int) {
        (Self.index(((x - originX) / cellSize).rounded(.down)), Self.index(((y - originY) / cellSize).rounded(.down)))
    }

    /// The column and row of the cell holding `position`; see ``cell(ofX:y:)``.
    @inlinable
    public func cell(of position: Coordinate) -> (column: Int, row: Int) {
        cell(ofX: position.x, y: position.y)
    }

    /// The columns and rows of every cell that `box` touches, whether or not inside the extent; nil for a box
    /// whose maximum lies below its minimum.
    @inlinable
    public func cells(covering box: BoundingBox) -> (columns: ClosedRange<Int>, rows: ClosedRange<Int>)? {
        let low = cell(ofX: box.minX, y: box.minY), high = cell(ofX: box.maxX, y: box.maxY)
        guard high.column >= low.column, high.row >= low.row else { return nil }
        return (low.column...high.column, low.row...high.row)
    }

    /// One `Int64` per cell for sparse maps: the column in the high 32 bits, the row's 32 bits below.
    @inlinable
    public static func sparseKey(column: Int, row: Int) -> Int64 {
        Int64(column) << 32 | Int64(UInt32(bitPattern: Int32(truncatingIfNeeded: row)))
    }

    @usableFromInline
    static func index(_ floored: Double) -> Int {
        Int(Swift.max(-1e9, Swift.min(1e9, floored)))
    }

    // MARK: Buckets, inside the extent

    /// The bucket of a position known to lie in the extent's box (its south and west edges included): the last
    /// column or row also takes the positions on the extent's north or east edge.
    @inlinable @inline(__always)
    public func clampedBucket(ofX x: Double, y: Double) -> Int {
        // Int() truncates, which is the floor for the non-negative offsets of positions inside.
        let column = Swift.min(columns - 1, Int((x - originX) / cellSize))
        let row = Swift.min(rows - 1, Int((y - originY) / cellSize))
        return row * columns + column
    }

    /// ``clampedBucket(ofX:y:)`` with where in its cell the position lies, in cells from the cell's south-west
    /// corner: 0 ..< 1 each way, or up to a rounding past 1 on the extent's north and east edges.
    @inlinable @inline(__always)
    public func clampedBucketAndOffset(ofX x: Double, y: Double) -> (bucket: Int, x: Double, y: Double) {
        let u = (x - originX) / cellSize, v = (y - originY) / cellSize
        let column = Swift.min(columns - 1, Int(u)), row = Swift.min(rows - 1, Int(v))
        return (row * columns + column, u - Double(column), v - Double(row))
    }

    /// The bucket holding `(x, y)`, or nil outside the extent (its north and east edges excluded).
    @inlinable @inline(__always)
    public func bucket(ofX x: Double, y: Double) -> Int? {
        let column = (x - originX) / cellSize, row = (y - originY) / cellSize
        guard column >= 0, row >= 0, column < Double(columns), row < Double(rows) else { return nil }
        return Int(row) * columns + Int(column)
    }

    /// The bucket of cell (column, row) of the extent.
    @inlinable @inline(__always)
    public func bucket(column: Int, row: Int) -> Int { row * columns + column }

    /// Calls `body` with every bucket whose cell `box` touches (edges included, the extent's own north and east
    /// edges too), row by row from the south-west; none when the box misses the extent.
    @inlinable
    public func forEachBucket(overlapping box: BoundingBox, _ body: (Int) -> Void) {
        guard let (columnRange, rowRange) = bucketCells(overlapping: box) else { return }
        for row in rowRange {
            for column in columnRange { body(row * columns + column) }
        }
    }

    /// The columns and rows of the buckets ``forEachBucket(overlapping:_:)`` visits for `box`, for callers that
    /// work on a bucket's cell and not only its number; nil when the box misses the extent.
    @inlinable
    public func bucketCells(overlapping box: BoundingBox) -> (columns: ClosedRange<Int>, rows: ClosedRange<Int>)? {
        let west = (box.minX - originX) / cellSize, east = (box.maxX - originX) / cellSize
        let south = (box.minY - originY) / cellSize, north = (box.maxY - originY) / cellSize
        guard west <= east, south <= north, east >= 0, north >= 0, west <= Double(columns), south <= Double(rows) else { return nil }
        // Clamped to the extent first, then truncated: the floor of what remains, and never a trap.
        func clamp(_ v: Double, _ count: Int) -> Int { Int(Swift.max(0, Swift.min(Double(count - 1), v))) }
        return (clamp(west, columns)...clamp(east, columns), clamp(south, rows)...clamp(north, rows))
    }

    /// The Chebyshev distance in cells from (column, row) to the nearest bucket of the extent (0 inside).
    @inlinable
    public func firstRing(around column: Int, _ row: Int) -> Int {
        Swift.max(0, -column, column - (columns - 1), -row, row - (rows - 1))
    }

    /// Calls `body` with every bucket at Chebyshev distance exactly `ring` from (column, row), for searches that
    /// walk outward ring by ring; cells outside the extent are skipped without being visited one by one.
    @inlinable
    public func forEachBucket(inRing ring: Int, around column: Int, _ row: Int, _ body: (Int) -> Void) {
        func visit(_ c: Int, _ r: Int) {
            if c >= 0, c < columns, r >= 0, r < rows { body(r * columns + c) }
        }
        if ring == 0 {
            visit(column, row)
            return
        }
        let top = row + ring, bottom = row - ring
        let west = Swift.max(column - ring, 0), east = Swift.min(column + ring, columns - 1)
        if west <= east {
            for c in west...east {
                visit(c, top)
                visit(c, bottom)
            }
        }
        let low = Swift.max(bottom + 1, 0), high = Swift.min(top - 1, rows - 1)
        if low <= high {
            for r in low...high {
                visit(column - ring, r)
                visit(column + ring, r)
            }
        }
    }
}

/// The items of each bucket of a grid as two flat arrays (compressed rows): bucket b holds
/// `items[starts[b] ..< starts[b + 1]]`, in the order they were added. Built in two passes (count, then fill)
/// without an array per bucket, so an index of millions of entries builds in one allocation per array.
public struct BucketLists: Sendable {
    /// `bucketCount + 1` offsets into ``items``.
    public let starts: [Int32]
    public let items: [Int32]

    /// Lists `bucketCount` buckets. `entries` is called twice and must report the same (item, bucket) pairs in
    /// the same order each time, by calling its argument once per pair.
    @inlinable
    public init(bucketCount: Int, entries: ((_ item: Int32, _ bucket: Int) -> Void) -> Void) {
        var starts = [Int32](repeating: 0, count: bucketCount + 1)
        entries { _, bucket in starts[bucket + 1] += 1 }
        for b in 1..<starts.count { starts[b] += starts[b - 1] }
        var fill = starts
        var items = [Int32](repeating: 0, count: Int(starts[bucketCount]))
        entries { item, bucket in
            items[Int(fill[bucket])] = item
            fill[bucket] += 1
        }
        self.starts = starts
        self.items = items
    }
}

extension BucketLists {
    /// Lists each box, by its position in `boxes`, in every bucket of `grid` that it touches (see
    /// ``BucketGrid/forEachBucket(overlapping:_:)``).
    @inlinable
    public init(grid: BucketGrid, boxes: [BoundingBox]) {
        self.init(bucketCount: grid.bucketCount) { add in
            for (item, box) in boxes.enumerated() {
                grid.forEachBucket(overlapping: box) { add(Int32(item), $0) }
            }
        }
    }
}
