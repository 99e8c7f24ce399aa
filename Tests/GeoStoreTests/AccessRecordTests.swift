import Foundation
import GeoCore
import StoreBackends
import Testing

@testable import GeoStore

/// API keys and the audit log as the store keeps them.
@Suite struct AccessRecordTests {
    static func entry(_ time: Double, key: String?, status: Int) -> AuditEntry {
        AuditEntry(time: time, keyId: key, keyName: key.map { "name-\($0)" }, method: "POST", path: "/v1/positions", status: status, detail: "d", remoteAddress: "10.0.0.1")
    }

    @Test(arguments: StoreBackend.all)
    func keysAreStoredRevokedAndNeverDuplicated(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let key = StoredAPIKey(id: "k00000001", name: "intake", digest: "sha256:" + String(repeating: "ab", count: 32), scopes: ["geocode", "joins"], ratePerSecond: nil, createdAt: 100)
        try await store.insertAPIKey(key)
        let duplicate = await #expect(throws: GeoError.self) { try await store.insertAPIKey(key) }
        #expect(duplicate?.code == .keyExists)
        #expect(try await store.apiKeys() == [key])
        #expect(try await store.revokeAPIKey(id: "k00000001", at: 200))
        #expect(try await store.revokeAPIKey(id: "k00000001", at: 300) == false)
        #expect(try await store.revokeAPIKey(id: "nope", at: 300) == false)
        #expect(try await store.apiKeys().first?.revokedAt == 200)
    }

    @Test(arguments: StoreBackend.all)
    func auditLinesAreFilteredNewestFirstAndCannotBeChanged(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.appendAudit([Self.entry(10, key: "a", status: 200), Self.entry(20, key: "b", status: 401), Self.entry(30, key: "a", status: 413)])
        #expect(try await store.auditEntries(from: nil, to: nil, keyId: nil, kind: nil, limit: 10).map(\.time) == [30, 20, 10])
        #expect(try await store.auditEntries(from: 15, to: 30, keyId: nil, kind: nil, limit: 10).map(\.time) == [20])
        #expect(try await store.auditEntries(from: nil, to: nil, keyId: "a", kind: nil, limit: 10).map(\.status) == [413, 200])
        #expect(try await store.auditEntries(from: nil, to: nil, keyId: nil, kind: nil, limit: 1).count == 1)
        for sql in ["DELETE FROM audit_log", "UPDATE audit_log SET status = 200"] {
            do {
                try await Probe.execute(store, sql)
                Issue.record("\(sql) was allowed")
            } catch {
                #expect(error.underlying?.contains("append-only") == true, "\(error)")
            }
        }
        #expect(try await store.auditEntries(from: nil, to: nil, keyId: nil, kind: nil, limit: 10).map(\.status) == [413, 401, 200])
    }
}
