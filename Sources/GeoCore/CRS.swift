#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The geographic coordinate systems met in Chinese city management, with conversions between them.
///
/// - `wgs84` (EPSG:4326): GPS devices, OpenStreetMap, international data.
/// - `cgcs2000` (EPSG:4490): China's national datum, used by 天地图 and planning bureaus. Its ellipsoid (GRS 80)
///   and realisation differ from WGS 84 by well under a metre, so CityGeo treats the two as identical and
///   converting between them returns the coordinate unchanged. Use GeoEngine (PROJ) for survey-grade work.
/// - `gcj02`: the obfuscated "Mars" coordinates that Chinese web maps (高德, 腾讯, Google in China) must use:
///   WGS 84 shifted by a published non-linear formula, 100–700 m, inside mainland China only.
/// - `bd09`: 百度's coordinates: GCJ-02 further rotated and shifted by a second published formula.
///
/// The raw values are the names used in APIs and files (`"gcj02"`); ``init(identifier:)`` accepts more spellings.
public enum CRS: String, Sendable, Hashable, Codable, CaseIterable {
    case wgs84
    case cgcs2000
    case gcj02
    case bd09

    /// The EPSG code, for the systems that have one (GCJ-02 and BD-09 were never registered).
    public var epsgCode: Int? {
        switch self {
        case .wgs84: 4326
        case .cgcs2000: 4490
        case .gcj02, .bd09: nil
        }
    }

    /// Parses a name or code, ignoring case, spaces, hyphens and underscores: `wgs84`, `WGS 84`, `EPSG:4326`,
    /// `4326`, `cgcs2000`, `EPSG:4490`, `gcj02`, `GCJ-02`, `mars`, `bd09`, `BD-09`, `baidu`.
    /// Returns nil for anything else.
    public init?(identifier: String) {
        let key = String(identifier.lowercased().filter { !" -_".contains($0) })
        switch key {
        case "wgs84", "epsg:4326", "4326", "urn:ogc:def:crs:epsg::4326", "urn:ogc:def:crs:ogc:1.3:crs84", "crs84":
            self = .wgs84
        case "cgcs2000", "epsg:4490", "4490", "urn:ogc:def:crs:epsg::4490": self = .cgcs2000
        case "gcj02", "gcj", "mars", "amap", "gaode": self = .gcj02
        case "bd09", "bd09ll", "baidu": self = .bd09
        default: return nil
        }
    }

    /// Parses like ``init(identifier:)`` but throws a ``GeoError`` with code `unknown_crs` naming the input.
    public static func parse(_ identifier: String) throws(GeoError) -> CRS {
        guard let crs = CRS(identifier: identifier) else {
            throw GeoError(
                code: .unknownCRS,
                message: "Unknown coordinate system '\(identifier)'; expected one of wgs84 (EPSG:4326), "
                    + "cgcs2000 (EPSG:4490), gcj02, bd09.")
        }
        return crs
    }

    /// Position in the chain WGS 84 -> GCJ-02 -> BD-09 (CGCS2000 counts as WGS 84).
    private var chainLevel: Int {
        switch self {
        case .wgs84, .cgcs2000: 0
        case .gcj02: 1
        case .bd09: 2
        }
    }

