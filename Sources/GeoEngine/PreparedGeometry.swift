internal import CGEOS
import GeoCore

/// A geometry prepared by GEOS for many repeated predicate tests (point-in-polygon against a fence, say).
///
/// Lives in its engine's GEOS context: **use it only on the task that created the engine.**
public final class PreparedGeometry {
    private let engine: GeometryEngine
    private let geometry: GEOSGeometryOwner
    private let prepared: OpaquePointer
    /// The geometry that was prepared.
    public let source: Geometry

    public init(_ source: Geometry, engine: GeometryEngine) throws {
        self.engine = engine
        self.source = source
        geometry = try engine.make(source)
        guard let prepared = GEOSPrepare_r(engine.handle, geometry.pointer) else { throw engine.context.error("Prepare") }
        self.prepared = prepared
    }

    deinit {
        GEOSPreparedGeom_destroy_r(engine.handle, prepared)
    }

    /// Whether the prepared geometry contains the point (boundary excluded).
    public func contains(_ point: Coordinate) throws -> Bool { try contains(.point(Point(point))) }

    /// Whether the prepared geometry intersects the point (boundary included).
    public func intersects(_ point: Coordinate) throws -> Bool { try intersects(.point(Point(point))) }

    /// Whether the prepared geometry covers the point (boundary included).
    public func covers(_ point: Coordinate) throws -> Bool { try covers(.point(Point(point))) }

    /// Whether the point lies in the prepared geometry's interior (boundary excluded).
    public func containsProperly(_ point: Coordinate) throws -> Bool { try containsProperly(.point(Point(point))) }

    public func contains(_ other: Geometry) throws -> Bool { try test(other, GEOSPreparedContains_r, "PreparedContains") }
    public func containsProperly(_ other: Geometry) throws -> Bool { try test(other, GEOSPreparedContainsProperly_r, "PreparedContainsProperly") }
    public func covers(_ other: Geometry) throws -> Bool { try test(other, GEOSPreparedCovers_r, "PreparedCovers") }
    public func intersects(_ other: Geometry) throws -> Bool { try test(other, GEOSPreparedIntersects_r, "PreparedIntersects") }

    private func test(
        _ other: Geometry, _ function: (GEOSContextHandle_t?, OpaquePointer?, OpaquePointer?) -> CChar, _ name: String
    ) throws -> Bool {
        let g = try engine.make(other)
        return try engine.context.predicate(function(engine.handle, prepared, g.pointer), name)
    }
}
