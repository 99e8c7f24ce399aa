import Foundation
import Testing

@testable import GeoCore

@Suite("GeoJSON reader and writer")
struct GeoJSONTests {
    @Test("every geometry type round-trips", arguments: sampleGeometries.map(\.name))
    func roundTrip(name: String) throws {
        let geometry = sampleGeometries.first { $0.name == name }!.geometry
        if case .multiPoint(let m) = geometry, m.points.contains(where: { Point($0).isEmpty }) { return }
        let text = try GeoJSON.encode(geometry)
        let back = try GeoJSON.decodeGeometry(text, options: .projected)
        #expect(sameGeometry(back, geometry), "\(text)")
    }

    @Test("writes exact text for small cases", arguments: [
        (Geometry.point(Point(c(1, 2))), #"{"type":"Point","coordinates":[1.0,2.0]}"#),
        (.point(.empty), #"{"type":"Point","coordinates":[]}"#),
        (.lineString(LineString([c(0.1, -0.2), c(3, 4)])), #"{"type":"LineString","coordinates":[[0.1,-0.2],[3.0,4.0]]}"#),
        (.polygon(Polygon(exterior: [])), #"{"type":"Polygon","coordinates":[]}"#),
        (.multiPoint(MultiPoint([c(1, 2)])), #"{"type":"MultiPoint","coordinates":[[1.0,2.0]]}"#),
        (.geometryCollection(GeometryCollection([.point(Point(c(1, 2)))])),
         #"{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1.0,2.0]}]}"#),
    ])
    func writesGeometry(geometry: Geometry, expected: String) throws {
        #expect(try GeoJSON.encode(geometry) == expected)
    }

    @Test("writes features deterministically with sorted property keys")
    func writesFeatures() throws {
        let collection = FeatureCollection([
            Feature(id: .int(7), geometry: .point(Point(c(120.5, 33.25))),
                    properties: ["名称": "大丰区", "code": .int(320904), "area": .double(3059.0), "tags": .array(["a", nil])]),
            Feature(id: .string("u-1"), geometry: nil),
        ])
        let expected = #"{"type":"FeatureCollection","features":[{"type":"Feature","id":7,"geometry":{"type":"Point","coordinates":[120.5,33.25]},"properties":{"area":3059.0,"code":320904,"tags":["a",null],"名称":"大丰区"}},{"type":"Feature","id":"u-1","geometry":null,"properties":{}}]}"#
        #expect(try GeoJSON.encode(collection) == expected)
        #expect(try GeoJSON.encodeBytes(collection) == Array(expected.utf8))
        #expect(try GeoJSON.decodeFeatureCollection(expected) == collection)
    }

    @Test("rounds coordinates to the requested precision, never properties")
    func precision() throws {
        let feature = Feature(geometry: .lineString(LineString([c(120.123456789, 33.987654321), c(-0.00000004, 1.25)])),
                              properties: ["v": .double(0.123456789)])
        let text = try GeoJSON.encode(feature, options: .init(coordinatePrecision: 6))
        #expect(text == #"{"type":"Feature","geometry":{"type":"LineString","coordinates":[[120.123457,33.987654],[0.0,1.25]]},"properties":{"v":0.123456789}}"#)
        let full = try GeoJSON.encode(feature)
        #expect(full.contains("[120.123456789,33.987654321]"))
    }

    @Test("refuses non-finite coordinates when writing")
    func nonFinite() {
        let geometry = Geometry.multiLineString(MultiLineString([LineString([c(0, 0), c(1, 1)]), LineString([c(0, 0), c(.infinity, 1)])]))
        let error = expectGeoError { _ = try GeoJSON.encode(Feature(geometry: geometry)) }
        #expect(error?.code == .invalidGeoJSON)
        #expect(error?.location == "geometry.coordinates[1][1]")
    }

    @Test("reads features: ids, null properties, foreign members, bbox, third ordinates")
    func readsFeatures() throws {
        let text = """
            {"type": "FeatureCollection", "bbox": [0, 0, 2, 2], "name": "grids", "crs": {"type": "name"},
             "features": [
              {"type": "Feature", "id": 12, "geometry": {"type": "Point", "coordinates": [1, 2, 30.5]}, "properties": null},
              {"type": "Feature", "id": "A-1", "geometry": null, "properties": {"n": 1.5}, "extra": true},
              {"type": "Feature", "id": 3.0, "geometry": {"type": "LineString", "bbox": [0, 0, 1, 1], "coordinates": [[0, 0], [1, 1]]}}
             ]}
            """
        let collection = try GeoJSON.decodeFeatureCollection(text)
        #expect(collection == FeatureCollection([
            Feature(id: .int(12), geometry: .point(Point(c(1, 2)))),
            Feature(id: .string("A-1"), geometry: nil, properties: ["n": .double(1.5)]),
            Feature(id: .int(3), geometry: .lineString(LineString([c(0, 0), c(1, 1)]))),
        ]))
        #expect(try GeoJSON.decodeFeatures(Data(text.utf8)) == collection)
    }

    @Test("decodeFeatures accepts a single feature or a bare geometry")
    func lenientCollections() throws {
        let feature = #"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"a":1}}"#
        #expect(try GeoJSON.decodeFeatures(feature) == FeatureCollection([Feature(geometry: .point(Point(c(1, 2))), properties: ["a": 1])]))
        let geometry = #"{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}"#
        #expect(try GeoJSON.decodeFeatures(geometry) == FeatureCollection([Feature(geometry: .multiPoint(MultiPoint([c(1, 2), c(3, 4)])))]))
        let strict = expectGeoError { _ = try GeoJSON.decodeFeatureCollection(feature) }
        #expect(strict?.message == "expected type \"FeatureCollection\", found \"Feature\"")
        #expect(strict?.location == "type")
    }

    @Test("reads GEOS's empty polygon [[]]")
    func emptyPolygon() throws {
        let g = try GeoJSON.decodeGeometry(#"{"type":"Polygon","coordinates":[[]]}"#)
        #expect(g == .polygon(Polygon(exterior: [])))
    }

    @Test("checks the geographic range by default, not for projected data")
    func range() throws {
        let text = #"{"type":"Point","coordinates":[40512345.5,3675432.25]}"#
        let error = expectGeoError { _ = try GeoJSON.decodeGeometry(text) }
        #expect(error?.message == "longitude 40512345.5 out of range [-180, 180]")
        #expect(try GeoJSON.decodeGeometry(text, options: .projected) == .point(Point(c(40512345.5, 3675432.25))))
    }

    static let errorCases: [(json: String, message: String, location: String)] = [
        (#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{}},{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1]]]},"properties":{}}]}"#,
         "position needs at least 2 numbers", "features[1].geometry.coordinates[0][2]"),
        (#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]},"properties":{}}]}"#,
         "linear ring must have at least 4 positions", "features[0].geometry.coordinates[0]"),
        (#"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]],[[0,0],[1,0],[1,1],[0,1]]]},"properties":{}}"#,
         "linear ring is not closed", "geometry.coordinates[1]"),
        (#"{"type":"Feature","geometry":{"type":"Polygn","coordinates":[]},"properties":{}}"#,
         "unknown geometry type \"Polygn\"", "geometry.type"),
        (#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[0,0],[200.0,0],[1,1],[0,0]]]]}"#,
         "longitude 200.0 out of range [-180, 180]", "coordinates[1][0][1]"),
        (#"{"type":"Point","coordinates":[120,-91]}"#, "latitude -91.0 out of range [-90, 90]", "coordinates"),
        (#"{"type":"LineString","coordinates":[[0,0]]}"#, "line string must have at least 2 positions", "coordinates"),
        (#"{"type":"LineString","coordinates":[[0,0],[1,"2"]]}"#, "position ordinate must be a number, found a string", "coordinates[1][1]"),
        (#"{"type":"LineString","coordinates":[[0,0],5]}"#, "position must be an array of numbers, found a number", "coordinates[1]"),
        (#"{"type":"MultiLineString","coordinates":{}}"#, "MultiLineString coordinates must be an array, found an object", "coordinates"),
        (#"{"type":"Point"}"#, "missing member \"coordinates\"", "coordinates"),
        (#"{"coordinates":[1,2]}"#, "missing member \"type\"", "type"),
        (#"{"type":5}"#, "\"type\" must be a string, found a number", "type"),
        (#"[1,2]"#, "a GeoJSON object must be a JSON object, found an array", "$"),
        (#"{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},{"type":"Circle"}]}"#,
         "unknown geometry type \"Circle\"", "geometries[1].type"),
        (#"{"type":"GeometryCollection"}"#, "missing member \"geometries\"", "geometries"),
        (#"{"type":"FeatureCollection","features":[{"type":"Feature","id":1.5,"geometry":null}]}"#,
         "feature id must be a string or an integer, found a number", "features[0].id"),
        (#"{"type":"FeatureCollection","features":[{"type":"Feature","id":true,"geometry":null}]}"#,
         "feature id must be a string or an integer, found a boolean", "features[0].id"),
        (#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":[]}]}"#,
         "properties must be an object or null, found an array", "features[0].properties"),
        (#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{}}]}"#,
         "missing member \"geometry\"", "features[0].geometry"),
        (#"{"type":"FeatureCollection","features":[{"type":"Point","coordinates":[1,2]}]}"#,
         "expected type \"Feature\", found \"Point\"", "features[0].type"),
        (#"{"type":"FeatureCollection","features":{}}"#, "\"features\" must be an array, found an object", "features"),
        (#"{"type":"FeatureCollection"}"#, "missing member \"features\"", "features"),
    ]

    @Test("reports each error with its message and JSON path", arguments: errorCases.indices)
    func errors(index: Int) {
        let (json, message, location) = Self.errorCases[index]
        let error = expectGeoError { _ = try GeoJSON.decodeFeatures(json) }
        #expect(error?.code == .invalidGeoJSON)
        #expect(error?.message == message)
        #expect(error?.location == location)
    }

    @Test("malformed JSON surfaces as invalid_json with line and column")
    func malformed() {
        let error = expectGeoError { _ = try GeoJSON.decodeFeatures("{\"type\": \"Feature\",\n \"geometry\": null,,}") }
        #expect(error?.code == .invalidJSON)
        #expect(error?.location == "line 2, column 19")
    }
}
