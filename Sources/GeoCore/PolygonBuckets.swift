/// Polygon parts (``FlatPolygons``) listed per bucket of a ``BucketGrid`` with each bucket's answer worked out at
/// build time as far as the bucket allows: the lookup structure of `PolygonIndex`, where most positions are then
/// answered without any crossing test.
///
/// Each part is compared with every bucket its box touches, the bucket widened by a margin (about 1.5e-11 of the
/// largest coordinate) that covers both the rounding of a position into its bucket and the rounding of the crossing
/// test, so that what is decided for the widened bucket holds for every position the grid puts in it:
/// - a part whose edges all miss the bucket holds either all of it or none of it (its parity at the bucket's centre
///   says which): the bucket lists it as a *holder*, answered with no test, or not at all;
/// - an axis-aligned rectangle (``FlatPolygons/isRectangle(part:box:)``) crossing the bucket is tested against its
///   box, half-open as the crossing test is;
/// - any other part crossing the bucket keeps a *test*: when the part has many edges, only the edges whose crossing
///   varies inside the bucket, from a parity that counts those whose crossing is the same everywhere in it (an edge
///   wholly east of the bucket and reaching above and below it always crosses, one wholly west, above or below it
///   never does, and one wholly east ending inside its rows counts by comparing its ends' y alone); otherwise the
///   whole part.
///
/// Every edge that is tested is tested by ``Planar/edgeCrossesEastRay(ax:ay:bx:by:x:y:)`` as
/// ``FlatPolygons/contains(part:x:y:)`` tests it, behind the same closed box test, and every edge left out provably
/// answers the same for every position of the bucket. So the keys found are exactly those of testing every part
/// whose box holds the position in full: the half-open rule on shared edges, holes and overlaps included.
///
/// Within a bucket the items are sorted by key, holders first, and a key's tests are dropped where one of its parts
/// holds the whole bucket; keys therefore come out ascending and each once, and the first is the lowest.
///
/// A lookup is a few dependent memory reads, so the layout keeps them few and small: one directory word per bucket
/// answers the commonest buckets alone (nothing, one holder, or one part to test); elsewhere each test carries where
/// its part's box lies in the bucket, in 256ths, so that parts whose box misses the position are passed over without
/// reading them; and a part's box, key and vertices sit together in one block of ``values``, one read.
public final class PolygonBuckets: Sendable {
    /// The grid of buckets, from the south-west corner of ``bounds``.
    public let grid: BucketGrid
    /// The union of the parts' boxes; positions outside it are in no part. Nil without parts.
    public let bounds: BoundingBox?

    /// One word per bucket, so that the commonest buckets are answered from it alone: ``empty``, a sole holder
    /// `~key` (-2^29 ... -1), a sole part to test (``soleTest`` - the offset of its block), or the offset in
    /// ``words`` of the bucket's item count, followed by its items.
    @usableFromInline let directory: [Int32]
    /// Items: a holder's key (>= 0); a part to test whole, `~offset` of its block (-1 ... -values.count) followed by
    /// where its box lies in the bucket (see ``Builder/boxFilter(_:bucket:)``); or a subset test of key k,
    /// `~(values.count + k)` followed by the offset of its values and their header (see ``test(subset:header:x:y:)``).
    @usableFromInline let words: [Int32]
    /// The parts' blocks (``Block``) and the edges and y values of subset tests.
    @usableFromInline let values: [Double]
    /// The offset of each part's block in ``values``.
    @usableFromInline let blocks: [Int32]
    /// The parts, kept for those of several rings (or a non-finite vertex) only.
    @usableFromInline let parts: FlatPolygons

    /// A bucket holding nothing.
    @usableFromInline static let empty = Int32.min
    /// Directory words below it name a sole part to test; above it (and below 0), a sole holder.
    @usableFromInline static let soleTest: Int32 = -(1 << 30) - 1

