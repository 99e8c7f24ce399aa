import Foundation
import GeoCore
@testable import GeoServer
import GeoStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Keys with lifetimes (issue 21): expiry, rotation with an overlap, SHA-256 digests upgraded to SM3 on use,
/// regions, per-route rates, and the log kinds of refusals.
@Suite struct KeyLifetimeTests {
    static let keyed = ServerConfiguration(
        databasePath: nil, access: AccessPolicy(requireKeys: true, publicScopes: [.tiles], keyRefreshInterval: .milliseconds(1)))

    /// A key stored with `digest` made by `makeDigest` from its text (SM3 by default), returning its text.
    static func key(
        _ store: SpatialStore, scopes: [AccessScope] = [.joins], expiresAt: Double? = nil, regions: [String] = [],
        routeRates: [String: Double] = [:], makeDigest: (String) throws -> String = { try APIKeyDigest.sm3($0) }
    ) async throws -> String {
        let (id, text) = APIKeyText.generate()
        try await store.insertAPIKey(
            StoredAPIKey(
                id: id, name: "test", digest: try makeDigest(text), scopes: scopes.map(\.rawValue), ratePerSecond: 0,
                createdAt: Date().timeIntervalSince1970, expiresAt: expiresAt, regions: regions, routeRates: routeRates))
        return text
    }

    static func withApp(
        _ store: SpatialStore, _ body: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let router = try await buildRouter(store: store, configuration: keyed)
        try await Application(router: router).test(.router, body)
    }

    static func answer(_ client: any TestClientProtocol, _ uri: String, key: String) async throws -> (HTTPResponse.Status, [String: JSONValue]) {
        try await client.execute(uri: uri, method: .get, headers: AccessControlTests.bearer(key)) { response in
            (response.status, (try? AccessControlTests.json(response)) ?? [:])
        }
    }

    @Test func anExpiredKeyIsRefusedWithItsExpiry() async throws {
        let store = try SpatialStore.temporary()
        let now = Date().timeIntervalSince1970
        let expired = try await Self.key(store, expiresAt: now - 60)
        let current = try await Self.key(store, expiresAt: now + 3_600)
        try await Self.withApp(store) { client in
            let (status, body) = try await Self.answer(client, "/v1/layers", key: expired)
            #expect(status == .unauthorized)
            #expect(body["code"] == "expired_api_key")
            #expect(AccessControlTests.member(body["details"], "expired_at") == .string(TimeText.format(now - 60)))
            #expect(try await Self.answer(client, "/v1/layers", key: current).0 == .ok)
            // The refusal is an access line of the audit log.
            let refusals = try await store.auditEntries(from: nil, to: nil, keyId: APIKeyText.id(of: expired), kind: .access, limit: 10)
            #expect(refusals.map(\.status) == [401])
            #expect(refusals.first?.detail.hasPrefix("expired_api_key") == true)
            let admin = try await Self.key(store, scopes: [.admin])
            let (listed, lines) = try await Self.answer(client, "/v1/audit?kind=access", key: admin)
            #expect(listed == .ok)
            #expect(lines["count"] == .int(1))
            let (counted, counts) = try await Self.answer(client, "/v1/audit/counts?kind=access&by=hour", key: admin)
            #expect(counted == .ok)
            #expect(counts["total"] == .int(1))
            #expect(counts["by"] == "hour")
            #expect(try await Self.answer(client, "/v1/audit/counts?by=week", key: admin).0 == .badRequest)
            #expect(try await Self.answer(client, "/v1/audit?limit=0.5", key: admin).0 == .badRequest)
        }
    }

    @Test func aRotatedKeysOldSecretWorksUntilTheOverlapEnds() async throws {
        // Two stores, one inside the overlap and one after it: no clock in the test.
        let now = Date().timeIntervalSince1970
        for (overlapEnd, oldStillWorks) in [(now + 3_600, true), (now - 1, false)] {
            let store = try SpatialStore.temporary()
            let old = try await Self.key(store)
            let id = try #require(APIKeyText.id(of: old))
            let new = try #require(APIKeyText.text(id: id, secret: APIKeyText.generate().text))
            #expect(APIKeyText.id(of: new) == id && new != old)
            #expect(try await store.rotateAPIKey(id: id, digest: try APIKeyDigest.sm3(new), overlapUntil: overlapEnd, expiresAt: nil))
            try await Self.withApp(store) { client in
                let (status, body) = try await Self.answer(client, "/v1/layers", key: old)
                if oldStillWorks {
                    #expect(status == .ok)
                } else {
                    #expect(status == .unauthorized)
                    #expect(body["code"] == "expired_api_key")
                }
                #expect(try await Self.answer(client, "/v1/layers", key: new).0 == .ok)
            }
        }
    }

