/// Planar (Cartesian) measures and tests on GeoCore types, for projected coordinates or for small
/// lon/lat extents where a planar answer is what is wanted (point-in-polygon on a map).
/// Geodesic measures live in `Distance` (GeoCore) and `Geodesic` (GeoEngine).
public enum Planar {
    /// Twice-halved shoelace area of a closed ring: positive when counter-clockwise.
    public static func signedArea(of ring: [Coordinate]) -> Double {
        guard ring.count > 3 else { return 0 }
        var sum = 0.0
        for k in 0..<(ring.count - 1) {
            sum += ring[k].x * ring[k + 1].y - ring[k + 1].x * ring[k].y
        }
        return sum / 2
    }

    /// Area of a polygon (exterior minus holes) in squared coordinate units.
    public static func area(of polygon: Polygon) -> Double {
        abs(signedArea(of: polygon.exterior)) - polygon.holes.reduce(0) { $0 + abs(signedArea(of: $1)) }
    }

    /// Whether `p` is inside a closed ring (first == last), by the half-open crossing rule of
    /// ``edgeCrossesEastRay(ax:ay:bx:by:x:y:)``: a point on an edge shared with a neighbouring ring belongs to
    /// exactly one of the two (the one east of a north-south edge, north of an east-west one).
    public static func ring(_ ring: [Coordinate], contains p: Coordinate) -> Bool {
        guard ring.count > 3 else { return false }
        var inside = false
        var previous = ring.count - 2
        for current in 0..<(ring.count - 1) {
            let a = ring[current], b = ring[previous]
            if edgeCrossesEastRay(ax: a.x, ay: a.y, bx: b.x, by: b.y, x: p.x, y: p.y) { inside.toggle() }
            previous = current
        }
        return inside
    }

    /// Whether `p` lies inside the polygon's exterior and outside all of its holes.
    public static func polygon(_ polygon: Polygon, contains p: Coordinate) -> Bool {
        ring(polygon.exterior, contains: p) && !polygon.holes.contains { ring($0, contains: p) }
    }

