import Foundation
import GeoCore

/// A local planar frame in metres around a reference position: east (x) and north (y) offsets scaled by the
/// WGS 84 radii of curvature at the reference latitude.
///
/// Trajectory geometry (corridors, simplification tolerances, distances to a road section) is measured in
/// metres over a few kilometres; at that extent this equirectangular frame is within 0.1 % of the geodesic
/// distance, is exact at the reference, and costs two multiplications per point instead of a PROJ call.
public struct LocalFrame: Hashable, Sendable {
    /// The reference position (lon/lat), at (0, 0) in the frame.
    public let origin: Coordinate
    /// Metres per degree of longitude and of latitude at the origin.
    public let metresPerDegreeX: Double
    public let metresPerDegreeY: Double

    public init(origin: Coordinate) {
        self.origin = origin
        let a = Ellipsoid.wgs84.semiMajorAxis, f = Ellipsoid.wgs84.flattening
        let e2 = f * (2 - f)
        let phi = origin.latitude * .pi / 180
        let w = (1 - e2 * sin(phi) * sin(phi)).squareRoot()
        let meridional = a * (1 - e2) / (w * w * w)
        let prime = a / w
        metresPerDegreeY = meridional * .pi / 180
        metresPerDegreeX = prime * cos(phi) * .pi / 180
    }

    /// A frame centred on the bounding box of `coordinates` (the origin (0, 0) when there are none).
    public init<S: Sequence>(around coordinates: S) where S.Element == Coordinate {
        self.init(origin: BoundingBox(coordinates: coordinates)?.center ?? Coordinate(x: 0, y: 0))
    }

    /// Metres east and north of the origin.
    @inline(__always)
    public func project(_ c: Coordinate) -> Coordinate {
        Coordinate(x: (c.longitude - origin.longitude) * metresPerDegreeX, y: (c.latitude - origin.latitude) * metresPerDegreeY)
    }

    /// The inverse of ``project(_:)``.
    public func unproject(_ p: Coordinate) -> Coordinate {
        Coordinate(longitude: origin.longitude + p.x / metresPerDegreeX, latitude: origin.latitude + p.y / metresPerDegreeY)
    }
}

/// Planar helpers on frame coordinates (metres).
enum Metric {
    /// Distance from `p` to segment `a`–`b`, and the parameter in [0, 1] of the closest point.
    @inline(__always)
    static func segmentDistance(_ p: Coordinate, _ a: Coordinate, _ b: Coordinate) -> (distance: Double, t: Double) {
        let dx = b.x - a.x, dy = b.y - a.y
        let length2 = dx * dx + dy * dy
        var t = 0.0
        if length2 > 0 { t = max(0, min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2)) }
        let cx = a.x + t * dx - p.x, cy = a.y + t * dy - p.y
        return ((cx * cx + cy * cy).squareRoot(), t)
    }

    /// Distance from `p` to a polyline (to the point itself when the line has one vertex).
    static func polylineDistance(_ p: Coordinate, _ line: [Coordinate]) -> Double {
        guard let first = line.first else { return .infinity }
        if line.count == 1 { return Planar.distance(p, first) }
        var best = Double.infinity
        for k in 1..<line.count { best = min(best, segmentDistance(p, line[k - 1], line[k]).distance) }
        return best
    }

    /// Points along a polyline every `step` metres, vertices included.
    static func densify(_ line: [Coordinate], step: Double) -> [Coordinate] {
        guard line.count > 1, step > 0 else { return line }
        var out: [Coordinate] = [line[0]]
        for k in 1..<line.count {
            let a = line[k - 1], b = line[k]
            let length = Planar.distance(a, b)
            let pieces = Int((length / step).rounded(.up))
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