    /// A part's block in ``values``, so that one memory access brings what its test needs: its box (4 values), then
    /// a word (a `UInt64` bit pattern) of its key (low 32 bits), how it is tested (2 bits, ``ring``, ``rectangle``
    /// or ``rings``) and a count (30 bits), then for a part of one ring its `count` vertices as x y pairs.
    @usableFromInline enum Block {
        /// One ring, its vertices in the block, behind the box (closed).
        @usableFromInline static let ring: UInt64 = 0
        /// An axis-aligned rectangle: its box, half-open.
        @usableFromInline static let rectangle: UInt64 = 1
        /// Several rings or a non-finite vertex: `FlatPolygons.contains` of part `count`, behind the box.
        @usableFromInline static let rings: UInt64 = 2
    }

    /// Lists and resolves `parts`, part p with box `boxes[p]` (the box a position must lie in, edges included,
    /// before the part is tested) and key `keys[p]` (0 ..< 2^29, as the parts' count).
    /// - Parameter bucketsPerPart: about how many buckets a part of the median box area spans; nil chooses from the
    ///   parts' edges (half their mean count, 1 to 64: parts of many edges gain most from buckets that need
    ///   no test, small ones are cheap to test). More buckets answer more positions with no test and cost memory;
    ///   the grid never exceeds 4 × `bucketsPerPart` buckets per part (4,096 at least, 4 M at most), nor 4,096 a side.
    public init(parts: FlatPolygons, boxes: [BoundingBox], keys: [Int32], bucketsPerPart: Double? = nil) {
        precondition(boxes.count == parts.partCount && keys.count == parts.partCount, "one box and one key per part")
        precondition(parts.partCount < 1 << 29 && keys.allSatisfy { $0 >= 0 && $0 < 1 << 29 }, "keys and parts below 2^29")
        guard let bounds = boxes.dropFirst().reduce(boxes.first, { $0?.union($1) }) else {
            self.bounds = nil
            grid = BucketGrid(originX: 0, originY: 0, cellSize: 1, columns: 1, rows: 1)
            directory = [Self.empty]
            words = []
            values = []
            blocks = []
            self.parts = FlatPolygons()
            return
        }
        self.bounds = bounds
        let meanEdges = Double(parts.xs.count) / Double(parts.partCount)
        let perPart = Swift.min(64, Swift.max(1, bucketsPerPart ?? meanEdges / 2))
        let grid = BucketGrid(covering: bounds, cellSize: Self.cellSize(boxes: boxes, bounds: bounds, bucketsPerPart: perPart))
        self.grid = grid
        var builder = Builder(parts: parts, boxes: boxes, keys: keys, grid: grid, bounds: bounds)
        for part in 0..<parts.partCount { builder.add(part: part) }
        (directory, words, values) = builder.finish()
        blocks = builder.blocks
        self.parts = builder.needsParts ? parts : FlatPolygons()
    }

    /// The bucket edge: the median part box shared by `bucketsPerPart` buckets (the median, so that a few large
    /// parts do not coarsen the buckets of many small ones), widened to keep the grid within its budget.
    static func cellSize(boxes: [BoundingBox], bounds: BoundingBox, bucketsPerPart: Double) -> Double {
        let areas = boxes.map { Swift.max($0.width * $0.height, 1e-18) }.sorted()
        let budget = Swift.min(Double(1 << 22), Swift.max(4096, Double(boxes.count) * bucketsPerPart * 4))
        return Swift.max(
            (areas[areas.count / 2] / bucketsPerPart).squareRoot(), (bounds.width * bounds.height / budget).squareRoot(),
            Swift.max(bounds.width, bounds.height) / 4096, 1e-12)
    }

