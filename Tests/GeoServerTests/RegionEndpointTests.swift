import Foundation
import GeoCore
@testable import GeoServer
@testable import GeoStore
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// /v1/regions, /v1/families, /v1/locate with families and /v1/stats over LocateEndpointTests' district (street 001
/// with community 001001 of four unit grids, town 101 without grids) under China's division list, with governance
/// grids, overlapping frontage zones and 300 seeded cases of 2025-2026.
@Suite struct RegionEndpointTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let box = LocateEndpointTests.box
    static let region = LocateEndpointTests.region

    static func makeStore() async throws -> SpatialStore {
        let store = try await LocateEndpointTests.makeStore()
        _ = try await store.importLayer(name: "governance_grids", features: FeatureCollection([region("G1", "西网格", box(120.40, 33.10, 120.45, 33.20))]))
        _ = try await store.importLayer(
            name: "frontage_zones",
            features: FeatureCollection([
                Feature(geometry: box(120.41, 33.11, 120.43, 33.13), properties: ["code": "F1", "name": "一号店", "unit": "一号店"]),
                Feature(geometry: box(120.42, 33.12, 120.44, 33.14), properties: ["code": "F2", "name": "二号店", "unit": "二号店"]),
            ]))
        var rng = SeededGenerator(seed: 7)
        let start = try TimeText.seconds("2025-01-01"), end = try TimeText.seconds("2027-01-01")
        let categories = ["市容环境/暴露垃圾/垃圾满溢", "街面秩序/占道经营"]
        let cases = (0..<300).map { k in
            Feature(
                id: .string("c\(k)"),
                geometry: .point(Point(Coordinate(x: 120.40 + Double.random(in: 0..<0.1, using: &rng), y: 33.10 + Double.random(in: 0..<0.2, using: &rng)))),
                properties: [
                    "category": .string(categories[k % 2]), "time": .string(TimeText.format(Double.random(in: start..<end, using: &rng).rounded(.down))),
                    "weight": .int(Int64(k % 4)),
                ])
        }
        _ = try await store.importLayer(name: "cases", features: FeatureCollection(cases))
        return store
    }

    static func configuration() -> ServerConfiguration {
        ServerConfiguration(
            databasePath: nil, indexRefreshInterval: .zero,
            divisionListPath: root.appendingPathComponent("AddressBooks/national/divisions.csv"))
    }

    static let shared: Task<SpatialStore, any Error> = Task { try await makeStore() }

    /// One store and set of routes for the tests that only read.
    func withApp(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let (responder, _) = try await SharedRoutes.shared.routes("regions") {
            try await buildRoutes(
                store: try await Self.shared.value, configuration: Self.configuration(), logger: Logger(label: "test"), serverName: nil
            ).routerAndLookups
        }
        try await Application(responder: responder).test(.router, body)
    }

    static func json(_ response: TestResponse) throws -> [String: JSONValue] {
        try #require(try JSON.decode(Array(response.body.readableBytesView)).objectValue)
    }

    static func codes(_ value: JSONValue?) -> [String] { value?.arrayValue?.compactMap { $0.objectValue?["code"]?.stringValue } ?? [] }

    @Test func aCountyWithItsChainAndTheTownsOfTheDivisionList() async throws {
        try await withApp { client in
            try await client.execute(uri: "/v1/regions/320904", method: .get) { response in
                #expect(response.status == .ok)
                let body = try Self.json(response)
                let node = try #require(body["node"]?.objectValue)
                #expect(node["name"] == "大丰区" && node["level"] == "county" && node["parent_code"] == "320900")
                #expect(node["source"] == "divisions+district" && node["aliases"] == .array(["大丰"]))
                #expect(node["bbox"] == .array([120.40, 33.10, 120.50, 33.30]))
                #expect(Self.codes(body["ancestors"]) == ["320000", "320900"])
                let towns = Self.codes(body["descendants"])
                #expect(towns.count == 13)
                #expect(Array(towns.prefix(3)) == ["320904001", "320904002", "320904101"])
                let first = try #require(body["descendants"]?.arrayValue?.first?.objectValue)
                #expect(first["source"] == "divisions+streets" && first["child_count"] == .int(1) && first["sort_order"] == .int(1))
            }
            try await client.execute(uri: "/v1/regions/320904001?depth=2&families=none", method: .get) { response in
                let body = try Self.json(response)
                #expect(Self.codes(body["descendants"]) == ["320904001001"] + (1...4).map { "32090400100100\($0)" })
                #expect(body["truncated"] == false)
            }
            try await client.execute(uri: "/v1/regions?q=丰华&limit=3", method: .get) { response in
                let nodes = try Self.json(response)["nodes"]
                #expect(Self.codes(nodes).first == "320904001")
            }
            try await client.execute(uri: "/v1/regions?q=大丰&level=county", method: .get) { response in
                let nodes = try Self.json(response)["nodes"]
                #expect(Self.codes(nodes) == ["320904"])
            }
            try await client.execute(uri: "/v1/regions", method: .get) { response in
                let nodes = try Self.json(response)["nodes"]
                let roots = Self.codes(nodes)
                #expect(roots.count == 20 && roots.first == "110000")
            }
        }
    }

    @Test(arguments: [
        ("/v1/regions/32A904", 400, "invalid_code", "code"),
        ("/v1/regions/999999", 404, "not_found", "code"),
        ("/v1/regions/320904?depth=11", 400, "invalid_argument", "depth"),
        ("/v1/regions/G1?family=nope", 404, "not_found", "code"),
        ("/v1/regions?q=%20", 400, "invalid_argument", "q"),
        ("/v1/regions?within=320999", 404, "not_found", "within"),
        ("/v1/stats?period=hour", 400, "invalid_argument", "period"),
        ("/v1/stats?node=1234", 400, "invalid_code", "node"),
        ("/v1/stats?level=street&family=frontage_zones", 400, "invalid_argument", "level"),
        ("/v1/stats?level=town", 400, "invalid_argument", "level"),
        ("/v1/stats?layer=nope", 404, "layer_not_found", "layer"),
        ("/v1/stats?sum=category", 400, "invalid_argument", "sum"),
        ("/v1/stats?from=2026-02-01&to=2026-01-01", 400, "invalid_argument", "from"),
        ("/v1/stats?from=yesterday", 400, "invalid_time", "from"),
        ("/v1/stats?node=320904001001001", 400, "invalid_argument", "node"),
        ("/v1/stats?node=320904&level=county", 400, "invalid_argument", "level"),
        ("/v1/stats?category=a||b", 400, "invalid_argument", "category"),
        ("/v1/stats?format=xml", 400, "invalid_argument", "format"),
        ("/v1/stats?family=unit_grids", 400, "invalid_argument", "family"),
        ("/v1/locate?lon=120.42&lat=33.17&families=unit_grids", 400, "invalid_argument", "families"),
        ("/v1/regions/320904?families=unit_grids", 400, "invalid_argument", "families"),
    ])
    func badRequestsNameTheField(uri: String, status: Int, code: String, field: String) async throws {
        try await withApp { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status.code == status, "\(uri)")
                let body = try Self.json(response)
                #expect(body["code"]?.stringValue == code, "\(uri)")
                #expect(body["details"]?.objectValue?["field"]?.stringValue == field, "\(uri)")
            }
        }
    }

    /// SQL: cases per (code, month) inside the polygons of `regions`, months in China Standard Time.
    static func sqlPerMonth(_ store: SpatialStore, regions: String) async throws -> [String: Int] {
        let rows = try await store.rows(
            """
            SELECT json_extract(r.properties, '$.code'), strftime('%Y-%m', json_extract(c.properties, '$.time'), '+8 hours'), count(*)
            FROM layer_cases c JOIN layer_\(regions) r ON ST_Within(c.geom, r.geom) GROUP BY 1, 2
            """)
        return Dictionary(uniqueKeysWithValues: rows.map { (($0[0] ?? "") + "|" + ($0[1] ?? ""), Int($0[2] ?? "") ?? -1) })
    }

    @Test func statisticsOneLevelBelowEqualSQLAsJSONAndCSV() async throws {
        let store = try await Self.shared.value
        let expected = try await Self.sqlPerMonth(store, regions: "unit_grids")
        try await withApp { client in
            try await client.execute(uri: "/v1/stats?node=320904001001&from=2026-01-01&to=2027-01-01", method: .get) { response in
                #expect(response.status == .ok)
                let body = try Self.json(response)
                #expect(body["scope"] == "below" && body["period"] == "month" && body["layer"] == "cases")
                #expect(body["from"] == "2026-01-01T00:00:00+08:00" && body["to"] == "2027-01-01T00:00:00+08:00")
                let rows = body["rows"]?.arrayValue?.compactMap(\.objectValue) ?? []
                #expect(rows.count == 4 * 12)
                for row in rows {
                    let key = (row["code"]?.stringValue ?? "") + "|" + (row["period"]?.stringValue ?? "")
                    #expect(row["count"] == .int(Int64(expected[key] ?? 0)), "\(key)")
                    let month = row["period"]?.stringValue ?? ""
                    let lastYear = "2025" + month.dropFirst(4)
                    #expect(row["yoy"]?.objectValue?["previous"] == .int(Int64(expected[(row["code"]?.stringValue ?? "") + "|" + lastYear] ?? 0)))
                }
                let total = expected.filter { $0.key.contains("|2026-") }.values.reduce(0, +)
                #expect(body["total"] == .int(Int64(total)))
            }
            try await client.execute(uri: "/v1/stats?node=320904001001&from=2026-01-01&to=2027-01-01&format=csv", method: .get) { response in
                #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
                let records = try CSVReader.read(Array(response.body.readableBytesView))
                #expect(records.count == 1 + 4 * 12)
                for record in records.dropFirst() {
                    #expect(Int(record.fields[5]) == expected[record.fields[0] + "|" + record.fields[4]] ?? 0)
                }
            }
        }
    }

    @Test func statisticsInsideAPostedPolygonEqualSQL() async throws {
        let store = try await Self.shared.value
        let inside = try await store.rows(
            "SELECT count(*), total(json_extract(properties, '$.weight')) FROM layer_cases WHERE ST_Within(geom, GeomFromText('POLYGON((120.41 33.11, 120.47 33.11, 120.47 33.25, 120.41 33.25, 120.41 33.11))', 4490))")
        let sqlCount = inside.first?[0].flatMap { Int64($0) }
        let sqlSum = inside.first?[1].flatMap { Double($0) }
        let count = try #require(sqlCount)
        let sum = try #require(sqlSum)
        let body = #"{"period":"all","sum":"weight","polygon":{"type":"Polygon","coordinates":[[[120.41,33.11],[120.47,33.11],[120.47,33.25],[120.41,33.25],[120.41,33.11]]]}}"#
        try await withApp { client in
            try await client.execute(uri: "/v1/stats", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                let rows = try Self.json(response)["rows"]?.arrayValue?.compactMap(\.objectValue) ?? []
                #expect(rows.count == 1)
                #expect(rows.first?["count"] == .int(count))
                #expect(rows.first?["sum"] == .double(sum))
                #expect(rows.first?["mom"] == .null)
            }
            try await client.execute(uri: "/v1/stats", method: .post, body: ByteBuffer(string: #"{"polygon":{"type":"Point","coordinates":[120,33]}}"#)) { response in
                #expect(response.status == .unprocessableContent)
                let details = try Self.json(response)["details"]
                #expect(details?.objectValue?["field"] == "polygon")
            }
        }
    }

    /// Marking a family over HTTP: it is listed, located in, hung in the tree and counted by; unmarking undoes it.
    @Test func familiesAreMarkedLocatedCountedAndUnmarked() async throws {
        let store = try await Self.makeStore()
        let router = try await buildRouter(store: store, configuration: Self.configuration())
        let expected = try await Self.sqlPerMonth(store, regions: "frontage_zones")
        try await Application(router: router).test(.router) { client in
            for (layer, body) in [("governance_grids", #"{"kind":"governance_grid"}"#), ("frontage_zones", #"{"kind":"frontage_zone"}"#)] {
                try await client.execute(uri: "/v1/families/\(layer)", method: .put, body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .ok)
                    let answer = try Self.json(response)
                    #expect(answer["layer"]?.stringValue == layer)
                }
            }
            try await client.execute(uri: "/v1/families", method: .get) { response in
                let families = try #require(try Self.json(response)["families"]?.arrayValue?.compactMap(\.objectValue))
                #expect(families.map { $0["layer"] } == ["frontage_zones", "governance_grids"])
                #expect(families.map { $0["in_tree"] } == [false, true])
                #expect(families.map { $0["title"] } == ["门前三包", "一般网格"])
                // Frontage zones overlap; governance grids tile, so each point has one holder at most.
                #expect(families.map { $0["overlapping"] } == [true, false])
            }
            try await client.execute(uri: "/v1/locate?lon=120.425&lat=33.125&families=all", method: .get) { response in
                let families = try #require(try Self.json(response)["families"]?.objectValue)
                #expect(Self.codes(families["frontage_zones"]) == ["F1", "F2"])
                #expect(Self.codes(families["governance_grids"]) == ["G1"])
                #expect(families["frontage_zones"]?.arrayValue?.first?.objectValue?["attributes"]?.objectValue?["unit"] == "一号店")
            }
            let batch = #"{"points":[[120.425,33.125],[120.48,33.18]],"families":["frontage_zones"]}"#
            try await client.execute(uri: "/v1/locate/batch", method: .post, body: ByteBuffer(string: batch)) { response in
                let results = try #require(try Self.json(response)["results"]?.arrayValue?.compactMap(\.objectValue))
                #expect(results.map { Self.codes($0["families"]?.objectValue?["frontage_zones"]) } == [["F1", "F2"], []])
                #expect(results.first?["families"]?.objectValue?["frontage_zones"]?.arrayValue?.first?.objectValue?["attributes"] == nil)
            }
            try await client.execute(uri: "/v1/regions/320904001001?families=governance_grids", method: .get) { response in
                let body = try Self.json(response)
                #expect(Self.codes(body["descendants"]).last == "G1")
                #expect(body["descendants"]?.arrayValue?.last?.objectValue?["family"] == "governance_grids")
            }
            try await client.execute(uri: "/v1/stats?family=frontage_zones&period=month", method: .get) { response in
                let rows = try #require(try Self.json(response)["rows"]?.arrayValue?.compactMap(\.objectValue))
                #expect(Set(rows.compactMap { $0["code"]?.stringValue }) == ["F1", "F2"])
                for row in rows {
                    let key = (row["code"]?.stringValue ?? "") + "|" + (row["period"]?.stringValue ?? "")
                    #expect(row["count"] == .int(Int64(expected[key] ?? 0)), "\(key)")
                }
            }
            for (uri, body, status, field) in [
                ("/v1/families/governance_grids", #"{"kind":"Bad Kind"}"#, 400, "kind"),
                ("/v1/families/nowhere", #"{"kind":"compound"}"#, 404, "layer"),
                ("/v1/families/cases", #"{"kind":"compound"}"#, 400, "layer"),
                ("/v1/families/frontage_zones", #"{"kind":"frontage_zone","in_tree":"yes"}"#, 400, "in_tree"),
                ("/v1/families/frontage_zones", #"{"code_field":"code"}"#, 400, "kind"),
            ] {
                try await client.execute(uri: uri, method: .put, body: ByteBuffer(string: body)) { response in
                    #expect(response.status.code == status, "\(uri) \(body)")
                    let answer = try Self.json(response)
                    #expect(answer["details"]?.objectValue?["field"]?.stringValue == field, "\(uri) \(body)")
                }
            }
            try await client.execute(uri: "/v1/families/governance_grids", method: .delete) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/v1/families/governance_grids", method: .delete) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/v1/regions/320904001001", method: .get) { response in
                let answer = try Self.json(response)
                #expect(!Self.codes(answer["descendants"]).contains("G1"))
            }
        }
    }
}
