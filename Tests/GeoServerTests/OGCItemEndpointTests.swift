import Foundation
import GeoCore
import GeoServer
import GeoStore
import Hummingbird
import HummingbirdTesting
import Testing

/// /ogc/collections/{layer}/items/{id}: one item read, and created, replaced and deleted (OGC API - Features Part 4)
/// on an editable layer, with the catalogue, the items and the tiles following each write.
@Suite struct OGCItemEndpointTests {
    func withApp(
        access: AccessPolicy = .init(), _ body: @Sendable (any TestClientProtocol, SpatialStore) async throws -> Void
    ) async throws {
        let store = try await OGCEndpointTests.makeStore()
        var configuration = ServerConfiguration(databasePath: nil, access: access)
        configuration.editableLayers = ["cases"]
        let router = try await buildRouter(store: store, configuration: configuration)
        try await Application(router: router).test(.router) { client in try await body(client, store) }
    }

    static let point = #"{"type":"Feature","geometry":{"type":"Point","coordinates":[120.465,33.205]},"properties":{"category":"积水","time":"2026-11-05T08:00:00+08:00","count":2}}"#

    static func object(_ response: TestResponse) throws -> [String: JSONValue] { try OGCEndpointTests.object(response) }

    /// The body as a JSON object, or an empty one with the failure recorded: for use inside `#expect`.
    static func members(_ response: TestResponse) -> [String: JSONValue] {
        do { return try object(response) } catch {
            Issue.record("the body is not a JSON object: \(error)")
            return [:]
        }
    }

    @Test func anItemIsReadByItsIdInTheSystemAskedFor() async throws {
        try await withApp { client, _ in
            try await client.execute(uri: "/ogc/collections/cases/items/2", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/geo+json")
                let feature = try Self.object(response)
                #expect(feature["id"] == 2)
                #expect(feature["properties"]?.objectValue?["category"] == "占道")
                #expect(feature["geometry"]?.objectValue?["coordinates"] == .array([.double(120.47), .double(33.21)]))
                #expect(OGCEndpointTests.href(feature, rel: "collection") == "http://localhost/ogc/collections/cases")
            }
            try await client.execute(uri: "/ogc/collections/cases/items/2?crs=http://www.opengis.net/def/crs/EPSG/0/4490", method: .get) { response in
                #expect(response.headers[.init("Content-Crs")!] == "<http://www.opengis.net/def/crs/EPSG/0/4490>")
                #expect(Self.members(response)["geometry"]?.objectValue?["coordinates"] == .array([.double(33.21), .double(120.47)]))
            }
        }
    }

