import Foundation
import GeoCore
import GeoCrypto
import StoreBackends
import Testing

@testable import GeoStore

/// The audit chain, key lifetimes and sensitive columns as the store keeps them (issue 21), on every backend.
@Suite struct ComplianceStoreTests {
    static func entry(_ time: Double, _ kind: AuditKind, status: Int = 200) -> AuditEntry {
        AuditEntry(time: time, kind: kind, keyId: "k1", keyName: "ops", method: "POST", path: "/v1/fences", status: status, detail: "d", remoteAddress: nil)
    }

    static let keyLine = String(repeating: "5a", count: 32)

    static func point(_ k: Int, phone: String) -> Feature {
        Feature(
            id: .int(Int64(k)), geometry: .point(Point(Coordinate(x: 120.46 + Double(k) * 1e-4, y: 33.2))),
            properties: ["reporter_phone": .string(phone), "category": "垃圾满溢"])
    }

    @Test(arguments: StoreBackend.all)
    func theAuditChainHoldsAndCountsByKindAndHour(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        // 2026-11-23 09:10 and 09:50 +08:00 (one hour), then 11:05 the same day.
        let nine = 1_795_396_200.0
        try await store.appendAudit([Self.entry(nine, .operation), Self.entry(nine + 60, .exception, status: 500)])
        try await store.appendAudit([Self.entry(nine + 2_400, .exception, status: 503), Self.entry(nine + 6_900, .exception, status: 500), Self.entry(nine + 7_000, .access, status: 401)])
        let report = try await AuditChain.verify(store, pageSize: 2)
        #expect(report.checked == 5)
        #expect(report.firstBroken == nil)
        #expect(report.head == (try await store.auditChain(afterId: 4, limit: 10)).first?.hash)
        let chain = try await store.auditChain(afterId: 0, limit: 10)
        #expect(chain.map(\.id) == [1, 2, 3, 4, 5])
        #expect(try AuditChain.hash(of: chain[0].entry, id: 1, previous: AuditChain.genesis) == chain[0].hash)
        #expect(try await store.auditEntries(from: nil, to: nil, keyId: nil, kind: .exception, limit: 10).map(\.status) == [500, 503, 500])
        let hourly = try await store.auditCounts(kind: .exception, from: nil, to: nil, bucketSeconds: 3_600, utcOffsetSeconds: 8 * 3_600)
        #expect(hourly.map(\.count) == [2, 1])
        #expect(hourly.map { TimeText.format($0.start) } == ["2026-11-23T09:00:00+08:00", "2026-11-23T11:00:00+08:00"])
        let daily = try await store.auditCounts(kind: nil, from: nil, to: nil, bucketSeconds: 86_400, utcOffsetSeconds: 8 * 3_600)
        #expect(daily == [AuditCount(start: TimeText.startOfDay("2026-11-23")!, count: 5)])
        await StoreBackend.release(store)
    }

    /// Lines appended at once through several stores over one database (replicas) form one chain: each append
    /// reads and extends the head under the database's lock.
    @Test(arguments: StoreBackend.all)
    func concurrentAppendsFromReplicasNeverForkTheChain(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        var replicas: [any CityStore] = []
        for _ in 0..<3 { replicas.append(try await StoreBackend.replica(of: store)) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (r, replica) in ([store] + replicas).enumerated() {
                group.addTask {
                    for batch in 0..<10 {
                        try await replica.appendAudit((0..<3).map { Self.entry(Double(1_795_396_200 + r * 100 + batch * 3 + $0), .operation) })
                    }
                }
            }
            try await group.waitForAll()
        }
        let report = try await AuditChain.verify(store, pageSize: 7)
        #expect(report.checked == 4 * 10 * 3)
        #expect(report.firstBroken == nil)
        for replica in replicas { await StoreBackend.release(replica) }
        await StoreBackend.release(store)
    }

    /// A change made around the append-only triggers (SQL, as the database's owner could), with what the chain
    /// check must name: the first line that no longer fits.
    static let changes: [(sql: String, broken: Int64, reason: String)] = [
        ("UPDATE audit_log SET detail = 'nothing happened' WHERE id = 3", 3, "SM3"),
        ("DELETE FROM audit_log WHERE id = 2", 3, "line 2 is missing"),
        ("UPDATE audit_log SET time = time + 1 WHERE id = 4", 4, "SM3"),
    ]

    @Test(arguments: StoreBackend.all, changes.indices)
    func aChangedLineIsNamed(_ backend: StoreBackend, change: Int) async throws {
        let (sql, broken, reason) = Self.changes[change]
        let store = try await backend.make()
        try await store.appendAudit((0..<5).map { Self.entry(Double(1_795_396_200 + $0), .operation) })
        #expect(try await AuditChain.verify(store).firstBroken == nil)
        let refused = await #expect(throws: GeoError.self) { try await Probe.execute(store, sql) }
        #expect(refused?.underlying?.contains("append-only") == true)
        if store is SpatialStore {
            try await Probe.execute(store, "DROP TRIGGER audit_log_no_update")
            try await Probe.execute(store, "DROP TRIGGER audit_log_no_delete")
        } else {
            try await Probe.execute(store, "ALTER TABLE audit_log DISABLE TRIGGER USER")
        }
        try await Probe.execute(store, sql)
        let report = try await AuditChain.verify(store)
        #expect(report.firstBroken?.id == broken)
        #expect(report.firstBroken?.reason.contains(reason) == true)
        await StoreBackend.release(store)
    }

