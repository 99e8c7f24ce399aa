import Foundation
import GeoCore
import GeoServer
import GeoStore
import Hummingbird
import HummingbirdTesting
import Testing

/// /v1/analysis and /v1/route over the four-grid district of LocateEndpointTests plus hand-drawn layers in metres
/// around (120.46, 33.19), inside unit grid 320904001001002: a block of roads, toilets, parcels, cases.
@Suite struct AnalysisEndpointTests {
    static let origin = Coordinate(x: 120.46, y: 33.19)
    /// Metres per degree east and north at the origin: the GRS 80 radii of curvature there.
    static let scale: (x: Double, y: Double) = {
        let a = 6_378_137.0, f = 1 / 298.257222101, e2 = f * (2 - f)
        let phi = origin.y * .pi / 180, w = (1 - e2 * sin(phi) * sin(phi)).squareRoot()
        return (a / w * cos(phi) * .pi / 180, a * (1 - e2) / (w * w * w) * .pi / 180)
    }()
    /// Metres east and north of the origin (an equirectangular frame: within centimetres at this size).
    static func c(_ x: Double, _ y: Double) -> Coordinate { Coordinate(x: origin.x + x / scale.x, y: origin.y + y / scale.y) }
    static func square(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Geometry {
        .polygon(Polygon(exterior: [c(x0, y0), c(x1, y0), c(x1, y1), c(x0, y1), c(x0, y0)]))
    }
    static func line(_ points: [(Double, Double)]) -> Geometry { .lineString(LineString(points.map { c($0.0, $0.1) })) }

    static func makeStore() async throws -> SpatialStore {
        let store = try await LocateEndpointTests.makeStore()
        let layers: [(String, [Feature])] = [
            // The block of GeoAnalysisTests' routing tests: 南路 20 km/h, 北路 60, 西路 30, 东路 one-way north, 中路 10.
            ("roads", [
                Feature(geometry: line([(0, 0), (1000, 0)]), properties: ["name": "南路", "speed_kmh": 20]),
                Feature(geometry: line([(0, 400), (1000, 400)]), properties: ["name": "北路", "speed_kmh": 60]),
                Feature(geometry: line([(0, 0), (0, 400)]), properties: ["name": "西路", "speed_kmh": 30]),
                Feature(geometry: line([(1000, 0), (1000, 400)]), properties: ["name": "东路", "speed_kmh": 30, "oneway": "yes"]),
                Feature(geometry: line([(500, 0), (500, 400)]), properties: ["name": "中路", "speed_kmh": 10]),
            ]),
            ("toilets", [Feature(id: .string("T1"), geometry: .point(Point(c(0, 0))), properties: ["name": "西门公厕"])]),
            ("candidates", [
                Feature(id: .string("K1"), geometry: .point(Point(c(-1500, -1500))), properties: ["name": "角落"]),
                Feature(id: .string("K2"), geometry: .point(Point(c(600, 0))), properties: ["name": "东边"]),
            ]),
            ("parcels", [Feature(id: .string("P1"), geometry: square(-2000, -2000, 2000, 2000), properties: ["people": 1_000])]),
            ("green_2025", [Feature(id: .string("G1"), geometry: square(0, 0, 200, 200), properties: [:])]),
            ("green_2026", [Feature(id: .string("G1"), geometry: square(0, 0, 200, 160), properties: [:])]),
            ("staff", [
                Feature(id: .string("S1"), geometry: .point(Point(c(1005, 300))), properties: ["name": "北段网格员"]),
                Feature(id: .string("S2"), geometry: .point(Point(c(700, 5))), properties: ["name": "南段网格员"]),
            ]),
            ("cases", [
                Feature(geometry: .point(Point(c(50, 10))), properties: ["time": "2026-11-23T09:10:00+08:00"]),
                Feature(geometry: .point(Point(c(150, -5))), properties: ["time": "2026-11-23T10:20:00+08:00"]),
                Feature(geometry: .point(Point(c(120, 3))), properties: ["time": "2026-11-29T09:00:00+08:00"]),
                Feature(geometry: .point(Point(c(900, 395))), properties: ["time": "2026-11-24T21:00:00+08:00"]),
            ]),
        ]
        for (name, features) in layers { _ = try await store.importLayer(name: name, features: FeatureCollection(features)) }
        return store
    }

    func withApp(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let store = try await Self.makeStore()
        let router = try await buildRouter(store: store, configuration: ServerConfiguration(databasePath: nil))
        try await Application(router: router).test(.router, body)
    }

    static func json(_ response: TestResponse) throws -> [String: JSONValue] {
        guard case .object(let object) = try JSON.decode(Array(response.body.readableBytesView)) else { return [:] }
        return object
    }

    /// The features of a FeatureCollection object as objects, and the first one's properties.
    static func features(_ collection: JSONValue?) -> (all: [[String: JSONValue]], first: [String: JSONValue]) {
        guard case .object(let object)? = collection, case .array(let items)? = object["features"] else { return ([], [:]) }
        let features = items.compactMap { item -> [String: JSONValue]? in if case .object(let f) = item { return f }; return nil }
        guard case .object(let properties)? = features.first?["properties"] else { return (features, [:]) }
        return (features, properties)
    }

    static func post(_ client: any TestClientProtocol, _ uri: String, _ body: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, body: ByteBuffer(string: body))
    }

