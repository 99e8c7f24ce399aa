import Testing

@testable import GeoCore

@Suite("WKT reader and writer")
struct WKTTests {
    @Test("every geometry type round-trips, with and without SRID", arguments: sampleGeometries.map(\.name))
    func roundTrip(name: String) throws {
        let geometry = sampleGeometries.first { $0.name == name }!.geometry
        let text = WKT.encode(geometry)
        #expect(sameGeometry(try WKT.decode(text), geometry), "\(text)")
        let extended = try WKT.decodeWithSRID(WKT.encode(geometry, srid: 4490))
        #expect(extended.srid == 4490)
        #expect(sameGeometry(extended.geometry, geometry))
    }

    @Test("writes canonical OGC text", arguments: [
        (Geometry.point(Point(c(1, 2))), "POINT (1 2)"),
        (.point(Point(c(-0.0, 1e-7))), "POINT (0 0.0000001)"),
        (.point(.empty), "POINT EMPTY"),
        (.lineString(LineString([c(120.4735, 33.2011), c(1.5, -2)])), "LINESTRING (120.4735 33.2011, 1.5 -2)"),
        (.lineString(LineString([])), "LINESTRING EMPTY"),
        (.polygon(Polygon(exterior: [c(0, 0), c(1, 0), c(1, 1), c(0, 0)], holes: [[c(0.1, 0.1), c(0.2, 0.1), c(0.2, 0.2), c(0.1, 0.1)]])),
         "POLYGON ((0 0, 1 0, 1 1, 0 0), (0.1 0.1, 0.2 0.1, 0.2 0.2, 0.1 0.1))"),
        (.polygon(Polygon(exterior: [])), "POLYGON EMPTY"),
        (.multiPoint(MultiPoint([c(1, 2), Point.empty.coordinate])), "MULTIPOINT ((1 2), EMPTY)"),
        (.multiLineString(MultiLineString([LineString([c(1, 2), c(3, 4)]), LineString([])])), "MULTILINESTRING ((1 2, 3 4), EMPTY)"),
        (.multiPolygon(MultiPolygon([Polygon(exterior: [c(0, 0), c(1, 0), c(1, 1), c(0, 0)])])), "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)))"),
        (.geometryCollection(GeometryCollection([.point(Point(c(1, 2))), .geometryCollection(GeometryCollection([]))])),
         "GEOMETRYCOLLECTION (POINT (1 2), GEOMETRYCOLLECTION EMPTY)"),
    ])
    func writes(geometry: Geometry, expected: String) {
        #expect(WKT.encode(geometry) == expected)
    }

    @Test("writes EWKT with an SRID prefix")
    func writesSRID() {
        #expect(WKT.encode(.point(Point(c(120.5, 33.25))), srid: 4490) == "SRID=4490;POINT (120.5 33.25)")
    }

