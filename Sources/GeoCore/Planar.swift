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
}
