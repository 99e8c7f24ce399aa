import Foundation
import GeoCore
import GeoCrypto
import Logging
import PostgresNIO
import StoreBackends
import Synchronization
import Testing

@testable import GeoStore
@testable import GeoStorePostGIS

/// What only the PostGIS backend has: URL locations, its migrations, partitions, the change feed, several
/// replicas over one database. The seam itself is tested on both backends by the other suites.
@Suite struct PostGISLocationTests {
    @Test func urlsNameServerLoginDatabaseAndTLS() throws {
        let full = try PostGISLocation(url: "postgres://city%40ops:s%3Dcret@db.example:6432/city_geo?sslmode=require")
        #expect(full == PostGISLocation(host: "db.example", port: 6432, user: "city@ops", password: "s=cret", database: "city_geo", tls: .require))
        #expect(full.description == "db.example:6432/city_geo")
        let plain = try PostGISLocation(url: "postgresql://127.0.0.1/postgres?password=x&sslmode=disable")
        #expect(plain == PostGISLocation(host: "127.0.0.1", port: 5432, user: "postgres", password: "x", database: "postgres", tls: .disable))
        #expect(try PostGISLocation(url: "postgres://me@host").database == "me")
        #expect(PostGISLocation.isPostgresURL("POSTGRES://h/db") && !PostGISLocation.isPostgresURL("data/citygeo.sqlite"))
    }

    @Test(arguments: [
        ("data/citygeo.sqlite", "postgres://user@host:port/database"),
        ("postgres:///db", "names no host"),
        ("postgres://h/db?sslmode=verify-full", "sslmode must be disable, prefer or require"),
        ("postgres://h/db?application_name=x", "unknown parameter application_name"),
    ])
    func malformedURLsAreConfigurationErrors(_ url: String, _ message: String) {
        let error = #expect(throws: GeoError.self) { try PostGISLocation(url: url) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }

    @Test func passwordsNeverReachMessages() {
        let error = #expect(throws: GeoError.self) { try PostGISLocation(url: "postgres://u:hunter2@/db?password=hunter3") }
        #expect(error?.message.contains("hunter") == false)
    }

    @Test func anUnreachableServerIsADatabaseErrorNamingIt() async throws {
        // Port 1 on loopback: nothing listens there.
        let error = await #expect(throws: GeoError.self) {
            _ = try await PostGISStore.open(url: "postgres://postgres@127.0.0.1:1/city?sslmode=disable")
        }
        #expect(error?.code == .databaseError)
        #expect(error?.message.contains("127.0.0.1:1/city") == true)
    }
}

@Suite(.enabled(if: StoreBackend.postgresURL != nil, "needs CITYGEO_TEST_POSTGRES_URL"))
struct PostGISStoreTests {
    static func scratch() async throws -> PostGISStore {
        try await PostGISStore.temporary(server: try #require(StoreBackend.postgresURL))
    }

    @Test func migrationsAreAppliedOnceAndAReopenedDatabaseKeepsItsLayers() async throws {
        let store = try await Self.scratch()
        _ = try await store.importGeoJSON(name: "towns", file: Fixture.url("towns.geojson"))
        let reopened = try await PostGISStore.open(store.location)
        #expect(try await reopened.layers() == store.layers())
        #expect(try await reopened.rows("SELECT name FROM schema_migrations ORDER BY applied_at, name").map { $0[0] ?? "" }
            == PostGISMigrations.names)
        let description = try await reopened.describe()
        #expect(description.backend == "postgis")
        #expect(description.version.hasPrefix("3."))
        #expect(description.location == "\(store.location.host):\(store.location.port)/\(store.location.database)")
        await reopened.close()
        await store.close()
    }