    /// Converts a longitude/latitude coordinate from one system to another.
    ///
    /// The offsets apply only inside mainland China (``ChinaBoundary``, a polygon: Hong Kong, Macau, Taiwan,
    /// the sea and other countries are outside). The decision is taken once, on the *input* coordinate in
    /// its own system: if it lies inside, every formula on the way from `from` to `to` is applied; otherwise
    /// the coordinate is returned unchanged. For the inverse directions (GCJ-02 -> WGS 84, BD-09 -> GCJ-02)
    /// this means that the GCJ-02 (or BD-09) point decides; within a few hundred metres of the border, a
    /// point whose WGS 84 position is inside but whose GCJ-02 image falls outside (or the reverse) does not
    /// round-trip. That strip is narrower than the precision of the boundary itself.
    ///
    /// Non-finite coordinates are returned unchanged.
    ///
    /// Accuracy: the forward formulas are evaluated exactly as published; the inverses are iterated until the
    /// forward image of the result matches the input to 1e-11 degrees (about 1 µm), far below 1 cm.
    public static func convert(_ coordinate: Coordinate, from source: CRS, to target: CRS) -> Coordinate {
        let start = source.chainLevel, end = target.chainLevel
        guard start != end, coordinate.isFinite, ChinaBoundary.contains(coordinate) else { return coordinate }
        var c = coordinate
        if start < end {
            if start == 0 { c = ChinaOffset.wgs84ToGCJ02(c) }
            if end == 2 { c = ChinaOffset.gcj02ToBD09(c) }
        } else {
            if start == 2 { c = ChinaOffset.bd09ToGCJ02(c) }
            if end == 0 { c = ChinaOffset.gcj02ToWGS84(c) }
        }
        return c
    }

    /// Converts every coordinate of `coordinates`, with the rules of the single-coordinate overload.
    public static func convert(_ coordinates: [Coordinate], from source: CRS, to target: CRS) -> [Coordinate] {
        if source.chainLevel == target.chainLevel { return coordinates }
        return coordinates.map { convert($0, from: source, to: target) }
    }

    /// Converts every position of `geometry`, each decided on its own (a line crossing the border keeps its
    /// outside vertices unchanged), with the rules of the single-coordinate overload.
    public static func convert(_ geometry: Geometry, from source: CRS, to target: CRS) -> Geometry {
        if source.chainLevel == target.chainLevel { return geometry }
        return geometry.mapCoordinates { convert($0, from: source, to: target) }
    }
}

/// The published GCJ-02 and BD-09 formulas, applied unconditionally (the caller decides where).
enum ChinaOffset {
    /// Semi-major axis of the Krasovsky 1940 ellipsoid, used by the GCJ-02 formula.
    static let krasovskySemiMajorAxis = 6_378_245.0
    /// First eccentricity squared of the Krasovsky 1940 ellipsoid.
    static let krasovskyEccentricitySquared = 0.00669342162296594323
    /// The BD-09 formula's angular constant: π · 3000 / 180.
    static let baiduAngleFactor = Double.pi * 3000.0 / 180.0

    /// Iterated inverses stop when the forward image is this close to the input in both ordinates (degrees);
    /// 1e-11 degrees is about 1 µm, so the result is far inside the 1 cm promise.
    static let inverseTolerance = 1e-11
    /// A safety net only: each step of the GCJ-02 inverse shrinks the error about 400-fold (the offset's
    /// derivative is below 3e-3), so 4 to 5 steps suffice anywhere in China.
    static let inverseIterationLimit = 30

    /// The GCJ-02 offset (Δlongitude, Δlatitude) in degrees at a WGS 84 position.
    static func gcjOffset(longitude: Double, latitude: Double) -> (dLongitude: Double, dLatitude: Double) {
        // The formula works on offsets from (105 E, 35 N), produces pseudo-metres, and turns them into
        // degrees with the Krasovsky radii of curvature at the latitude.
        let x = longitude - 105.0, y = latitude - 35.0
        let common = (20.0 * sin(6.0 * x * .pi) + 20.0 * sin(2.0 * x * .pi)) * 2.0 / 3.0
        var northing = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * abs(x).squareRoot()
        northing += common
        northing += (20.0 * sin(y * .pi) + 40.0 * sin(y / 3.0 * .pi)) * 2.0 / 3.0
        northing += (160.0 * sin(y / 12.0 * .pi) + 320.0 * sin(y * .pi / 30.0)) * 2.0 / 3.0
        var easting = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * abs(x).squareRoot()
        easting += common
        easting += (20.0 * sin(x * .pi) + 40.0 * sin(x / 3.0 * .pi)) * 2.0 / 3.0
        easting += (150.0 * sin(x / 12.0 * .pi) + 300.0 * sin(x / 30.0 * .pi)) * 2.0 / 3.0

        let a = krasovskySemiMajorAxis, ee = krasovskyEccentricitySquared
        let radLatitude = latitude / 180.0 * .pi
        let sinLatitude = sin(radLatitude)
        let w2 = 1.0 - ee * sinLatitude * sinLatitude
        let w = w2.squareRoot()
        let meridianRadius = (a * (1.0 - ee)) / (w2 * w)
        let primeVerticalRadius = a / w
        let dLatitude = (northing * 180.0) / (meridianRadius * .pi)
        let dLongitude = (easting * 180.0) / (primeVerticalRadius * cos(radLatitude) * .pi)
        return (dLongitude, dLatitude)
    }

