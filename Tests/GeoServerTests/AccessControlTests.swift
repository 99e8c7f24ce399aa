import Foundation
import GeoCore
@testable import GeoServer
import GeoStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// API keys, scopes, rate limits, the audit log, metrics, readiness, limits and timeouts.
@Suite struct AccessControlTests {
    static let positions = #"{"positions":[{"vehicle_id":"苏J1","time":"2026-11-23T08:00:00+08:00","lon":120.46,"lat":33.2}]}"#

    /// A key stored in `store` with `scopes`, returning its text.
    static func key(_ store: SpatialStore, name: String, scopes: [AccessScope], rate: Double? = nil) async throws -> String {
        let (id, text) = APIKeyText.generate()
        try await store.insertAPIKey(
            StoredAPIKey(
                id: id, name: name, digest: try APIKeyDigest.sm3(text), scopes: scopes.map(\.rawValue), ratePerSecond: rate,
                createdAt: Date().timeIntervalSince1970))
        return text
    }

    static func withApp(
        _ configuration: ServerConfiguration = ServerConfiguration(
            databasePath: nil, access: AccessPolicy(requireKeys: true, publicScopes: [.tiles], keyRefreshInterval: .milliseconds(1))),
        _ body: @Sendable (SpatialStore, any TestClientProtocol) async throws -> Void
    ) async throws {
        let store = try SpatialStore.temporary()
        let router = try await buildRouter(store: store, configuration: configuration)
        try await Application(router: router).test(.router) { client in try await body(store, client) }
    }

    static func json(_ response: TestResponse) throws -> [String: JSONValue] {
        guard case .object(let object) = try JSON.decode(Array(response.body.readableBytesView)) else { return [:] }
        return object
    }

    /// A member of a JSON object value, nil for anything else.
    static func member(_ value: JSONValue?, _ key: String) -> JSONValue? {
        guard case .object(let object)? = value else { return nil }
        return object[key]
    }

    static func bearer(_ key: String) -> HTTPFields { [.authorization: "Bearer \(key)"] }

