/// Polygon parts flattened into contiguous coordinate arrays, the layout of the point-in-polygon hot paths
/// (`PolygonIndex`, `FenceIndex`): a query walks a few rings of adjacent doubles instead of chasing an array per
/// ring, and the crossing test is ``Planar/edgeCrossesEastRay(ax:ay:bx:by:x:y:)`` as everywhere.
///
/// Part p has rings `partRingStarts[p] ..< partRingStarts[p + 1]` (its exterior first, then its holes); ring r has
/// vertices `ringStarts[r] ..< ringStarts[r + 1]` of ``xs`` and ``ys``. Rings are stored as given, closed or not:
/// the crossing test joins a ring's last vertex back to its first.
public struct FlatPolygons: Sendable {
    public private(set) var xs: [Double] = []
    public private(set) var ys: [Double] = []
    /// Vertex offsets of the rings, followed by the vertex count.
    public private(set) var ringStarts: [Int32] = [0]
    /// Ring offsets of the parts, followed by the ring count.
    public private(set) var partRingStarts: [Int32] = [0]

    public init() {}

    /// The number of parts appended.
    public var partCount: Int { partRingStarts.count - 1 }

    /// The rings of part `part`.
    @inlinable @inline(__always)
    public func rings(ofPart part: Int) -> Range<Int> { Int(partRingStarts[part])..<Int(partRingStarts[part + 1]) }

    /// The vertices of ring `ring`, indexes into ``xs`` and ``ys``.
    @inlinable @inline(__always)
    public func vertices(ofRing ring: Int) -> Range<Int> { Int(ringStarts[ring])..<Int(ringStarts[ring + 1]) }

    /// Appends one part (exterior, then holes), each vertex mapped by `position` first (into a metric frame, say),
    /// and returns the bounding box of the mapped vertices of all its rings (nil when it has none).
    /// - Parameter opening: leave out a ring's last vertex when it repeats its first. The crossing test joins the
    ///   last vertex to the first anyway, so the answers are the same bit for bit, from less to read.
    @discardableResult
    public mutating func append(
        rings: [[Coordinate]], opening: Bool = false, mapping position: (Coordinate) -> Coordinate = { $0 }
    ) -> BoundingBox? {
        var box: BoundingBox?
        for ring in rings {
            let closed = opening && ring.count > 1 && ring.first == ring.last
            for c in closed ? ring.dropLast() : ring[...] {
                let p = position(c)
                xs.append(p.x)
                ys.append(p.y)
                if box == nil { box = BoundingBox(minX: p.x, minY: p.y, maxX: p.x, maxY: p.y) } else { box!.expand(toInclude: p) }
            }
            ringStarts.append(Int32(xs.count))
        }
        partRingStarts.append(Int32(ringStarts.count - 1))
        return box
    }

    /// Calls `body` with every edge of part `part`, each ring's last vertex joined back to its first, as
    /// ``contains(part:x:y:)`` passes them to ``Planar/edgeCrossesEastRay(ax:ay:bx:by:x:y:)`` (`a` the later
    /// vertex, `b` the one before it), so that a caller testing a subset of them gets the same crossings bit for bit.
    @inlinable
    public func forEachEdge(ofPart part: Int, _ body: (_ ax: Double, _ ay: Double, _ bx: Double, _ by: Double) -> Void) {
        for ring in rings(ofPart: part) {
            let vertices = vertices(ofRing: ring)
            var previous = vertices.upperBound - 1
            for current in vertices {
                body(xs[current], ys[current], xs[previous], ys[previous])
                previous = current
            }
        }
    }

    /// Whether part `part` is exactly the axis-aligned rectangle `box` for the crossing test: one ring whose
    /// vertices are all corners of `box` (finite, of positive width and height) and whose edges are all
    /// axis-parallel, with exactly one edge up or down each of the west and east sides. Such a part holds
    /// `(x, y)` exactly when `box.minX <= x < box.maxX` and `box.minY <= y < box.maxY`: the two side edges each
    /// cross the ray at their own x, unrounded, and the horizontal ones never count.
    public func isRectangle(part: Int, box: BoundingBox) -> Bool {
        guard rings(ofPart: part).count == 1, box.minX < box.maxX, box.minY < box.maxY,
            box.minX.isFinite, box.maxX.isFinite, box.minY.isFinite, box.maxY.isFinite
        else { return false }
        var westSides = 0, eastSides = 0, rectangular = true
        forEachEdge(ofPart: part) { ax, ay, bx, by in
            let corners = (ax == box.minX || ax == box.maxX) && (ay == box.minY || ay == box.maxY)
            guard corners, ax == bx || ay == by else {
                rectangular = false
                return
            }
            if ax == bx, ay != by {
                if ax == box.minX { westSides += 1 } else { eastSides += 1 }
            }
        }
        return rectangular && westSides == 1 && eastSides == 1
    }

    /// Whether part `part` holds `(x, y)`: the crossing parities of its rings, exterior and holes, add up to odd
    /// (so a point on an edge shared with another part belongs to exactly one of them, east then north).
    @inlinable
    public func contains(part: Int, x: Double, y: Double) -> Bool {
        var inside = false
        xs.withUnsafeBufferPointer { xs in
            ys.withUnsafeBufferPointer { ys in
                for ring in rings(ofPart: part) where Planar.ringParity(xs: xs, ys: ys, vertices: vertices(ofRing: ring), x: x, y: y) {
                    inside.toggle()
                }
            }
        }
        return inside
    }
}
