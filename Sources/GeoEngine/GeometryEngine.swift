internal import CGEOS
import GeoCore

/// Validity of a geometry, with GEOS's reason and the location of the first problem.
public struct ValidityReport: Hashable, Sendable {
    public let isValid: Bool
    /// e.g. "Self-intersection", "Ring Self-intersection", "Hole lies outside shell"; nil when valid.
    public let reason: String?
    public let location: Coordinate?
}

/// GEOS operations on GeoCore geometries.
///
/// Owns one GEOS context. **Not Sendable: create one engine per task or thread and never share it** (GEOS
/// contexts and the geometries made in them are not thread-safe). Creating an engine is cheap.
/// Every call checks GEOS's return code and throws `GeoError` (code `geos_error`, GEOS's message as
/// `underlying`) on failure. Planar operations work in the geometry's own units; the `…Metres` variants
/// treat input as CGCS2000/WGS 84 longitude/latitude and work in a local projection.
public final class GeometryEngine {
    let context: GEOSContext
    var handle: GEOSContextHandle_t { context.handle }
    private var localProjections: [LocalProjection.Key: LocalProjection] = [:]

    public init() throws {
        context = try GEOSContext()
    }

    func make(_ geometry: Geometry) throws -> GEOSGeometryOwner { try context.makeGeometry(geometry) }

    private func result(_ pointer: OpaquePointer?, _ operation: String) throws -> Geometry {
        try context.own(pointer, operation).toGeometry()
    }

    // MARK: Validity

    public func validate(_ geometry: Geometry) throws -> ValidityReport {
        let g = try make(geometry)
        var reason: UnsafeMutablePointer<CChar>?
        var location: OpaquePointer?
        let status = GEOSisValidDetail_r(handle, g.pointer, 0, &reason, &location)
        defer {
            if let reason { GEOSFree_r(handle, reason) }
            if let location { GEOSGeom_destroy_r(handle, location) }
        }
        switch status {
        case 1: return ValidityReport(isValid: true, reason: nil, location: nil)
        case 0:
            let point = try location.flatMap { try context.pointCoordinate($0) }
            return ValidityReport(isValid: false, reason: reason.map { String(cString: $0) }, location: point)
        default: throw context.error("isValidDetail")
        }
    }

    /// A valid geometry covering the same points (GEOS MakeValid): a bow-tie becomes two triangles.
    public func makeValid(_ geometry: Geometry) throws -> Geometry {
        let g = try make(geometry)
        return try result(GEOSMakeValid_r(handle, g.pointer), "MakeValid")
    }

    // MARK: Predicates

    public func contains(_ a: Geometry, _ b: Geometry) throws -> Bool { try predicate(a, b, GEOSContains_r, "Contains") }
    public func intersects(_ a: Geometry, _ b: Geometry) throws -> Bool { try predicate(a, b, GEOSIntersects_r, "Intersects") }
    public func within(_ a: Geometry, _ b: Geometry) throws -> Bool { try predicate(a, b, GEOSWithin_r, "Within") }
    public func touches(_ a: Geometry, _ b: Geometry) throws -> Bool { try predicate(a, b, GEOSTouches_r, "Touches") }
    public func covers(_ a: Geometry, _ b: Geometry) throws -> Bool { try predicate(a, b, GEOSCovers_r, "Covers") }
    public func coveredBy(_ a: Geometry, _ b: Geometry) throws -> Bool { try predicate(a, b, GEOSCoveredBy_r, "CoveredBy") }
    public func disjoint(_ a: Geometry, _ b: Geometry) throws -> Bool { try predicate(a, b, GEOSDisjoint_r, "Disjoint") }
    public func overlaps(_ a: Geometry, _ b: Geometry) throws -> Bool { try predicate(a, b, GEOSOverlaps_r, "Overlaps") }
    public func crosses(_ a: Geometry, _ b: Geometry) throws -> Bool { try predicate(a, b, GEOSCrosses_r, "Crosses") }
    /// Topological equality (same point set, vertices may differ).
    public func equals(_ a: Geometry, _ b: Geometry) throws -> Bool { try predicate(a, b, GEOSEquals_r, "Equals") }

