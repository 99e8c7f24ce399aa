import GeoCore

/// One fence near a queried position.
public struct FenceHit: Sendable, Hashable {
    /// The fence's position in ``FenceIndex/fences``.
    public var fence: Int
    /// Area: inside the polygon (even-odd, holes excluded). Corridor: within half the width of the line.
    /// Collection point: within the radius.
    public var inside: Bool
    /// Area: signed metres to the nearest boundary, positive inside, negative outside.
    /// Corridor: metres to the line. Collection point: metres to the centre.
    public var distance: Double

    /// Metres beyond the fence's edge, positive when outside: what hysteresis bands are measured on.
    /// Area: minus the signed depth; corridor: distance minus half width; point: distance minus radius.
    public var outsideBy: Double
}

/// An immutable index of fences answering "which fences are at or near this position, how far in or out" in a
/// few hundred nanoseconds against tens of thousands of fences.
///
/// Shapes are projected once into a ``LocalFrame`` (metres), flattened into contiguous arrays, and registered in
/// the cells of a uniform grid that their bounding boxes, grown by `reach` metres (plus the corridor half width
/// or point radius), overlap. A query visits one cell: area parts run one pass over their edges giving both the
/// even-odd crossing parity and the nearest edge; corridor segments give their distance. So every fence within
/// `reach` metres of its edge is reported with an exact distance; a fence not reported is farther out than that.
public struct FenceIndex: Sendable {
    /// The fences, in the order given.
    public let fences: [Fence]
    /// The frame distances are measured in.
    public let frame: LocalFrame
    /// How far outside a fence's edge it is still reported, metres.
    public let reach: Double
    /// Fence position by id.
    public let positionById: [String: Int]

    /// Area parts, projected, their rings back to back.
    private let parts: FlatPolygons
    private let partFence: [Int32]
    /// minX, minY, maxX, maxY of each part grown by `reach`, four doubles a part.
    private let partBox: [Double]
    // Corridor segments, projected.
    private let segA: [Double]  // ax, ay, bx, by per segment
    private let segFence: [Int32]
    // Collection points, projected.
    private let pointXY: [Double]
    private let pointFence: [Int32]
    private let halfWidth: [Double]  // per fence: corridor half width or point radius, else 0
    /// Per fence, its parts (areas) or segments (corridors): items are appended fence by fence, so contiguous.
    private let ownItems: [Range<Int>]
    // Grid: items of cell c are cellItems[cellStart[c] ..< cellStart[c + 1]]; an item below partCount is a part,
    // then segments, then points.
    private let cellStart: [Int32]
    private let cellItems: [Int32]
    private let grid: BucketGrid