    @Test(arguments: StoreBackend.all)
    func keysRotateWithAnOverlapAndTheirDigestsUpgrade(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let old = "sha256:" + String(repeating: "ab", count: 32)
        try await store.insertAPIKey(
            StoredAPIKey(id: "k00000001", name: "intake", digest: old, scopes: ["joins"], ratePerSecond: nil, createdAt: 1,
                expiresAt: 5_000, regions: ["320904001"], routeRates: ["GET /v1/geocode": 5]))
        let stored = try #require(try await store.apiKeys().first)
        #expect(stored.regions == ["320904001"])
        #expect(stored.routeRates == ["GET /v1/geocode": 5])
        #expect(stored.expiresAt == 5_000)
        let sm3 = "sm3:" + String(repeating: "cd", count: 32)
        #expect(try await store.replaceAPIKeyDigest(id: "k00000001", from: old, to: sm3))
        #expect(try await store.replaceAPIKeyDigest(id: "k00000001", from: old, to: sm3) == false)
        let rotated = "sm3:" + String(repeating: "ef", count: 32)
        #expect(try await store.rotateAPIKey(id: "k00000001", digest: rotated, overlapUntil: 900, expiresAt: nil))
        let after = try #require(try await store.apiKeys().first)
        #expect(after.digest == rotated)
        #expect(after.previousDigest == sm3)
        #expect(after.previousExpiresAt == 900)
        #expect(after.expiresAt == 5_000)
        #expect(try await store.revokeAPIKey(id: "k00000001", at: 10))
        #expect(try await store.rotateAPIKey(id: "k00000001", digest: old, overlapUntil: 900, expiresAt: nil) == false)
        await StoreBackend.release(store)
    }

    @Test(arguments: StoreBackend.all)
    func sensitiveColumnsAreSealedAtRestAndOpenedOnRead(_ backend: StoreBackend) async throws {
        let ring = try DataKeyRing.parse(Self.keyLine, source: "test")
        let store = try await backend.make(dataKeys: ring)
        _ = try await store.importLayer(name: "cases", features: FeatureCollection([Self.point(1, phone: "13900000001")]))
        #expect(try await store.protect(SensitiveColumn(layer: "cases", column: "reporter_phone")) == 1)
        _ = try await store.importLayer(name: "cases", features: FeatureCollection([Self.point(2, phone: "13900000002")]), options: ImportOptions(mode: .append))
        // The database holds no phone number; reads give them back.
        let raw = try await Probe.rows(
            store, spatialite: "SELECT properties FROM layer_cases ORDER BY fid", postgis: "SELECT properties::text FROM layer_cases ORDER BY fid"
        ).map { $0.first??.description ?? "" }
        #expect(raw.count == 2)
        #expect(raw.allSatisfy { !$0.contains("139000000") && $0.contains("sm4:") && $0.contains("垃圾满溢") })
        #expect(try await store.features(in: "cases").map { $0.feature.properties["reporter_phone"] } == ["13900000001", "13900000002"])
        #expect(try await store.sensitiveColumns() == [SensitiveColumn(layer: "cases", column: "reporter_phone")])
        // Without the key: a clear error, not ciphertext.
        let keyless = try await StoreBackend.replica(of: store)
        do {
            _ = try await keyless.features(in: "cases")
            Issue.record("sealed values were read without a key")
        } catch {
            #expect(error.code == .encryptionKeyMissing)
            #expect(error.message.contains("reporter_phone"))
        }
        // Rotation: a new key seals, the old one still opens, reseal moves every value to the new one.
        let rotated = try DataKeyRing.parse(Self.keyLine + "\n" + String(repeating: "6b", count: 32), source: "test")
        let next = try await StoreBackend.replica(of: store, dataKeys: rotated)
        #expect(try await next.features(in: "cases").count == 2)
        #expect(try await next.resealSensitiveColumns() == 2)
        #expect(try await next.resealSensitiveColumns() == 0)
        let keyIDs = try await Probe.rows(
            next, spatialite: "SELECT json_extract(properties, '$.reporter_phone') FROM layer_cases ORDER BY fid",
            postgis: "SELECT properties->>'reporter_phone' FROM layer_cases ORDER BY fid"
        ).map { $0.first??.description ?? "" }
        #expect(keyIDs.map(SealedText.keyID(of:)) == [rotated.current.id, rotated.current.id])
        let newOnly = try await StoreBackend.replica(of: store, dataKeys: try DataKeyRing(keys: [rotated.current]))
        #expect(try await newOnly.features(in: "cases").map { $0.feature.properties["reporter_phone"] } == ["13900000001", "13900000002"])
        for other in [keyless, next, newOnly] { await StoreBackend.release(other) }
        await StoreBackend.release(store)
    }
}