    /// How the buckets answer, for memory and speed reports: buckets holding nothing, answered by one holder, or
    /// by testing one part, and over the others their holders and tests.
    public var census: (empty: Int, soleHolder: Int, soleTest: Int, holders: Int, tests: Int) {
        var empty = 0, soleHolder = 0, soleTest = 0, holders = 0, tests = 0
        for entry in directory {
            if entry == Self.empty {
                empty += 1
            } else if entry <= Self.soleTest {
                soleTest += 1
            } else if entry < 0 {
                soleHolder += 1
            } else {
                var k = Int(entry) + 1
                let end = k + Int(words[Int(entry)])
                while k < end {
                    let word = Int(words[k])
                    if word >= 0 {
                        holders += 1
                    } else {
                        tests += 1
                    }
                    k += word >= 0 ? 1 : ~word < values.count ? 2 : 3
                }
            }
        }
        return (empty, soleHolder, soleTest, holders, tests)
    }

    /// The bytes the structure holds: directory, items, parts and edge values, and the parts' rings.
    public var byteCount: Int {
        4 * (directory.count + words.count + blocks.count) + 8 * values.count
            + 8 * (parts.xs.count + parts.ys.count) + 4 * (parts.ringStarts.count + parts.partRingStarts.count)
    }

    /// Calls `body` with the key of every part holding `point`, ascending and each once, until `body` returns false.
    @inlinable
    public func forEachKey(holding point: Coordinate, _ body: (Int) -> Bool) {
        guard let bounds, bounds.contains(point) else { return }
        let x = point.x, y = point.y
        let (bucket, offsetX, offsetY) = grid.clampedBucketAndOffset(ofX: x, y: y)
        let entry = directory[bucket]
        guard entry >= 0 else {
            if entry > Self.soleTest {
                _ = body(Int(~entry))
            } else if entry != Self.empty {
                let (holds, key) = test(block: Int(Self.soleTest - entry), x: x, y: y)
                if holds { _ = body(key) }
            }
            return
        }
        words.withUnsafeBufferPointer { words in
            var k = Int(entry) + 1
            let end = k + Int(words[Int(entry)])
            var last = -1
            while k < end {
                let word = Int(words[k])
                k += 1
                if word >= 0 {
                    // A holder: every position of the bucket is in one of this key's parts.
                    last = word
                    guard body(word) else { return }
                    continue
                }
                let key: Int
                let holds: Bool
                if ~word < values.count {
                    // Where the part's box lies in the bucket, in 256ths of it each way (widened by one): a point
                    // outside is outside the box, and the part is passed over without reading it.
                    let box = UInt32(bitPattern: words[k])
                    k += 1
                    let (cellX, cellY) = (UInt32(Swift.min(255, Int(offsetX * 256))), UInt32(Swift.min(255, Int(offsetY * 256))))
                    guard cellX >= box & 0xFF, cellX <= box >> 8 & 0xFF, cellY >= box >> 16 & 0xFF, cellY <= box >> 24 else { continue }
                    let (inside, partKey) = test(block: ~word, x: x, y: y)
                    key = partKey
                    // A second part of a key already found adds nothing.
                    holds = inside && key != last
                } else {
                    key = ~word - values.count
                    holds = key != last && test(subset: Int(words[k]), header: Int(words[k + 1]), x: x, y: y)
                    k += 2
                }
                guard holds else { continue }
                last = key
                guard body(key) else { return }
            }
        }
    }

    /// The keys of the parts whose box intersects `box` (edges touching count), ascending and each once.
    public func keys(ofBoxesIntersecting box: BoundingBox) -> [Int] {
        var result = Set<Int>()
        for o in blocks.map(Int.init) where values[o] <= box.maxX && box.minX <= values[o + 2] && values[o + 1] <= box.maxY && box.minY <= values[o + 3] {
            result.insert(Int(values[o + 4].bitPattern & 0xFFFF_FFFF))
        }
        return result.sorted()
    }