    /// Builds the index.
    /// - Parameters:
    ///   - reach: metres outside a fence's edge within which it is still reported; at least the largest
    ///     hysteresis band the caller uses.
    ///   - cellSize: grid cell in metres; grown automatically so that the grid stays under about 4 million cells.
    ///   - frame: the metric frame; by default centred on the fences' bounding box.
    public init(_ fences: [Fence], reach: Double = 50, cellSize: Double = 250, frame: LocalFrame? = nil) {
        self.fences = fences
        self.reach = reach
        var positions: [String: Int] = [:]
        for (i, fence) in fences.enumerated() { positions[fence.id] = i }
        positionById = positions

        var all: BoundingBox?
        func include(_ c: Coordinate) {
            if all == nil { all = BoundingBox(minX: c.x, minY: c.y, maxX: c.x, maxY: c.y) } else { all!.expand(toInclude: c) }
        }
        for fence in fences {
            for part in fence.polygons { part.first?.forEach(include) }
            fence.line.forEach(include)
            if let c = fence.center { include(c) }
        }
        let frame = frame ?? LocalFrame(origin: all?.center ?? Coordinate(x: 0, y: 0))
        self.frame = frame

        var flat = FlatPolygons()
        var partFence: [Int32] = []
        var partBox: [Double] = []
        var segA: [Double] = []
        var segFence: [Int32] = []
        var pointXY: [Double] = []
        var pointFence: [Int32] = []
        var halfWidth = [Double](repeating: 0, count: fences.count)
        var ownItems = [Range<Int>](repeating: 0..<0, count: fences.count)
        // Grown boxes of every item, in item order, for the grid pass.
        var boxes: [BoundingBox] = []
        for (f, fence) in fences.enumerated() {
            switch fence.kind {
            case .area:
                let firstPart = partFence.count
                defer { ownItems[f] = firstPart..<partFence.count }
                for part in fence.polygons where part.contains(where: { !$0.isEmpty }) {
                    // A part with a vertex has a box.
                    let box = flat.append(rings: part, mapping: frame.project)!.expanded(by: reach)
                    partFence.append(Int32(f))
                    partBox.append(contentsOf: [box.minX, box.minY, box.maxX, box.maxY])
                    boxes.append(box)
                }
            default: break
            }
        }
        for (f, fence) in fences.enumerated() where fence.kind == .corridor {
            let half = fence.corridorWidthMetres / 2
            halfWidth[f] = half
            let grow = half + reach
            let projected = fence.line.map { frame.project($0) }
            ownItems[f] = segFence.count..<(segFence.count + max(projected.count - 1, 0))
            for k in 0..<max(projected.count - 1, 0) {
                let a = projected[k], b = projected[k + 1]
                segA.append(contentsOf: [a.x, a.y, b.x, b.y])
                segFence.append(Int32(f))
                boxes.append(BoundingBox(minX: min(a.x, b.x) - grow, minY: min(a.y, b.y) - grow, maxX: max(a.x, b.x) + grow, maxY: max(a.y, b.y) + grow))
            }
        }
        for (f, fence) in fences.enumerated() where fence.kind == .collectionPoint {
            guard let c = fence.center else { continue }
            halfWidth[f] = fence.radiusMetres
            let p = frame.project(c)
            pointXY.append(contentsOf: [p.x, p.y])
            pointFence.append(Int32(f))
            let grow = fence.radiusMetres + reach
            boxes.append(BoundingBox(minX: p.x - grow, minY: p.y - grow, maxX: p.x + grow, maxY: p.y + grow))
        }

        let extent = boxes.dropFirst().reduce(boxes.first) { $0?.union($1) } ?? BoundingBox(minX: 0, minY: 0, maxX: 1, maxY: 1)
        var size = max(cellSize, 1)
        while (extent.width / size + 1) * (extent.height / size + 1) > 4_000_000 { size *= 2 }
        let grid = BucketGrid(covering: extent, cellSize: size)
        let cells = BucketLists(grid: grid, boxes: boxes)

        self.parts = flat
        self.partFence = partFence
        self.partBox = partBox
        self.segA = segA
        self.segFence = segFence
        self.pointXY = pointXY
        self.pointFence = pointFence
        self.halfWidth = halfWidth
        self.ownItems = ownItems
        self.cellStart = cells.starts
        self.cellItems = cells.items
        self.grid = grid
    }

    /// Per-caller working memory of queries (one per task: the index itself is shared and immutable).
    public struct Scratch: Sendable {
        /// Position of a fence in the current hit list, or -1.
        var slot: [Int32]
        /// Scratch for an index of `fenceCount` fences.
        public init(fenceCount: Int) { slot = [Int32](repeating: -1, count: fenceCount) }
    }

    /// Scratch sized for this index.
    public func makeScratch() -> Scratch { Scratch(fenceCount: fences.count) }

    /// Replaces `hits` with every fence whose edge is within ``reach`` metres of `position` (and every fence
    /// holding it), one hit per fence, in no particular order.
    public func query(_ position: Coordinate, into hits: inout [FenceHit], scratch: inout Scratch) {
        hits.removeAll(keepingCapacity: true)
        let projected = frame.project(position)
        let px = projected.x, py = projected.y
        guard let cell = grid.bucket(ofX: px, y: py) else { return }
        let partCount = partFence.count
        let segmentCount = segFence.count
        for k in Int(cellStart[cell])..<Int(cellStart[cell + 1]) {
            let item = Int(cellItems[k])
            if item < partCount {
                let b = item * 4
                guard px >= partBox[b], py >= partBox[b + 1], px <= partBox[b + 2], py <= partBox[b + 3] else { continue }
                let depth = signedDepth(part: item, px, py)
                guard depth > -reach else { continue }
                merge(Int(partFence[item]), depth: depth, into: &hits, scratch: &scratch)
            } else if item < partCount + segmentCount {
                let s = item - partCount
                let d = segmentDistance(s, px, py)
                let f = Int(segFence[s])
                guard d - halfWidth[f] < reach else { continue }
                mergeDistance(f, d, into: &hits, scratch: &scratch)
            } else {
                let q = item - partCount - segmentCount
                let dx = px - pointXY[2 * q], dy = py - pointXY[2 * q + 1]
                let d = (dx * dx + dy * dy).squareRoot()
                let f = Int(pointFence[q])
                guard d - halfWidth[f] < reach else { continue }
                mergeDistance(f, d, into: &hits, scratch: &scratch)
            }
        }
        for hit in hits { scratch.slot[hit.fence] = -1 }
    }