    /// WGS 84 -> GCJ-02 by the published formula.
    static func wgs84ToGCJ02(_ c: Coordinate) -> Coordinate {
        let offset = gcjOffset(longitude: c.x, latitude: c.y)
        return Coordinate(x: c.x + offset.dLongitude, y: c.y + offset.dLatitude)
    }

    /// GCJ-02 -> WGS 84: fixed-point iteration w ← w − (gcj(w) − g), starting from g − offset(g).
    /// Converges because the offset changes slowly with position (its derivative is below 3e-3).
    static func gcj02ToWGS84(_ g: Coordinate) -> Coordinate {
        invert(wgs84ToGCJ02, target: g, start: {
            let offset = gcjOffset(longitude: g.x, latitude: g.y)
            return Coordinate(x: g.x - offset.dLongitude, y: g.y - offset.dLatitude)
        }())
    }

    /// GCJ-02 -> BD-09 by the published formula (a small rotation and scaling about the origin, then a shift).
    static func gcj02ToBD09(_ c: Coordinate) -> Coordinate {
        let z = (c.x * c.x + c.y * c.y).squareRoot() + 0.00002 * sin(c.y * baiduAngleFactor)
        let theta = atan2(c.y, c.x) + 0.000003 * cos(c.x * baiduAngleFactor)
        return Coordinate(x: z * cos(theta) + 0.0065, y: z * sin(theta) + 0.006)
    }

    /// The published closed-form BD-09 -> GCJ-02, which is only approximate (errors up to about 1e-6 degrees).
    static func bd09ToGCJ02Approximate(_ b: Coordinate) -> Coordinate {
        let x = b.x - 0.0065, y = b.y - 0.006
        let z = (x * x + y * y).squareRoot() - 0.00002 * sin(y * baiduAngleFactor)
        let theta = atan2(y, x) - 0.000003 * cos(x * baiduAngleFactor)
        return Coordinate(x: z * cos(theta), y: z * sin(theta))
    }

    /// BD-09 -> GCJ-02: the published approximation refined by fixed-point iteration on ``gcj02ToBD09(_:)``.
    static func bd09ToGCJ02(_ b: Coordinate) -> Coordinate {
        invert(gcj02ToBD09, target: b, start: bd09ToGCJ02Approximate(b))
    }

    /// Solves forward(x) = target for x by x ← x − (forward(x) − target), for maps close to a translation.
    /// Stops when both residual ordinates are below ``inverseTolerance`` or after ``inverseIterationLimit``
    /// steps, so it always terminates; returns the last estimate.
    private static func invert(_ forward: (Coordinate) -> Coordinate, target: Coordinate, start: Coordinate) -> Coordinate {
        var estimate = start
        for _ in 0..<inverseIterationLimit {
            let image = forward(estimate)
            let dx = image.x - target.x, dy = image.y - target.y
            if abs(dx) < inverseTolerance && abs(dy) < inverseTolerance { break }
            estimate.x -= dx
            estimate.y -= dy
        }
        return estimate
    }
}
