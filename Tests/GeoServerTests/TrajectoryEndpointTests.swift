import Foundation
import GeoCore
import GeoServer
import GeoStore
import Hummingbird
import HummingbirdTesting
import Testing

/// /v1/trajectories: upload, playback, daily report, who passed here.
@Suite struct TrajectoryEndpointTests {
    /// 2026-11-23T08:00:00+08:00.
    static let t0 = 1_795_392_000.0
    static let step = 0.001  // degrees of longitude per fix, ≈ 93 m at 33.19° N

    /// Vehicle A: 30 fixes east at ~33.6 km/h, 30 fixes parked (290 s), 30 fixes east again, one line repeated.
    /// Vehicle B: 10 fixes north along 120.50° E.
    static var csv: String {
        var lines = ["vehicle,time,lon,lat,speed"]
        func add(_ v: String, _ k: Int, _ lon: Double, _ lat: Double, _ speed: Double) {
            lines.append("\(v),\(Int(t0) + 10 * k),\(lon),\(lat),\(speed)")
        }
        for k in 0..<30 { add("A", k, 120.46 + Double(k) * step, 33.19, 33.6) }
        for k in 30..<60 { add("A", k, 120.46 + 30 * step, 33.19, 0) }
        for k in 60..<90 { add("A", k, 120.46 + Double(k - 29) * step, 33.19, 33.6) }
        for k in 0..<10 { add("B", k, 120.50, 33.15 + Double(k) * step, 33.6) }
        lines.append(lines[5])
        return lines.joined(separator: "\n") + "\n"
    }

    func withApp(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let router = try await buildRouter(store: try await LocateEndpointTests.makeStore(), configuration: ServerConfiguration(databasePath: nil))
        try await Application(router: router).test(.router, body)
    }

    static func json(_ response: TestResponse) throws -> [String: JSONValue] {
        guard case .object(let object) = try JSON.decode(Array(response.body.readableBytesView)) else { return [:] }
        return object
    }

    func upload(_ client: any TestClientProtocol) async throws {
        try await client.execute(uri: "/v1/trajectories/points", method: .post, headers: [.contentType: "text/csv"],
                                 body: ByteBuffer(string: Self.csv)) { response in
            #expect(response.status == .ok)
            let body = try Self.json(response)
            #expect(body["received"] == .int(101) && body["inserted"] == .int(100) && body["duplicates"] == .int(1))
            #expect(body["vehicles"] == .int(2))
        }
    }

    /// A vehicle whose only fixes are invalid, e.g. (0, 0) before a receiver has a position: playback answers 404
    /// (it stopped the server, found by schemathesis).
    @Test func playbackOfOnlyInvalidFixesIs404() async throws {
        try await withApp { client in
            let zeros = "vehicle,time,lon,lat\nZ,2026-11-23T08:00:00+08:00,0,0\nZ,2026-11-23T08:00:10+08:00,0,0\n"
            try await client.execute(uri: "/v1/trajectories/points", method: .post, headers: [.contentType: "text/csv"], body: ByteBuffer(string: zeros)) { response in
                let body = try Self.json(response)
                #expect(body["inserted"] == .int(2))
            }
            try await client.execute(uri: "/v1/trajectories/Z", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try Self.json(response)
                #expect(body["details"] == .object(["field": "vehicle"]))
            }
        }
    }

