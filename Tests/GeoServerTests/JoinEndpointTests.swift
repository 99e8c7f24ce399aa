import Foundation
import GeoCore
@testable import GeoServer
import GeoStore
import Hummingbird
import Logging
import HummingbirdTesting
import Testing

/// /v1/nearest, /v1/within, /v1/cases/duplicates and /v1/aggregate over the four-grid district of
/// LocateEndpointTests plus a staff layer and a cases layer.
@Suite struct JoinEndpointTests {
    /// Staff on a line due north of (120.42, 33.16), 100 m apart: s0 at 0 m … s4 at 400 m.
    static func north(_ metres: Double) -> Coordinate { Coordinate(x: 120.42, y: 33.16 + metres / 111_194.93) }

    static func makeStore() async throws -> SpatialStore {
        let store = try await LocateEndpointTests.makeStore()
        var staff: [Feature] = []
        for k in 0..<5 {
            let role: JSONValue = k % 2 == 0 ? "网格员" : "监督员"
            let properties: [String: JSONValue] = ["role": role, "age": .int(Int64(30 + k))]
            staff.append(Feature(id: .string("s\(k)"), geometry: .point(Point(north(Double(k) * 100))), properties: properties))
        }
        _ = try await store.importLayer(name: "staff", features: FeatureCollection(staff))
        let rows: [(String, String, String, Coordinate, String)] = [
            ("c1", "垃圾满溢", "2026-11-20T09:00:00+08:00", north(20), "accepted"),
            ("c2", "垃圾满溢", "2026-10-01T09:00:00+08:00", north(10), "closed"),
            ("c3", "占道经营", "2026-11-22T09:00:00+08:00", north(5), "accepted"),
            ("c4", "垃圾满溢", "2026-11-21T09:00:00+08:00", Coordinate(x: 120.47, y: 33.12), "accepted"),
            ("c5", "垃圾满溢", "2026-11-22T09:00:00+08:00", north(30), "voided"),
        ]
        var cases: [Feature] = []
        for (id, category, time, point, status) in rows {
            let properties: [String: JSONValue] = ["category": .string(category), "time": .string(time), "status": .string(status), "weight": 1.5]
            cases.append(Feature(id: .string(id), geometry: .point(Point(point)), properties: properties))
        }
        _ = try await store.importLayer(name: "cases", features: FeatureCollection(cases))
        return store
    }

    /// One store and one set of routes for the suite: its requests only read (joins, aggregations, checks).
    func withApp(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let (responder, _) = try await SharedRoutes.shared.routes("joins") {
            try await buildRoutes(
                store: try await Self.makeStore(), configuration: ServerConfiguration(databasePath: nil), logger: Logger(label: "test"), serverName: nil).routerAndLookups
        }
        try await Application(responder: responder).test(.router, body)
    }

    static func features(_ response: TestResponse) throws -> [Feature] {
        try GeoJSON.decodeFeatureCollection(Array(response.body.readableBytesView)).features
    }

    static func ids(_ features: [Feature]) -> [String] {
        features.compactMap { if case .string(let s)? = $0.id { s } else { nil } }
    }

    @Test func nearestStaffWithDistancesAndFilter() async throws {
        let q = Self.north(130)
        try await withApp { client in
            try await client.execute(uri: "/v1/nearest?layer=staff&lon=\(q.x)&lat=\(q.y)&k=3", method: .get) { response in
                #expect(response.status == .ok)
                let found = try Self.features(response)
                let ids = Self.ids(found)
                #expect(ids == ["s1", "s2", "s0"])
                let distances = found.compactMap { $0.properties["distance_m"]?.doubleValue }
                #expect(distances.count == 3 && abs(distances[0] - 30) < 0.05 && abs(distances[1] - 70) < 0.05 && abs(distances[2] - 130) < 0.05)
            }
            try await client.execute(uri: "/v1/nearest?layer=staff&lon=\(q.x)&lat=\(q.y)&k=2&filter=role%3D%E7%BD%91%E6%A0%BC%E5%91%98", method: .get) { response in
                let ids = Self.ids(try Self.features(response))
                #expect(ids == ["s2", "s0"])
            }
        }
    }

