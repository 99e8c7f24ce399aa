import Foundation
import GeoCore
import GeoServer
import GeoStore
import Hummingbird
import HummingbirdTesting
import Testing

/// /ogc: OGC API - Features (Part 1, Part 2) and Tiles over a small store, with exact answers.
@Suite struct OGCEndpointTests {
    /// `cases`: four points with a `time` and a `category`; `areas`: two squares without time.
    static func makeStore() async throws -> SpatialStore {
        let store = try SpatialStore.temporary()
        let cases = [
            (120.46, 33.20, "2026-11-01T09:00:00+08:00", "垃圾", 3),
            (120.47, 33.21, "2026-11-02T09:00:00+08:00", "占道", 1),
            (120.30, 33.03, "2026-11-03T09:00:00+08:00", "垃圾", 2),
            (120.48, 33.22, "2026-11-04T09:00:00+08:00", "井盖", 10),
        ].map { lon, lat, time, category, count in
            Feature(
                geometry: .point(Point(Coordinate(longitude: lon, latitude: lat))),
                properties: ["time": .string(time), "category": .string(category), "count": .int(Int64(count))])
        }
        _ = try await store.importLayer(name: "cases", features: FeatureCollection(cases), options: ImportOptions(title: "案件 Cases"))
        let squares = [(120.40, 33.10), (120.50, 33.30)].map { x, y in
            Feature(
                geometry: .polygon(Polygon(exterior: [
                    Coordinate(x: x, y: y), Coordinate(x: x + 0.01, y: y), Coordinate(x: x + 0.01, y: y + 0.01), Coordinate(x: x, y: y + 0.01),
                    Coordinate(x: x, y: y),
                ])), properties: ["name": .string("area \(x)")])
        }
        _ = try await store.importLayer(name: "areas", features: FeatureCollection(squares))
        return store
    }

    func withApp(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let store = try await Self.makeStore()
        let router = try await buildRouter(store: store, configuration: ServerConfiguration(databasePath: nil, maximumFeaturesPerRequest: 3))
        try await Application(router: router).test(.router, body)
    }

    static func object(_ response: TestResponse) throws -> [String: JSONValue] {
        try #require(try JSON.decode(Array(response.body.readableBytesView)).objectValue, "not a JSON object")
    }

    static func links(_ document: [String: JSONValue]) -> [[String: JSONValue]] {
        document["links"]?.arrayValue?.compactMap(\.objectValue) ?? []
    }

    static func href(_ document: [String: JSONValue], rel: String, type: String? = nil) -> String? {
        links(document).first { $0["rel"]?.stringValue == rel && (type == nil || $0["type"]?.stringValue == type) }?["href"]?.stringValue
    }

    /// The path and query of an absolute link, to send it back through the test client.
    static func path(_ href: String) throws -> String {
        let url = try #require(URL(string: href))
        return url.path + (url.query.map { "?" + $0 } ?? "")
    }

    @Test func landingPageLinksTheDefinitionConformanceCollectionsAndTilingSchemes() async throws {
        try await withApp { client in
            try await client.execute(uri: "/ogc", method: .get) { response in
                #expect(response.status == .ok)
                let page = try Self.object(response)
                #expect(Self.href(page, rel: "service-desc", type: "application/vnd.oai.openapi+json;version=3.0") == "http://localhost/ogc/api")
                #expect(Self.href(page, rel: "alternate", type: "application/vnd.oai.openapi+json;version=3.1") == "http://localhost/openapi.json")
                #expect(Self.href(page, rel: "conformance") == "http://localhost/ogc/conformance")
                #expect(Self.href(page, rel: "data") == "http://localhost/ogc/collections")
                #expect(Self.href(page, rel: "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes") == "http://localhost/ogc/tileMatrixSets")
                #expect(Self.href(page, rel: "self") == "http://localhost/ogc?f=json")
                #expect(Self.href(page, rel: "alternate", type: "text/html") == "http://localhost/ogc?f=html")
            }
            // The root answers JSON clients with the landing page and browsers with the map.
            try await client.execute(uri: "/", method: .get, headers: [.accept: "application/json"]) { response in
                let page = try Self.object(response)
                #expect(Self.href(page, rel: "data")?.hasSuffix("/ogc/collections") == true)
            }
            try await client.execute(uri: "/", method: .get, headers: [.accept: "text/html,application/xhtml+xml,*/*;q=0.8"]) { response in
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(String(buffer: response.body).contains("/v1/layers"))
            }
        }
    }

