import Foundation
import GeoCore
import GeoServer
import GeoStore
import Hummingbird
import HummingbirdTesting
import Testing

/// /v1/locate and /v1/locate/batch over a two-street district whose street 001 holds four unit grids.
@Suite struct LocateEndpointTests {
    static func box(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Geometry {
        .polygon(BoundingBox(minX: x0, minY: y0, maxX: x1, maxY: y1).polygon)
    }

    static func region(_ code: String, _ name: String, _ geometry: Geometry) -> Feature {
        Feature(id: .string(code), geometry: geometry, properties: ["code": .string(code), "name": .string(name)])
    }

    static func makeStore() async throws -> SpatialStore {
        let store = try SpatialStore.temporary()
        let layers: [(String, [Feature])] = [
            ("district", [region("320904", "大丰区", box(120.40, 33.10, 120.50, 33.30))]),
            ("streets", [region("320904001", "丰华街道", box(120.40, 33.10, 120.50, 33.20)), region("320904101", "草堰镇", box(120.40, 33.20, 120.50, 33.30))]),
            ("communities", [region("320904001001", "健康社区", box(120.40, 33.10, 120.50, 33.20))]),
            ("unit_grids", [
                region("320904001001001", "", box(120.40, 33.15, 120.45, 33.20)), region("320904001001002", "", box(120.45, 33.15, 120.50, 33.20)),
                region("320904001001003", "", box(120.40, 33.10, 120.45, 33.15)), region("320904001001004", "", box(120.45, 33.10, 120.50, 33.15)),
            ]),
        ]
        for (name, features) in layers {
            _ = try await store.importLayer(name: name, features: FeatureCollection(features))
        }
        return store
    }

    func withApp(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let store = try await Self.makeStore()
        let router = try await buildRouter(store: store, configuration: ServerConfiguration(databasePath: nil, maximumBodyBytes: 4_096, maximumBatchPoints: 5))
        try await Application(router: router).test(.router, body)
    }

    static func json(_ response: TestResponse) throws -> [String: JSONValue] {
        guard case .object(let object) = try JSON.decode(Array(response.body.readableBytesView)) else { return [:] }
        return object
    }

    static func code(_ value: JSONValue?) -> String? {
        guard case .object(let object)? = value else { return nil }
        return object["code"]?.stringValue
    }

    @Test func locateReturnsTheChain() async throws {
        try await withApp { client in
            try await client.execute(uri: "/v1/locate?lon=120.42&lat=33.17", method: .get) { response in
                #expect(response.status == .ok)
                let body = try Self.json(response)
                #expect(Self.code(body["unit_grid"]) == "320904001001001")
                #expect(Self.code(body["community"]) == "320904001001")
                #expect(Self.code(body["street"]) == "320904001")
                #expect(Self.code(body["district"]) == "320904")
            }
        }
    }

    /// A GCJ-02 point is converted before the lookup: the same place given in WGS 84 and in GCJ-02 (shifted by
    /// several hundred metres) lands in the same grid.
    @Test func locateConvertsFromGCJ02() async throws {
        let wgs = Coordinate(x: 120.4475, y: 33.1475)
        let gcj = CRS.convert(wgs, from: .wgs84, to: .gcj02)
        #expect(abs(gcj.x - wgs.x) > 0.001)
        try await withApp { client in
            try await client.execute(uri: "/v1/locate?lon=\(gcj.x)&lat=\(gcj.y)&crs=gcj02", method: .get) { response in
                let body = try Self.json(response)
                #expect(Self.code(body["unit_grid"]) == "320904001001003")
            }
            try await client.execute(uri: "/v1/locate?lon=\(gcj.x)&lat=\(gcj.y)", method: .get) { response in
                let body = try Self.json(response)
                #expect(Self.code(body["unit_grid"]) == "320904001001004")
            }
        }
    }

    /// A unit-grid layer replaced while the server runs is picked up without a restart.
    @Test func aReplacedGridLayerIsReindexed() async throws {
        let store = try await Self.makeStore()
        let router = try await buildRouter(store: store, configuration: ServerConfiguration(databasePath: nil, indexRefreshInterval: .zero))
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/v1/locate?lon=120.42&lat=33.17", method: .get) { response in
                let body = try Self.json(response)
                #expect(Self.code(body["unit_grid"]) == "320904001001001")
            }
            let merged = [Self.region("320904001001009", "", Self.box(120.40, 33.10, 120.50, 33.20))]
            _ = try await store.importLayer(name: "unit_grids", features: FeatureCollection(merged), options: ImportOptions(mode: .replace))
            try await client.execute(uri: "/v1/locate?lon=120.42&lat=33.17", method: .get) { response in
                let body = try Self.json(response)
                #expect(Self.code(body["unit_grid"]) == "320904001001009")
            }
        }
    }

    @Test func pointsOutsideGetNullsNotErrors() async throws {
        try await withApp { client in
            try await client.execute(uri: "/v1/locate?lon=120.45&lat=33.25", method: .get) { response in
                let body = try Self.json(response)
                #expect(body["unit_grid"] == .null)
                #expect(body["community"] == .null)
                #expect(Self.code(body["street"]) == "320904101")
            }
            try await client.execute(uri: "/v1/locate?lon=116.39&lat=39.91", method: .get) { response in
                #expect(response.status == .ok)
                let body = try Self.json(response)
                #expect(body["district"] == .null)
            }
        }
    }

    @Test(arguments: [
        ("/v1/locate?lat=33.1", "invalid_coordinate", "lon"),
        ("/v1/locate?lon=abc&lat=33.1", "invalid_coordinate", "lon"),
        ("/v1/locate?lon=120.4&lat=91", "invalid_coordinate", "lon/lat"),
        ("/v1/locate?lon=nan&lat=33", "invalid_coordinate", "lon/lat"),
        ("/v1/locate?lon=120.4&lat=33.1&crs=moon", "invalid_crs", "crs"),
    ])
    func badQueriesNameTheField(uri: String, code: String, field: String) async throws {
        try await withApp { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .badRequest, "\(uri)")
                let body = try Self.json(response)
                #expect(body["code"]?.stringValue == code)
                guard case .object(let details)? = body["details"] else { Issue.record("no details"); return }
                #expect(details["field"]?.stringValue == field)
            }
        }
    }

    @Test func censusStatisticsAndChecksOfTheGridLayer() async throws {
        try await withApp { client in
            try await client.execute(uri: "/v1/grids/stats", method: .get) { response in
                #expect(response.status == .ok)
                let body = try Self.json(response)
                let overall = try #require(body["overall"]?.objectValue, "no statistics")
                let communities = try #require(body["communities"]?.arrayValue, "no statistics")
                #expect(overall["count"] == .int(4))
                // Four 0.05° cells at 33.15°N: each about 4,663 m x 5,546 m.
                let mean = try #require(overall["mean_area_m2"]?.doubleValue)
                #expect(mean > 25.5e6 && mean < 26.2e6, "mean \(mean)")
                #expect(communities.count == 1)
            }
            try await client.execute(uri: "/v1/grids/check", method: .get) { response in
                let body = try Self.json(response)
                guard case .object(let counts)? = body["counts"] else { Issue.record("no counts"); return }
                #expect(counts["overlap"] == .int(0))
                #expect(counts["gap"] == .int(0))
                // The fixture's grids are far larger than 10,000 m², so none is a sliver.
                #expect(counts["sliver"] == .int(0))
                #expect(body["problems"] == .array([]))
            }
        }
    }

    @Test func batchLocatesEveryPointInOrder() async throws {
        try await withApp { client in
            let body = #"{"points": [[120.42, 33.17], [120.47, 33.12], [120.45, 33.25], [0, 0]], "fields": "unit_grid"}"#
            try await client.execute(uri: "/v1/locate/batch", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                let json = try Self.json(response)
                #expect(json["count"] == .int(4))
                #expect(json["located"] == .int(2))
                #expect(json["results"] == .array(["320904001001001", "320904001001004", .null, .null]))
            }
        }
    }

    @Test(arguments: [
        (#"{"points": [[1,2],[1,2],[1,2],[1,2],[1,2],[1,2]]}"#, HTTPResponse.Status.contentTooLarge, "batch_too_large"),
        (#"{"points": [[120.4, 33.1], [120.4]]}"#, .badRequest, "invalid_coordinate"),
        (#"{"points": [[120.4, 33.1], [190, 33]]}"#, .badRequest, "invalid_coordinate"),
        (#"{"points": "120,33"}"#, .badRequest, "invalid_argument"),
        (#"[1, 2]"#, .badRequest, "invalid_argument"),
        (#"{"points": [[120.4, 33.1]"#, .unprocessableContent, "invalid_json"),
        (String(repeating: " ", count: 5_000) + "{}", .contentTooLarge, "payload_too_large"),
    ])
    func badBatchesAreRefused(body: String, status: HTTPResponse.Status, code: String) async throws {
        try await withApp { client in
            try await client.execute(uri: "/v1/locate/batch", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == status)
                let body = try Self.json(response)
                #expect(body["code"]?.stringValue == code)
            }
        }
    }
}
