import Testing

@testable import GeoCore

/// Small builders so test tables read like WKT.
func c(_ x: Double, _ y: Double) -> Coordinate { Coordinate(x: x, y: y) }

/// One geometry of every type (and the empty forms), shared by the round-trip tests of each codec.
let sampleGeometries: [(name: String, geometry: Geometry)] = [
    ("point", .point(Point(c(120.4735, 33.2011)))),
    ("point empty", .point(.empty)),
    ("point negative fraction", .point(Point(c(-0.1, -89.999999999)))),
    ("linestring", .lineString(LineString([c(0, 0), c(1.5, 2.25), c(3, -4)]))),
    ("linestring empty", .lineString(LineString([]))),
    ("polygon", .polygon(Polygon(exterior: [c(0, 0), c(10, 0), c(10, 10), c(0, 0)]))),
    ("polygon with hole", .polygon(Polygon(
        exterior: [c(0, 0), c(10, 0), c(10, 10), c(0, 10), c(0, 0)],
        holes: [[c(2, 2), c(2, 4), c(4, 4), c(2, 2)]]))),
    ("polygon empty", .polygon(Polygon(exterior: []))),
    ("multipoint", .multiPoint(MultiPoint([c(1, 2), c(3, 4)]))),
    ("multipoint empty", .multiPoint(MultiPoint([]))),
    ("multilinestring", .multiLineString(MultiLineString([LineString([c(1, 2), c(3, 4)]), LineString([c(5, 6), c(7, 8), c(9, 10)])]))),
    ("multilinestring empty", .multiLineString(MultiLineString([]))),
    ("multipolygon", .multiPolygon(MultiPolygon([
        Polygon(exterior: [c(0, 0), c(1, 0), c(1, 1), c(0, 0)]),
        Polygon(exterior: [c(5, 5), c(6, 5), c(6, 6), c(5, 5)], holes: [[c(5.1, 5.1), c(5.2, 5.1), c(5.2, 5.2), c(5.1, 5.1)]]),
    ]))),
    ("multipolygon empty", .multiPolygon(MultiPolygon([]))),
    ("collection", .geometryCollection(GeometryCollection([
        .point(Point(c(1, 2))),
        .lineString(LineString([c(0, 0), c(1, 1)])),
        .geometryCollection(GeometryCollection([.polygon(Polygon(exterior: [c(0, 0), c(1, 0), c(1, 1), c(0, 0)]))])),
    ]))),
    ("collection empty", .geometryCollection(GeometryCollection([]))),
]

/// Geometry equality that treats the empty point (NaN NaN) as equal to itself and -0 as 0 (WKT, like GEOS,
/// prints both as 0): identical WKB bytes of the normalised geometries means identical type, structure and
/// ordinates.
func sameGeometry(_ a: Geometry, _ b: Geometry) -> Bool {
    func normalised(_ g: Geometry) -> [UInt8] {
        WKB.encode(g.mapCoordinates { Coordinate(x: $0.x == 0 ? 0 : $0.x, y: $0.y == 0 ? 0 : $0.y) })
    }
    return normalised(a) == normalised(b)
}

/// Runs `body`, which must throw a GeoError, and returns it (nil, recorded as a failure, if it did not throw).
func expectGeoError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> GeoError? {
    do {
        try body()
        Issue.record("expected a GeoError, nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as GeoError {
        return error
    } catch {
        Issue.record("expected a GeoError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