    @Test func theDefinitionIsServedAsOpenAPI30() async throws {
        try await withApp { client in
            try await client.execute(uri: "/ogc/api", method: .get) { response in
                #expect(response.headers[.contentType] == "application/vnd.oai.openapi+json;version=3.0")
                let document = try Self.object(response)
                #expect(document["openapi"] == "3.0.3")
                // No 3.1-only schema keyword is left anywhere.
                var found: [String] = []
                func walk(_ value: JSONValue) {
                    switch value {
                    case .object(let members):
                        if case .array? = members["type"] { found.append("type list") }
                        if members["const"] != nil { found.append("const") }
                        if members["prefixItems"] != nil { found.append("prefixItems") }
                        if let bound = members["exclusiveMinimum"], bound != true { found.append("numeric exclusiveMinimum") }
                        if members["$ref"] != nil, members.count > 1 { found.append("$ref with siblings") }
                        members.values.forEach(walk)
                    case .array(let items): items.forEach(walk)
                    default: break
                    }
                }
                walk(.object(document))
                #expect(found.isEmpty, "\(Set(found))")
                let items = document["paths"]?.objectValue?["/ogc/collections/{collectionId}/items"]
                #expect(items != nil)
            }
        }
    }

    @Test func conformanceDeclaresFeaturesCRSAndTilesClasses() async throws {
        try await withApp { client in
            try await client.execute(uri: "/ogc/conformance", method: .get) { response in
                let classes = Set(try Self.object(response)["conformsTo"]?.arrayValue?.compactMap(\.stringValue) ?? [])
                for expected in [
                    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core", "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
                    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html", "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
                    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
                    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset", "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
                ] {
                    #expect(classes.contains(expected), "\(expected)")
                }
            }
        }
    }

    @Test func collectionsDescribeExtentSystemsAndLinks() async throws {
        try await withApp { client in
            try await client.execute(uri: "/ogc/collections", method: .get) { response in
                let collections = try Self.object(response)["collections"]?.arrayValue?.compactMap(\.objectValue) ?? []
                #expect(collections.map { $0["id"]?.stringValue } == ["areas", "cases"])
                let cases = try #require(collections.last)
                #expect(cases["title"] == "案件 Cases")
                #expect(cases["storageCrs"] == "http://www.opengis.net/def/crs/EPSG/0/4490")
                #expect(cases["crs"]?.arrayValue?.first == "http://www.opengis.net/def/crs/OGC/1.3/CRS84")
                let extent = try #require(cases["extent"]?.objectValue)
                #expect(extent["spatial"]?.objectValue?["bbox"] == .array([.array([120.30, 33.03, 120.48, 33.22].map(JSONValue.double))]))
                #expect(extent["temporal"] != nil)
                #expect(collections.first?["extent"]?.objectValue?["temporal"] == nil)
                #expect(Self.href(cases, rel: "items", type: "application/geo+json") == "http://localhost/ogc/collections/cases/items")
                #expect(Self.href(cases, rel: "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector") == "http://localhost/ogc/collections/cases/tiles")
            }
            try await client.execute(uri: "/ogc/collections/cases", method: .get) { response in
                let collection = try Self.object(response)
                #expect(collection["id"] == "cases")
                #expect(Self.href(collection, rel: "self") == "http://localhost/ogc/collections/cases?f=json")
            }
        }
    }

    @Test func itemsPageWithNextLinksAndCounts() async throws {
        try await withApp { client in
            let next: String = try await client.execute(uri: "/ogc/collections/cases/items?limit=2", method: .get) { response in
                #expect(response.headers[.contentType] == "application/geo+json")
                #expect(response.headers[.init("Content-Crs")!] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>")
                let page = try Self.object(response)
                #expect(page["numberMatched"] == 4)
                #expect(page["numberReturned"] == 2)
                #expect(page["features"]?.arrayValue?.map { $0.objectValue?["id"] } == [1, 2])
                return try #require(Self.href(page, rel: "next"))
            }
            #expect(next == "http://localhost/ogc/collections/cases/items?limit=2&offset=2")
            try await client.execute(uri: try Self.path(next), method: .get) { response in
                let page = try Self.object(response)
                #expect(page["features"]?.arrayValue?.map { $0.objectValue?["id"] } == [3, 4])
                #expect(Self.href(page, rel: "next") == nil)
            }
            // A limit above the server's maximum (3 here) is served as the maximum, not refused.
            try await client.execute(uri: "/ogc/collections/cases/items?limit=50", method: .get) { response in
                #expect(response.status == .ok)
                let page = try Self.object(response)
                #expect(page["numberReturned"] == 3)
            }
        }
    }

