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
    @discardableResult
    public mutating func append(rings: [[Coordinate]], mapping position: (Coordinate) -> Coordinate = { $0 }) -> BoundingBox? {
        var box: BoundingBox?
        for ring in rings {
            for c in ring {
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