    /// Every pair of keys, lower first, of which some two parts have boxes sharing interior points, ascending and
    /// each once: the pairs whose polygons may overlap. Parts whose boxes only touch (a shared edge or corner, as
    /// rectangular grids have) cannot, and are not paired; nor are two parts of one key. Each pair of parts is
    /// found in the one bucket holding the south-west corner of their boxes' intersection, so that a pass over
    /// the buckets costs about the parts' neighbours, not every part against every other.
    public func keyPairsWithOverlappingBoxes() -> [(Int, Int)] {
        let boxes = blocks.map { o in
            BoundingBox(minX: values[Int(o)], minY: values[Int(o) + 1], maxX: values[Int(o) + 2], maxY: values[Int(o) + 3])
        }
        let keys = blocks.map { Int(values[Int($0) + 4].bitPattern & 0xFFFF_FFFF) }
        let lists = BucketLists(grid: grid, boxes: boxes)
        var pairs: [(Int, Int)] = []
        for bucket in 0..<grid.bucketCount {
            let items = lists.items[Int(lists.starts[bucket])..<Int(lists.starts[bucket + 1])]
            for (n, p) in zip(items.indices, items) {
                let a = boxes[Int(p)]
                for q in items[(n + 1)...] where keys[Int(p)] != keys[Int(q)] {
                    let b = boxes[Int(q)]
                    guard a.sharesInterior(with: b) else { continue }
                    let west = Swift.max(a.minX, b.minX), south = Swift.max(a.minY, b.minY)
                    guard let corner = grid.bucketCells(overlapping: BoundingBox(minX: west, minY: south, maxX: west, maxY: south)),
                        grid.bucket(column: corner.columns.lowerBound, row: corner.rows.lowerBound) == bucket
                    else { continue }
                    let (i, j) = (keys[Int(p)], keys[Int(q)])
                    pairs.append(i < j ? (i, j) : (j, i))
                }
            }
        }
        // Parts of a multipolygon may pair with the same key twice.
        pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var unique: [(Int, Int)] = []
        unique.reserveCapacity(pairs.count)
        for pair in pairs where unique.last.map({ $0 != pair }) ?? true { unique.append(pair) }
        return unique
    }

    /// Whether the part whose block starts at `values[offset]`, tested whole, holds (x, y), and its key.
    @inlinable
    func test(block offset: Int, x: Double, y: Double) -> (holds: Bool, key: Int) {
        values.withUnsafeBufferPointer { v in
            let word = v[offset + 4].bitPattern
            let key = Int(word & 0xFFFF_FFFF), how = word >> 32 & 3, count = Int(word >> 34)
            let minX = v[offset], minY = v[offset + 1], maxX = v[offset + 2], maxY = v[offset + 3]
            if how == Block.rectangle { return (minX <= x && x < maxX && minY <= y && y < maxY, key) }
            guard minX <= x, x <= maxX, minY <= y, y <= maxY else { return (false, key) }
            if how == Block.rings { return (parts.contains(part: count, x: x, y: y), key) }
            let first = offset + 5
            return (Planar.ringParity(vertices: 0..<count, x: x, y: y) { (v[first + 2 * $0], v[first + 2 * $0 + 1]) }, key)
        }
    }

    /// Whether the subset test whose values start at `values[offset]` holds (x, y): behind the part's box when
    /// `header & 2` (its four values first), `header >> 17` edges as ax ay bx by and then `(header >> 2) & 0x7FFF`
    /// y values of edges' ends, starting from the parity `header & 1` of the edges left out.
    @inlinable
    func test(subset offset: Int, header: Int, x: Double, y: Double) -> Bool {
        values.withUnsafeBufferPointer { values in
            var i = offset
            if header & 2 != 0 {
                guard values[i] <= x, x <= values[i + 2], values[i + 1] <= y, y <= values[i + 3] else { return false }
                i += 4
            }
            var odd = header & 1 != 0
            for _ in 0..<(header >> 17) {
                if Planar.edgeCrossesEastRay(ax: values[i], ay: values[i + 1], bx: values[i + 2], by: values[i + 3], x: x, y: y) { odd.toggle() }
                i += 4
            }
            for _ in 0..<((header >> 2) & 0x7FFF) {
                if values[i] > y { odd.toggle() }
                i += 1
            }
            return odd
        }
    }
}

