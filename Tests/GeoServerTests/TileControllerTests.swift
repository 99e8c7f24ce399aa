import Foundation
import GeoCore
import GeoEngine
import GeoServer
import GeoStore
import GeoTiles
import Hummingbird
import HummingbirdTesting
import Testing

/// /tiles over a small store: tiles with their headers, conditional and gzip requests, TileJSON, the
/// catalogue, errors and cache eviction after a layer changes.
@Suite struct TileControllerTests {
    /// Tile 14/13673/6588 holds the test squares (120.445…120.4525°E, 33.195…33.2°N).
    static let tilePath = "14/13673/6588"

    static func square(_ x: Double, _ y: Double, _ side: Double) -> Geometry {
        .polygon(Polygon(exterior: [
            Coordinate(x: x, y: y), Coordinate(x: x + side, y: y), Coordinate(x: x + side, y: y + side), Coordinate(x: x, y: y + side), Coordinate(x: x, y: y),
        ]))
    }

    static func makeStore() async throws -> SpatialStore {
        let store = try SpatialStore.temporary()
        let grids = (0..<4).map { k in
            Feature(id: .string("32090400100100\(k)"), geometry: square(120.445 + Double(k) * 0.002, 33.195, 0.0015), properties: ["code": .string("32090400100100\(k)"), "area": .double(Double(k) * 100.5)])
        }
        _ = try await store.importLayer(name: "unit_grids", features: FeatureCollection(grids), options: ImportOptions(title: "单元网格"))
        let pois = [Feature(id: .int(7), geometry: .point(Point(Coordinate(x: 120.45, y: 33.2))), properties: ["name": "公共厕所", "open": true])]
        _ = try await store.importLayer(name: "pois", features: FeatureCollection(pois))
        return store
    }

    func withApp(_ body: @Sendable (SpatialStore, any TestClientProtocol) async throws -> Void) async throws {
        let store = try await Self.makeStore()
        // Versions checked on every request, so that a re-import shows at once.
        let router = try await buildRouter(store: store, configuration: ServerConfiguration(databasePath: nil, tiles: TileServiceConfiguration()))
        try await Application(router: router).test(.router) { client in try await body(store, client) }
    }

    static func json(_ response: TestResponse) throws -> [String: JSONValue] {
        guard case .object(let object) = try JSON.decode(Array(response.body.readableBytesView)) else { return [:] }
        return object
    }

    static func bytes(_ response: TestResponse) -> [UInt8] { Array(response.body.readableBytesView) }

    /// Whether the tile bytes hold a layer of that name (field 1 of a Layer: 0x0a, length, UTF-8).
    static func holdsLayer(_ bytes: [UInt8], _ name: String) -> Bool {
        let needle: [UInt8] = [0x0a, UInt8(name.utf8.count)] + Array(name.utf8)
        return bytes.indices.contains { i in bytes[i...].starts(with: needle) }
    }