    @Test func keysAndScopesDecideWhoMayCallWhat() async throws {
        try await Self.withApp { store, client in
            let reader = try await Self.key(store, name: "reader", scopes: [.joins])
            let admin = try await Self.key(store, name: "ops", scopes: [.admin])
            try await client.execute(uri: "/v1/layers", method: .get) { response in
                #expect(response.status == .unauthorized)
                let body = try Self.json(response)
                #expect(body["code"] == "missing_api_key")
                #expect(AccessControlTests.member(body["details"], "required_scope") == "joins")
                #expect(Set(body.keys) == ["code", "message", "details"])
            }
            try await client.execute(uri: "/v1/layers", method: .get, headers: Self.bearer(reader)) { response in
                #expect(response.status == .ok)
            }
            // The same key in the other header.
            try await client.execute(uri: "/v1/layers", method: .get, headers: [HTTPField.Name("X-API-Key")!: reader]) { response in
                #expect(response.status == .ok)
            }
            // One character changed: same id, wrong hash.
            var forged = Array(reader)
            forged[forged.count - 1] = forged.last == "0" ? "1" : "0"
            try await client.execute(uri: "/v1/layers", method: .get, headers: Self.bearer(String(forged))) { response in
                #expect(response.status == .unauthorized)
                let answer = try Self.json(response)
                #expect(answer["code"] == "invalid_api_key")
            }
            try await client.execute(uri: "/v1/positions", method: .post, headers: Self.bearer(reader), body: ByteBuffer(string: Self.positions)) { response in
                #expect(response.status == .forbidden)
                let body = try Self.json(response)
                #expect(body["code"] == "insufficient_scope")
                #expect(AccessControlTests.member(body["details"], "required_scope") == "positions:write")
            }
            // admin grants every scope.
            try await client.execute(uri: "/v1/positions", method: .post, headers: Self.bearer(admin), body: ByteBuffer(string: Self.positions)) { response in
                #expect(response.status == .ok)
            }
            // Public scope and open routes need no key.
            try await client.execute(uri: "/tiles/catalog", method: .get) { response in #expect(response.status == .ok) }
            try await client.execute(uri: "/health", method: .get) { response in #expect(response.status == .ok) }
            try await client.execute(uri: "/metrics", method: .get) { response in #expect(response.status == .unauthorized) }
        }
    }

    @Test func aRevokedKeyIsRefusedWithoutARestart() async throws {
        try await Self.withApp { store, client in
            let key = try await Self.key(store, name: "monitor", scopes: [.joins])
            try await client.execute(uri: "/v1/layers", method: .get, headers: Self.bearer(key)) { response in
                #expect(response.status == .ok)
            }
            let id = try #require(APIKeyText.id(of: key))
            #expect(try await store.revokeAPIKey(id: id, at: Date().timeIntervalSince1970))
            #expect(try await store.revokeAPIKey(id: id, at: Date().timeIntervalSince1970) == false)
            try await Task.sleep(for: .milliseconds(20))
            try await client.execute(uri: "/v1/layers", method: .get, headers: Self.bearer(key)) { response in
                #expect(response.status == .unauthorized)
            }
            #expect(try await store.apiKeys().first?.revokedAt != nil)
        }
    }

    @Test func aKeyBeyondItsRateGets429WithRetryAfter() async throws {
        try await Self.withApp { store, client in
            // One request per 1,000 s: a burst of 10, then refusals however slowly the requests run.
            let key = try await Self.key(store, name: "slow", scopes: [.joins], rate: 0.001)
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<12 {
                try await client.execute(uri: "/v1/layers", method: .get, headers: Self.bearer(key)) { response in
                    statuses.append(response.status)
                    if response.status == .tooManyRequests {
                        #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 > 900)
                        let answer = try Self.json(response)
                        #expect(answer["code"] == "rate_limited")
                    }
                }
            }
            #expect(statuses.prefix(10).allSatisfy { $0 == .ok })
            #expect(statuses.suffix(2) == [.tooManyRequests, .tooManyRequests])
            // An unlimited key (rate 0) never is.
            let unlimited = try await Self.key(store, name: "bulk", scopes: [.joins], rate: 0)
            for _ in 0..<30 {
                try await client.execute(uri: "/v1/layers", method: .get, headers: Self.bearer(unlimited)) { response in
                    #expect(response.status == .ok)
                }
            }
        }
    }

    @Test func writesAndRefusedWritesAreAuditedReadsAreNot() async throws {
        try await Self.withApp { store, client in
            let writer = try await Self.key(store, name: "vehicle-monitor", scopes: [.positionsWrite, .joins])
            let ops = try await Self.key(store, name: "ops", scopes: [.admin])
            try await client.execute(uri: "/v1/positions", method: .post, headers: Self.bearer(writer), body: ByteBuffer(string: Self.positions)) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/positions", method: .post, body: ByteBuffer(string: Self.positions)) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/v1/fences", method: .post, headers: Self.bearer(writer), body: ByteBuffer(string: "{}")) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/v1/layers", method: .get, headers: Self.bearer(writer)) { response in
                #expect(response.status == .ok)
            }
            let entries = try await store.auditEntries(from: nil, to: nil, keyId: nil, kind: nil, limit: 10)
            #expect(entries.map(\.status) == [403, 401, 200])
            #expect(entries.map(\.path) == ["/v1/fences", "/v1/positions", "/v1/positions"])
            #expect(entries[2].keyName == "vehicle-monitor")
            #expect(entries[2].keyId == APIKeyText.id(of: writer))
            #expect(entries[1].keyId == nil)
            #expect(entries[0].detail.hasPrefix("insufficient_scope"))
            try await client.execute(uri: "/v1/audit?limit=2", method: .get, headers: Self.bearer(ops)) { response in
                #expect(response.status == .ok)
                let body = try Self.json(response)
                #expect(body["count"] == .int(2))
                guard case .array(let lines)? = body["entries"] else { Issue.record("no entries"); return }
                #expect(AccessControlTests.member(lines.first, "status") == .int(403))
                #expect(AccessControlTests.member(lines.first, "method") == "POST")
            }
            try await client.execute(uri: "/v1/audit?from=yesterday", method: .get, headers: Self.bearer(ops)) { response in
                #expect(response.status == .badRequest)
                let answer = try Self.json(response)
                #expect(Self.member(answer["details"], "field") == "from")
            }
        }
    }

    @Test func everyRouteHasAScopeAndOpenRoutesAreFew() async throws {
        let store = try SpatialStore.temporary()
        let router = try await buildRouter(store: store, configuration: ServerConfiguration(databasePath: nil))
        let keys = Set(router.routes.map { RouteScopes.key(method: $0.method, path: $0.path.description) })
        let unclassified = keys.subtracting(RouteScopes.table.keys).subtracting(RouteScopes.open)
        #expect(unclassified.isEmpty, "routes missing from RouteScopes.table: \(unclassified.sorted())")
        let stale = Set(RouteScopes.table.keys).subtracting(keys)
        #expect(stale.isEmpty, "RouteScopes.table names routes the router lacks: \(stale.sorted())")
        #expect(RouteScopes.scope(method: .get, path: "/v1/geocode") == .geocode)
        #expect(RouteScopes.scope(method: .get, path: "/health") == nil)
        #expect(RouteScopes.scope(method: .get, path: "/v1/something-new") == .admin)
    }

    @Test func aRoutedPathWithAnotherMethodIs405WithAllow() async throws {
        #expect(RouteScopes.allowedMethods(at: "/v1/fences/F1") == ["DELETE", "GET", "PUT"])
        #expect(RouteScopes.allowedMethods(at: "/v1/geocode") == ["GET"])
        #expect(RouteScopes.allowedMethods(at: "/tiles/unit_grids/14/13673/6588.mvt") == ["GET"])
        #expect(RouteScopes.allowedMethods(at: "/v1/fences/F1/extra").isEmpty)
        #expect(RouteScopes.allowedMethods(at: "/v1/fences/").isEmpty)
        // A literal segment wins over a parameter, as in the router: compare is POST-only, not a vehicle's playback.
        #expect(RouteScopes.allowedMethods(at: "/v1/trajectories/compare") == ["POST"])
        #expect(RouteScopes.allowedMethods(at: "/v1/trajectories/T1") == ["GET"])
        // Keys are required: a wrong method is still 405, not 401, and a path nothing routes is still 404.
        try await Self.withApp { _, client in
            try await client.execute(uri: "/v1/geocode?q=x", method: .post) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET")
                let body = try Self.json(response)
                #expect(body["code"] == "method_not_allowed")
                #expect(AccessControlTests.member(body["details"], "allowed") == .array(["GET"]))
            }
            try await client.execute(uri: "/v1/fences/F1", method: .patch) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "DELETE, GET, PUT")
            }
            try await client.execute(uri: "/v1/no-such-thing", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try Self.json(response)
                #expect(body["code"] == "not_found")
            }
            try await client.execute(uri: "/v1/geocode?q=x", method: .get) { #expect($0.status == .unauthorized) }
        }
    }

    @Test func metricsCountEachRouteWithLatencyHistograms() async throws {
        try await Self.withApp(ServerConfiguration(databasePath: nil)) { _, client in
            for _ in 0..<3 { try await client.execute(uri: "/v1/layers", method: .get) { #expect($0.status == .ok) } }
            try await client.execute(uri: "/v1/layers/nope", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/no/such/path", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                #expect(text.contains(#"citygeo_http_requests_total{method="GET",route="/v1/layers",status="200"} 3"#))
                #expect(text.contains(#"citygeo_http_requests_total{method="GET",route="/v1/layers/{name}",status="404"} 1"#))
                #expect(text.contains(#"citygeo_http_requests_total{method="GET",route="NotFound",status="404"} 1"#))
                #expect(text.contains(#"citygeo_http_request_duration_seconds_count{method="GET",route="/v1/layers"} 3"#))
                #expect(text.contains(#"citygeo_http_request_duration_seconds_bucket{method="GET",route="/v1/layers",le="+Inf"} 3"#))
            }
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .ok)
                let body = try Self.json(response)
                #expect(body["status"] == "ready")
                #expect(AccessControlTests.member(body["checks"], "database") == "ok")
            }
        }
    }

    @Test func geometriesOverTheVertexLimitAre413NamingTheField() async throws {
        var configuration = ServerConfiguration(databasePath: nil)
        configuration.maximumGeometryVertices = 8
        try await Self.withApp(configuration) { _, client in
            let ring = (0...10).map { k in "[\(120.46 + 0.001 * cos(Double(k) * .pi / 5)),\(33.2 + 0.001 * sin(Double(k) * .pi / 5))]" }
            let fence = #"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[["# + ring.joined(separator: ",")
                + #"]]},"properties":{"id":"f1","role":"forbiddenZone"}}"#
            try await client.execute(uri: "/v1/fences", method: .post, body: ByteBuffer(string: fence)) { response in
                #expect(response.status == .contentTooLarge)
                let body = try Self.json(response)
                #expect(body["code"] == "geometry_too_large")
                #expect(AccessControlTests.member(body["details"], "field") == "geometry")
                #expect(AccessControlTests.member(body["details"], "maximum") == .int(8))
            }
            let wkt = "LINESTRING(" + (0..<9).map { "120.4\($0) 33.2" }.joined(separator: ",") + ")"
            let query = "wkt=\(wkt.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&from=2026-11-23T00:00%2B08:00&to=2026-11-23T01:00%2B08:00"
            try await client.execute(uri: "/v1/trajectories/passed?\(query)", method: .get) { response in
                #expect(response.status == .contentTooLarge)
                let answer = try Self.json(response)
                #expect(Self.member(answer["details"], "field") == "wkt")
            }
        }
    }

    /// Request text reaches SQL only as bound parameters or as a layer name that passed LayerName's
    /// `[a-z][a-z0-9_]*` check: injection attempts are refused before any SQL, and the catalogue survives.
    @Test func requestTextNeverBecomesSQL() async throws {
        try await Self.withApp(ServerConfiguration(databasePath: nil)) { store, client in
            for attack in [#"x";DROP TABLE geo_layers;--"#, "x' OR '1'='1", "layer_x\"", "Towns"] {
                let escaped = attack.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                try await client.execute(uri: "/v1/layers/\(escaped)/features", method: .get) { response in
                    #expect(response.status == .unprocessableContent, "\(attack)")
                    let answer = try Self.json(response)
                    #expect(answer["code"] == "invalid_layer_name")
                }
                try await client.execute(uri: "/v1/nearest?layer=\(escaped)&lon=120.46&lat=33.2", method: .get) { response in
                    #expect(response.status.code >= 400 && response.status.code < 500, "\(attack)")
                }
            }
            // The catalogue table is still there and answers.
            #expect(try await store.layers().isEmpty)
            try await client.execute(uri: "/v1/layers", method: .get) { response in #expect(response.status == .ok) }
        }
    }

    @Test func aRequestOverTheTimeIsStoppedWith503() async throws {
        let router = Router(context: CityRequestContext.self)
        router.add(middleware: TimeoutMiddleware(limit: .milliseconds(50)))
        router.get("slow") { _, _ -> String in
            try await Task.sleep(for: .seconds(5))
            return "late"
        }
        router.get("fast") { _, _ -> String in "on time" }
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/slow", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let answer = try Self.json(response)
                #expect(answer["code"] == "timeout")
            }
            try await client.execute(uri: "/fast", method: .get) { response in
                #expect(String(buffer: response.body) == "on time")
            }
        }
    }
}