extension PolygonBuckets {
    /// The build: one record per part and bucket it reaches, then the records of each bucket sorted into words.
    struct Builder {
        struct Record {
            var bucket: Int32
            var key: Int32
            var item: Item
        }

        /// What a bucket lists for a part.
        enum Item {
            case holder
            case part(Int32)
            case subset(offset: Int32, header: Int32)

            var isHolder: Bool {
                if case .holder = self { return true }
                return false
            }
        }

        /// An edge as the crossing test sees it, `a` the later vertex.
        struct Edge {
            var ax, ay, bx, by: Double
        }

        let parts: FlatPolygons
        let boxes: [BoundingBox]
        let keys: [Int32]
        let grid: BucketGrid
        let bounds: BoundingBox
        /// The widening of a bucket: far above the rounding of a position into its bucket (a few ulps of the
        /// coordinates) and of a crossing (about 13 ulps of the largest coordinate), so that an edge outside the
        /// widened bucket is outside the reach of both for every position in it.
        let margin: Double
        var records: [Record] = []
        var values: [Double] = []
        var blocks: [Int32] = []
        /// Whether a part is tested through ``FlatPolygons`` (several rings, a non-finite vertex).
        var needsParts = false

        init(parts: FlatPolygons, boxes: [BoundingBox], keys: [Int32], grid: BucketGrid, bounds: BoundingBox) {
            self.parts = parts
            self.boxes = boxes
            self.keys = keys
            self.grid = grid
            self.bounds = bounds
            var scale = Swift.max(abs(bounds.minX), abs(bounds.maxX), abs(bounds.minY), abs(bounds.maxY))
            for v in parts.xs where v.isFinite { scale = Swift.max(scale, abs(v)) }
            for v in parts.ys where v.isFinite { scale = Swift.max(scale, abs(v)) }
            let extent = Double(Swift.max(grid.columns, grid.rows)) * grid.cellSize
            margin = Swift.max(Swift.max(scale, extent) * 0x1p-36, .leastNormalMagnitude)
        }

        /// Bucket (column, row) widened by the margin; the first and last column and row reach the bounds, which
        /// the grid clamps into them.
        func region(column: Int, row: Int) -> BoundingBox {
            let s = grid.cellSize
            var minX = grid.originX + Double(column) * s, maxX = grid.originX + Double(column + 1) * s
            var minY = grid.originY + Double(row) * s, maxY = grid.originY + Double(row + 1) * s
            if column == 0 { minX = Swift.min(minX, bounds.minX) }
            if column == grid.columns - 1 { maxX = Swift.max(maxX, bounds.maxX) }
            if row == 0 { minY = Swift.min(minY, bounds.minY) }
            if row == grid.rows - 1 { maxY = Swift.max(maxY, bounds.maxY) }
            return BoundingBox(minX: minX - margin, minY: minY - margin, maxX: maxX + margin, maxY: maxY + margin)
        }

        mutating func add(part: Int) {
            let box = boxes[part], key = keys[part]
            var finite = true
            parts.forEachEdge(ofPart: part) { ax, ay, bx, by in
                if !(ax.isFinite && ay.isFinite && bx.isFinite && by.isFinite) { finite = false }
            }
            let rectangle = finite && parts.isRectangle(part: part, box: box)
            let rings = parts.rings(ofPart: part)
            let ring = finite && !rectangle && rings.count == 1 ? parts.vertices(ofRing: rings.lowerBound) : 0..<0
            let (how, count) = rectangle ? (Block.rectangle, 0) : finite && rings.count == 1 ? (Block.ring, ring.count) : (Block.rings, part)
            if how == Block.rings { needsParts = true }
            blocks.append(Int32(values.count))
            append(box)
            values.append(Double(bitPattern: UInt64(UInt32(key)) | how << 32 | UInt64(count) << 34))
            for k in ring {
                values.append(parts.xs[k])
                values.append(parts.ys[k])
            }
            guard let (columns, rows) = grid.bucketCells(overlapping: box) else { return }
            if !finite {
                // Nothing can be said ahead about a part with a non-finite vertex: test it whole everywhere.
                for row in rows {
                    for column in columns { records.append(Record(bucket: Int32(grid.bucket(column: column, row: row)), key: key, item: .part(Int32(part)))) }
                }
            } else if rectangle {
                addRectangle(part: part, box: box, key: key, columns: columns, rows: rows)
            } else {
                addPolygon(part: part, box: box, key: key, columns: columns, rows: rows)
            }
        }