    @Test func aSHA256KeyWorksAndIsStoredAsSM3AfterItsFirstUse() async throws {
        let store = try SpatialStore.temporary()
        let text = try await Self.key(store) { "sha256:" + APIKeyText.sha256($0) }
        try await Self.withApp(store) { client in
            #expect(try await Self.answer(client, "/v1/layers", key: text).0 == .ok)
            var digest = ""
            for _ in 0..<200 where !digest.hasPrefix("sm3:") {
                digest = try await store.apiKeys().first?.digest ?? ""
                if !digest.hasPrefix("sm3:") { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(digest == (try APIKeyDigest.sm3(text)))
            #expect(try await Self.answer(client, "/v1/layers", key: text).0 == .ok)
        }
    }

    @Test func aRegionKeySeesOnlyItsSubtree() async throws {
        let store = try await LocateEndpointTests.makeStore()
        // Cases in street 320904001 (y < 33.20) and in street 320904101.
        let cases = [(1, 120.42, 33.12), (2, 120.47, 33.17), (3, 120.43, 33.25), (4, 120.46, 33.28)].map { id, x, y in
            Feature(id: .int(Int64(id)), geometry: .point(Point(Coordinate(x: x, y: y))), properties: ["category": "垃圾满溢", "time": "2026-11-23T09:00:00+08:00"])
        }
        _ = try await store.importLayer(name: "cases", features: FeatureCollection(cases))
        let street = try await Self.key(store, regions: ["320904001"])
        let everywhere = try await Self.key(store)
        try await Self.withApp(store) { client in
            #expect(try await Self.answer(client, "/v1/locate?lon=120.42&lat=33.12", key: street).0 == .ok)
            let (status, body) = try await Self.answer(client, "/v1/locate?lon=120.42&lat=33.25", key: street)
            #expect(status == .forbidden)
            #expect(body["code"] == "out_of_region")
            #expect(AccessControlTests.member(body["details"], "field") == "lon")
            #expect(try await Self.answer(client, "/v1/locate?lon=120.42&lat=33.25", key: everywhere).0 == .ok)
            for (uri, ids) in [
                ("/v1/layers/cases/features", [1, 2]), ("/v1/layers/cases/features?offset=1", [2]),
                // Nearest first.
                ("/v1/nearest?layer=cases&lon=120.42&lat=33.19&k=3", [2, 1]), ("/v1/within?layer=cases&lon=120.45&lat=33.19&radius=20000", [2, 1]),
            ] {
                let (status, body) = try await Self.answer(client, uri, key: street)
                #expect(status == .ok, "\(uri)")
                guard case .array(let features)? = body["features"] else { Issue.record("no features from \(uri)"); continue }
                #expect(features.map { AccessControlTests.member($0, "id") } == ids.map { .int(Int64($0)) }, "\(uri)")
            }
            // A route that cannot be limited to a region refuses the key.
            let (refused, reason) = try await Self.answer(client, "/v1/grids/stats", key: street)
            #expect(refused == .forbidden)
            #expect(reason["code"] == "out_of_region")
            #expect(try await Self.answer(client, "/v1/grids/stats", key: everywhere).0 == .ok)
        }
    }

    @Test func aRouteRateLimitsOneRouteOnly() async throws {
        let store = try SpatialStore.temporary()
        let key = try await Self.key(store, routeRates: ["GET /v1/layers": 0.001])
        try await Self.withApp(store) { client in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<11 { statuses.append(try await Self.answer(client, "/v1/layers", key: key).0) }
            #expect(statuses.prefix(10).allSatisfy { $0 == .ok })
            #expect(statuses.last == .tooManyRequests)
            // The key itself is unlimited elsewhere.
            #expect(try await Self.answer(client, "/v1/vehicles", key: key).0 == .ok)
        }
    }

    @Test func configuredKeysTakeSM3OrSHA256Digests() throws {
        let text = APIKeyText.generate().text
        let sm3 = try APIKeyDigest.sm3(text)
        let entry = try AccessPolicy.configuredKey("gateway:sm3-\(sm3.dropFirst(4)):geocode+joins:5")
        #expect(entry.digest == sm3)
        #expect(APIKeyDigest.matches(text, entry.digest))
        let legacy = try AccessPolicy.configuredKey("old:\(APIKeyText.sha256(text)):tiles")
        #expect(legacy.digest == "sha256:" + APIKeyText.sha256(text))
        #expect(APIKeyDigest.matches(text, legacy.digest))
        #expect(throws: GeoError.self) { try AccessPolicy.configuredKey("bad:sm3-abc:tiles") }
        #expect(try ServerSettings.routeRates(["POST /v1/positions=50"], key: "k") == ["POST /v1/positions": 50])
        #expect(throws: GeoError.self) { try ServerSettings.routeRates(["POST /v1/nowhere=50"], key: "k") }
    }
}
