#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A local metric frame: longitude and latitude scaled to metres east (x) and north (y) of an origin by the
/// ellipsoid's radii of curvature at the origin's latitude (an equirectangular projection about the origin).
///
/// Fence checks, track measures and road sections use it instead of PROJ because they run hundreds of thousands
/// of times a second and must stay pure and `Sendable`: a projection costs two multiplications.
///
/// How good it is: the map is affine per axis, so point-in-polygon answers are exactly those in degrees. Only
/// distances carry an error, the change of the parallel's scale with latitude: about 0.4 % at 30 km north or
/// south of the origin at 33° N (0.2 m on a 50 m corridor half-width or hysteresis band), within 0.1 % of the
/// geodesic over the few kilometres of a track or a road, and exact at the origin.
///
/// The radii are those of CGCS2000 (GRS 80), as the fence module's frame always used. The trajectory module
/// had its own copy with WGS 84's radii; the two flattenings differ by 1.6e-11, which changes a frame distance
/// by about 2e-11 of itself (0.2 µm at 10 km), far below any tolerance a caller or test uses.
///
/// Codable with the keys `origin`, `metresPerDegreeX` and `metresPerDegreeY`, so a saved frame decodes to the
/// same scales whatever this initialiser computes.
public struct LocalFrame: Hashable, Sendable, Codable {
    /// The longitude/latitude mapped to (0, 0).
    public let origin: Coordinate
    /// Metres per degree of longitude at the origin's latitude.
    public let metresPerDegreeX: Double
    /// Metres per degree of latitude at the origin's latitude.
    public let metresPerDegreeY: Double

    /// A frame centred on `origin` (longitude/latitude in degrees).
    public init(origin: Coordinate) {
        self.origin = origin
        let ellipsoid = Ellipsoid.cgcs2000
        let a = ellipsoid.semiMajorAxis, f = ellipsoid.flattening
        let e2 = f * (2 - f)
        let phi = origin.latitude * .pi / 180
        let s = sin(phi)
        let w = (1 - e2 * s * s).squareRoot()
        let primeVertical = a / w
        let meridional = a * (1 - e2) / (w * w * w)
        metresPerDegreeX = primeVertical * cos(phi) * .pi / 180
        metresPerDegreeY = meridional * .pi / 180
    }

    /// A frame centred on the bounding box of `coordinates` (on (0, 0) when there are none).
    public init<S: Sequence>(around coordinates: S) where S.Element == Coordinate {
        self.init(origin: BoundingBox(coordinates: coordinates)?.center ?? Coordinate(x: 0, y: 0))
    }

    /// Metres east (x) and north (y) of the origin.
    @inlinable @inline(__always)
    public func project(_ c: Coordinate) -> Coordinate {
        Coordinate(x: (c.x - origin.x) * metresPerDegreeX, y: (c.y - origin.y) * metresPerDegreeY)
    }

    /// The longitude/latitude of a frame position: the inverse of ``project(_:)``.
    @inlinable
    public func unproject(_ p: Coordinate) -> Coordinate {
        Coordinate(x: origin.x + p.x / metresPerDegreeX, y: origin.y + p.y / metresPerDegreeY)
    }

    /// Metres between two longitude/latitude positions, measured in the frame.
    @inlinable @inline(__always)
    public func distance(_ a: Coordinate, _ b: Coordinate) -> Double {
        let dx = (a.x - b.x) * metresPerDegreeX
        let dy = (a.y - b.y) * metresPerDegreeY
        return (dx * dx + dy * dy).squareRoot()
    }

    /// A longitude/latitude box grown by `metres` on every side, at this frame's scales (so by more degrees of
    /// longitude than of latitude).
    public func expand(_ box: BoundingBox, byMetres metres: Double) -> BoundingBox {
        BoundingBox(minX: box.minX - metres / metresPerDegreeX, minY: box.minY - metres / metresPerDegreeY,
                    maxX: box.maxX + metres / metresPerDegreeX, maxY: box.maxY + metres / metresPerDegreeY)
    }
}