    @Test func uploadIsTransactionalAndNamesTheBadField() async throws {
        try await withApp { client in
            try await upload(client)
            let nd = "{\"vehicle\":\"B\",\"time\":\"2026-11-23T08:01:40+08:00\",\"lon\":120.5,\"lat\":33.16}\n"
            try await client.execute(uri: "/v1/trajectories/points", method: .post, body: ByteBuffer(string: nd)) { response in
                let body = try Self.json(response)
                #expect(body["inserted"] == .int(1))
            }
            let bad = "vehicle,time,lon,lat\nC,1795392000,120.46,33.19\nC,1795392010,120.46,95\n"
            try await client.execute(uri: "/v1/trajectories/points", method: .post, body: ByteBuffer(string: bad)) { response in
                #expect(response.status == .unprocessableContent)
                let body = try Self.json(response)
                #expect(body["code"] == "invalid_track_point")
                #expect(body["details"] == .object(["field": "body", "location": "line 3, column lat"]))
            }
            // Nothing of C was stored.
            try await client.execute(uri: "/v1/trajectories/C", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func playbackAndReport() async throws {
        try await withApp { client in
            try await upload(client)
            // All cleaned fixes: 30 + the parked run collapsed to 2 + 30.
            try await client.execute(uri: "/v1/trajectories/A", method: .get) { response in
                let feature = try GeoJSON.decodeFeatureCollection(Array(response.body.readableBytesView)).features[0]
                #expect(feature.properties["points"] == .int(62) && feature.properties["raw_points"] == .int(90))
            }
            // At zoom 10 (≈ 128 m per pixel) the straight drive is its two ends plus the stop's ends at most.
            try await client.execute(uri: "/v1/trajectories/A?zoom=10&from=2026-11-23T08:00:00%2B08:00&to=2026-11-23T08:04:50%2B08:00", method: .get) { response in
                let feature = try GeoJSON.decodeFeatureCollection(Array(response.body.readableBytesView)).features[0]
                #expect(feature.properties["points"] == .int(2))
                #expect(feature.properties["from"] == "2026-11-23T08:00:00+08:00" && feature.properties["to"] == "2026-11-23T08:04:50+08:00")
            }
            try await client.execute(uri: "/v1/trajectories/A/report?day=2026-11-23", method: .get) { response in
                let body = try Self.json(response)
                #expect(body["trip_count"] == .int(2) && body["stop_count"] == .int(1))
                let stops = try #require(body["stops"]?.arrayValue, "no stops")
                let stop = try #require(stops.first?.objectValue, "no stops")
                #expect(stop["start"] == "2026-11-23T08:05:00+08:00" && stop["end"] == "2026-11-23T08:09:50+08:00")
                #expect(stop["duration_s"] == .double(290))
                let metres = Geodesic.distance(from: Coordinate(x: 120.46, y: 33.19), to: Coordinate(x: 120.46 + Self.step, y: 33.19))
                let mileage = body["mileage_m"]?.doubleValue ?? 0
                #expect(abs(mileage - 60 * metres) < 1)
                let cleaning = try #require(body["cleaning"]?.objectValue)
                #expect(cleaning["drift"] == .int(28) && cleaning["kept"] == .int(62))
            }
            try await client.execute(uri: "/v1/trajectories/A/report?day=23-11-2026", method: .get) { response in
                #expect(response.status == .badRequest)
                let body = try Self.json(response)
                #expect(body["details"] == .object(["field": "day"]))
            }
        }
    }

    @Test func whoPassed() async throws {
        try await withApp { client in
            try await upload(client)
            let window = "from=2026-11-23T08:00:00%2B08:00&to=2026-11-23T09:00:00%2B08:00"
            // A crosses 120.47° E at 08:01:40; B never comes near.
            let wkt = "LINESTRING(120.47%2033.18,120.47%2033.20)"
            try await client.execute(uri: "/v1/trajectories/passed?wkt=\(wkt)&radius=30&\(window)", method: .get) { response in
                let body = try Self.json(response)
                #expect(body["count"] == .int(1))
                let vehicles = try #require(body["vehicles"]?.arrayValue)
                let a = try #require(vehicles.first?.objectValue)
                #expect(a["vehicle"] == "A")
                #expect(a["first_time"] == "2026-11-23T08:01:36+08:00" && a["last_time"] == "2026-11-23T08:01:43+08:00")
            }
            try await client.execute(uri: "/v1/trajectories/passed?lon=120.50&lat=33.155&radius=20&\(window)", method: .get) { response in
                let body = try Self.json(response)
                #expect(body["count"] == .int(1))
            }
            // Before A reached 120.47° E.
            try await client.execute(uri: "/v1/trajectories/passed?wkt=\(wkt)&from=2026-11-23T08:00:00%2B08:00&to=2026-11-23T08:01:00%2B08:00", method: .get) { response in
                let body = try Self.json(response)
                #expect(body["count"] == .int(0))
            }
            try await client.execute(uri: "/v1/trajectories/passed?wkt=\(wkt)", method: .get) { response in
                #expect(response.status == .badRequest)
                let body = try Self.json(response)
                #expect(body["details"] == .object(["field": "from"]))
            }
        }
    }

    @Test func plannedRouteComparisonAndRoadCoverage() async throws {
        let store = try await LocateEndpointTests.makeStore()
        let roads = [
            Feature(geometry: .lineString(LineString([Coordinate(x: 120.46, y: 33.19), Coordinate(x: 120.50, y: 33.19)])), properties: ["id": "R1", "name": "东西路"]),
            Feature(geometry: .lineString(LineString([Coordinate(x: 120.40, y: 33.30), Coordinate(x: 120.41, y: 33.30)])), properties: ["id": "R2", "name": "远路"]),
        ]
        _ = try await store.importLayer(name: "roads", features: FeatureCollection(roads))
        let router = try await buildRouter(store: store, configuration: ServerConfiguration(databasePath: nil))
        try await Application(router: router).test(.router) { client in
            try await upload(client)
            // Planned: the first 3 km of A's drive. A drove on for another ~2.8 km past the plan's end.
            let compare = #"{"vehicle":"A","from":"2026-11-23T07:00:00+08:00","to":"2026-11-23T09:00:00+08:00","planned":{"type":"LineString","coordinates":[[120.46,33.19],[120.49,33.19]]}}"#
            try await client.execute(uri: "/v1/trajectories/compare", method: .post, body: ByteBuffer(string: compare)) { response in
                #expect(response.status == .ok)
                let body = try Self.json(response)
                let planned = body["planned_length_m"]?.doubleValue ?? 0, actual = body["actual_length_m"]?.doubleValue ?? 0
                #expect(abs(planned - 0.03 * 93_300) < 40)
                #expect((body["coverage"]?.doubleValue ?? 0) > 0.99)
                // Off the 30 m corridor: what A drove beyond the plan's end, less the corridor's 30 m.
                #expect(abs((body["off_corridor_m"]?.doubleValue ?? 0) - (actual - planned - 30)) < 10)
                #expect(abs((body["hausdorff_m"]?.doubleValue ?? 0) - (actual - planned)) < 10)
            }
            try await client.execute(uri: "/v1/trajectories/compare", method: .post, body: ByteBuffer(string: #"{"vehicle":"A","from":"2026-11-23T07:00:00+08:00","to":"2026-11-23T09:00:00+08:00","planned":{"type":"Point","coordinates":[120.46,33.19]}}"#)) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("\"field\":\"planned\""))
            }
            try await client.execute(uri: "/v1/trajectories/coverage?from=2026-11-23T07:00:00%2B08:00&to=2026-11-23T09:00:00%2B08:00", method: .get) { response in
                #expect(response.status == .ok)
                let collection = try GeoJSON.decodeFeatureCollection(Array(response.body.readableBytesView))
                let byID = Dictionary(uniqueKeysWithValues: collection.features.map { ($0.properties["id"]?.stringValue ?? "", $0) })
                #expect((byID["R1"]?.properties["coverage"]?.doubleValue ?? 0) > 0.99)
                #expect(byID["R1"]?.properties["vehicles"] == .array(["A"]))
                #expect(byID["R2"]?.properties["coverage"]?.doubleValue == 0)
            }
        }
    }
}