    /// The hits of one position as a new array (convenient, allocates).
    public func query(_ position: Coordinate) -> [FenceHit] {
        var hits: [FenceHit] = []
        var scratch = makeScratch()
        query(position, into: &hits, scratch: &scratch)
        return hits
    }

    /// Metres from `position` to corridor fence `fence`'s line over all its segments, however far: for the
    /// maximum deviation of a vehicle already off its route.
    public func corridorDistance(fence: Int, from position: Coordinate) -> Double {
        let projected = frame.project(position)
        let px = projected.x, py = projected.y
        var best = Double.infinity
        for s in ownItems[fence] { best = min(best, segmentDistance(s, px, py)) }
        return best
    }

    /// Metres from the edge of fence `fence` (positive when outside), exactly, however far.
    public func outsideBy(fence: Int, position: Coordinate) -> Double {
        let projected = frame.project(position)
        let px = projected.x, py = projected.y
        switch fences[fence].kind {
        case .area:
            var depth = -Double.infinity
            for p in ownItems[fence] { depth = max(depth, signedDepth(part: p, px, py)) }
            return -depth
        case .corridor:
            return corridorDistance(fence: fence, from: position) - halfWidth[fence]
        case .collectionPoint:
            guard let c = fences[fence].center else { return .infinity }
            return frame.distance(c, position) - halfWidth[fence]
        }
    }

    private func merge(_ f: Int, depth: Double, into hits: inout [FenceHit], scratch: inout Scratch) {
        let slot = Int(scratch.slot[f])
        if slot >= 0 {
            // Several parts of one fence: the deepest counts (inside any part is inside the fence).
            if depth > hits[slot].distance {
                hits[slot].distance = depth
                hits[slot].inside = depth > 0
                hits[slot].outsideBy = -depth
            }
        } else {
            scratch.slot[f] = Int32(hits.count)
            hits.append(FenceHit(fence: f, inside: depth > 0, distance: depth, outsideBy: -depth))
        }
    }

    private func mergeDistance(_ f: Int, _ d: Double, into hits: inout [FenceHit], scratch: inout Scratch) {
        let slot = Int(scratch.slot[f])
        let half = halfWidth[f]
        if slot >= 0 {
            if d < hits[slot].distance {
                hits[slot].distance = d
                hits[slot].inside = d <= half
                hits[slot].outsideBy = d - half
            }
        } else {
            scratch.slot[f] = Int32(hits.count)
            hits.append(FenceHit(fence: f, inside: d <= half, distance: d, outsideBy: d - half))
        }
    }

    @inline(__always)
    private func segmentDistance(_ s: Int, _ px: Double, _ py: Double) -> Double {
        let a = Coordinate(x: segA[4 * s], y: segA[4 * s + 1]), b = Coordinate(x: segA[4 * s + 2], y: segA[4 * s + 3])
        return Planar.segmentDistance(Coordinate(x: px, y: py), a, b).distance
    }

    /// Signed metres from the part's boundary (every ring), positive inside: one pass giving the even-odd
    /// parity and the nearest edge.
    private func signedDepth(part: Int, _ px: Double, _ py: Double) -> Double {
        var inside = false
        var best2 = Double.infinity
        let xs = parts.xs, ys = parts.ys
        for r in parts.rings(ofPart: part) {
            let vertices = parts.vertices(ofRing: r)
            guard vertices.count >= 2 else { continue }
            var j = vertices.upperBound - 1
            for i in vertices {
                let ax = xs[j], ay = ys[j], bx = xs[i], by = ys[i]
                // The edge goes from a (previous) to b (current); its crossing is interpolated from b, as it
                // always was here and as PolygonIndex does, so the two agree to the last bit.
                if Planar.edgeCrossesEastRay(ax: bx, ay: by, bx: ax, by: ay, x: px, y: py) { inside.toggle() }
                let dx = bx - ax, dy = by - ay
                let length2 = dx * dx + dy * dy
                var t = length2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / length2 : 0
                t = min(1, max(0, t))
                let ex = ax + t * dx - px, ey = ay + t * dy - py
                best2 = min(best2, ex * ex + ey * ey)
                j = i
            }
        }
        let d = best2.squareRoot()
        return inside ? d : -d
    }
}