    @Test func coverageOfAParcelByOneToiletIsTheDiskAndItsBlindSpot() async throws {
        try await withApp { client in
            let response = try await Self.post(client, "/v1/analysis/coverage",
                #"{"facilities": "toilets", "targets": "parcels", "radius_m": 500, "level": "community", "blind_spots": true}"#)
            #expect(response.status == .ok)
            let body = try Self.json(response)
            let disk = Double.pi * 500 * 500
            #expect(abs((body["covered"]?.doubleValue ?? 0) - disk) < 2e-5 * disk + 1)
            guard case .array(let regions)? = body["regions"], case .object(let region)? = regions.first else { Issue.record("no regions"); return }
            #expect(region["code"]?.stringValue == "320904001001" && region["count"]?.intValue == 1)
            let properties = Self.features(body["blind_spots"]).first
            let uncovered = properties["uncovered_m2"]?.doubleValue ?? 0
            #expect(abs(uncovered - (16_000_000 - disk)) < 2e-5 * disk + 100)
            // Weighted by population, the same share of the 1,000 people.
            let people = try Self.json(try await Self.post(client, "/v1/analysis/coverage",
                #"{"facilities": "toilets", "targets": "parcels", "radius_m": 500, "weight": "field:people"}"#))
            #expect(abs((people["covered"]?.doubleValue ?? 0) - 1_000 * disk / 16_000_000) < 0.05)
        }
    }

    @Test func theBestSiteIsTheCandidateAddingTheMostArea() async throws {
        try await withApp { client in
            let response = try await Self.post(client, "/v1/analysis/sites",
                #"{"facilities": "toilets", "targets": "parcels", "radius_m": 500, "candidates": "candidates", "k": 1}"#)
            #expect(response.status == .ok)
            let body = try Self.json(response)
            let (sites, properties) = Self.features(body["sites"])
            // The corner candidate's disk lies wholly in the parcel, away from the toilet's: a whole disk of gain; the
            // other one's overlaps the toilet's.
            #expect(sites.first?["id"]?.stringValue == "K1")
            #expect(abs((properties["gain"]?.doubleValue ?? 0) - Double.pi * 250_000) < 2e-5 * Double.pi * 250_000)
        }
    }

    @Test func overlayWithAPostedPolygonAndChangePatches() async throws {
        try await withApp { client in
            let ring = [Self.c(-100, -100), Self.c(100, -100), Self.c(100, 100), Self.c(-100, 100), Self.c(-100, -100)].map { "[\($0.x), \($0.y)]" }
            let response = try await Self.post(client, "/v1/analysis/overlay",
                #"{"a": "green_2025", "polygon": {"type": "Polygon", "coordinates": [["# + ring.joined(separator: ", ") + "]]}}")
            #expect(response.status == .ok)
            let body = try Self.json(response)
            #expect(abs((body["total_area_m2"]?.doubleValue ?? 0) - 10_000) < 2)
            #expect(body["count"]?.intValue == 1)
            // The 200 m square's quarter lies in the posted 200 m square around the origin.
            guard case .array(let perFeature)? = body["per_feature"], case .object(let g1)? = perFeature.first else { Issue.record("no summary"); return }
            #expect(g1["a"]?.stringValue == "G1" && abs((g1["share"]?.doubleValue ?? 0) - 0.25) < 1e-4)
            let changes = try Self.json(try await Self.post(client, "/v1/analysis/changes", #"{"before": "green_2025", "after": "green_2026", "min_area_m2": 100}"#))
            let (patches, properties) = Self.features(.object(changes))
            #expect(patches.count == 1 && properties["kind"]?.stringValue == "shrunk")
            #expect(abs((properties["area_m2"]?.doubleValue ?? 0) - 8_000) < 2)
        }
    }

    @Test func hotSpotsByRoadSectionTimeGiStarAndDensity() async throws {
        try await withApp { client in
            let roads = try Self.json(try await client.execute(uri: "/v1/analysis/hotspots/roads?layer=cases&section_m=200", method: .get))
            let (sections, top) = Self.features(.object(roads))
            #expect(top["name"]?.stringValue == "南路" && top["count"]?.intValue == 3 && top["from_m"]?.doubleValue == 0)
            #expect(roads["snapped"]?.intValue == 4 && sections.count == 2)
            let times = try Self.json(try await client.execute(uri: "/v1/analysis/hotspots/times?layer=cases&from=2026-11-23&to=2026-11-29", method: .get))
            #expect(times["by_weekday"] == .array([2, 1, 0, 0, 0, 0, 0]))
            #expect(times["total"]?.intValue == 3)
            let gi = try await client.execute(uri: "/v1/analysis/gistar?layer=cases&units=hexagons&cell_m=200&distance_m=250", method: .get)
            #expect(gi.status == .ok)
            let giBody = try Self.json(gi)
            let hp = Self.features(.object(giBody)).first
            #expect((hp["gi_z"]?.doubleValue ?? 0) > 0 && (hp["count"]?.intValue ?? 0) >= 1)
            let box = "\(Self.c(-500, -500).x),\(Self.c(-500, -500).y),\(Self.c(1450, 950).x),\(Self.c(1450, 950).y)"
            let density = try Self.json(try await client.execute(uri: "/v1/analysis/density?layer=cases&bbox=\(box)&cell_m=100&bandwidth_m=300", method: .get))
            #expect(density["columns"]?.intValue == 20 && density["rows"]?.intValue == 15)
            // Three cases within 100 m of each other: the peak is below three kernels' peak and above two.
            let peak = 3 / (Double.pi * 300 * 300) * 1e6
            #expect((density["max"]?.doubleValue ?? 0) > 2 * peak && (density["max"]?.doubleValue ?? 0) < 3 * peak)
        }
    }

    @Test func routesNearestStaffAndIsochrones() async throws {
        try await withApp { client in
            let from = Self.c(250, 10), to = Self.c(900, 410)
            let route = try Self.json(try await client.execute(uri: "/v1/route?from=\(from.x),\(from.y)&to=\(to.x),\(to.y)&by=distance", method: .get))
            guard case .object(let properties)? = route["properties"] else { Issue.record("no route"); return }
            #expect(abs((properties["length_m"]?.doubleValue ?? 0) - 1_050) < 0.5)
            #expect(properties["roads"] == .array(["南路", "中路", "北路"]))
            let quick = try Self.json(try await client.execute(uri: "/v1/route?from=\(from.x),\(from.y)&to=\(to.x),\(to.y)", method: .get))
            guard case .object(let quickProperties)? = quick["properties"] else { return }
            #expect(abs((quickProperties["duration_s"]?.doubleValue ?? 0) - 147) < 0.2)
            let incident = Self.c(1005, 100)
            let nearest = try Self.json(try await client.execute(uri: "/v1/route/nearest?layer=staff&lon=\(incident.x)&lat=\(incident.y)&k=2&by=distance", method: .get))
            let ids = Self.features(.object(nearest)).all.map { $0["id"]?.stringValue }
            // The one 200 m north on the one-way road drives 1,600 m round the block; the other 400 m.
            #expect(ids == ["S2", "S1"])
            let start = Self.c(0, 0)
            let iso = try Self.json(try await client.execute(uri: "/v1/route/isochrone?lon=\(start.x)&lat=\(start.y)&by=distance&metres=600&corridor_m=20", method: .get))
            guard case .object(let isoProperties)? = iso["properties"] else { return }
            #expect(abs((isoProperties["road_m"]?.doubleValue ?? 0) - 1_300) < 0.5)
        }
    }

    @Test(arguments: [
        (HTTPRequest.Method.post, "/v1/analysis/coverage", #"{"facilities": "nope", "targets": "parcels", "radius_m": 500}"# as String?, HTTPResponse.Status.notFound, "layer_not_found", "facilities"),
        (.post, "/v1/analysis/coverage", #"{"facilities": "toilets", "targets": "parcels", "radius_m": 50000}"#, .badRequest, "invalid_argument", "radius_m"),
        (.post, "/v1/analysis/coverage", #"{"facilities": "parcels", "targets": "parcels", "radius_m": 50}"#, .badRequest, "invalid_argument", "facilities"),
        (.post, "/v1/analysis/coverage", #"{"facilities": "toilets", "targets": "parcels", "radius_m": 50, "weight": "height"}"#, .badRequest, "invalid_argument", "weight"),
        (.post, "/v1/analysis/coverage", #"{"facilities": "toilets", "targets": "roads", "radius_m": 50}"#, .badRequest, "invalid_argument", "targets"),
        (.post, "/v1/analysis/coverage", #"{"facilities": "toilets", "facility_filter": "name", "targets": "parcels", "radius_m": 50}"#, .badRequest, "invalid_filter", "facility_filter"),
        (.post, "/v1/analysis/sites", #"{"facilities": "toilets", "targets": "parcels", "radius_m": 500, "candidates": "candidates", "k": 1000}"#, .badRequest, "invalid_argument", "k"),
        (.post, "/v1/analysis/overlay", #"{"a": "green_2025", "polygon": {"type": "Polygon", "coordinates": [[[120, 33], [121, 33], [120, 95], [120, 33]]]}}"#, .unprocessableContent, "invalid_geojson", "polygon.coordinates[0][2]"),
        (.post, "/v1/analysis/overlay", #"{"a": "green_2025", "operation": "xor", "b": "green_2026"}"#, .badRequest, "invalid_argument", "operation"),
        (.post, "/v1/analysis/overlay", #"{"a": "green_2025"}"#, .badRequest, "invalid_argument", "b"),
        (.get, "/v1/analysis/hotspots/roads?layer=cases&section_m=0", nil, .badRequest, "invalid_argument", "section_m"),
        (.get, "/v1/analysis/gistar?layer=cases&weights=queen", nil, .badRequest, "invalid_argument", "weights"),
        (.get, "/v1/analysis/gistar?layer=cases&units=hexagons&cell_m=5", nil, .badRequest, "invalid_argument", "cell_m"),
        (.get, "/v1/analysis/density?layer=cases&bbox=120.40,33.10,120.50,33.30&cell_m=5", nil, .badRequest, "invalid_argument", "cell_m"),
        (.get, "/v1/analysis/hotspots/times?layer=cases&from=2026-12-01&to=2026-11-01", nil, .badRequest, "invalid_argument", "from"),
        (.get, "/v1/route?from=120.46,33.19&to=121.5,33.19", nil, .badRequest, "invalid_argument", "to"),
        (.get, "/v1/route?from=120.46,33.19&to=east", nil, .badRequest, "invalid_coordinate", "to"),
        (.get, "/v1/route?from=120.46,33.19&to=120.47,33.19&by=walking", nil, .badRequest, "invalid_argument", "by"),
        (.get, "/v1/route?from=120.46,33.19&to=120.47,33.19&roads=toilets", nil, .badRequest, "invalid_argument", "roads"),
        (.get, "/v1/route/nearest?layer=staff&lon=120.46&lat=33.19&k=500", nil, .badRequest, "invalid_argument", "k"),
        (.get, "/v1/route/isochrone?lon=120.46&lat=33.19&minutes=1000", nil, .badRequest, "invalid_argument", "minutes"),
    ])
    func badInputIsA4xxNamingTheField(
        method: HTTPRequest.Method, uri: String, body: String?, status: HTTPResponse.Status, code: String, field: String
    ) async throws {
        try await withApp { client in
            let response = try await client.execute(uri: uri, method: method, body: body.map { ByteBuffer(string: $0) })
            #expect(response.status == status, "\(uri)")
            let json = try Self.json(response)
            #expect(json["code"]?.stringValue == code, "\(uri): \(json)")
            guard case .object(let details)? = json["details"] else { Issue.record("\(uri): no details"); return }
            #expect(details["field"]?.stringValue == field, "\(uri): \(details)")
        }
    }
}
