internal import CPROJ
import GeoCore

/// Transforms coordinates between two coordinate reference systems with PROJ.
///
/// Axis order is always x = easting/longitude, y = northing/latitude (the transformation is normalised for
/// visualisation), whatever the EPSG definition says. **Not Sendable: one transformer per task** (it owns a
/// PROJ context).
public final class CoordinateTransformer {
    private let context: PROJContext
    private let operation: PROJObject
    public let source: String
    public let target: String

    /// - Parameters:
    ///   - source: any PROJ CRS string: "EPSG:4490", "EPSG:4549", a PROJ string ending in `+type=crs`, WKT.
    ///   - target: the same.
    /// - Throws: `GeoError` code `proj_error` naming the CRS PROJ could not use.
    public init(from source: String, to target: String) throws {
        self.source = source
        self.target = target
        context = try PROJContext()
        for crs in [source, target] {
            guard let pj = proj_create(context.handle, crs) else {
                throw context.error("unknown coordinate reference system \"\(crs)\"")
            }
            proj_destroy(pj)
        }
        guard let raw = proj_create_crs_to_crs(context.handle, source, target, nil) else {
            throw context.error("no transformation from \(source) to \(target)")
        }
        let normalised = proj_normalize_for_visualization(context.handle, raw)
        proj_destroy(raw)
        guard let normalised else { throw context.error("cannot normalise the transformation from \(source) to \(target)") }
        operation = PROJObject(context: context, pointer: normalised)
    }

    public func transform(_ c: Coordinate) throws -> Coordinate {
        var one = [c]
        try operation.transform(&one, inverse: false, what: "(\(c.x), \(c.y)) from \(source) to \(target)")
        return one[0]
    }

    public func inverseTransform(_ c: Coordinate) throws -> Coordinate {
        var one = [c]
        try operation.transform(&one, inverse: true, what: "(\(c.x), \(c.y)) from \(target) to \(source)")
        return one[0]
    }

    /// Transforms many coordinates in one PROJ call.
    public func transform(_ coordinates: [Coordinate]) throws -> [Coordinate] {
        var result = coordinates
        try operation.transform(&result, inverse: false, what: "\(coordinates.count) positions from \(source) to \(target)")
        return result
    }

    public func inverseTransform(_ coordinates: [Coordinate]) throws -> [Coordinate] {
        var result = coordinates
        try operation.transform(&result, inverse: true, what: "\(coordinates.count) positions from \(target) to \(source)")
        return result
    }

    /// Transforms every position of a geometry with one PROJ call for all of them.
    public func transform(_ geometry: Geometry) throws -> Geometry { try batch(geometry, inverse: false) }
    public func inverseTransform(_ geometry: Geometry) throws -> Geometry { try batch(geometry, inverse: true) }

    /// Gathers the positions in storage order, transforms them at once and puts them back in the same order
    /// (`forEachCoordinate` and `mapCoordinates` visit positions identically).
    private func batch(_ geometry: Geometry, inverse: Bool) throws -> Geometry {
        var positions: [Coordinate] = []
        positions.reserveCapacity(geometry.vertexCount)
        geometry.forEachCoordinate { positions.append($0) }
        let transformed = inverse ? try inverseTransform(positions) : try transform(positions)
        var next = 0
        return geometry.mapCoordinates { _ in
            defer { next += 1 }
            return transformed[next]
        }
    }
}

/// CGCS2000 3-degree Gauss-Krüger zones, the planar systems Chinese surveys report areas in.
///
/// Zone n has central meridian 3n°E; zones 25-45 cover China (75°E-135°E). EPSG:4513 (zone 25) … EPSG:4533
/// (zone 45) put the zone number in front of the easting; EPSG:4534 (CM 75°E) … EPSG:4554 (CM 135°E) do
/// not. (Checked against this machine's proj.db: `projinfo EPSG:4528` is "CGCS2000 / 3-degree Gauss-Kruger
/// zone 40", `projinfo EPSG:4549` is "CGCS2000 / 3-degree Gauss-Kruger CM 120E".)
public enum GaussKruger {
    /// The 3-degree zone holding a longitude (zone boundaries at 1.5° + 3k).
    public static func zone(forLongitude longitude: Double) -> Int {
        Int(((longitude) / 3).rounded())
    }

    /// The central meridian of a zone, degrees east.
    public static func centralMeridian(ofZone zone: Int) -> Double { Double(zone * 3) }

    /// "EPSG:45xx" of the zone, with or without the zone number prefixed to eastings.
    public static func epsgCode(zone: Int, zonePrefixedEasting: Bool) throws -> String {
        guard (25...45).contains(zone) else {
            throw GeoError(code: .invalidArgument, message: "3-degree Gauss-Krüger zone \(zone) is outside China's zones 25-45")
        }
        return "EPSG:\(zonePrefixedEasting ? 4513 + zone - 25 : 4534 + zone - 25)"
    }

    /// The planar area in m² of a lon/lat geometry in the Gauss-Krüger zone of its centre.
    public static func planarArea(of geometry: Geometry) throws -> Double {
        guard let centre = geometry.boundingBox?.center else { return 0 }
        let code = try epsgCode(zone: zone(forLongitude: centre.x), zonePrefixedEasting: false)
        let projected = try CoordinateTransformer(from: "EPSG:4490", to: code).transform(geometry)
        return projected.polygons.reduce(0) { $0 + Planar.area(of: $1) }
    }
}