    /// Whether the DE-9IM matrix of `a` and `b` matches `pattern` (nine of `T`, `F`, `*`, `0`, `1`, `2`), e.g.
    /// `T********`: their interiors intersect (two polygons overlap, not merely touch).
    public func relate(_ a: Geometry, _ b: Geometry, pattern: String) throws -> Bool {
        let ga = try make(a)
        let gb = try make(b)
        return try context.predicate(GEOSRelatePattern_r(handle, ga.pointer, gb.pointer, pattern), "RelatePattern")
    }

    private func predicate(
        _ a: Geometry, _ b: Geometry,
        _ function: (GEOSContextHandle_t?, OpaquePointer?, OpaquePointer?) -> CChar, _ name: String
    ) throws -> Bool {
        let ga = try make(a)
        let gb = try make(b)
        return try context.predicate(function(handle, ga.pointer, gb.pointer), name)
    }

    // MARK: Measures (planar)

    /// Cartesian distance in the geometries' units.
    public func distance(_ a: Geometry, _ b: Geometry) throws -> Double {
        let ga = try make(a)
        let gb = try make(b)
        var value = 0.0
        try context.check(GEOSDistance_r(handle, ga.pointer, gb.pointer, &value), "Distance")
        return value
    }

    /// The nearest points of two geometries (first on `a`, then on `b`).
    public func nearestPoints(_ a: Geometry, _ b: Geometry) throws -> (Coordinate, Coordinate) {
        let ga = try make(a)
        let gb = try make(b)
        guard let sequence = GEOSNearestPoints_r(handle, ga.pointer, gb.pointer) else { throw context.error("NearestPoints") }
        defer { GEOSCoordSeq_destroy_r(handle, sequence) }
        let points = try context.coordinates(ofSequence: sequence)
        guard points.count == 2 else { throw context.error("NearestPoints") }
        return (points[0], points[1])
    }

    /// Ellipsoidal distance in metres between the nearest points of two lon/lat geometries.
    ///
    /// The nearest pair is found in a local transverse Mercator around both geometries, not in degrees: at 33°N
    /// a degree of longitude is only 0.84 of a degree of latitude, so in degrees the wrong pair can look nearest.
    public func geodesicDistanceMetres(_ a: Geometry, _ b: Geometry) throws -> Double {
        let both = Geometry.geometryCollection(GeometryCollection([a, b]))
        let projection = try localProjection(for: both)
        let (p, q) = try nearestPoints(try projection.forward(a), try projection.forward(b))
        return EllipsoidalMeasure.distance(from: try projection.inverse(p), to: try projection.inverse(q))
    }

    /// Ellipsoidal area in m² of a lon/lat polygon or multipolygon (holes subtracted); 0 for other types.
    public func geodesicArea(_ geometry: Geometry) throws -> Double { EllipsoidalMeasure.area(of: geometry) }

    /// Ellipsoidal length in metres of lines, or perimeter of polygons (holes included).
    public func geodesicLength(_ geometry: Geometry) throws -> Double { EllipsoidalMeasure.length(of: geometry) }

    // MARK: Overlay

    public func intersection(_ a: Geometry, _ b: Geometry) throws -> Geometry { try binary(a, b, GEOSIntersection_r, "Intersection") }
    public func difference(_ a: Geometry, _ b: Geometry) throws -> Geometry { try binary(a, b, GEOSDifference_r, "Difference") }
    public func symmetricDifference(_ a: Geometry, _ b: Geometry) throws -> Geometry { try binary(a, b, GEOSSymDifference_r, "SymDifference") }
    public func union(_ a: Geometry, _ b: Geometry) throws -> Geometry { try binary(a, b, GEOSUnion_r, "Union") }