/// Key text, configuration and the JSON log.
@Suite struct ServerSettingsTests {
    @Test func keyTextCarriesItsIdAndOnlyTheHashIsKept() {
        let (id, text) = APIKeyText.generate()
        #expect(APIKeyText.id(of: text) == id)
        #expect(text.count == 4 + 9 + 1 + 64)
        #expect(APIKeyText.generate().text != text)
        #expect(APIKeyText.id(of: "cgk_short_abc") == nil)
        #expect(APIKeyText.id(of: "Bearer " + text) == nil)
        // FIPS 180-2 test vector.
        #expect(APIKeyText.sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// A key made while the server runs works on its very first request, even with the default one-second reload
    /// of the key ring (the cause of an earlier flaky test: a key stored within the interval was refused as
    /// unknown); unknown keys reload the ring at most once per interval, so a flood of them costs few reads.
    @Test func aKeyCreatedWhileServingWorksAtOnce() async throws {
        let configuration = ServerConfiguration(
            databasePath: nil, access: AccessPolicy(requireKeys: true, publicScopes: [.tiles], keyRefreshInterval: .seconds(3_600)))
        try await AccessControlTests.withApp(configuration) { store, client in
            let first = try await AccessControlTests.key(store, name: "first", scopes: [.joins])
            try await client.execute(uri: "/v1/layers", method: .get, headers: AccessControlTests.bearer(first)) { response in
                #expect(response.status == .ok)
            }
            for k in 0..<5 {
                let next = try await AccessControlTests.key(store, name: "next-\(k)", scopes: [.joins])
                try await Task.sleep(for: KeyRing.missReloadInterval + .milliseconds(5))
                try await client.execute(uri: "/v1/layers", method: .get, headers: AccessControlTests.bearer(next)) { response in
                    #expect(response.status == .ok, "key \(k)")
                }
            }
            // Unknown keys: refused, and reloading the ring at most once per interval.
            for _ in 0..<20 {
                try await client.execute(uri: "/v1/layers", method: .get, headers: AccessControlTests.bearer(APIKeyText.generate().text)) { response in
                    #expect(response.status == .unauthorized)
                }
            }
        }
    }

    @Test func fileThenEnvironmentThenDefaults() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("citygeo-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let hash = APIKeyText.sha256("x")
        try Data(
            #"""
            {"server": {"host": "0.0.0.0", "port": 9000},
             "database": {"path": "/srv/citygeo/city.sqlite"},
             "access": {"public_scopes": ["tiles", "geocode"], "keys": ["intake:\#(hash):geocode+joins:25"], "anonymous_rate": 5},
             "limits": {"body_bytes": 1048576, "geometry_vertices": 5000, "request_timeout_seconds": 2.5},
             "log": {"level": "debug", "format": "json"}, "geocode": {"book_has_every_road": true}}
            """#.utf8
        ).write(to: file)
        let base = ServerConfiguration(access: AccessPolicy(requireKeys: true))
        let (c, log) = try await ServerSettings.load(
            file: file.path,
            environment: [
                "CITYGEO_SERVER_EVENT_LOOP_EXECUTOR": "false", "CITYGEO_SERVER_PORT": "9100", "CITYGEO_LIMITS_BATCH_POINTS": "5000", "PORT": "1",
                "CITYGEO_SERVER_INLINE_LOOKUPS": "true",
            ], over: base)
        #expect(c.inlineLookups && !base.inlineLookups)
        #expect(c.geocoderOptions.bookHasEveryRoad && !base.geocoderOptions.bookHasEveryRoad)
        #expect(c.host == "0.0.0.0")
        #expect(c.port == 9100)
        #expect(c.eventLoopExecutor == false)
        #expect(base.eventLoopExecutor)
        #expect(c.databasePath == "/srv/citygeo/city.sqlite")
        #expect(c.access.requireKeys)
        #expect(c.access.publicScopes == [.tiles, .geocode])
        #expect(c.access.anonymousRatePerSecond == 5)
        #expect(c.access.configuredKeys.map(\.name) == ["intake"])
        #expect(c.access.configuredKeys.first?.scopes == ["geocode", "joins"])
        #expect(c.access.configuredKeys.first?.ratePerSecond == 25)
        #expect(c.maximumBodyBytes == 1_048_576)
        #expect(c.maximumBatchPoints == 5000)
        #expect(c.maximumGeometryVertices == 5000)
        #expect(c.requestTimeout == .milliseconds(2500))
        #expect(c.maximumBatchAddresses == base.maximumBatchAddresses)
        #expect(log == LogSettings(level: .debug, json: true))
    }

    @Test func malformedSettingsNameTheirKey() async throws {
        let base = ServerConfiguration()
        for (environment, key) in [
            (["CITYGEO_SERVER_PORT": "eighty"], "server.port"),
            (["CITYGEO_SERVER_PORT": "70000"], "server.port"),
            (["CITYGEO_ACCESS_PUBLIC_SCOPES": "tiles,maps"], "access.public_scopes"),
            (["CITYGEO_ACCESS_KEYS": "intake:nothex:geocode"], "intake:nothex"),
            (["CITYGEO_LOG_LEVEL": "loud"], "log.level"),
            (["CITYGEO_LIMITS_REQUEST_TIMEOUT_SECONDS": "-1"], "limits.request_timeout_seconds"),
            (["CITYGEO_SERVER_INLINE_LOOKUPS": "sometimes"], "server.inline_lookups"),
            (["CITYGEO_GEOCODE_BOOK_HAS_EVERY_ROAD": "mostly"], "geocode.book_has_every_road"),
        ] {
            do {
                _ = try await ServerSettings.load(file: nil, environment: environment, over: base)
                Issue.record("\(environment) was accepted")
            } catch {
                #expect(error.code == .invalidConfiguration)
                #expect(error.message.contains(key), "\(error.message) does not name \(key)")
            }
        }
        do {
            _ = try await ServerSettings.load(file: "/nonexistent/citygeo.json", environment: [:], over: base)
            Issue.record("a missing file was accepted")
        } catch {
            #expect(error.message.contains("/nonexistent/citygeo.json"))
        }
    }

    @Test func jsonLogLinesCarryTheirMetadata() throws {
        let lines = LockedLines()
        var handler = LineLogHandler(label: "citygeo", format: .json) { lines.append($0) }
        handler[metadataKey: "instance"] = "a"
        handler.log(event: LogEvent(level: .notice, message: "request", metadata: ["status": "404", "route": "/v1/layers/:name"], source: "GeoServer", file: #file, function: #function, line: #line))
        let line = try #require(lines.all.first)
        guard case .object(let object) = try JSON.decode(Array(line.utf8)) else { Issue.record("not an object"); return }
        #expect(object["level"] == "notice")
        #expect(object["message"] == "request")
        #expect(object["status"] == "404")
        #expect(object["route"] == "/v1/layers/:name")
        #expect(object["instance"] == "a")
        #expect(object["time"]?.stringValue?.hasPrefix("20") == true)
    }

    @Test func textLogLinesCarryTheirMetadataSorted() throws {
        let lines = LockedLines()
        var handler = LineLogHandler(label: "citygeo", format: .text) { lines.append($0) }
        handler[metadataKey: "instance"] = "a"
        handler[metadataKey: "status"] = "200"
        handler.log(event: LogEvent(level: .notice, message: "request", metadata: ["status": "404", "route": "/v1/layers/:name"], source: "GeoServer", file: #file, function: #function, line: #line))
        let line = try #require(lines.all.first)
        // The event's fields override the logger's; keys come sorted.
        #expect(line.hasSuffix(" notice citygeo: request instance=a route=/v1/layers/:name status=404"), "\(line)")
        #expect(line.hasPrefix("20"))
    }
}

/// Lines collected from a log handler's writer.
final class LockedLines: Sendable {
    private let lines = Mutex([String]())
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