    @Test func tileIsServedWithTypeETagAndCacheControl() async throws {
        try await withApp { _, client in
            var mvt: [UInt8] = []
            try await client.execute(uri: "/tiles/unit_grids/\(Self.tilePath).mvt", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/vnd.mapbox-vector-tile")
                #expect(response.headers[.cacheControl] == "public, max-age=60")
                #expect(response.headers[.eTag]?.hasPrefix("\"") == true)
                #expect(response.headers[.contentEncoding] == nil)
                mvt = Self.bytes(response)
                #expect(mvt.first == 0x1a)  // Tile.layers, length-delimited
                #expect(Self.holdsLayer(mvt, "unit_grids"))
            }
            try await client.execute(uri: "/tiles/unit_grids/\(Self.tilePath).pbf", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Self.bytes(response) == mvt)
            }
        }
    }

    @Test func ifNoneMatchGives304() async throws {
        try await withApp { _, client in
            let etag = try await client.execute(uri: "/tiles/unit_grids/\(Self.tilePath).mvt", method: .get) { $0.headers[.eTag] }
            let tag = try #require(etag)
            try await client.execute(uri: "/tiles/unit_grids/\(Self.tilePath).mvt", method: .get, headers: [.ifNoneMatch: tag]) { response in
                #expect(response.status == .notModified)
                #expect(response.body.readableBytes == 0)
                #expect(response.headers[.eTag] == tag)
            }
            try await client.execute(uri: "/tiles/unit_grids/\(Self.tilePath).mvt", method: .get, headers: [.ifNoneMatch: "\"other\""]) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func gzipWhenAccepted() async throws {
        try await withApp { _, client in
            let plain = try await client.execute(uri: "/tiles/unit_grids/\(Self.tilePath).mvt", method: .get) { Self.bytes($0) }
            try await client.execute(uri: "/tiles/unit_grids/\(Self.tilePath).mvt", method: .get, headers: [.acceptEncoding: "br, gzip;q=0.8"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentEncoding] == "gzip")
                #expect(response.headers[.vary] == "Accept-Encoding")
                #expect(response.headers[.eTag]?.hasSuffix("-gzip\"") == true)
                let unpacked = try Gzip.decompress(Self.bytes(response))
                #expect(unpacked == plain)
            }
            try await client.execute(uri: "/tiles/unit_grids/\(Self.tilePath).mvt", method: .get, headers: [.acceptEncoding: "gzip;q=0"]) { response in
                #expect(response.headers[.contentEncoding] == nil)
                #expect(Self.bytes(response) == plain)
            }
        }
    }

    @Test func compositeTileHoldsBothLayers() async throws {
        try await withApp { _, client in
            try await client.execute(uri: "/tiles/unit_grids,pois/\(Self.tilePath).mvt", method: .get) { response in
                #expect(response.status == .ok)
                let bytes = Self.bytes(response)
                #expect(Self.holdsLayer(bytes, "unit_grids"))
                #expect(Self.holdsLayer(bytes, "pois"))
            }
        }
    }

    @Test func tileWithoutFeaturesIs204() async throws {
        try await withApp { _, client in
            try await client.execute(uri: "/tiles/unit_grids/14/0/0.mvt", method: .get) { response in
                #expect(response.status == .noContent)
                #expect(response.body.readableBytes == 0)
            }
        }
    }

    @Test func tileJSONDescribesTheSource() async throws {
        try await withApp { _, client in
            try await client.execute(uri: "/tiles/unit_grids.json", method: .get) { response in
                #expect(response.status == .ok)
                let body = try Self.json(response)
                #expect(body["tilejson"] == "3.0.0")
                #expect(body["tiles"] == .array(["http://localhost/tiles/unit_grids/{z}/{x}/{y}.mvt"]))
                #expect(body["minzoom"] == .int(0))
                #expect(body["maxzoom"] == .int(16))
                #expect(body["layer_versions"] == .object(["unit_grids": 1]))
                #expect(body["scheme"] == "xyz")
                guard case .array(let bounds)? = body["bounds"], bounds.count == 4 else {
                    Issue.record("no bounds")
                    return
                }
                let expected = [120.445, 33.195, 120.4525, 33.1965]
                #expect(zip(bounds, expected).allSatisfy { abs(($0.doubleValue ?? 0) - $1) < 1e-9 })
                guard case .array(let center)? = body["center"], center.count == 3 else {
                    Issue.record("no center")
                    return
                }
                #expect(abs((center[0].doubleValue ?? 0) - 120.44875) < 1e-9)
                #expect(center[2] == .int(15))
                let layers = try #require(body["vector_layers"]?.arrayValue, "no vector_layers")
                let layer = try #require(layers.first?.objectValue, "no vector_layers")
                #expect(layer["id"] == "unit_grids")
                #expect(layer["description"] == "单元网格")
                #expect(layer["fields"] == .object(["code": "String", "area": "Number"]))
            }
            try await client.execute(uri: "/tiles/unit_grids,pois.json", method: .get) { response in
                let body = try Self.json(response)
                let layers = try #require(body["vector_layers"]?.arrayValue, "no vector_layers")
                #expect(layers.count == 2)
                #expect(body["tiles"] == .array(["http://localhost/tiles/unit_grids,pois/{z}/{x}/{y}.mvt"]))
            }
        }
    }

    @Test func catalogListsEveryLayer() async throws {
        try await withApp { _, client in
            try await client.execute(uri: "/tiles/catalog", method: .get) { response in
                #expect(response.status == .ok)
                let sources = try #require(try Self.json(response)["sources"]?.arrayValue, "no sources")
                let ids = sources.compactMap { source -> String? in
                    guard case .object(let o) = source else { return nil }
                    return o["id"]?.stringValue
                }
                #expect(ids == ["pois", "unit_grids"])
                let pois = try #require(sources[0].objectValue)
                #expect(pois["geometry_type"] == "Point")
                #expect(pois["tilejson"] == "http://localhost/tiles/pois.json")
                #expect(pois["fields"] == .object(["name": "String", "open": "Boolean"]))
            }
        }
    }

    @Test(arguments: [
        ("/tiles/nope/14/13673/6588.mvt", HTTPResponse.Status.notFound, "tile_source_not_found", "source"),
        ("/tiles/unit_grids,nope/14/13673/6588.mvt", .notFound, "tile_source_not_found", "source"),
        ("/tiles/nope.json", .notFound, "tile_source_not_found", "source"),
        ("/tiles/unit_grids/31/0/0.mvt", .badRequest, "invalid_tile", "z"),
        ("/tiles/unit_grids/-1/0/0.mvt", .badRequest, "invalid_tile", "z"),
        ("/tiles/unit_grids/2/4/0.mvt", .badRequest, "invalid_tile", "x"),
        ("/tiles/unit_grids/2/0/4.mvt", .badRequest, "invalid_tile", "y"),
        ("/tiles/unit_grids/2/a/1.mvt", .badRequest, "invalid_tile", "x"),
        ("/tiles/unit_grids/2/1/1.png", .badRequest, "invalid_tile", "y"),
        ("/tiles/unit_grids,unit_grids/2/1/1.mvt", .badRequest, "invalid_source", "source"),
        ("/tiles/changes?since=-4", .badRequest, "invalid_since", "since"),
    ])
    func errorsNameTheField(uri: String, status: HTTPResponse.Status, code: String, field: String) async throws {
        try await withApp { _, client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == status, "\(uri)")
                let body = try Self.json(response)
                #expect(body["code"]?.stringValue == code, "\(uri)")
                let details = try #require(body["details"]?.objectValue, "no details for \(uri)")
                #expect(details["field"]?.stringValue == field, "\(uri)")
            }
        }
    }

    /// Importing into the layer changes the tile: the cached one is evicted, the new bytes and ETag differ,
    /// and the change feed lists the tile.
    @Test func layerChangeEvictsTheCachedTile() async throws {
        try await withApp { store, client in
            let uri = "/tiles/unit_grids/\(Self.tilePath).mvt"
            let (before, etag) = try await client.execute(uri: uri, method: .get) { (Self.bytes($0), $0.headers[.eTag]) }
            let added = Feature(id: .string("320904001001009"), geometry: Self.square(120.452, 33.2, 0.001), properties: ["code": "320904001001009"])
            _ = try await store.importLayer(name: "unit_grids", features: [added], options: ImportOptions(mode: .append), progress: nil)
            try await client.execute(uri: uri, method: .get, headers: [.ifNoneMatch: etag ?? ""]) { response in
                #expect(response.status == .ok)
                #expect(Self.bytes(response) != before)
                #expect(response.headers[.eTag] != etag)
            }
            try await client.execute(uri: "/tiles/changes?since=0", method: .get) { response in
                #expect(response.status == .ok)
                let body = try Self.json(response)
                #expect(body["latest"] == .int(1))
                let changes = try #require(body["changes"]?.arrayValue, "no change")
                let change = try #require(changes.first?.objectValue, "no change")
                let tiles = try #require(change["tiles"]?.arrayValue, "no change")
                #expect(change["layer"] == "unit_grids")
                #expect(change["from_version"] == .int(1))
                #expect(change["to_version"] == .int(2))
                #expect(tiles.count == 17)
                #expect(tiles[14] == .object(["z": 14, "min_x": 13673, "min_y": 6588, "max_x": 13673, "max_y": 6588]))
            }
            try await client.execute(uri: "/tiles/changes?since=1", method: .get) { response in
                let body = try Self.json(response)
                #expect(body["changes"] == .array([]))
            }
        }
    }
}