    /// The union of many geometries at once (cascaded, much faster than folding `union`).
    public func unaryUnion(_ geometries: [Geometry]) throws -> Geometry {
        let collection = try make(.geometryCollection(GeometryCollection(geometries)))
        return try result(GEOSUnaryUnion_r(handle, collection.pointer), "UnaryUnion")
    }

    private func binary(
        _ a: Geometry, _ b: Geometry,
        _ function: (GEOSContextHandle_t?, OpaquePointer?, OpaquePointer?) -> OpaquePointer?, _ name: String
    ) throws -> Geometry {
        let ga = try make(a)
        let gb = try make(b)
        return try result(function(handle, ga.pointer, gb.pointer), name)
    }

    /// The part of `geometry` inside an axis-aligned rectangle (GEOS ClipByRect), much faster than
    /// `intersection` with the rectangle's polygon. Made for drawing (vector tiles): points on the rectangle's
    /// edge may be dropped and an invalid input may give an invalid result, which renderers tolerate.
    public func clip(_ geometry: Geometry, to box: BoundingBox) throws -> Geometry {
        let g = try make(geometry)
        return try result(GEOSClipByRect_r(handle, g.pointer, box.minX, box.minY, box.maxX, box.maxY), "ClipByRect")
    }

    // MARK: Constructions

    public func centroid(_ geometry: Geometry) throws -> Geometry { try unary(geometry, GEOSGetCentroid_r, "GetCentroid") }
    /// A point guaranteed to lie in the geometry (unlike the centroid of a crescent).
    public func pointOnSurface(_ geometry: Geometry) throws -> Geometry { try unary(geometry, GEOSPointOnSurface_r, "PointOnSurface") }
    public func envelope(_ geometry: Geometry) throws -> Geometry { try unary(geometry, GEOSEnvelope_r, "Envelope") }
    public func convexHull(_ geometry: Geometry) throws -> Geometry { try unary(geometry, GEOSConvexHull_r, "ConvexHull") }

    private func unary(
        _ geometry: Geometry, _ function: (GEOSContextHandle_t?, OpaquePointer?) -> OpaquePointer?, _ name: String
    ) throws -> Geometry {
        let g = try make(geometry)
        return try result(function(handle, g.pointer), name)
    }

    /// Buffer in the geometry's own units.
    public func buffer(_ geometry: Geometry, distance: Double, quadrantSegments: Int = 8) throws -> Geometry {
        guard distance.isFinite else { throw GeoError(code: .invalidArgument, message: "buffer distance \(distance) is not finite") }
        let g = try make(geometry)
        return try result(GEOSBuffer_r(handle, g.pointer, distance, Int32(quadrantSegments)), "Buffer")
    }

    /// Buffer of a lon/lat geometry by `metres`, computed in a transverse Mercator projection centred on the
    /// geometry (scale error under 0.1 % within 50 km of the centre), then projected back.
    public func bufferMetres(_ geometry: Geometry, metres: Double, quadrantSegments: Int = 8) throws -> Geometry {
        try inLocalProjection(geometry) { try buffer($0, distance: metres, quadrantSegments: quadrantSegments) }
    }

    /// Douglas-Peucker simplification in the geometry's units (may produce invalid polygons).
    public func simplify(_ geometry: Geometry, tolerance: Double) throws -> Geometry {
        let g = try make(geometry)
        return try result(GEOSSimplify_r(handle, g.pointer, tolerance), "Simplify")
    }

    /// Simplification that keeps polygons valid and rings from crossing, in the geometry's units.
    public func simplifyPreservingTopology(_ geometry: Geometry, tolerance: Double) throws -> Geometry {
        let g = try make(geometry)
        return try result(GEOSTopologyPreserveSimplify_r(handle, g.pointer, tolerance), "TopologyPreserveSimplify")
    }