    /// A database an older release left (through `v6`): `v7_compliance` prefixes its key digests with their
    /// algorithm and brings its audit lines into the SM3 chain, in their order, with the kind their status implies.
    @Test func theComplianceMigrationChainsTheLinesOfAnOlderDatabase() async throws {
        let server = try PostGISLocation(url: try #require(StoreBackend.postgresURL))
        let name = "citygeo_scratch_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let logger = Logger(label: "test")
        try await PostGISScratchDatabases.create(name, on: server, logger: logger)
        try await PostGISConnections.withConnection(to: server.with(database: name), logger: logger) { connection in
            try await PostGISMigrations.migrate(connection, through: "v6_vehicle_states_outbox", logger: logger)
            for statement in [
                "INSERT INTO api_keys (id, name, sha256, scopes, created_at) VALUES ('k00000001', 'intake', '\(String(repeating: "ab", count: 32))', 'joins', 1)",
                """
                INSERT INTO audit_log (time, key_id, key_name, method, path, status, detail, remote_address) VALUES
                    (10, 'k00000001', 'intake', 'POST', '/v1/fences', 200, 'saved f1', '10.0.0.1'),
                    (20, NULL, NULL, 'GET', '/v1/audit', 401, 'no key', NULL),
                    (30, 'k00000001', 'intake', 'POST', '/v1/positions', 500, 'failed', '10.0.0.1')
                """,
            ] {
                try await connection.run(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
        }
        let store = try await PostGISStore.open(server.with(database: name))
        #expect(try await store.apiKeys().map(\.digest) == ["sha256:" + String(repeating: "ab", count: 32)])
        let report = try await AuditChain.verify(store)
        #expect(report.checked == 3)
        #expect(report.firstBroken == nil)
        #expect(try await store.auditChain(afterId: 0, limit: 10).map(\.entry.kind) == [.operation, .access, .exception])
        try await store.appendAudit([AuditEntry(time: 40, kind: .system, keyId: nil, keyName: nil, method: "CLI", path: "x", status: 200, detail: "d", remoteAddress: nil)])
        #expect(try await AuditChain.verify(store).checked == 4)
        let refused = await #expect(throws: GeoError.self) { try await store.execute("DELETE FROM audit_log") }
        #expect(refused?.underlying?.contains("append-only") == true)
        await store.close()
        try await PostGISScratchDatabases.drop(name, on: server, logger: logger)
    }

    @Test func bothBackendsExportTheSameGeoJSONForTheSameLayers() async throws {
        let spatial = try SpatialStore.temporary()
        let postgis = try await Self.scratch()
        for store in [spatial as any CityStore, postgis] {
            _ = try await store.importGeoJSON(name: "towns", file: Fixture.url("towns.geojson"))
            _ = try await store.importCSV(name: "pois", file: Fixture.url("pois.csv"))
            _ = try await store.importCSV(name: "roads", file: Fixture.url("roads.csv"), csv: CSVOptions(idColumn: "id"))
        }
        for layer in ["towns", "pois", "roads"] {
            let a = try await spatial.exportGeoJSON(layer: layer), b = try await postgis.exportGeoJSON(layer: layer)
            #expect(a == b, "\(layer): \(String(decoding: b, as: UTF8.self))")
        }
        await postgis.close()
    }

    @Test func layerNamesTooLongForPostgreSQLGetTablesOfTheirOwn() async throws {
        let store = try await Self.scratch()
        let stem = String(repeating: "a", count: 60)
        let point = Feature(geometry: .point(Point(Coordinate(x: 120.4, y: 33.2))))
        _ = try await store.importLayer(name: stem + "_x1", features: [point], options: ImportOptions(), progress: nil)
        _ = try await store.importLayer(name: stem + "_x2", features: [point, point], options: ImportOptions(), progress: nil)
        #expect(try await store.featureCount(in: stem + "_x1") == 1)
        #expect(try await store.featureCount(in: stem + "_x2") == 2)
        await store.close()
    }

    @Test func tracksArePartitionedByDayOnDemand() async throws {
        let store = try await Self.scratch()
        let day = 1_795_392_000.0  // 2026-11-23 00:00 UTC
        let points = [
            TrackPoint(vehicle: "A", time: day + 10, longitude: 120.46, latitude: 33.2),
            TrackPoint(vehicle: "A", time: day + 86_400 + 10, longitude: 120.47, latitude: 33.2),
            TrackPoint(vehicle: "B", time: day + 2 * 86_400 + 10, longitude: 120.46, latitude: 33.2, speed: 12, status: "ok"),
            TrackPoint(vehicle: "B", time: -86_400, longitude: 120.46, latitude: 33.2),  // 1969: the far-past partition
        ]
        #expect(try await store.insertTrackPoints(points) == TrackInsertResult(inserted: 4, duplicates: 0))
        #expect(try await store.insertTrackPoints(points) == TrackInsertResult(inserted: 0, duplicates: 4))
        let partitions = try await store.rows(
            "SELECT c.relname::text, (SELECT count(*) FROM track_points p WHERE p.tableoid = c.oid)::text FROM pg_inherits i "
                + "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'track_points'::regclass AND c.relkind = 'r' ORDER BY 1")
        #expect(partitions == [
            ["track_points_2026_11_23", "1"], ["track_points_2026_11_24", "1"], ["track_points_2026_11_25", "1"],
            ["track_points_far_future", "0"], ["track_points_far_past", "1"],
        ])
        // Each day's partition carries the (vehicle, t, lon, lat) and (cell, t) indexes.
        let indexes = try await store.rows("SELECT indexdef FROM pg_indexes WHERE tablename = 'track_points_2026_11_24' ORDER BY 1")
        #expect(indexes.count == 2)
        #expect(indexes.contains { $0[0]?.contains("(cell, t)") == true })
        #expect(indexes.contains { $0[0]?.contains("UNIQUE") == true && $0[0]?.contains("(vehicle, t, lon, lat)") == true })
        let cell = TrackCell.cell(longitude: 120.46, latitude: 33.2)
        #expect(try await store.trackPoints(inCells: [cell], from: day, to: day + 3 * 86_400) == [points[0], points[2]])
        #expect(try await store.trackVehicles().map(\.pointCount) == [2, 2])
        await store.close()
    }

    @Test func replicasEvaluateEachVehicleInOrderAndTreatItAsNewOnce() async throws {
        let first = try await Self.scratch()
        let second = try await PostGISStore.open(first.location)
        let sawNew = NewVehicleCount()
        // 24 batches of one vehicle, split over two "replicas": each adds one to the state; none may be lost.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for k in 0..<24 {
                let store = k % 2 == 0 ? first : second
                group.addTask {
                    _ = try await store.evaluateWithLockedStates(
                        vehicles: ["V", "W"], fixes: [TrackPoint(vehicle: "V", time: Double(k), longitude: 120, latitude: 33)]
                    ) { rows in
                        let count = rows["V"].map { Int(String(decoding: $0.body, as: UTF8.self)) ?? -1 } ?? 0
                        if rows["V"] == nil { sawNew.count.withLock { $0 += 1 } }
                        return LockedEvaluation(
                            states: ["V": VehicleStateRow(body: Data("\(count + 1)".utf8), pendingSince: nil)], events: [], deliveries: [])
                    }
                }
            }
            try await group.waitForAll()
        }
        let state = try await first.rows("SELECT convert_from(body, 'UTF8') FROM fence_vehicle_states WHERE vehicle = 'V'")
        #expect(state == [["24"]])
        #expect(sawNew.count.withLock { $0 } == 1)
        // W was locked but never evaluated: it stays absent for the next batch.
        _ = try await second.evaluateWithLockedStates(vehicles: ["W"], fixes: []) { rows in
            #expect(rows.isEmpty)
            return LockedEvaluation(states: [:], events: [], deliveries: [])
        }
        #expect(try await first.trackPoints(vehicle: "V", from: nil, to: nil).count == 24)
        await second.close()
        await first.close()
    }

    /// How many evaluations found no state for the vehicle.
    final class NewVehicleCount: Sendable {
        let count = Mutex(0)
    }

    @Test func concurrentClaimsNeverHandOutADeliveryTwice() async throws {
        let store = try await Self.scratch()
        let events = (0..<40).map { StoredFenceEvent(id: "e\($0)", vehicleId: "V", kind: "overSpeed", fenceId: nil, start: 1, end: nil, body: "{}") }
        _ = try await store.evaluateWithLockedStates(vehicles: [], fixes: []) { _ in
            LockedEvaluation(states: [:], events: events, deliveries: events.map { WebhookDelivery(eventId: $0.id, url: "http://h/1", body: $0.body) })
        }
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for owner in 0..<4 {
                group.addTask {
                    var mine: [String] = []
                    while case let batch = try await store.claimDeliveries(owner: "r\(owner)", limit: 3, now: 10, lease: 60), !batch.isEmpty {
                        mine += batch.map(\.delivery.eventId)
                    }
                    return mine
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(claimed.count == 40 && Set(claimed).count == 40)
        await store.close()
    }
}

/// The change feed: what other replicas learn, and what they learn again after a lost connection.
@Suite(.enabled(if: StoreBackend.postgresURL != nil, "needs CITYGEO_TEST_POSTGRES_URL"))
struct PostGISChangeFeedTests {
    /// Collects a stream's changes until `done` says it has what it waits for, or 10 seconds pass.
    static func collect(
        _ stream: AsyncStream<StoreChange>, until done: @escaping @Sendable ([StoreChange]) -> Bool
    ) async -> [StoreChange] {
        await withTaskGroup(of: [StoreChange]?.self) { group in
            group.addTask {
                var seen: [StoreChange] = []
                for await change in stream {
                    seen.append(change)
                    if done(seen) { break }
                }
                return seen
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(10))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? []
        }
    }

    static func eventIDs(_ changes: [StoreChange]) -> [String] {
        snapshots(changes).map(\.id)
    }

    static func snapshots(_ changes: [StoreChange]) -> [StoredFenceEvent] {
        changes.flatMap { change -> [StoredFenceEvent] in if case .events(let events) = change { events } else { [] } }
    }

    @Test func layersFencesKeysAndEventsAreAnnouncedToEveryListener() async throws {
        let store = try await PostGISStore.temporary(server: try #require(StoreBackend.postgresURL))
        let replica = try await PostGISStore.open(store.location)
        let feed = try #require(try await replica.changes())
        _ = try await store.importGeoJSON(name: "towns", file: Fixture.url("towns.geojson"))
        try await store.saveFence(StoredFence(id: "f1", kind: "area", role: nil, version: 1, bbox: nil, body: "{}"))
        try await store.insertAPIKey(StoredAPIKey(id: "k1", name: "n", digest: "sm3:00", scopes: ["geocode"], ratePerSecond: nil, createdAt: 1))
        // 300 events with 60-character ids: more than one notification can carry; one whose body no notification
        // can carry, which the listener reads by its id.
        let ids = (0..<300).map { String(format: "%060d", $0) }
        var written = ids.enumerated().map { index, id in
            StoredFenceEvent(
                id: id, vehicleId: "V\(index % 7)", kind: "overSpeed", fenceId: index % 2 == 0 ? "f1" : nil,
                start: 1_764_000_000.125 + Double(index), end: index % 3 == 0 ? 1_764_000_600.5 : nil, body: "{\"n\":\(index)}")
        }
        written.append(StoredFenceEvent(
            id: "large", vehicleId: "V", kind: "inForbiddenZone", fenceId: "f1", start: 5, end: nil,
            body: "{\"note\":\"" + String(repeating: "x", count: 9_000) + "\"}"))
        try await store.saveFenceEvents(written)
        let seen = await Self.collect(feed) { Set(Self.eventIDs($0)).count == 301 }
        #expect(seen.prefix(3) == [.layer("towns"), .fence("f1"), .keys])
        // Every snapshot arrives once, equal to the row as written (times to the last bit, bodies, open or closed).
        #expect(Self.snapshots(seen).sorted { $0.id < $1.id } == written.sorted { $0.id < $1.id })
        #expect(seen.filter { if case .events = $0 { true } else { false } }.count >= 3)
        await replica.close()
        await store.close()
    }

    @Test func aFeedThatLostItsConnectionReconnectsAndAnnouncesEveryKind() async throws {
        let store = try await PostGISStore.temporary(server: try #require(StoreBackend.postgresURL))
        _ = try await store.importGeoJSON(name: "towns", file: Fixture.url("towns.geojson"))
        let feed = try #require(try await store.changes())
        // Cut the listening connection from the server's side, then write while nobody listens.
        try await store.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'citygeo-changes' AND datname = current_database()")
        try await store.saveFenceEvents([StoredFenceEvent(id: "missed", vehicleId: "V", kind: "overSpeed", fenceId: nil, start: 1, end: nil, body: "{}")])
        let seen = await Self.collect(feed) { seen in
            seen.contains(.fences) && seen.contains(.keys) && seen.contains(.layer("towns")) && Self.eventIDs(seen).contains("missed")
        }
        #expect(seen.contains(.fences) && seen.contains(.keys) && seen.contains(.layer("towns")))
        #expect(Self.eventIDs(seen).contains("missed"))
        // And it listens again: a change made now arrives as itself.
        try await store.deleteLayer(named: "towns")
        let after = await Self.collect(feed) { $0.contains(.layer("towns")) }
        #expect(after.contains(.layer("towns")))
        await store.close()
    }
}
