/// A geometry read from EWKT (`SRID=4490;POINT (…)`) or EWKB, with the spatial reference id the input carried.
@MemberwiseInit
public struct GeometryWithSRID: Hashable, Sendable {
    public var geometry: Geometry
    /// The SRID from the input, or nil when the input had none (plain WKT, ISO WKB).
    public var srid: Int32?
}

extension Point {
    /// The empty point (`POINT EMPTY`). Its ordinates are NaN, the same convention WKB uses, since the
    /// `Geometry` enum has no separate empty case. Note NaN != NaN, so compare with ``isEmpty``, not `==`.
    public static var empty: Point { Point(Coordinate(x: .nan, y: .nan)) }

    /// Whether this is the empty point (both ordinates NaN).
    public var isEmpty: Bool { coordinate.x.isNaN && coordinate.y.isNaN }
}

/// Structural rules every reader enforces, so that a Geometry from any codec means the same thing.
enum GeometryRules {
    /// A reason why `ring` cannot be a linear ring, or nil when it can.
    static func ringProblem(_ ring: [Coordinate]) -> String? {
        if ring.count < 4 { return "linear ring must have at least 4 positions" }
        if ring.first != ring.last { return "linear ring is not closed" }
        return nil
    }

    /// A reason why `line` cannot be a line string, or nil. Empty line strings are allowed (`LINESTRING EMPTY`).
    static func lineProblem(_ line: [Coordinate]) -> String? {
        line.count == 1 ? "line string must have at least 2 positions" : nil
    }

    /// Bytes of a quiet NaN as written by GEOS and PostGIS for the empty point in WKB.
    static let nanBitPattern: UInt64 = 0x7FF8_0000_0000_0000
}