    @Test(arguments: [
        ("/ogc/collections/cases/items/99", HTTPResponse.Status.notFound, "feature_not_found", "featureId"),
        ("/ogc/collections/cases/items/abc", .badRequest, "invalid_argument", "featureId"),
        ("/ogc/collections/cases/items/0", .badRequest, "invalid_argument", "featureId"),
        ("/ogc/collections/nope/items/1", .notFound, "layer_not_found", "collectionId"),
    ])
    func missingItemsAreNamed(uri: String, status: HTTPResponse.Status, code: String, field: String) async throws {
        try await withApp { client, _ in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == status, "\(uri)")
                let body = try Self.object(response)
                #expect(body["code"]?.stringValue == code, "\(uri)")
                #expect(body["details"]?.objectValue?["field"]?.stringValue == field, "\(uri)")
            }
        }
    }

    @Test func createReplaceAndDeleteFollowTheCatalogueItemsAndTiles() async throws {
        try await withApp { client, store in
            let before = try #require(try await store.layer(named: "cases"))
            let tileURI = try { () throws -> String in
                let tile = try WebMercator.tile(containing: Coordinate(x: 120.465, y: 33.205), zoom: 16)
                return "/tiles/cases/16/\(tile.x)/\(tile.y).mvt"
            }()
            let emptyTile = try await client.execute(uri: tileURI, method: .get) { $0.status }
            #expect(emptyTile == .noContent)
            // Create.
            let location: String = try await client.execute(
                uri: "/ogc/collections/cases/items", method: .post, headers: [.contentType: "application/geo+json"],
                body: ByteBuffer(string: Self.point)
            ) { response in
                #expect(response.status == .created)
                #expect(response.headers[.init("X-Layer-Version")!] == String(before.version + 1))
                #expect(Self.members(response)["id"] == 5)
                return try #require(response.headers[.location])
            }
            #expect(location == "http://localhost/ogc/collections/cases/items/5")
            let created = try #require(try await store.feature(in: "cases", fid: 5))
            #expect(created.feature.geometry == .point(Point(Coordinate(x: 120.465, y: 33.205))))
            #expect(created.feature.properties["category"] == "积水")
            let afterCreate = try #require(try await store.layer(named: "cases"))
            #expect(afterCreate.featureCount == 5)
            // The tile over the new point is no longer empty: the tile cache followed the layer version.
            let createdTile = try await client.execute(uri: tileURI, method: .get) { $0.status }
            #expect(createdTile == .ok)
            try await client.execute(uri: "/ogc/collections/cases/items?category=%E7%A7%AF%E6%B0%B4", method: .get) { response in
                #expect(Self.members(response)["numberReturned"] == 1)
            }
            // Replace, with the body latitude first in CGCS2000.
            let moved = #"{"type":"Feature","geometry":{"type":"Point","coordinates":[33.201,120.461]},"properties":{"category":"井盖","time":"2026-11-05T09:00:00+08:00"}}"#
            try await client.execute(
                uri: "/ogc/collections/cases/items/5", method: .put,
                headers: [.contentType: "application/geo+json", .init("Content-Crs")!: "<http://www.opengis.net/def/crs/EPSG/0/4490>"],
                body: ByteBuffer(string: moved)
            ) { response in
                #expect(response.status == .ok)
                #expect(Self.members(response)["geometry"]?.objectValue?["coordinates"] == .array([.double(120.461), .double(33.201)]))
            }
            let replaced = try #require(try await store.feature(in: "cases", fid: 5))
            #expect(replaced.feature.geometry == .point(Point(Coordinate(x: 120.461, y: 33.201))))
            #expect(replaced.feature.properties["count"] == nil)
            let versionNow = try await store.layer(named: "cases")?.version
            #expect(versionNow == afterCreate.version + 1)
            // Delete.
            try await client.execute(uri: "/ogc/collections/cases/items/5", method: .delete) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/ogc/collections/cases/items/5", method: .get) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/ogc/collections/cases/items/5", method: .delete) { response in
                #expect(response.status == .notFound)
                #expect(Self.members(response)["code"] == "feature_not_found")
            }
            let afterDelete = try #require(try await store.layer(named: "cases"))
            #expect(afterDelete.featureCount == 4)
            #expect(afterDelete.version == afterCreate.version + 2)
            #expect(afterDelete.bbox == before.bbox)
        }
    }

    @Test(arguments: [
        ("not json", HTTPResponse.Status.unprocessableContent, "invalid_json"),
        (#"{"type":"Point","coordinates":[120.46,33.2]}"#, .unprocessableContent, "invalid_geojson"),
        (#"{"type":"Feature","geometry":{"type":"Point","coordinates":[220.46,33.2]},"properties":{}}"#, .unprocessableContent, "invalid_geojson"),
        (#"{"type":"Feature","geometry":null,"properties":{}}"#, .unprocessableContent, "invalid_geometry"),
        (#"{"type":"Feature","geometry":{"type":"LineString","coordinates":[[120.46,33.2],[120.47,33.21]]},"properties":{}}"#, .unprocessableContent, "invalid_geometry"),
    ])
    func badBodiesChangeNothing(body: String, status: HTTPResponse.Status, code: String) async throws {
        try await withApp { client, store in
            let before = try #require(try await store.layer(named: "cases"))
            try await client.execute(
                uri: "/ogc/collections/cases/items", method: .post, headers: [.contentType: "application/geo+json"], body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == status, "\(body)")
                let answer = Self.members(response)
                #expect(answer["code"]?.stringValue == code, "\(body)")
                #expect(answer["details"]?.objectValue?["field"] != nil, "\(body)")
            }
            let after = try #require(try await store.layer(named: "cases"))
            #expect(after.featureCount == before.featureCount)
            #expect(after.version == before.version)
        }
    }

    @Test func layersOutsideTheEditableListRefuseWrites() async throws {
        try await withApp { client, store in
            let square = #"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[120.4,33.1],[120.41,33.1],[120.41,33.11],[120.4,33.1]]]},"properties":{}}"#
            try await client.execute(
                uri: "/ogc/collections/areas/items", method: .post, headers: [.contentType: "application/geo+json"], body: ByteBuffer(string: square)
            ) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(Self.members(response)["details"]?.objectValue?["field"] == "collectionId")
            }
            try await client.execute(uri: "/ogc/collections/areas/items/1", method: .delete) { response in
                #expect(response.status == .methodNotAllowed)
            }
            let featureCountNow = try await store.layer(named: "areas")?.featureCount
            #expect(featureCountNow == 2)
        }
    }

    @Test func writesNeedTheAdminScopeWhereReadsArePublic() async throws {
        try await withApp(access: AccessPolicy(requireKeys: true, publicScopes: [.joins, .tiles])) { client, store in
            try await client.execute(uri: "/ogc/collections/cases/items/1", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(
                uri: "/ogc/collections/cases/items", method: .post, headers: [.contentType: "application/geo+json"], body: ByteBuffer(string: Self.point)
            ) { response in
                #expect(response.status == .unauthorized)
                #expect(Self.members(response)["code"] == "missing_api_key")
            }
            let featureCountNow = try await store.layer(named: "cases")?.featureCount
            #expect(featureCountNow == 4)
        }
    }
}
