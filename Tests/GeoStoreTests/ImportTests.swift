import Foundation
import GeoCore
import StoreBackends
import Testing

@testable import GeoStore

@Suite("Layer import and export")
struct ImportTests {
    @Test("GeoJSON import fills the catalogue and round-trips through export", arguments: StoreBackend.all)
    func geoJSONImport(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let source = try GeoJSON.decodeFeatureCollection(try Fixture.bytes("towns.geojson"))
        let calls = ProgressLog()
        let info = try await store.importGeoJSON(
            name: "towns", file: Fixture.url("towns.geojson"), options: ImportOptions(title: "乡镇", progressInterval: 2),
            progress: { done, total in calls.append(done, total) })

        #expect(info.name == "towns")
        #expect(info.title == "乡镇")
        #expect(info.featureCount == 4)
        #expect(info.geometryType == .polygon)
        #expect(info.srid == 4490)
        #expect(info.version == 1)
        #expect(info.bbox == BoundingBox(minX: 120.1, minY: 32.9, maxX: 120.9, maxY: 33.5))
        #expect(info.schema == [
            AttributeField(name: "area_km2", type: .real),  // 75 merged with reals
            AttributeField(name: "coastal", type: .boolean),
            AttributeField(name: "code", type: .text),
            AttributeField(name: "name", type: .text),
            AttributeField(name: "population", type: .integer),
            AttributeField(name: "tags", type: .json),
        ])
        #expect(calls.entries == [[0, 4], [2, 4], [4, 4]])
        #expect(try await store.layer(named: "towns") == info)
        #expect(try await store.layers() == [info])

        // The column is registered with its type and SRID, and the spatial index holds every feature.
        #expect(try await Probe.geometryColumns(store) == [["layer_towns", "POLYGON", "4490"]])
        #expect(try await Probe.indexedRows(store, layer: "towns") == 4)

        let stored = try await store.features(in: "towns")
        #expect(stored.map(\.fid) == [1, 2, 3, 4])
        #expect(stored.map(\.feature) == source.features)

        let exported = try GeoJSON.decodeFeatureCollection(try await store.exportGeoJSON(layer: "towns"))
        #expect(exported == source)
        #expect(exported.features[2].properties["tags"] == .array(["港口", "渔业"]))
        #expect(exported.features[1].geometry == source.features[1].geometry)
    }

    @Test("lon/lat CSV: BOM, CRLF, quoted fields, inferred types, leading-zero codes kept as text", arguments: StoreBackend.all)
    func csvLonLat(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let info = try await store.importCSV(name: "pois", file: Fixture.url("pois.csv"))
        #expect(info.featureCount == 4)
        #expect(info.geometryType == .point)
        #expect(info.bbox == BoundingBox(minX: 120.2, minY: 33.0, maxX: 120.75, maxY: 33.4))
        #expect(info.schema == [
            AttributeField(name: "code", type: .text),
            AttributeField(name: "floors", type: .integer),
            AttributeField(name: "name", type: .text),
            AttributeField(name: "note", type: .text),
            AttributeField(name: "rating", type: .real),
        ])
        let features = try await store.features(in: "pois").map(\.feature)
        #expect(features.map(\.geometry) == [
            .point(Point(Coordinate(x: 120.75, y: 33.19))), .point(Point(Coordinate(x: 120.46, y: 33.2))),
            .point(Point(Coordinate(x: 120.3, y: 33.4))), .point(Point(Coordinate(x: 120.2, y: 33.0))),
        ])
        #expect(features[0].properties == [
            "name": "大丰港", "code": "032090400100100", "floors": 3, "rating": 4.5, "note": "port, east",
        ])
        #expect(features[1].properties["name"] == "He said \"hi\"")
        #expect(features[1].properties["code"] == "320904001001001")
        #expect(features[1].properties["rating"] == .double(3))
        #expect(features[2].properties["name"] == "multi\r\nline")
        #expect(features[2].properties["floors"] == JSONValue.null)
        #expect(features[2].properties["note"] == JSONValue.null)
        #expect(features[3].properties["note"] == "a \"quoted\" word")
        #expect(features.allSatisfy { $0.id == nil })
    }

    @Test("WKT CSV with an id column; mixed types make a Geometry layer", arguments: StoreBackend.all)
    func csvWKT(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let info = try await store.importCSV(name: "roads", file: Fixture.url("roads.csv"), csv: CSVOptions(idColumn: "id"))
        #expect(info.featureCount == 3)
        #expect(info.geometryType == nil)
        #expect(info.schema == [AttributeField(name: "kind", type: .text), AttributeField(name: "name", type: .text)])
        #expect(info.bbox == BoundingBox(minX: 120.40, minY: 33.10, maxX: 120.50, maxY: 33.31))
        #expect(try await Probe.geometryColumns(store) == [["layer_roads", "GEOMETRY", "4490"]])

        let exported = try GeoJSON.decodeFeatureCollection(try await store.exportGeoJSON(layer: "roads"))
        #expect(exported.features.map(\.id) == [.int(1), .int(2), .int(3)])
        #expect(exported.features.map(\.geometry) == [
            try WKT.decode("LINESTRING (120.40 33.17, 120.50 33.18)"),
            try WKT.decode("LINESTRING (120.45 33.10, 120.45 33.30, 120.47 33.31)"),
            try WKT.decode("MULTILINESTRING ((120.41 33.15, 120.42 33.16), (120.43 33.15, 120.44 33.16))"),
        ])
        #expect(exported.features[1].properties == ["name": "幸福大道", "kind": "主干道"])
    }

    @Test("explicit column names and type overrides", arguments: StoreBackend.all)
    func csvExplicitColumns(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let csv = Array("站点,经度,纬度,编号\n东站,120.5,33.2,0001\n西站,120.1,33.3,0002\n".utf8)
        let info = try await store.importCSV(
            name: "stations", bytes: csv,
            csv: CSVOptions(longitudeColumn: "经度", latitudeColumn: "纬度", columnTypes: ["编号": .text]),
            options: ImportOptions(srid: 4326))
        #expect(info.srid == 4326)
        #expect(info.schema == [AttributeField(name: "站点", type: .text), AttributeField(name: "编号", type: .text)])
        let features = try await store.features(in: "stations")
        #expect(features.map { $0.feature.properties["编号"] } == ["0001", "0002"])
        #expect(features[1].feature.geometry == .point(Point(Coordinate(x: 120.1, y: 33.3))))
    }

    @Test("replace and append keep the catalogue consistent and bump the version", arguments: StoreBackend.all)
    func replaceAndAppend(_ backend: StoreBackend) async throws {
        let store = try await storeWithBaseLayer(backend)
        let extra = FeatureCollection([Feature(id: .string("new"), geometry: square(121.0, 33.6, 0.1), properties: ["population": 1.5])])
        let appended = try await store.importLayer(name: "base", features: extra, options: ImportOptions(mode: .append))
        #expect(appended.featureCount == 5)
        #expect(appended.version == 2)
        #expect(appended.title == "乡镇")
        #expect(appended.bbox == BoundingBox(minX: 120.1, minY: 32.9, maxX: 121.1, maxY: 33.7))
        #expect(appended.schema.first { $0.name == "population" }?.type == .real)
        #expect(try await store.features(in: "base").last?.feature.id == .string("new"))
        // Appended rows reach the existing spatial index (SpatiaLite's triggers, PostgreSQL's GiST).
        #expect(try await Probe.indexedRows(store, layer: "base") == 5)
        #expect(try await store.features(in: "base", bbox: BoundingBox(minX: 121.05, minY: 33.65, maxX: 121.2, maxY: 33.8)).map(\.fid) == [5])

        let replaced = try await store.importLayer(name: "base", features: extra, options: ImportOptions(mode: .replace))
        #expect(replaced.featureCount == 1)
        #expect(replaced.version == 3)
        #expect(try await store.featureCount(in: "base") == 1)
        #expect(try await Probe.indexedRows(store, layer: "base") == 1)

        try await store.deleteLayer(named: "base")
        #expect(try await store.layers().isEmpty)
        #expect(try await Probe.geometryColumns(store) == [])
        #expect(try await Probe.schemaObjects(store, containing: "layer_base") == [])
        // A layer created again under the same name never reuses a version a cache may still hold.
        let again = try await store.importLayer(name: "base", features: extra)
        #expect(again.version == 5)
    }
}

extension ImportTests {
    @Test("append creates a missing layer; an empty import makes an empty Geometry layer", arguments: StoreBackend.all)
    func appendAndEmpty(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let created = try await store.importLayer(
            name: "marks", features: [Feature(id: .int(7), geometry: .point(Point(Coordinate(x: 120.5, y: 33.2))))],
            options: ImportOptions(mode: .append), progress: nil)
        #expect(created.featureCount == 1)
        #expect(created.version == 1)
        #expect(try await store.features(in: "marks").map(\.feature.id) == [.int(7)])

        let empty = try await store.importLayer(name: "empty", features: FeatureCollection())
        #expect(empty.featureCount == 0)
        #expect(empty.geometryType == nil)
        #expect(empty.bbox == nil)
        #expect(empty.schema == [])
        #expect(try await store.exportGeoJSON(layer: "empty") == Array(#"{"type":"FeatureCollection","features":[]}"#.utf8))
        #expect(try await store.layers().map(\.name) == ["empty", "marks"])
    }
}

/// Collects progress calls from the writer thread.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var calls: [[Int]] = []

    func append(_ done: Int, _ total: Int) { lock.withLock { calls.append([done, total]) } }
    var entries: [[Int]] { lock.withLock { calls } }
}