    @Test func bboxAndCrsFollowEachSystemsAxisOrder() async throws {
        try await withApp { client in
            // The same box, longitude first in CRS84 and latitude first in EPSG:4490.
            for uri in [
                "/ogc/collections/cases/items?bbox=120.45,33.19,120.475,33.215",
                "/ogc/collections/cases/items?bbox=33.19,120.45,33.215,120.475&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4490",
            ] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok, "\(uri)")
                    let collection = try GeoJSON.decodeFeatureCollection(Array(response.body.readableBytesView))
                    #expect(collection.features.map(\.id) == [.int(1), .int(2)], "\(uri)")
                }
            }
            try await client.execute(uri: "/ogc/collections/cases/items?limit=1&crs=http://www.opengis.net/def/crs/EPSG/0/4490", method: .get) { response in
                #expect(response.headers[.init("Content-Crs")!] == "<http://www.opengis.net/def/crs/EPSG/0/4490>")
                // Latitude first: GeoJSON readers would refuse it, so the raw member is read.
                let feature = try Self.object(response)["features"]?.arrayValue?.first?.objectValue
                #expect(feature?["geometry"]?.objectValue?["coordinates"] == .array([.double(33.20), .double(120.46)]))
            }
        }
    }

    @Test func propertyAndTimeFiltersSelectFeatures() async throws {
        try await withApp { client in
            let cases: [(String, [FeatureID?])] = [
                ("category=%E5%9E%83%E5%9C%BE", [.int(1), .int(3)]),
                ("count=10.0", [.int(4)]),
                ("datetime=2026-11-02T09:00:00%2B08:00", [.int(2)]),
                ("datetime=2026-11-02T00:00:00Z/..", [.int(2), .int(3), .int(4)]),
                ("datetime=2026-11-02T02:00:00Z/..", [.int(3), .int(4)]),
                ("datetime=../2026-11-02", [.int(1)]),
                ("datetime=2026-11-01/2026-11-04&category=%E5%9E%83%E5%9C%BE", [.int(1), .int(3)]),
            ]
            for (query, ids) in cases {
                try await client.execute(uri: "/ogc/collections/cases/items?" + query, method: .get) { response in
                    #expect(response.status == .ok, "\(query)")
                    let collection = try GeoJSON.decodeFeatureCollection(Array(response.body.readableBytesView))
                    #expect(collection.features.map(\.id) == ids, "\(query)")
                }
            }
        }
    }

    @Test(arguments: [
        ("/ogc/collections/nope", HTTPResponse.Status.notFound, "layer_not_found", "collectionId"),
        ("/ogc/collections/nope/items", .notFound, "layer_not_found", "collectionId"),
        ("/ogc/collections/cases/items?colour=red", .badRequest, "invalid_argument", "colour"),
        ("/ogc/collections/cases/items?crs=EPSG:3857", .badRequest, "invalid_crs", "crs"),
        ("/ogc/collections/cases/items?bbox=121,33,120,34", .badRequest, "invalid_bbox", "bbox"),
        ("/ogc/collections/cases/items?bbox=33,120,34,121", .badRequest, "invalid_bbox", "bbox"),
        ("/ogc/collections/cases/items?bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4490", .badRequest, "invalid_argument", "bbox-crs"),
        ("/ogc/collections/cases/items?limit=0", .badRequest, "invalid_argument", "limit"),
        ("/ogc/collections/cases/items?datetime=2026-11-05/2026-11-01", .badRequest, "invalid_time", "datetime"),
        ("/ogc/collections/cases/items?datetime=yesterday", .badRequest, "invalid_time", "datetime"),
        ("/ogc/collections/areas/items?datetime=2026-11-01", .badRequest, "invalid_argument", "datetime"),
        ("/ogc/collections/cases/items?f=xml", .badRequest, "invalid_argument", "f"),
        ("/ogc/tileMatrixSets/WorldCRS84Quad", .notFound, "not_found", "tileMatrixSetId"),
        ("/ogc/collections/nope/tiles", .notFound, "layer_not_found", "collectionId"),
    ])
    func badRequestsNameTheParameter(uri: String, status: HTTPResponse.Status, code: String, field: String) async throws {
        try await withApp { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == status, "\(uri)")
                let body = try Self.object(response)
                #expect(body["code"]?.stringValue == code, "\(uri)")
                #expect(body["details"]?.objectValue?["field"]?.stringValue == field, "\(uri)")
            }
        }
    }

    @Test func htmlIsServedToBrowsersAndOnRequest() async throws {
        try await withApp { client in
            try await client.execute(uri: "/ogc/collections/cases/items?f=html&limit=2", method: .get) { response in
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let html = String(buffer: response.body)
                #expect(html.contains("<td>占道</td>"))
                #expect(!html.contains("<td>井盖</td>"))
                #expect(html.contains("offset=2&amp;f=html"))
            }
            try await client.execute(uri: "/ogc/collections", method: .get, headers: [.accept: "text/html"]) { response in
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(String(buffer: response.body).contains("案件 Cases"))
            }
        }
    }

    @Test func tileMatrixSetDefinesWebMercatorQuadLevels() async throws {
        try await withApp { client in
            try await client.execute(uri: "/ogc/tileMatrixSets/WebMercatorQuad", method: .get) { response in
                let set = try Self.object(response)
                #expect(set["crs"] == "http://www.opengis.net/def/crs/EPSG/0/3857")
                let levels = set["tileMatrices"]?.arrayValue?.compactMap(\.objectValue) ?? []
                #expect(levels.count == 25)
                let cellSize = try #require(levels.first?["cellSize"]?.doubleValue)
                #expect(abs(cellSize - 156_543.033_928_041) < 1e-6)
                #expect(abs((levels.first?["scaleDenominator"]?.doubleValue ?? 0) - 559_082_264.028_717_8) < 1e-3)
                #expect(levels[3]["matrixWidth"] == 8)
                // The TMS 1.0 members GDAL 3.6 reads, beside the 2.0 ones.
                #expect(set["type"] == "TileMatrixSetType")
                let levelsTMS1 = set["tileMatrix"]?.arrayValue?.compactMap(\.objectValue) ?? []
                #expect(levelsTMS1.count == 25)
                #expect(levelsTMS1.last?["topLeftCorner"] == .array([.double(-WebMercator.originShift), .double(WebMercator.originShift)]))
            }
        }
    }

    @Test func tilesetPointsAtTheTileRoutesWithLimitsOverTheExtent() async throws {
        try await withApp { client in
            let tileset: [String: JSONValue] = try await client.execute(uri: "/ogc/collections/cases/tiles", method: .get) { response in
                let list = try Self.object(response)["tilesets"]?.arrayValue?.compactMap(\.objectValue) ?? []
                #expect(list.count == 1)
                #expect(list.first?["dataType"] == "vector")
                let href = try #require(list.first.flatMap { Self.href($0, rel: "self") })
                return try await client.execute(uri: try Self.path(href), method: .get) { try Self.object($0) }
            }
            let template = Self.links(tileset).first { $0["rel"] == "item" }
            #expect(template?["href"] == "http://localhost/tiles/cases/{tileMatrix}/{tileCol}/{tileRow}.mvt")
            #expect(template?["templated"] == true)
            #expect(template?["type"] == "application/vnd.mapbox-vector-tile")
            let limits = tileset["tileMatrixSetLimits"]?.arrayValue?.compactMap(\.objectValue) ?? []
            let level10 = try #require(limits.first { $0["tileMatrix"] == "10" })
            let northWest = try WebMercator.tile(containing: Coordinate(x: 120.30, y: 33.22), zoom: 10)
            let southEast = try WebMercator.tile(containing: Coordinate(x: 120.48, y: 33.03), zoom: 10)
            #expect(level10["minTileCol"] == .int(Int64(northWest.x)))
            #expect(level10["minTileRow"] == .int(Int64(northWest.y)))
            #expect(level10["maxTileCol"] == .int(Int64(southEast.x)))
            #expect(level10["maxTileRow"] == .int(Int64(southEast.y)))
            // The template filled in is a tile the tile route serves.
            let first = try WebMercator.tile(containing: Coordinate(x: 120.46, y: 33.20), zoom: 10)
            try await client.execute(uri: "/tiles/cases/10/\(first.x)/\(first.y).mvt", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/vnd.mapbox-vector-tile")
            }
        }
    }
}