    /// A point inside a polygon (the middle of the widest run of the horizontal line through its box's middle), or
    /// the point itself; nil for other geometries.
    public static func interiorPoint(of geometry: Geometry) -> Coordinate? {
        switch geometry {
        case .point(let p): return p.coordinate
        case .polygon, .multiPolygon:
            guard let polygon = geometry.polygons.max(by: { Planar.area(of: $0) < Planar.area(of: $1) }),
                let box = BoundingBox(coordinates: polygon.exterior)
            else { return nil }
            let y = box.center.y
            var crossings: [Double] = []
            for ring in polygon.rings where ring.count > 1 {
                for k in 0..<(ring.count - 1) {
                    let a = ring[k], b = ring[k + 1]
                    if (a.y > y) != (b.y > y) { crossings.append(a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y)) }
                }
            }
            crossings.sort()
            var best: (Double, Double)? = nil
            for k in stride(from: 0, to: crossings.count - 1, by: 2) where crossings[k + 1] - crossings[k] > (best.map { $0.1 - $0.0 } ?? -1) {
                best = (crossings[k], crossings[k + 1])
            }
            guard let best else { return polygon.exterior.first }
            return Coordinate(x: (best.0 + best.1) / 2, y: y)
        default: return nil
        }
    }

    /// Length of a polyline in coordinate units.
    public static func length(of line: [Coordinate]) -> Double {
        guard line.count > 1 else { return 0 }
        var total = 0.0
        for k in 1..<line.count { total += distance(line[k - 1], line[k]) }
        return total
    }

    /// Euclidean distance between two positions.
    public static func distance(_ a: Coordinate, _ b: Coordinate) -> Double {
        ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot()
    }

    /// Distance from `p` to the segment `a`–`b`, and the parameter in [0, 1] of the segment's point nearest to
    /// `p` (0 for a segment of no length).
    @inlinable @inline(__always)
    public static func segmentDistance(_ p: Coordinate, _ a: Coordinate, _ b: Coordinate) -> (distance: Double, t: Double) {
        let dx = b.x - a.x, dy = b.y - a.y
        let length2 = dx * dx + dy * dy
        var t = 0.0
        if length2 > 0 { t = max(0, min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2)) }
        let cx = a.x + t * dx - p.x, cy = a.y + t * dy - p.y
        return ((cx * cx + cy * cy).squareRoot(), t)
    }

    /// Distance from `p` to a polyline (to its one vertex when it has one; infinity when it has none).
    public static func polylineDistance(_ p: Coordinate, _ line: [Coordinate]) -> Double {
        guard let first = line.first else { return .infinity }
        if line.count == 1 { return distance(p, first) }
        var best = Double.infinity
        for k in 1..<line.count { best = min(best, segmentDistance(p, line[k - 1], line[k]).distance) }
        return best
    }

    /// The polyline with points added so that no two consecutive ones are more than `step` apart; the original
    /// vertices are kept.
    public static func densify(_ line: [Coordinate], step: Double) -> [Coordinate] {
        guard line.count > 1, step > 0 else { return line }
        var out: [Coordinate] = [line[0]]
        for k in 1..<line.count {
            let a = line[k - 1], b = line[k]
            let pieces = Int((distance(a, b) / step).rounded(.up))
            if pieces > 1 {
                for m in 1..<pieces {
                    let t = Double(m) / Double(pieces)
                    out.append(Coordinate(x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t))
                }
            }
            out.append(b)
        }
        return out
    }

    // MARK: Point in polygon

    /// The one edge test of point-in-polygon (the half-open crossing number): whether the edge from `a` to `b`
    /// crosses the ray running east from `(x, y)`.
    ///
    /// An edge counts when exactly one of its ends lies strictly north of `y` (so a ray through a shared vertex
    /// counts once and horizontal edges never), and when the crossing lies strictly east of `x`. The parity of
    /// the count over every ring of a polygon (holes included) tells inside from outside, and a point on an edge
    /// shared by two polygons belongs to exactly one: the polygon east of a north-south edge, north of an
    /// east-west one. Unit grids tile their communities this way, so batch assignment is deterministic.
    ///
    /// The crossing is interpolated from the edge's southern end whichever way round the edge is passed: two
    /// neighbours pass a shared edge in opposite directions, and interpolating from `a` would move the crossing by
    /// an ulp between them, so that a point within an ulp of a slanted shared edge was in both or in neither.
    /// Alike both ways, the edge puts every point on one side of it for both polygons.
    @inlinable @inline(__always)
    public static func edgeCrossesEastRay(ax: Double, ay: Double, bx: Double, by: Double, x: Double, y: Double) -> Bool {
        guard (ay > y) != (by > y) else { return false }
        let south = ay < by
        let sx = south ? ax : bx, sy = south ? ay : by, nx = south ? bx : ax, ny = south ? by : ay
        return x < sx + (y - sy) * (nx - sx) / (ny - sy)
    }

    /// The crossing parity of one ring held in flat coordinate arrays, vertices `vertices` of `xs`/`ys`, the
    /// last joined back to the first: true when an odd number of its edges cross the ray east of `(x, y)`
    /// (see ``edgeCrossesEastRay(ax:ay:bx:by:x:y:)``). A polygon holds the point when the parities of its
    /// rings, exterior and holes, add up to odd.
    @inlinable
    public static func ringParity(
        xs: UnsafeBufferPointer<Double>, ys: UnsafeBufferPointer<Double>, vertices: Range<Int>, x: Double, y: Double
    ) -> Bool {
        ringParity(vertices: vertices, x: x, y: y) { (xs[$0], ys[$0]) }
    }

    /// The crossing parity of one ring whose vertices `vertices` are read by `vertex`, however they are stored
    /// (``ringParity(xs:ys:vertices:x:y:)`` for separate arrays, interleaved x y pairs elsewhere): the last vertex
    /// joined back to the first, each edge passed from the later vertex.
    @inlinable @inline(__always)
    public static func ringParity(vertices: Range<Int>, x: Double, y: Double, vertex: (Int) -> (x: Double, y: Double)) -> Bool {
        guard !vertices.isEmpty else { return false }
        var odd = false
        var previous = vertex(vertices.upperBound - 1)
        for current in vertices {
            let a = vertex(current)
            if edgeCrossesEastRay(ax: a.x, ay: a.y, bx: previous.x, by: previous.y, x: x, y: y) { odd.toggle() }
            previous = a
        }
        return odd
    }

    /// The side of `p` from the line through `a` and `b`: 1 to the left (a, b, p counter-clockwise), -1 to the
    /// right, 0 on the line; nil when the rounded determinant lies within its error bound and its sign cannot be
    /// told. The sign returned is always the exact one (Shewchuk's first filter, "Adaptive Precision
    /// Floating-Point Arithmetic and Fast Robust Geometric Predicates", 1997), so a caller that proves something
    /// from it treats nil as "cannot say". A point equal to `a` or `b` is on the line exactly.
    public static func orientation(_ a: Coordinate, _ b: Coordinate, _ p: Coordinate) -> Int? {
        let left = (a.x - p.x) * (b.y - p.y), right = (a.y - p.y) * (b.x - p.x)
        let det = left - right
        guard det.isFinite else { return nil }
        // Where the two products have opposite signs (or one is zero) their difference has the right sign
        // whatever the rounding: the rounded differences and products keep their operands' signs.
        if left == 0 || right == 0 || (left > 0) != (right > 0) { return det > 0 ? 1 : det < 0 ? -1 : 0 }
        let bound = (3 + 16 * Double.ulpOfOne / 2) * (Double.ulpOfOne / 2) * (abs(left) + abs(right))
        if det > bound { return 1 }
        if det < -bound { return -1 }
        return nil
    }

    /// Whether the line through some edge of `a` or of `b` has every vertex of `a` on one side of it and every
    /// vertex of `b` on the other (vertices on the line allowed on both): then the two shapes these rings bound
    /// (and their holes, which lie inside) share no interior point. Each ring is a closed list of vertices, first
    /// equal to last; pass a polygon's exterior rings, every part's. Decided with ``orientation(_:_:_:)``, so a
    /// true answer is exact; false means no such line was proven (always so when the interiors overlap, and for
    /// concave shapes that merely touch, which need an exact overlay to tell).
    ///
    /// This is the cheap test of neighbours in a tiling: two convex polygons whose interiors are disjoint are
    /// always separated by the line of one of their edges, and a shared edge is such a line exactly.
    public static func separatedByAnEdgeLine(_ a: [[Coordinate]], _ b: [[Coordinate]]) -> Bool {
        // Every vertex of `rings` on side `side` (1 or -1) of the line p q, or on it; nil side means either
        // side so far, set by the first vertex off the line. False when some vertex is across, or cannot be told.
        func allOnOneSide(_ rings: [[Coordinate]], _ p: Coordinate, _ q: Coordinate, _ side: inout Int) -> Bool {
            for ring in rings {
                for v in ring {
                    guard let s = orientation(p, q, v) else { return false }
                    if s == 0 { continue }
                    if side == 0 { side = s } else if s != side { return false }
                }
            }
            return true
        }
        func someEdgeSeparates(_ own: [[Coordinate]], _ other: [[Coordinate]]) -> Bool {
            for ring in own {
                for k in ring.indices.dropFirst() {
                    let p = ring[k - 1], q = ring[k]
                    if p == q { continue }
                    // The other shape first: most lines fail there at once.
                    var otherSide = 0, ownSide = 0
                    guard allOnOneSide(other, p, q, &otherSide) else { continue }
                    if otherSide != 0 { ownSide = -otherSide }
                    if allOnOneSide(own, p, q, &ownSide) { return true }
                }
            }
            return false
        }
        return someEdgeSeparates(a, b) || someEdgeSeparates(b, a)
    }
}
