import Foundation
import GeoCore
import GeoFences
import GeoServer
import GeoStore
import Hummingbird
import HummingbirdTesting
import Testing

/// /v1/fences, /v1/vehicles, /v1/positions and /v1/events over an empty store.
@Suite struct FenceEndpointTests {
    /// 2026-11-23T08:00:00+08:00.
    static let t0 = 1_795_392_000

    static let zone = #"""
        {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[120.460,33.200],[120.462,33.200],[120.462,33.202],[120.460,33.202],[120.460,33.200]]]},
         "properties":{"id":"forbid-1","name":"禁区","role":"forbiddenZone"}}
        """#

    /// T1 drives east along 33.201 from 120.458, 0.0002° (18.6 m) every 10 s: 18.6 m inside the zone at +110 s,
    /// 18.6 m past it at +210 s. X9, not registered, reports once.
    static var positions: String {
        var items = (0...40).map { k in
            #"{"vehicle_id":"T1","time":\#(t0 + 10 * k),"lon":\#(120.458 + 0.0002 * Double(k)),"lat":33.201}"#
        }
        items.append(#"{"vehicle_id":"X9","time":"2026-11-23T08:00:50+08:00","lon":120.47,"lat":33.21,"speed_kmh":20}"#)
        return #"{"flush":true,"positions":["# + items.joined(separator: ",") + "]}"
    }

    func withApp(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let store = try SpatialStore.temporary()
        let router = try await buildRouter(store: store, configuration: ServerConfiguration(databasePath: nil))
        try await Application(router: router).test(.router, body)
    }

    static func json(_ response: TestResponse) throws -> JSONValue { try JSON.decode(Array(response.body.readableBytesView)) }

    static func field(_ response: TestResponse) throws -> String? {
        guard case .object(let o) = try json(response), case .object(let details)? = o["details"] else { return nil }
        return details["field"]?.stringValue
    }

    /// One ingest: a position posted once to /v1/positions is a track fix too, and a track upload to
    /// /v1/trajectories/points is evaluated against the fences; each route answers both sides.
    @Test func aPositionPostedOnceIsEvaluatedAndStoredAsTrack() async throws {
        try await withApp { client in
            try await client.execute(uri: "/v1/fences", method: .post, body: ByteBuffer(string: Self.zone)) { response in
                #expect(response.status == .created)
            }
            try await client.execute(uri: "/v1/positions", method: .post, body: ByteBuffer(string: Self.positions)) { response in
                let o = try #require(try Self.json(response).objectValue)
                #expect(o["received"] == .int(42) && o["inserted"] == .int(42) && o["duplicates"] == .int(0) && o["vehicles"] == .int(2))
            }
            try await client.execute(uri: "/v1/trajectories/T1?from=2026-11-23T08:00&to=2026-11-23T09:00", method: .get) { response in
                #expect(response.status == .ok)
                let feature = try #require(try GeoJSON.decodeFeatureCollection(Array(response.body.readableBytesView)).features.first)
                #expect(feature.properties["raw_points"] == .int(41))
                #expect(feature.properties["from"] == "2026-11-23T08:00:00+08:00")
            }
            // The same drive of another vehicle as a CSV track upload: stored, and its zone entry raised.
            let csv = "vehicle,time,lon,lat\n" + (0...40).map { k in "T2,\(Self.t0 + 10 * k),\(120.458 + 0.0002 * Double(k)),33.201" }.joined(separator: "\n")
            try await client.execute(
                uri: "/v1/trajectories/points", method: .post, headers: [.contentType: "text/csv"], body: ByteBuffer(string: csv)
            ) { response in
                let o = try #require(try Self.json(response).objectValue)
                let events = try #require(o["events"]?.arrayValue)
                #expect(o["inserted"] == .int(41))
                // Entered at +110 s and left at +210 s: the event's open and closed snapshots.
                let snapshots = events.compactMap(\.objectValue).map { "\($0["vehicle_id"]?.stringValue ?? "") \($0["kind"]?.stringValue ?? "") \($0["open"] == .bool(true))" }
                #expect(snapshots == ["T2 enteredForbiddenZone true", "T2 enteredForbiddenZone false"])
            }
            try await client.execute(uri: "/v1/events?vehicle=T2", method: .get) { response in
                let o = try #require(try Self.json(response).objectValue)
                #expect(o["count"] == .int(1))
            }
        }
    }

    @Test func fencesPositionsAndEventsEndToEnd() async throws {
        try await withApp { client in
            try await client.execute(uri: "/v1/fences", method: .post, body: ByteBuffer(string: Self.zone)) { response in
                #expect(response.status == .created)
                let feature = try GeoJSON.decodeFeature(Array(response.body.readableBytesView))
                #expect(feature.properties["version"] == .int(1))
                #expect(feature.properties["kind"] == "area")
            }
            try await client.execute(uri: "/v1/fences", method: .post, body: ByteBuffer(string: Self.zone)) { response in
                #expect(response.status == .conflict)
            }
            let renamed = Self.zone.replacingOccurrences(of: "禁区", with: "禁区（扩大）")
            try await client.execute(uri: "/v1/fences/forbid-1", method: .put, body: ByteBuffer(string: renamed)) { response in
                #expect(response.status == .ok)
                let feature = try GeoJSON.decodeFeature(Array(response.body.readableBytesView))
                #expect(feature.properties["version"] == .int(2))
                #expect(feature.properties["name"] == "禁区（扩大）")
            }
            try await client.execute(uri: "/v1/fences", method: .get) { response in
                let collection = try GeoJSON.decodeFeatureCollection(Array(response.body.readableBytesView))
                #expect(collection.features.map { $0.properties["id"] } == ["forbid-1"])
            }
            try await client.execute(uri: "/v1/vehicles", method: .put, body: ByteBuffer(string: #"[{"id":"T1","class":"muck","group":"north"}]"#)) { response in
                #expect(response.status == .ok)
            }

            try await client.execute(uri: "/v1/positions", method: .post, body: ByteBuffer(string: Self.positions)) { response in
                #expect(response.status == .ok)
                let o = try #require(try Self.json(response).objectValue, "unexpected body")
                let events = try #require(o["events"]?.arrayValue, "unexpected body")
                let counters = try #require(o["counters"]?.objectValue, "unexpected body")
                let kinds = events.compactMap { event -> String? in
                    guard case .object(let e) = event else { return nil }
                    return "\(e["kind"]?.stringValue ?? "") \(e["open"] == .bool(true) ? "open" : "closed")"
                }
                #expect(kinds.sorted() == ["enteredForbiddenZone closed", "enteredForbiddenZone open", "unknownVehicle closed"])
                #expect(counters["accepted"] == .int(42))
            }

            try await client.execute(uri: "/v1/events?vehicle=T1", method: .get) { response in
                guard case .object(let o) = try Self.json(response), case .array(let events)? = o["events"], events.count == 1,
                    case .object(let e) = events[0]
                else {
                    Issue.record("expected one event")
                    return
                }
                #expect(e["kind"] == "enteredForbiddenZone")
                #expect(e["fence_id"] == "forbid-1")
                #expect(e["fence_version"] == .int(2))
                #expect(e["start"] == "2026-11-23T08:01:50+08:00")
                #expect(e["end"] == "2026-11-23T08:03:30+08:00")
                #expect(e["dwell_s"] == .double(100))
                // Deepest at the zone's centre: 0.001° of longitude (93.3 m) from the east and west edges.
                #expect(abs((e["max_distance_m"]?.doubleValue ?? 0) - 93.3) < 0.2)
            }
            try await client.execute(uri: "/v1/events?kind=unknownVehicle", method: .get) { response in
                let o = try #require(try Self.json(response).objectValue)
                #expect(o["count"] == .int(1))
            }
            try await client.execute(uri: "/v1/events?open=true", method: .get) { response in
                let o = try #require(try Self.json(response).objectValue)
                #expect(o["count"] == .int(0))
            }
            try await client.execute(uri: "/v1/events?from=2026-11-23T08:02:00%2B08:00&to=2026-11-23T08:10:00%2B08:00", method: .get) { response in
                let o = try #require(try Self.json(response).objectValue)
                #expect(o["count"] == .int(1))
            }
            // Sending the batch again (a client retry) raises nothing new.
            try await client.execute(uri: "/v1/positions", method: .post, body: ByteBuffer(string: Self.positions)) { response in
                let o = try #require(try Self.json(response).objectValue)
                let events = try #require(o["events"]?.arrayValue)
                let counters = try #require(o["counters"]?.objectValue)
                #expect(events.isEmpty)
                // The last fix of each vehicle is a duplicate; the older ones count as late (the evaluator keeps
                // no history to tell a retry from a straggler, and needs none: neither is evaluated).
                #expect(counters["duplicates"] == .int(2))
                #expect(counters["late"] == .int(40))
            }
            try await client.execute(uri: "/v1/events", method: .get) { response in
                let o = try #require(try Self.json(response).objectValue)
                #expect(o["count"] == .int(2))
            }
            try await client.execute(uri: "/v1/events/stream?from=0&limit=2", method: .get) { response in
                #expect(response.headers[.contentType] == "text/event-stream")
                let text = String(buffer: response.body)
                #expect(text.components(separatedBy: "\ndata: ").count == 3)
                // Stored events first, by start time.
                #expect(text.hasPrefix("id: X9/unknownVehicle/-/\(Int64(Self.t0 + 50) * 1000)\nevent: close\n"))
                #expect(text.contains("\n\nid: T1/enteredForbiddenZone/forbid-1/\(Int64(Self.t0 + 110) * 1000)\nevent: close\n"))
            }

            try await client.execute(uri: "/v1/fences/forbid-1", method: .delete) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/v1/fences/forbid-1", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    static func positions(_ range: ClosedRange<Int>, flush: Bool) -> String {
        let items = range.map { k in
            #"{"vehicle_id":"T1","time":\#(t0 + 10 * k),"lon":\#(120.458 + 0.0002 * Double(k)),"lat":33.201}"#
        }
        return #"{"flush":\#(flush),"positions":["# + items.joined(separator: ",") + "]}"
    }

    static func storedEvents(_ store: SpatialStore) async throws -> [[String?]] {
        try await store.fenceEvents(matching: FenceEventQuery()).map { [$0.id, $0.end.map { String($0) }] }
    }

    /// A server restarted mid-trajectory (a new router over the same store) resumes from the saved state: the
    /// client re-sends the batch it is unsure of, and the events equal those of one uninterrupted run.
    @Test func aRestartedServerResumesWithoutDuplicates() async throws {
        let reference = try SpatialStore.temporary()
        let store = try SpatialStore.temporary()
        for s in [reference, store] {
            let router = try await buildRouter(store: s, configuration: ServerConfiguration(databasePath: nil))
            try await Application(router: router).test(.router) { client in
                try await client.execute(uri: "/v1/fences", method: .post, body: ByteBuffer(string: Self.zone)) { #expect($0.status == .created) }
            }
        }
        let once = try await buildRouter(store: reference, configuration: ServerConfiguration(databasePath: nil))
        try await Application(router: once).test(.router) { client in
            try await client.execute(uri: "/v1/positions", method: .post, body: ByteBuffer(string: Self.positions(0...40, flush: true))) { #expect($0.status == .ok) }
        }
        // Cut while inside the zone (the event is open), then a new server on the same database.
        let first = try await buildRouter(store: store, configuration: ServerConfiguration(databasePath: nil))
        try await Application(router: first).test(.router) { client in
            try await client.execute(uri: "/v1/positions", method: .post, body: ByteBuffer(string: Self.positions(0...20, flush: false))) { #expect($0.status == .ok) }
        }
        #expect(try await store.fenceEvents(matching: FenceEventQuery(open: true)).count == 1)
        let second = try await buildRouter(store: store, configuration: ServerConfiguration(databasePath: nil))
        try await Application(router: second).test(.router) { client in
            try await client.execute(uri: "/v1/positions", method: .post, body: ByteBuffer(string: Self.positions(14...40, flush: true))) { response in
                let o = try #require(try Self.json(response).objectValue)
                let counters = try #require(o["counters"]?.objectValue)
                // 0...20 were seen before the restart: 14...16 already evaluated (late), 17 the last released
                // (a duplicate), 18...20 still held for reordering (duplicates).
                #expect(counters["late"] == .int(3))
                #expect(counters["duplicates"] == .int(4))
            }
        }
        let expected = try await Self.storedEvents(reference)
        #expect(expected.count == 1 && expected[0][1] != nil)
        #expect(try await Self.storedEvents(store) == expected)
    }

    /// A fence stored by another process while the server runs (`citygeo fence import` writes the same database)
    /// is listed and evaluated once the server's check interval has passed, without a restart.
    @Test func aFenceImportedByAnotherProcessIsTakenInWithoutARestart() async throws {
        let store = try SpatialStore.temporary()
        let configuration = ServerConfiguration(databasePath: nil, indexRefreshInterval: .milliseconds(20))
        let router = try await buildRouter(store: store, configuration: configuration)
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/v1/fences", method: .get) { response in
                let collection = try GeoJSON.decodeFeatureCollection(Array(response.body.readableBytesView))
                #expect(collection.features.isEmpty)
            }
            // What the import command does: the fence straight into the store, version 1.
            var fence = try Fence(feature: try GeoJSON.decodeFeature(Array(Self.zone.utf8)))
            fence.version = 1
            try await FencePersistence(store).save(fence)
            try await Task.sleep(for: .milliseconds(40))
            try await client.execute(uri: "/v1/fences/forbid-1", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/vehicles", method: .put, body: ByteBuffer(string: #"[{"id":"T1","class":"muck"}]"#)) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/v1/positions", method: .post, body: ByteBuffer(string: Self.positions(0...40, flush: true))) { response in
                #expect(response.status == .ok)
            }
            // The server's own change after that is not taken for another import: the version goes on from 1.
            try await client.execute(uri: "/v1/fences/forbid-1", method: .put, body: ByteBuffer(string: Self.zone)) { response in
                let feature = try GeoJSON.decodeFeature(Array(response.body.readableBytesView))
                #expect(feature.properties["version"] == .int(2))
            }
        }
        let kinds = try await store.fenceEvents(matching: FenceEventQuery()).map(\.kind)
        #expect(kinds == ["enteredForbiddenZone"])
    }

    /// Set by the stream's reader once its response is complete.
    actor Flag {
        var text: String?
        func set(_ t: String) { text = t }
    }

    /// A live subscriber receives events raised after it connected. Without a way to know when the stream has
    /// subscribed, the test keeps sending fixes of new unknown vehicles until the reader has its event.
    @Test func theEventStreamDeliversLiveEvents() async throws {
        try await withApp { client in
            try await client.execute(uri: "/v1/vehicles", method: .put, body: ByteBuffer(string: #"[{"id":"T1","class":"muck"}]"#)) { #expect($0.status == .ok) }
            let flag = Flag()
            let reader = Task {
                try await client.execute(uri: "/v1/events/stream?kind=unknownVehicle&limit=1", method: .get) { response in
                    await flag.set(String(buffer: response.body))
                }
            }
            var k = 0
            while await flag.text == nil, k < 10_000 {
                let body = #"{"flush":true,"positions":[{"vehicle_id":"X\#(k)","time":\#(Self.t0),"lon":120.47,"lat":33.21}]}"#
                try await client.execute(uri: "/v1/positions", method: .post, body: ByteBuffer(string: body)) { #expect($0.status == .ok) }
                k += 1
                await Task.yield()
            }
            try await reader.value
            let text = try #require(await flag.text)
            // Exactly one event, of a vehicle sent after the subscription, in the SSE format.
            #expect(text.components(separatedBy: "\ndata: ").count == 2)
            #expect(text.hasPrefix("id: X"))
            #expect(text.contains("\nevent: close\ndata: {"))
            #expect(text.hasSuffix("}\n\n"))
        }
    }

    @Test(arguments: [
        ("/v1/fences", #"{"type":"Feature","geometry":{"type":"LineString","coordinates":[[120.46,33.2],[120.47,33.2]]},"properties":{"id":"r"}}"#,
         HTTPResponse.Status.unprocessableContent, "properties.corridorWidthMetres"),
        ("/v1/fences", #"{"type":"Feature","geometry":{"type":"Point","coordinates":[120.46,33.2]},"properties":{"radiusMetres":5}}"#,
         .unprocessableContent, "properties.id"),
        ("/v1/fences", #"{"type":"Feature","geometry":{"type":"Point","coordinates":[120.46,33.2]},"properties":{"id":"p","radiusMetres":"far"}}"#,
         .unprocessableContent, "properties.radiusMetres"),
        // A radius given to an area is a mistake, not a no-op.
        ("/v1/fences", #"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[120.46,33.2],[120.47,33.2],[120.47,33.21],[120.46,33.2]]]},"properties":{"id":"a","role":"forbiddenZone","radiusMetres":0}}"#,
         .unprocessableContent, "properties.radiusMetres"),
        ("/v1/fences", #"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[120.46,33.2],[120.47,33.21],[120.47,33.2],[120.46,33.21],[120.46,33.2]]]},"properties":{"id":"bow","role":"forbiddenZone"}}"#,
         .unprocessableContent, "geometry"),
        ("/v1/positions", #"{"positions":[{"vehicle_id":"T1","time":"yesterday","lon":120.46,"lat":33.2}]}"#, .badRequest, "positions[0].time"),
        ("/v1/positions", #"{"positions":[{"vehicle_id":"T1","time":0,"lon":220.46,"lat":33.2}]}"#, .unprocessableContent, "positions[0].lon"),
        ("/v1/positions", #"{"points":[]}"#, .badRequest, "positions"),
    ])
    func badInputNamesTheField(uri: String, body: String, status: HTTPResponse.Status, field: String) async throws {
        try await withApp { client in
            try await client.execute(uri: uri, method: .post, body: ByteBuffer(string: body)) { response in
                let named = try Self.field(response)
                #expect(response.status == status, "\(body)")
                #expect(named == field, "\(body)")
            }
        }
    }

    @Test(arguments: [("kind=speeding", "kind"), ("open=maybe", "open"), ("from=noon", "from"), ("limit=0", "limit")])
    func badEventFiltersNameTheField(query: String, field: String) async throws {
        try await withApp { client in
            try await client.execute(uri: "/v1/events?\(query)", method: .get) { response in
                let named = try Self.field(response)
                #expect(response.status == .badRequest)
                #expect(named == field)
            }
        }
    }
}