        private mutating func addRectangle(part: Int, box: BoundingBox, key: Int32, columns: ClosedRange<Int>, rows: ClosedRange<Int>) {
            for row in rows {
                for column in columns {
                    let r = region(column: column, row: row)
                    // Holds x in [minX, maxX) and y in [minY, maxY): nothing of the bucket, all of it, or a test.
                    if r.maxX < box.minX || r.minX >= box.maxX || r.maxY < box.minY || r.minY >= box.maxY { continue }
                    let all = box.minX <= r.minX && r.maxX < box.maxX && box.minY <= r.minY && r.maxY < box.maxY
                    records.append(Record(bucket: Int32(grid.bucket(column: column, row: row)), key: key, item: all ? .holder : .part(Int32(part))))
                }
            }
        }

        private mutating func addPolygon(part: Int, box: BoundingBox, key: Int32, columns: ClosedRange<Int>, rows: ClosedRange<Int>) {
            // Every edge but those of no length, filed under the rows they may reach. A horizontal edge never
            // crosses the ray, but it bounds the part all the same: a bucket it passes through is not uniform.
            var edges: [Edge] = []
            var edgeCount = 0
            parts.forEachEdge(ofPart: part) { ax, ay, bx, by in
                edgeCount += 1
                if ax != bx || ay != by { edges.append(Edge(ax: ax, ay: ay, bx: bx, by: by)) }
            }
            let firstRow = rows.lowerBound
            let byRow = BucketLists(bucketCount: rows.count) { add in
                for (k, e) in edges.enumerated() {
                    let low = grid.cell(ofX: 0, y: Swift.min(e.ay, e.by) - margin).row - 1
                    let high = grid.cell(ofX: 0, y: Swift.max(e.ay, e.by) + margin).row + 1
                    guard high >= rows.lowerBound, low <= rows.upperBound else { continue }
                    for row in Swift.max(low, rows.lowerBound)...Swift.min(high, rows.upperBound) { add(Int32(k), row - firstRow) }
                }
            }
            var band: [Edge] = [], near: [Edge] = [], ends: [Double] = []
            for row in rows {
                let rowRegion = region(column: columns.lowerBound, row: row)
                band.removeAll(keepingCapacity: true)
                for slot in Int(byRow.starts[row - firstRow])..<Int(byRow.starts[row - firstRow + 1]) {
                    let e = edges[Int(byRow.items[slot])]
                    // Both ends at or below the bucket, or both above it: never one above and one at or below y.
                    if (e.ay <= rowRegion.minY && e.by <= rowRegion.minY) || (e.ay > rowRegion.maxY && e.by > rowRegion.maxY) { continue }
                    band.append(e)
                }
                for column in columns {
                    let r = region(column: column, row: row)
                    if box.maxX < r.minX || box.minX > r.maxX || box.maxY < r.minY || box.minY > r.maxY { continue }
                    let boxHoldsAll = box.minX <= r.minX && r.maxX <= box.maxX && box.minY <= r.minY && r.maxY <= box.maxY
                    var parity = false, crossed = false
                    near.removeAll(keepingCapacity: true)
                    ends.removeAll(keepingCapacity: true)
                    for e in band {
                        // Wholly west: its crossing lies west of every position. Wholly east: east of every
                        // position, so it counts when one end is above y and the other not, which each end tells
                        // alone: always above the bucket, never (at or below it), or compared at the lookup.
                        if e.ax < r.minX && e.bx < r.minX { continue }
                        let horizontal = e.ay == e.by
                        if e.ax > r.maxX && e.bx > r.maxX {
                            guard !horizontal else { continue }
                            if e.ay > r.maxY { parity.toggle() } else if e.ay > r.minY { ends.append(e.ay) }
                            if e.by > r.maxY { parity.toggle() } else if e.by > r.minY { ends.append(e.by) }
                            continue
                        }
                        if !horizontal { near.append(e) }
                        if !crossed, Self.segment(e, meets: r) { crossed = true }
                    }
                    let bucket = Int32(grid.bucket(column: column, row: row))
                    if !crossed {
                        // No edge meets the bucket: the part holds all of it or none of it, as at its centre.
                        let cx = (r.minX + r.maxX) / 2, cy = (r.minY + r.maxY) / 2
                        var inside = parity
                        for e in near where Planar.edgeCrossesEastRay(ax: e.ax, ay: e.ay, bx: e.bx, by: e.by, x: cx, y: cy) { inside.toggle() }
                        for end in ends where end > cy { inside.toggle() }
                        guard inside else { continue }
                        if boxHoldsAll {
                            records.append(Record(bucket: bucket, key: key, item: .holder))
                        } else {
                            // Inside by parity but the box cuts the bucket (a hole outside its exterior).
                            records.append(Record(bucket: bucket, key: key, item: .subset(offset: Int32(values.count), header: 2 | 1)))
                            append(box)
                        }
                        continue
                    }
                    // Ends of two east edges at the same y cancel (the vertex joining them).
                    ends.sort()
                    var kept = 0, k = 0
                    while k < ends.count {
                        if k + 1 < ends.count, ends[k] == ends[k + 1] {
                            k += 2
                        } else {
                            ends[kept] = ends[k]
                            kept += 1
                            k += 1
                        }
                    }
                    ends.removeLast(ends.count - kept)
                    let size = 4 * near.count + ends.count + (boxHoldsAll ? 0 : 4)
                    guard edgeCount >= 16, size <= edgeCount, near.count < 1 << 14, ends.count < 1 << 15 else {
                        records.append(Record(bucket: bucket, key: key, item: .part(Int32(part))))
                        continue
                    }
                    let header = near.count << 17 | ends.count << 2 | (boxHoldsAll ? 0 : 2) | (parity ? 1 : 0)
                    records.append(Record(bucket: bucket, key: key, item: .subset(offset: Int32(values.count), header: Int32(header))))
                    if !boxHoldsAll { append(box) }
                    for e in near {
                        values.append(e.ax)
                        values.append(e.ay)
                        values.append(e.bx)
                        values.append(e.by)
                    }
                    values += ends
                }
            }
        }

