import Foundation
import GeoCore
import GeoStore
import Logging
internal import PostgresNIO

/// API keys and the append-only audit log (migration `v5_access`).
extension PostGISStore: AccessStore {
    /// Adds a key; `key_exists` when its id is taken.
    public func insertAPIKey(_ key: StoredAPIKey) async throws(GeoError) {
        try await transaction("cannot store API key \(key.id)") { connection in
            let taken = try await connection.query("SELECT 1 FROM api_keys WHERE id = \(key.id) FOR UPDATE", logger: logger).collect()
            guard taken.isEmpty else { throw GeoError(code: .keyExists, message: "an API key with id \(key.id) exists") }
            try await connection.run(
                """
                INSERT INTO api_keys (id, name, sha256, scopes, rate_per_second, created_at, revoked_at)
                VALUES (\(key.id), \(key.name), \(key.sha256), \(key.scopes.joined(separator: ",")), \(key.ratePerSecond),
                    \(key.createdAt), \(key.revokedAt))
                """, logger: logger)
        }
    }

    public func apiKeys() async throws(GeoError) -> [StoredAPIKey] {
        try await withConnection("cannot read the API keys") { connection in
            var keys: [StoredAPIKey] = []
            let rows = try await connection.query(
                "SELECT id, name, sha256, scopes, rate_per_second, created_at, revoked_at FROM api_keys ORDER BY created_at, id",
                logger: logger)
            for try await (id, name, sha256, scopes, rate, created, revoked) in rows.decode(
                (String, String, String, String, Double?, Double, Double?).self)
            {
                keys.append(StoredAPIKey(
                    id: id, name: name, sha256: sha256, scopes: scopes.split(separator: ",").map(String.init),
                    ratePerSecond: rate, createdAt: created, revokedAt: revoked))
            }
            return keys
        }
    }

    public func revokeAPIKey(id: String, at time: Double) async throws(GeoError) -> Bool {
        try await withConnection("cannot revoke API key \(id)") { connection in
            try await !connection.query(
                "UPDATE api_keys SET revoked_at = \(time) WHERE id = \(id) AND revoked_at IS NULL RETURNING 1", logger: logger
            ).collect().isEmpty
        }
    }

    public func appendAudit(_ entries: [AuditEntry]) async throws(GeoError) {
        guard !entries.isEmpty else { return }
        try await withConnection("cannot append to the audit log") { connection in
            // One statement: all the lines or none. Optional text travels with a presence flag.
            try await connection.run(
                """
                INSERT INTO audit_log (time, key_id, key_name, method, path, status, detail, remote_address)
                SELECT time, CASE WHEN has_key_id THEN key_id END, CASE WHEN has_key_name THEN key_name END, method, path, status,
                    detail, CASE WHEN has_remote THEN remote END
                FROM unnest(\(entries.map(\.time)), \(entries.map { $0.keyId != nil }), \(entries.map { $0.keyId ?? "" }),
                    \(entries.map { $0.keyName != nil }), \(entries.map { $0.keyName ?? "" }), \(entries.map(\.method)),
                    \(entries.map(\.path)), \(entries.map { Int32(clamping: $0.status) }), \(entries.map(\.detail)),
                    \(entries.map { $0.remoteAddress != nil }), \(entries.map { $0.remoteAddress ?? "" }))
                    WITH ORDINALITY AS batch (time, has_key_id, key_id, has_key_name, key_name, method, path, status, detail,
                        has_remote, remote, line)
                ORDER BY line
                """, logger: logger)
        }
    }

    public func auditEntries(from: Double?, to: Double?, keyId: String?, limit: Int) async throws(GeoError) -> [AuditEntry] {
        var sql = SQLBuilder("SELECT time, key_id, key_name, method, path, status, detail, remote_address FROM audit_log")
        var conditions: [String] = []
        if let from { conditions.append("time >= \(sql.bind(from))") }
        if let to { conditions.append("time < \(sql.bind(to))") }
        if let keyId { conditions.append("key_id = \(sql.bind(keyId))") }
        if !conditions.isEmpty { sql.sql += " WHERE " + conditions.joined(separator: " AND ") }
        // A negative limit means no limit in SQLite; LIMIT NULL says the same here.
        sql.sql += " ORDER BY time DESC, id DESC LIMIT \(sql.bind(limit < 0 ? nil : Int64(limit)))"
        let query = sql.query
        return try await withConnection("cannot read the audit log") { connection in
            var entries: [AuditEntry] = []
            let rows = try await connection.query(query, logger: logger)
            for try await (time, keyID, keyName, method, path, status, detail, remote) in rows.decode(
                (Double, String?, String?, String, String, Int32, String, String?).self)
            {
                entries.append(AuditEntry(
                    time: time, keyId: keyID, keyName: keyName, method: method, path: path, status: Int(status), detail: detail,
                    remoteAddress: remote))
            }
            return entries
        }
    }
}
