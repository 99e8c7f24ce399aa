import Foundation
import GeoCore
import GeoServer
import GeoStore
import Hummingbird
import HummingbirdTesting
import Testing

/// /health and /v1/layers over a small store: exact answers and the error body for every bad input.
@Suite struct LayerEndpointTests {
    /// Three points in 大丰 and one far away, in a layer named `pois`.
    static func makeStore() async throws -> SpatialStore {
        let store = try SpatialStore.temporary()
        let features = [
            Feature(id: .string("a"), geometry: .point(Point(Coordinate(longitude: 120.46, latitude: 33.20))), properties: ["name": "大丰区人民医院", "beds": 800]),
            Feature(id: .string("b"), geometry: .point(Point(Coordinate(longitude: 120.47, latitude: 33.21))), properties: ["name": "人民广场", "beds": 0]),
            Feature(id: .string("c"), geometry: .point(Point(Coordinate(longitude: 120.30, latitude: 33.03))), properties: ["name": "草堰镇政府", "beds": 0]),
            Feature(id: .string("d"), geometry: .point(Point(Coordinate(longitude: 116.39, latitude: 39.91))), properties: ["name": "天安门", "beds": 0]),
        ]
        _ = try await store.importLayer(name: "pois", features: FeatureCollection(features), options: ImportOptions(title: "POIs"))
        return store
    }

    func withApp(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let store = try await Self.makeStore()
        let router = try await buildRouter(store: store, configuration: ServerConfiguration(databasePath: nil, maximumFeaturesPerRequest: 3))
        let app = Application(router: router)
        try await app.test(.router, body)
    }

    static func json(_ response: TestResponse) throws -> [String: JSONValue] {
        guard case .object(let object) = try JSON.decode(Array(response.body.readableBytesView)) else {
            Issue.record("response is not a JSON object")
            return [:]
        }
        return object
    }

    @Test func healthReportsSpatialiteAndLayerCount() async throws {
        try await withApp { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                let body = try Self.json(response)
                #expect(body["status"] == "ok")
                #expect(body["layers"] == .int(1))
                #expect(body["spatialite"]?.stringValue?.first?.isNumber == true)
            }
        }
    }

    @Test func catalogueListsTheLayerWithCountTypeAndBoundingBox() async throws {
        try await withApp { client in
            try await client.execute(uri: "/v1/layers", method: .get) { response in
                #expect(response.status == .ok)
                let layers = try #require(try Self.json(response)["layers"]?.arrayValue, "no layers array")
                let layer = try #require(layers.first?.objectValue, "no layers array")
                #expect(layers.count == 1)
                #expect(layer["name"] == "pois")
                #expect(layer["title"] == "POIs")
                #expect(layer["geometry_type"] == "Point")
                #expect(layer["srid"] == .int(4490))
                #expect(layer["feature_count"] == .int(4))
                #expect(layer["bbox"] == .array([.double(116.39), .double(33.03), .double(120.47), .double(39.91)]))
            }
        }
    }

    @Test func featuresByBoundingBoxReturnOnlyThoseInside() async throws {
        try await withApp { client in
            try await client.execute(uri: "/v1/layers/pois/features?bbox=120.4,33.1,120.5,33.3", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/geo+json")
                let collection = try GeoJSON.decodeFeatureCollection(Array(response.body.readableBytesView))
                let names = collection.features.compactMap { $0.properties["name"]?.stringValue }
                #expect(names == ["大丰区人民医院", "人民广场"])
            }
        }
    }

    @Test(arguments: [
        ("/v1/layers/nope", HTTPResponse.Status.notFound, "layer_not_found"),
        ("/v1/layers/nope/features", .notFound, "layer_not_found"),
        ("/v1/layers/pois/features?bbox=1,2,3", .badRequest, "invalid_bbox"),
        ("/v1/layers/pois/features?bbox=120,33,abc,34", .badRequest, "invalid_bbox"),
        ("/v1/layers/pois/features?bbox=120,95,121,96", .badRequest, "invalid_bbox"),
        ("/v1/layers/pois/features?bbox=121,33,120,34", .badRequest, "invalid_bbox"),
        ("/v1/layers/pois/features?limit=-1", .badRequest, "invalid_argument"),
        ("/v1/layers/pois/features?limit=4", .badRequest, "invalid_argument"),
        ("/v1/layers/Bad%20Name", .unprocessableContent, "invalid_layer_name"),
    ])
    func badRequestsGetTheErrorBody(uri: String, status: HTTPResponse.Status, code: String) async throws {
        try await withApp { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == status, "\(uri)")
                let body = try Self.json(response)
                #expect(body["code"]?.stringValue == code, "\(uri)")
                #expect(body["message"]?.stringValue?.isEmpty == false)
            }
        }
    }

    @Test func limitAndOffsetPage() async throws {
        try await withApp { client in
            try await client.execute(uri: "/v1/layers/pois/features?limit=2&offset=1", method: .get) { response in
                let collection = try GeoJSON.decodeFeatureCollection(Array(response.body.readableBytesView))
                #expect(collection.features.compactMap { $0.properties["name"]?.stringValue } == ["人民广场", "草堰镇政府"])
            }
        }
    }

    @Test func mapPageIsServedAtTheRoot() async throws {
        try await withApp { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let html = String(buffer: response.body)
                #expect(html.contains("/v1/layers"))
            }
        }
    }
}
