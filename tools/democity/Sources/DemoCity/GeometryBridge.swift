import GeoCore
import GeoEngine

/// The few GEOS and PROJ operations the generator needs, in the generator's own terms (lists of polygons in
/// metres). Owns its engine and transformers: one bridge per generation, on one task.
final class GeometryBridge {
    /// The generator works in CGCS2000 / 3-degree Gauss-Krüger CM 120°E (EPSG:4549), which covers 大丰区
    /// (120.2°E-120.9°E) with a scale error under 1e-4, so lattice cells of 100 m are 10,000 m² on the ground.
    static let metricCRS = "EPSG:4549"
    static let geographicCRS = "EPSG:4490"

    private let engine: GeometryEngine
    private let projection: CoordinateTransformer

    init() throws {
        engine = try GeometryEngine()
        projection = try CoordinateTransformer(from: Self.geographicCRS, to: Self.metricCRS)
    }

    func toMetres(_ c: Coordinate) throws -> Coordinate { try projection.transform(c) }
    func toDegrees(_ c: Coordinate) throws -> Coordinate { try projection.inverseTransform(c) }
    func toMetres(_ polygon: Polygon) throws -> Polygon { try polygon.mapCoordinates(toMetres) }
    func toDegrees(_ polygon: Polygon) throws -> Polygon { try polygon.mapCoordinates(toDegrees) }

    /// Voronoi cells of `points`, in the order of the points, each cell clipped to `area`.
    func voronoiCells(of points: [Coordinate], covering area: [Polygon]) throws -> [[Polygon]] {
        guard points.count > 1 else { return points.isEmpty ? [] : [area] }
        let box = BoundingBox(coordinates: area.flatMap(\.exterior))!.expanded(by: 10_000)
        let cells = polygons(of: try engine.voronoiDiagram(of: points, envelope: box))
        return try points.map { point in
            guard let cell = cells.first(where: { Planar.polygon($0, contains: point) }) else { return [] }
            return try intersection([cell], area)
        }
    }

    func intersection(_ a: [Polygon], _ b: [Polygon]) throws -> [Polygon] {
        guard !a.isEmpty, !b.isEmpty else { return [] }
        return polygons(of: try engine.intersection(multi(a), multi(b)))
    }

    func difference(_ a: [Polygon], _ b: [Polygon]) throws -> [Polygon] {
        guard !a.isEmpty else { return [] }
        guard !b.isEmpty else { return a }
        return polygons(of: try engine.difference(multi(a), multi(b)))
    }

    private func multi(_ polygons: [Polygon]) -> Geometry {
        polygons.count == 1 ? .polygon(polygons[0]) : .multiPolygon(MultiPolygon(polygons))
    }

    /// The polygons of an overlay result, dropping slivers under 1 m² that overlay arithmetic can leave.
    private func polygons(of geometry: Geometry) -> [Polygon] {
        geometry.polygons.filter { Planar.area(of: $0) >= 1 }
    }
}