        /// Appends a box to ``values`` as west, south, east, north.
        mutating func append(_ box: BoundingBox) {
            values.append(box.minX)
            values.append(box.minY)
            values.append(box.maxX)
            values.append(box.maxY)
        }

        /// Whether segment e meets box r (edges included). Rounding can only err where the segment passes within a
        /// few ulps of a corner, well inside the margin that widened r.
        static func segment(_ e: Edge, meets r: BoundingBox) -> Bool {
            if (e.ax < r.minX && e.bx < r.minX) || (e.ax > r.maxX && e.bx > r.maxX) || (e.ay < r.minY && e.by < r.minY)
                || (e.ay > r.maxY && e.by > r.maxY)
            {
                return false
            }
            // The segment's box meets r: the segment does unless r's corners all lie strictly on one side of its line.
            let dx = e.bx - e.ax, dy = e.by - e.ay
            func side(_ x: Double, _ y: Double) -> Double { dx * (y - e.ay) - dy * (x - e.ax) }
            let sides = (side(r.minX, r.minY), side(r.maxX, r.minY), side(r.minX, r.maxY), side(r.maxX, r.maxY))
            let positive = sides.0 > 0 && sides.1 > 0 && sides.2 > 0 && sides.3 > 0
            let negative = sides.0 < 0 && sides.1 < 0 && sides.2 < 0 && sides.3 < 0
            return !(positive || negative)
        }