    @Test("reads keyword case, dimension tags, EMPTY forms and SRID prefixes", arguments: [
        ("point(1 2)", Geometry.point(Point(c(1, 2))), nil),
        ("  Point  ( 1   2 )  ", .point(Point(c(1, 2))), nil),
        ("POINT Z (1 2 3)", .point(Point(c(1, 2))), nil),
        ("POINTZ(1 2 3)", .point(Point(c(1, 2))), nil),
        ("POINT M (1 2 7)", .point(Point(c(1, 2))), nil),
        ("point zm (1 2 3 4)", .point(Point(c(1, 2))), nil),
        ("POINT (1 2 3)", .point(Point(c(1, 2))), nil),
        ("SRID=4490;POINT(1 2)", .point(Point(c(1, 2))), 4490),
        ("srid = 4326 ; LINESTRING (0 0, 1 1)", .lineString(LineString([c(0, 0), c(1, 1)])), 4326),
        ("POINT (-1.5e2 +2.5E-1)", .point(Point(c(-150, 0.25))), nil),
        ("POINT (.5 5.)", .point(Point(c(0.5, 5))), nil),
        ("MULTIPOINT (1 2, 3 4)", .multiPoint(MultiPoint([c(1, 2), c(3, 4)])), nil),
        ("MULTIPOINT ((1 2), (3 4))", .multiPoint(MultiPoint([c(1, 2), c(3, 4)])), nil),
        ("MULTIPOINT Z ((1 2 3), (3 4 5))", .multiPoint(MultiPoint([c(1, 2), c(3, 4)])), nil),
        ("linestring empty", .lineString(LineString([])), nil),
        ("POLYGON Z EMPTY", .polygon(Polygon(exterior: [])), nil),
        ("MULTIPOLYGON EMPTY", .multiPolygon(MultiPolygon([])), nil),
        ("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), EMPTY)",
         .multiPolygon(MultiPolygon([Polygon(exterior: [c(0, 0), c(1, 0), c(1, 1), c(0, 0)]), Polygon(exterior: [])])), nil),
        ("GEOMETRYCOLLECTION(POINT(1 2),LINESTRING(0 0,1 1))",
         .geometryCollection(GeometryCollection([.point(Point(c(1, 2))), .lineString(LineString([c(0, 0), c(1, 1)]))])), nil),
    ] as [(String, Geometry, Int32?)])
    func reads(text: String, expected: Geometry, srid: Int32?) throws {
        let result = try WKT.decodeWithSRID(text)
        #expect(result.geometry == expected)
        #expect(result.srid == srid)
    }

    @Test("reads POINT EMPTY as the empty point")
    func emptyPoint() throws {
        guard case .point(let p) = try WKT.decode("POINT EMPTY") else {
            Issue.record("not a point")
            return
        }
        #expect(p.isEmpty)
    }

    @Test("rejects bad input naming the offset and what was expected", arguments: [
        ("", "expected a geometry type, found end of input", "offset 0"),
        ("POLYGN ((0 0, 1 0, 1 1, 0 0))", "unknown geometry type 'POLYGN'", "offset 0"),
        ("POINT (1 2", "expected ')' after the point's position, found end of input", "offset 10"),
        ("POINT (1 a)", "expected a number, found 'a'", "offset 9"),
        ("POINT 1 2", "expected '(' or EMPTY to start a point, found '1'", "offset 6"),
        ("POINT (1 2) x", "expected end of input, found 'x'", "offset 12"),
        ("LINESTRING (0 0, 1 1; 2 2)", "expected ',' or ')' in a line string, found ';'", "offset 20"),
        ("LINESTRING (0 0)", "line string must have at least 2 positions", "offset 11"),
        ("POLYGON ((0 0, 1 0, 1 1, 0 1))", "linear ring is not closed", "offset 9"),
        ("POLYGON ((0 0, 1 0, 1 1, 0 0), (0 0, 1 1, 0 0))", "linear ring must have at least 4 positions", "offset 31"),
        ("MULTIPOLYGON ((0 0, 1 0, 1 1, 0 0))", "expected '(' or EMPTY to start a linear ring, found '0'", "offset 15"),
        ("GEOMETRYCOLLECTION (POINT (1 2), CIRCLE (0 0))", "unknown geometry type 'CIRCLE'", "offset 33"),
        ("SRID=abc;POINT (1 2)", "expected an SRID integer, found 'abc'", "offset 5"),
        ("SRID=4490 POINT (1 2)", "expected ';' after the SRID, found 'POINT'", "offset 10"),
        ("POINT (1e 2)", "expected exponent digits in a number", "offset 8"),
        ("POINT (1e999 2)", "number 1e999 is out of the range of a double", "offset 7"),
    ])
    func rejects(text: String, message: String, location: String) {
        let error = expectGeoError { _ = try WKT.decode(text) }
        #expect(error?.code == .invalidWKT)
        #expect(error?.message == message)
        #expect(error?.location == location)
    }
}
