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
    /// The fence monitor's live subscriptions, for the `citygeo_event_subscriptions` gauge.
    let eventSubscriptions: @Sendable () async -> Int

    func register(on router: Router<CityRequestContext>) {
        router.get("metrics", use: metricsText)
        router.get("ready", use: readiness)
        router.get("v1/audit", use: auditLog)
        router.get("v1/audit/counts", use: auditCounts)
    }

    /// `GET /metrics`.
    @Sendable func metricsText(_ request: Request, context: CityRequestContext) async throws -> Response {
        metrics.eventSubscriptions.set(Double(await eventSubscriptions()))
        return JSONResponse.bytes(metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
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
        let limit = try query["limit"].map { try RequestParsing.integer(String($0), "limit", 1...10_000) } ?? 100
        let kind = try Self.kind(query["kind"])
        let entries = try await store.auditEntries(from: from, to: to, keyId: query["key"].map(String.init), kind: kind, limit: limit)
        return try JSONResponse.make(.object([
            "count": .int(Int64(entries.count)),
            "entries": .array(entries.map { entry in
                .object([
                    "time": .string(TimeText.format(entry.time)), "kind": .string(entry.kind.rawValue),
                    "key_id": entry.keyId.map(JSONValue.string) ?? .null, "key_name": entry.keyName.map(JSONValue.string) ?? .null,
                    "method": .string(entry.method), "path": .string(entry.path), "status": .int(Int64(entry.status)),
                    "detail": .string(entry.detail), "remote_address": entry.remoteAddress.map(JSONValue.string) ?? .null,
                ])
            }),
        ]))
    }

    /// `GET /v1/audit/counts`: lines of one kind (exceptions by default) per hour or per day, China Standard Time.
    @Sendable func auditCounts(_ request: Request, context: CityRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let from = try query["from"].map { try RequestParsing.time(String($0), field: "from") }
        let to = try query["to"].map { try RequestParsing.time(String($0), field: "to") }
        let kind = try Self.kind(query["kind"]) ?? .exception
        let bucket: Int
        switch query["by"].map(String.init) ?? "day" {
        case "day": bucket = 86_400
        case "hour": bucket = 3_600
        case let other:
            throw APIError(code: .invalidArgument, message: "by \"\(other)\" is not day or hour", details: ["field": "by"])
        }
        let counts = try await store.auditCounts(kind: kind, from: from, to: to, bucketSeconds: bucket, utcOffsetSeconds: 8 * 3_600)
        return try JSONResponse.make(.object([
            "kind": .string(kind.rawValue), "by": .string(bucket == 3_600 ? "hour" : "day"),
            "total": .int(Int64(counts.reduce(0) { $0 + $1.count })),
            "counts": .array(counts.map { .object(["start": .string(TimeText.format($0.start)), "count": .int(Int64($0.count))]) }),
        ]))
    }

    /// The `kind` parameter: one of the four log kinds, nil when absent.
    static func kind(_ text: Substring?) throws(APIError) -> AuditKind? {
        guard let text else { return nil }
        guard let kind = AuditKind(rawValue: String(text)) else {
            throw APIError(
                code: .invalidArgument, message: "kind \"\(text)\" is not one of access, system, operation, exception",
                details: ["field": "kind"])
        }
        return kind
    }
}
