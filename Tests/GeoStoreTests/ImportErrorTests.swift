import Foundation
import GeoCore
import StoreBackends
import Testing

@testable import GeoStore

/// One failing import: what is imported, where, and the error it must give.
struct FailingImport: Sendable, CustomTestStringConvertible {
    enum Input: Sendable {
        case csv(String, CSVOptions = CSVOptions())
        case geoJSON(String)
        case features([Feature])
    }

    var label: String
    var input: Input
    var layer = "base"
    var options = ImportOptions(mode: .replace)
    var code: GeoError.Code
    var location: String?
    var messageContains: String

    var testDescription: String { label }

    func run(on store: any CityStore) async throws(GeoError) {
        switch input {
        case .csv(let file, let csv):
            _ = try await store.importCSV(name: layer, file: Fixture.url(file), csv: csv, options: options)
        case .geoJSON(let file):
            _ = try await store.importGeoJSON(name: layer, file: Fixture.url(file), options: options)
        case .features(let features):
            _ = try await store.importLayer(name: layer, features: features, options: options, progress: nil)
        }
    }
}

private let point = Geometry.point(Point(Coordinate(x: 120.3, y: 33.3)))
/// SpatiaLite cannot read nested collections (PostGIS can): refused by validation, so both backends store the same.
private let nestedCollection = Geometry.geometryCollection(GeometryCollection([.geometryCollection(GeometryCollection([point]))]))

@Suite("Failed imports change nothing")
struct ImportErrorTests {
    static let cases: [FailingImport] = [
        FailingImport(
            label: "malformed CSV quote", input: .csv("bad_quote.csv"), code: .invalidCSV, location: "line 4, field 1",
            messageContains: "closing quote"),
        FailingImport(
            label: "GBK bytes", input: .csv("gbk.csv"), code: .invalidEncoding, location: "line 3",
            messageContains: "file is not UTF-8 (GBK?): convert with iconv -f GBK -t UTF-8"),
        FailingImport(
            label: "missing longitude column", input: .csv("missing_lon.csv"), code: .invalidCSV, location: "line 1",
            messageContains: "no longitude column"),
        FailingImport(
            label: "explicit column absent", input: .csv("pois.csv", CSVOptions(longitudeColumn: "x_coord")), code: .invalidCSV,
            location: "line 1", messageContains: "\"x_coord\""),
        FailingImport(
            label: "latitude out of range", input: .csv("bad_lat.csv"), code: .outOfRange, location: "line 5, column \"lat\"",
            messageContains: "95.5"),
        FailingImport(
            label: "bad WKT", input: .csv("bad_wkt.csv"), code: .invalidGeometry, location: "line 3, column \"wkt\"",
            messageContains: "line 3"),
        FailingImport(
            label: "invalid layer name", input: .geoJSON("towns.geojson"), layer: "Towns-2024", code: .invalidLayerName,
            location: nil, messageContains: "\"Towns-2024\""),
        FailingImport(
            label: "layer exists in fail mode", input: .geoJSON("towns.geojson"), options: ImportOptions(mode: .failIfExists),
            code: .layerExists, location: nil, messageContains: "\"base\""),
        FailingImport(
            label: "malformed GeoJSON", input: .geoJSON("malformed.geojson"), code: .invalidGeoJSON,
            location: "features[1].geometry.coordinates[1][1]", messageContains: "number"),
        FailingImport(
            label: "unknown SRID, after the old layer was dropped", input: .geoJSON("towns.geojson"),
            options: ImportOptions(mode: .replace, srid: 999_999), code: .invalidSRID, location: nil, messageContains: "999999"),
        FailingImport(
            label: "nested geometry collection",
            input: .features([Feature(geometry: point), Feature(geometry: point), Feature(geometry: nestedCollection)]),
            code: .invalidGeometry, location: "features[2].geometry", messageContains: "feature 2"),
        FailingImport(
            label: "point appended to a polygon layer", input: .features([Feature(geometry: square(120, 33, 0.1)), Feature(geometry: point)]),
            options: ImportOptions(mode: .append), code: .invalidGeometry, location: "features[1].geometry",
            messageContains: "holds Polygon"),
        FailingImport(
            label: "feature type differs from the requested layer type",
            input: .features([Feature(geometry: point), Feature(geometry: square(120, 33, 0.1))]),
            options: ImportOptions(mode: .replace, geometryType: .point), code: .invalidGeometry, location: "features[1].geometry",
            messageContains: "Polygon"),
        FailingImport(
            label: "latitude out of range in code", input: .features([Feature(geometry: point), Feature(geometry: .point(Point(Coordinate(x: 120, y: 91))))]),
            code: .outOfRange, location: "features[1].geometry", messageContains: "91"),
        FailingImport(
            label: "non-finite coordinate", input: .features([Feature(geometry: .point(Point(Coordinate(x: .infinity, y: 33))))]),
            code: .invalidGeometry, location: "features[0].geometry", messageContains: "non-finite"),
        FailingImport(
            label: "empty geometry", input: .features([Feature(geometry: point), Feature(geometry: .lineString(LineString([])))]),
            code: .invalidGeometry, location: "features[1].geometry", messageContains: "empty"),
        FailingImport(
            label: "feature without geometry", input: .features([Feature(geometry: nil, properties: ["a": 1])]),
            code: .invalidGeometry, location: "features[0].geometry", messageContains: "no geometry"),
        FailingImport(
            label: "unclosed ring", input: .features([Feature(geometry: .polygon(Polygon(exterior: [
                Coordinate(x: 120, y: 33), Coordinate(x: 121, y: 33), Coordinate(x: 121, y: 34), Coordinate(x: 120, y: 34),
            ])))]),
            code: .invalidGeometry, location: "features[0].geometry", messageContains: "not closed"),
    ]

    @Test("each error names its code and location and leaves the database as it was", arguments: StoreBackend.all, cases)
    func failingImport(_ backend: StoreBackend, _ failing: FailingImport) async throws {
        let store = try await storeWithBaseLayer(backend)
        _ = try await store.importCSV(name: "pois", file: Fixture.url("pois.csv"))
        let before = try await StoreSnapshot.take(store)
        let baseFeatures = try await store.features(in: "base")

        let error = await #expect(throws: GeoError.self) { try await failing.run(on: store) }
        #expect(error?.code == failing.code)
        #expect(error?.location == failing.location)
        #expect(error?.message.contains(failing.messageContains) == true, "message: \(error?.message ?? "none")")

        let after = try await StoreSnapshot.take(store)
        #expect(after == before)
        #expect(try await store.features(in: "base") == baseFeatures)
        #expect(try await store.layers().map(\.name) == ["base", "pois"])
        #expect(try await store.featureCount(in: "pois") == 4)
    }

    @Test("a failed import into a new layer leaves no table, metadata or catalogue entry", arguments: StoreBackend.all)
    func failedNewLayer(_ backend: StoreBackend) async throws {
        let store = try await storeWithBaseLayer(backend)
        let before = try await StoreSnapshot.take(store)
        let error = await #expect(throws: GeoError.self) {
            _ = try await store.importLayer(
                name: "fresh", features: [Feature(geometry: point), Feature(geometry: nestedCollection)],
                options: ImportOptions(), progress: nil)
        }
        #expect(error?.code == .invalidGeometry)
        #expect(try await StoreSnapshot.take(store) == before)
        #expect(try await Probe.schemaObjects(store, containing: "fresh") == [])
        #expect(try await store.layer(named: "fresh") == nil)
    }
}