        /// The directory and words of every bucket: its records by key, holders first, tests of a key that holds
        /// dropped.
        func finish() -> (directory: [Int32], words: [Int32], values: [Double]) {
            precondition(values.count < 1 << 30, "at most 2^30 values")
            let lists = BucketLists(bucketCount: grid.bucketCount) { add in
                for (k, record) in records.enumerated() { add(Int32(k), Int(record.bucket)) }
            }
            var directory = [Int32](repeating: PolygonBuckets.empty, count: grid.bucketCount)
            var words: [Int32] = []
            var order: [Int32] = [], items: [Int32] = []
            for b in 0..<grid.bucketCount {
                order.removeAll(keepingCapacity: true)
                order += lists.items[Int(lists.starts[b])..<Int(lists.starts[b + 1])]
                // Few per bucket, mostly in order already (parts come in key order): insertion sort, stable.
                for i in order.indices.dropFirst() {
                    let item = order[i]
                    var j = i
                    while j > 0, Self.precedes(records[Int(item)], records[Int(order[j - 1])]) {
                        order[j] = order[j - 1]
                        j -= 1
                    }
                    order[j] = item
                }
                items.removeAll(keepingCapacity: true)
                var held: Int32 = -1
                for item in order {
                    let record = records[Int(item)]
                    if record.key == held { continue }
                    switch record.item {
                    case .holder:
                        items.append(record.key)
                        held = record.key
                    case .part(let part):
                        items.append(~blocks[Int(part)])
                        items.append(boxFilter(boxes[Int(part)], bucket: b))
                    case .subset(let offset, let header):
                        items.append(~(Int32(values.count) + record.key))
                        items.append(offset)
                        items.append(header)
                    }
                }
                if items.count == 1 {
                    directory[b] = ~items[0]
                } else if items.count == 2, items[0] < 0 {
                    // One part to test, whose box filter is not needed: the directory names it.
                    directory[b] = PolygonBuckets.soleTest - ~items[0]
                } else if !items.isEmpty {
                    directory[b] = Int32(words.count)
                    words.append(Int32(items.count))
                    words += items
                }
            }
            return (directory, words, values)
        }

        /// Where `box` lies in bucket `bucket`, in 256ths of the bucket from its south-west corner, as the bytes
        /// west, east, south, north (west lowest): widened by the margin and rounded outward by one 256th, beyond
        /// the rounding of a position's offset in its bucket (``BucketGrid/clampedBucketAndOffset(ofX:y:)``, a few
        /// ulps of the coordinates), so that a position outside these bounds is outside the box.
        func boxFilter(_ box: BoundingBox, bucket: Int) -> Int32 {
            let column = bucket % grid.columns, row = bucket / grid.columns
            let cellX = grid.originX + Double(column) * grid.cellSize, cellY = grid.originY + Double(row) * grid.cellSize
            func low(_ v: Double, _ origin: Double) -> UInt32 {
                let t = ((v - origin) / grid.cellSize * 256).rounded(.down) - 1
                return t.isNaN ? 0 : UInt32(Swift.max(0, Swift.min(255, t)))
            }
            func high(_ v: Double, _ origin: Double) -> UInt32 {
                let t = ((v - origin) / grid.cellSize * 256).rounded(.up) + 1
                return t.isNaN ? 255 : UInt32(Swift.max(0, Swift.min(255, t)))
            }
            let bytes =
                low(box.minX - margin, cellX) | high(box.maxX + margin, cellX) << 8 | low(box.minY - margin, cellY) << 16
                | high(box.maxY + margin, cellY) << 24
            return Int32(bitPattern: bytes)
        }

        static func precedes(_ a: Record, _ b: Record) -> Bool {
            a.key != b.key ? a.key < b.key : a.item.isHolder && !b.item.isHolder
        }
    }
}
