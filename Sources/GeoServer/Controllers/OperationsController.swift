import Foundation
import GeoCore
import GeoStore
import Hummingbird
import Logging
import Metrics
import Prometheus
import Synchronization

/// `/metrics`, `/ready` and `/v1/audit`.
struct OperationsController {
    let store: any CityStore
    let metrics: ServerMetrics
    /// Checks that must pass for `/ready`, by name.
    let readinessChecks: [String: @Sendable () async throws -> Void]

    func register(on router: Router<CityRequestContext>) {
        router.get("metrics", use: metricsText)
        router.get("ready", use: readiness)
        router.get("v1/audit", use: auditLog)
    }

    /// `GET /metrics`.
    @Sendable func metricsText(_ request: Request, context: CityRequestContext) async throws -> Response {
        JSONResponse.bytes(metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }

    /// `GET /ready`.
    @Sendable func readiness(_ request: Request, context: CityRequestContext) async throws -> Response {
        var checks: [String: JSONValue] = [:]
        var ready = true
        for (name, check) in readinessChecks.sorted(by: { $0.key < $1.key }) {
            do {
                try await check()
                checks[name] = "ok"
            } catch {
                ready = false
                checks[name] = .string("\(error)")
            }
        }
        return try JSONResponse.make(
            .object(["status": .string(ready ? "ready" : "not_ready"), "checks": .object(checks)]),
            status: ready ? .ok : .serviceUnavailable)
    }

    /// `GET /v1/audit`.
    @Sendable func auditLog(_ request: Request, context: CityRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let from = try query["from"].map { try RequestParsing.time(String($0), field: "from") }
        let to = try query["to"].map { try RequestParsing.time(String($0), field: "to") }
        let limit = try query["limit"].map { Int(try RequestParsing.number(String($0), "limit", 1...10_000)) } ?? 100
        let entries = try await store.auditEntries(from: from, to: to, keyId: query["key"].map(String.init), limit: limit)
        return try JSONResponse.make(.object([
            "count": .int(Int64(entries.count)),
            "entries": .array(entries.map { entry in
                .object([
                    "time": .string(TimeText.format(entry.time)),
                    "key_id": entry.keyId.map(JSONValue.string) ?? .null, "key_name": entry.keyName.map(JSONValue.string) ?? .null,
                    "method": .string(entry.method), "path": .string(entry.path), "status": .int(Int64(entry.status)),
                    "detail": .string(entry.detail), "remote_address": entry.remoteAddress.map(JSONValue.string) ?? .null,
                ])
            }),
        ]))
    }

}
