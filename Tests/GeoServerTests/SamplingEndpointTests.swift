import Foundation
import GeoCore
import GeoServer
import GeoStore
import Hummingbird
import HummingbirdTesting
import Testing

/// POST /v1/sampling on the committed demo city.
@Suite struct SamplingEndpointTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func withApp(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let store = try SpatialStore.temporary()
        for (layer, path) in [
            ("unit_grids", "GridData/unit_grids.geojson"), ("eval_area_types", "GridData/eval_area_types.geojson"),
            ("sample_points", "GridData/sample_points.geojson"), ("streets", "GridData/streets.geojson"), ("rivers", "GridData/rivers.geojson"),
            ("compounds", "AddressBooks/compounds.geojson"),
        ] {
            _ = try await store.importGeoJSON(name: layer, file: Self.root.appendingPathComponent(path))
        }
        let router = try await buildRouter(store: store, configuration: ServerConfiguration(databasePath: nil))
        try await Application(router: router).test(.router, body)
    }

    @Test func aClassOnePlanIsDrawnRecordedAndNotRepeated() async throws {
        try await withApp { client in
            let request = #"{"city_class":1,"seed":2026,"points":{"主次干道":4,"社区":2},"groups":2,"record":true}"#
            var firstCodes: Set<String> = []
            try await client.execute(uri: "/v1/sampling", method: .post, body: ByteBuffer(string: request)) { response in
                #expect(response.status == .ok)
                let features = try GeoJSON.decodeFeatureCollection(Array(response.body.readableBytesView)).features
                #expect(features.filter { $0.properties["role"] == "evaluation_grid" }.count == 8)
                #expect(features.filter { $0.properties["role"] == "sample_point" }.count == 6)
                #expect(features.allSatisfy { $0.properties["plan_round"] == .int(1) && $0.properties["plan_seed"] == "2026" })
                firstCodes = Set(features.compactMap { $0.properties["role"] == "sample_point" ? $0.properties["id"]?.stringValue : nil })
            }
            let again = #"{"city_class":3,"seed":2026,"points":{"主次干道":4,"社区":2},"exclude_rounds":1,"format":"csv"}"#
            try await client.execute(uri: "/v1/sampling", method: .post, body: ByteBuffer(string: again)) { response in
                #expect(response.status == .ok)
                let rows = String(buffer: response.body).split(separator: "\n").dropFirst()
                #expect(rows.count == 5 + 6)
                let ids = Set(rows.filter { $0.hasPrefix("sample_point") }.map { String($0.split(separator: ",")[1]) })
                #expect(ids.isDisjoint(with: firstCodes))
            }
        }
    }

    /// Types drawn from thematic layers: river sections (河流湖泊 is 河道湖泊) and compounds as polygons.
    @Test func thematicLayersGiveSectionsAndPolygons() async throws {
        try await withApp { client in
            let request = #"{"seed":3,"points":{"河流湖泊":2,"住宅小区":1},"themes":{"河道湖泊":"rivers","住宅小区":"compounds"},"section_m":500}"#
            try await client.execute(uri: "/v1/sampling", method: .post, body: ByteBuffer(string: request)) { response in
                #expect(response.status == .ok)
                let sites = try GeoJSON.decodeFeatureCollection(Array(response.body.readableBytesView)).features.filter { $0.properties["role"] == "sample_point" }
                let rivers = sites.filter { $0.properties["type"] == "河道湖泊" }
                #expect(rivers.count == 2)
                #expect(rivers.allSatisfy { $0.geometry?.type == .lineString && $0.properties["shape"] == "line_section" })
                #expect(rivers.allSatisfy { $0.properties["id"]?.stringValue?.hasPrefix("rivers:") == true })
                let compounds = sites.filter { $0.properties["type"] == "住宅小区" }
                #expect(compounds.count == 1 && compounds.first?.geometry?.type == .polygon)
                #expect(compounds.first?.properties["id"]?.stringValue?.hasPrefix("compounds:C") == true)
                #expect(sites.first?.properties["plan_inputs"]?.stringValue?.contains("rivers:") == true)
            }
        }
    }

    @Test(arguments: [
        (#"{"points":{"主次干道":1}}"#, HTTPResponse.Status.badRequest, "seed"),
        (#"{"seed":1,"points":{},"themes":{"河道湖泊":"nowhere"}}"#, .notFound, "themes"),
        (#"{"seed":1,"points":{},"themes":{"河道湖泊":"Rivers"}}"#, .badRequest, "themes.河道湖泊"),
        (#"{"seed":1,"points":{},"themes":["rivers"]}"#, .badRequest, "themes"),
        (#"{"seed":1,"points":{},"themes":{"河道湖泊":"rivers"},"section_m":1}"#, .badRequest, "section_m"),
        (#"{"seed":1,"points":{"主次干道":-2}}"#, .badRequest, "points.主次干道"),
        (#"{"seed":1,"points":{"农贸市场":500}}"#, .unprocessableContent, "points"),
        (#"{"seed":1,"city_class":5,"points":{}}"#, .badRequest, "city_class"),
        (#"{"seed":1,"points":{},"format":"pdf"}"#, .badRequest, "format"),
    ])
    func badPlansNameTheField(body: String, status: HTTPResponse.Status, field: String) async throws {
        try await withApp { client in
            try await client.execute(uri: "/v1/sampling", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == status, "\(body)")
                let json = try #require(try JSON.decode(Array(response.body.readableBytesView)).objectValue)
                let details = try #require(json["details"]?.objectValue)
                #expect(details["field"]?.stringValue == field, "\(body)")
            }
        }
    }
}