    /// Topology-preserving simplification of a lon/lat geometry with the tolerance in metres.
    public func simplifyMetres(_ geometry: Geometry, toleranceMetres: Double) throws -> Geometry {
        try inLocalProjection(geometry) { try simplifyPreservingTopology($0, tolerance: toleranceMetres) }
    }

    /// Voronoi cells of `points` as a GeometryCollection of polygons (in no particular order), extended to
    /// cover at least `envelope`.
    public func voronoiDiagram(of points: [Coordinate], envelope: BoundingBox) throws -> Geometry {
        let sites = try make(.multiPoint(MultiPoint(points)))
        let box = try make(.polygon(envelope.polygon))
        return try result(GEOSVoronoiDiagram_r(handle, sites.pointer, box.pointer, 0, 0), "VoronoiDiagram")
    }

    // MARK: Linear referencing in metres

    /// The point `metres` along a lon/lat line (clamped to its ends).
    public func interpolate(along line: LineString, metres: Double) throws -> Coordinate {
        let projection = try localProjection(for: .lineString(line))
        let projected = try projection.forward(.lineString(line))
        let g = try make(projected)
        let point = try context.own(GEOSInterpolate_r(handle, g.pointer, metres), "Interpolate")
        guard let c = try context.pointCoordinate(point.pointer) else { throw context.error("Interpolate") }
        return try projection.inverse(c)
    }

    /// How many metres along a lon/lat line its point nearest to `point` lies.
    public func locate(_ point: Coordinate, along line: LineString) throws -> Double {
        let projection = try localProjection(for: .lineString(line))
        let g = try make(try projection.forward(.lineString(line)))
        let p = try make(.point(Point(try projection.forward(point))))
        let value = GEOSProject_r(handle, g.pointer, p.pointer)
        guard value >= 0 else { throw context.error("Project") }
        return value
    }

    // MARK: Local projections

    /// Runs `body` on the geometry projected to metres around its centre and projects the answer back.
    func inLocalProjection(_ geometry: Geometry, _ body: (Geometry) throws -> Geometry) throws -> Geometry {
        let projection = try localProjection(for: geometry)
        return try projection.inverse(try body(try projection.forward(geometry)))
    }

    /// A transverse Mercator centred on the geometry's bounding box, cached per 0.1° so repeated calls in one
    /// area reuse the PROJ object.
    func localProjection(for geometry: Geometry) throws -> LocalProjection {
        guard let box = geometry.boundingBox, box.center.isValidGeographic else {
            throw GeoError(code: .invalidGeometry, message: "a metre operation needs a non-empty lon/lat geometry")
        }
        let key = LocalProjection.Key(centre: box.center)
        if let cached = localProjections[key] { return cached }
        let projection = try LocalProjection(key: key)
        localProjections[key] = projection
        return projection
    }
}

/// A transverse Mercator projection centred near a place, for metre-based buffers and simplification.
final class LocalProjection {
    struct Key: Hashable {
        let longitudeTenths: Int
        let latitudeTenths: Int
        init(centre: Coordinate) {
            longitudeTenths = Int((centre.x * 10).rounded())
            latitudeTenths = Int((centre.y * 10).rounded())
        }
    }

    private let transformer: CoordinateTransformer

    init(key: Key) throws {
        let definition = "+proj=tmerc +lat_0=\(Double(key.latitudeTenths) / 10) +lon_0=\(Double(key.longitudeTenths) / 10) +k=1 +x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs +type=crs"
        transformer = try CoordinateTransformer(from: "EPSG:4490", to: definition)
    }

    func forward(_ geometry: Geometry) throws -> Geometry { try transformer.transform(geometry) }
    func forward(_ c: Coordinate) throws -> Coordinate { try transformer.transform(c) }
    func inverse(_ geometry: Geometry) throws -> Geometry { try transformer.inverseTransform(geometry) }
    func inverse(_ c: Coordinate) throws -> Coordinate { try transformer.inverseTransform(c) }
}
