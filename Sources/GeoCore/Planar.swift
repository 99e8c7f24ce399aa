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

    /// Even-odd ray casting: whether `p` is strictly inside a closed ring. Points exactly on an edge may go
    /// either way; callers that need a deterministic edge rule must test edges first.
    public static func ring(_ ring: [Coordinate], contains p: Coordinate) -> Bool {
        guard ring.count > 3 else { return false }
        var inside = false
        var k = ring.count - 2
        for m in 0..<(ring.count - 1) {
            let a = ring[m]
            let b = ring[k]
            if (a.y > p.y) != (b.y > p.y), p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x {
                inside.toggle()
            }
            k = m
        }
        return inside
    }

    /// Whether `p` lies inside the polygon's exterior and outside all of its holes.
    public static func polygon(_ polygon: Polygon, contains p: Coordinate) -> Bool {
        ring(polygon.exterior, contains: p) && !polygon.holes.contains { ring($0, contains: p) }
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
}
