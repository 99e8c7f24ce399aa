import GeoCore

/// A local metric frame: lon/lat scaled to metres east and north of an origin with the ellipsoid's radii of
/// curvature at the origin's latitude.
///
/// Why not PROJ: fence checks run hundreds of thousands of times a second and must be pure and Sendable. Why it
/// is good enough: the map is affine per axis, so point-in-polygon answers are exactly those in degrees; only
/// distances carry an error, the change of the parallel's scale with latitude, about 0.4 % at 30 km north or
/// south of the origin at 33° N, i.e. 0.2 m on a 50 m corridor half-width or hysteresis band.
public struct LocalFrame: Sendable, Hashable, Codable {
    /// The lon/lat mapped to (0, 0).
    public let origin: Coordinate
    /// Metres per degree of longitude and of latitude at the origin.
    public let metresPerDegreeX: Double
    public let metresPerDegreeY: Double

    /// A frame centred on `origin` (CGCS2000/GRS 80 radii).
    public init(origin: Coordinate) {
        self.origin = origin
        let a = 6_378_137.0
        let f = 1 / 298.257222101
        let e2 = f * (2 - f)
        let phi = origin.y * .pi / 180
        let s = sin(phi)
        let w = (1 - e2 * s * s).squareRoot()
        let primeVertical = a / w
        let meridional = a * (1 - e2) / (w * w * w)
        metresPerDegreeX = primeVertical * cos(phi) * .pi / 180
        metresPerDegreeY = meridional * .pi / 180
    }

    @inline(__always)
    public func project(_ c: Coordinate) -> (x: Double, y: Double) {
        ((c.x - origin.x) * metresPerDegreeX, (c.y - origin.y) * metresPerDegreeY)
    }

    /// Metres between two lon/lat positions in the frame.
    @inline(__always)
    public func distance(_ a: Coordinate, _ b: Coordinate) -> Double {
        let dx = (a.x - b.x) * metresPerDegreeX
        let dy = (a.y - b.y) * metresPerDegreeY
        return (dx * dx + dy * dy).squareRoot()
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