    @Test func withinRadiusAndWithinPolygon() async throws {
        let q = Self.north(200)
        try await withApp { client in
            try await client.execute(uri: "/v1/within?layer=staff&lon=\(q.x)&lat=\(q.y)&radius=150", method: .get) { response in
                let ids = Self.ids(try Self.features(response))
                #expect(ids == ["s2", "s1", "s3"])
            }
            let polygon = #"{"layer":"staff","filter":"age>=32","polygon":{"type":"Polygon","coordinates":[[[120.41,33.16],[120.43,33.16],[120.43,33.17],[120.41,33.17],[120.41,33.16]]]}}"#
            try await client.execute(uri: "/v1/within", method: .post, body: ByteBuffer(string: polygon)) { response in
                #expect(response.status == .ok)
                let ids = Self.ids(try Self.features(response))
                #expect(ids == ["s2", "s3", "s4"])
            }
        }
    }

    /// The intake case at c-stations' origin on 2026-11-23 09:00 against c1-c5 (see makeStore): by the defaults
    /// (10 m and 1 day; closed within 30 days) nothing; with wider rules, c5 (voided, 30 m, a day earlier) is similar
    /// and c2 (closed on 2026-10-01, 10 m, same grid) is repeated; the rules applied are reported.
    @Test(arguments: [
        (#""#, [String](), [String]()),
        (#","similar":{"distance_m":35,"window_hours":24}"#, ["c5"], []),
        (#","repeat":{"window_days":60}"#, [], ["c2"]),
        (#","category_rules":{"垃圾满溢":{"similar_distance_m":35,"repeat_window_days":60}}"#, ["c5"], ["c2"]),
        (#","category_rules":{"占道经营":{"similar_distance_m":35,"repeat_window_days":60}}"#, [], []),
        (#","similar":{"distance_m":35,"window_hours":96,"statuses":["accepted"]}"#, ["c1"], []),
    ])
    func similarAndRepeatCases(rules: String, similar: [String], repeated: [String]) async throws {
        let p = Self.north(0)
        try await withApp { client in
            let body = #"{"case":{"lon":\#(p.x),"lat":\#(p.y),"category":"垃圾满溢","time":"2026-11-23T09:00:00+08:00"}"# + rules + "}"
            try await client.execute(uri: "/v1/cases/duplicates", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                let json = try #require(try JSON.decode(Array(response.body.readableBytesView)).objectValue)
                #expect(json["grid_code"] == "320904001001001")
                let similarIDs = try #require(json["similar"]?.arrayValue).map { $0.objectValue?["id"]?.stringValue }
                let repeatEntries = try #require(json["repeat"]?.arrayValue).compactMap(\.objectValue)
                #expect(similarIDs == similar)
                #expect(repeatEntries.map { $0["id"]?.stringValue } == repeated)
                if let c2 = repeatEntries.first {
                    #expect(c2["same_grid"] == true)
                    #expect(c2["days_since_closed"] == .double(53))
                    #expect(c2["distance_m"] == .double(10))
                }
            }
        }
    }

    @Test func theRulesAppliedAreReportedAndTheOldMembersRefused() async throws {
        let p = Self.north(0)
        try await withApp { client in
            let body = #"{"case":{"lon":\#(p.x),"lat":\#(p.y),"category":"垃圾满溢","time":"2026-11-23T09:00:00+08:00"}}"#
            try await client.execute(uri: "/v1/cases/duplicates", method: .post, body: ByteBuffer(string: body)) { response in
                let json = try #require(try JSON.decode(Array(response.body.readableBytesView)).objectValue)
                #expect(json["rules"] == .object([
                    "similar": .object(["distance_m": 10.0, "window_hours": 24.0, "statuses": .array(["accepted", "handling", "voided"])]),
                    "repeat": .object(["distance_m": 10.0, "window_days": 30.0, "same_grid": true]),
                ]))
            }
            for (member, field) in [(#""distance_m":50"#, "distance_m"), (#""window_days":30"#, "window_days"),
                                    (#""similar":{"distance_m":-1}"#, "similar.distance_m"), (#""repeat":{"same_grid":1}"#, "repeat.same_grid"),
                                    (#""similar":{"statuses":["pending"]}"#, "similar.statuses")] {
                let bad = #"{"case":{"lon":\#(p.x),"lat":\#(p.y),"category":"垃圾满溢","time":"2026-11-23T09:00:00+08:00"},"# + member + "}"
                try await client.execute(uri: "/v1/cases/duplicates", method: .post, body: ByteBuffer(string: bad)) { response in
                    #expect(response.status == .badRequest)
                    let json = try #require(try JSON.decode(Array(response.body.readableBytesView)).objectValue)
                    #expect(json["details"]?.objectValue?["field"] == .string(field))
                }
            }
        }
    }

    @Test func aggregationPerGridAndStreet() async throws {
        try await withApp { client in
            try await client.execute(uri: "/v1/aggregate?layer=cases&level=unit_grid&from=2026-11-01&to=2026-12-01&sum=weight", method: .get) { response in
                #expect(response.status == .ok)
                let json = try #require(try JSON.decode(Array(response.body.readableBytesView)).objectValue)
                let rows = try #require(json["rows"]?.arrayValue)
                #expect(json["total"] == .int(4))
                #expect(rows == [
                    .object(["code": "320904001001001", "count": .int(3), "sum": .double(4.5)]),
                    .object(["code": "320904001001004", "count": .int(1), "sum": .double(1.5)]),
                ])
            }
            try await client.execute(uri: "/v1/aggregate?layer=cases&level=street&from=2026-09-01&to=2026-12-01", method: .get) { response in
                let json = try #require(try JSON.decode(Array(response.body.readableBytesView)).objectValue)
                #expect(json["rows"] == .array([.object(["code": "320904001", "count": .int(5), "sum": .null])]))
            }
        }
    }

    @Test func heatCellsCountCasesInTheirRange() async throws {
        try await withApp { client in
            try await client.execute(uri: "/v1/heat?layer=cases&bbox=120.40,33.10,120.50,33.20&cell_m=1000&from=2026-11-01&to=2026-12-01", method: .get) { response in
                #expect(response.status == .ok)
                let cells = try Self.features(response)
                // c1, c3 and c5 share the cell north of (120.42, 33.16); c4 has its own; c2 is before November.
                #expect(cells.compactMap { $0.properties["count"]?.intValue }.sorted() == [1, 3])
            }
            try await client.execute(uri: "/v1/heat?layer=cases&bbox=120.40,33.10,120.50,33.20&cell_m=1", method: .get) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test(arguments: [
        ("/v1/nearest?lon=120.4&lat=33.1", "invalid_argument", "layer"),
        ("/v1/nearest?layer=staff&lon=120.4&lat=33.1&k=0", "invalid_argument", "k"),
        ("/v1/nearest?layer=staff&lon=120.4&lat=33.1&filter=age%3E%3Dold", "invalid_filter", "filter"),
        ("/v1/within?layer=staff&lon=120.4&lat=33.1&radius=90000", "invalid_argument", "radius"),
        ("/v1/aggregate?layer=cases&level=city&from=2026-11-01&to=2026-12-01", "invalid_argument", "level"),
        ("/v1/aggregate?layer=cases&from=yesterday&to=2026-12-01", "invalid_time", "from"),
        // An empty range was a 422 naming no field (found by schemathesis).
        ("/v1/aggregate?layer=cases&from=2026-11-23&to=2026-11-23", "invalid_argument", "from"),
    ])
    func badJoinRequestsNameTheField(uri: String, code: String, field: String) async throws {
        try await withApp { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .badRequest, "\(uri)")
                let json = try #require(try JSON.decode(Array(response.body.readableBytesView)).objectValue)
                let details = try #require(json["details"]?.objectValue)
                #expect(json["code"]?.stringValue == code)
                #expect(details["field"]?.stringValue == field)
            }
        }
    }

    @Test func unknownLayersAre404AndBadPolygonsAre422() async throws {
        try await withApp { client in
            try await client.execute(uri: "/v1/nearest?layer=nope&lon=120.4&lat=33.1", method: .get) { response in
                #expect(response.status == .notFound)
            }
            let selfCrossing = #"{"layer":"staff","polygon":{"type":"Polygon","coordinates":[[[120.41,33.16],[120.43,33.16],[120.43]]]}}"#
            try await client.execute(uri: "/v1/within", method: .post, body: ByteBuffer(string: selfCrossing)) { response in
                #expect(response.status == .unprocessableContent)
                let json = try #require(try JSON.decode(Array(response.body.readableBytesView)).objectValue)
                let details = try #require(json["details"]?.objectValue)
                #expect(details["field"] == "polygon.coordinates[0][2]")
            }
        }
    }
}
