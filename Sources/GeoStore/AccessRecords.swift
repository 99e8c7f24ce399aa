import Foundation
import GeoCore
internal import GRDB

/// An API key as the store keeps it: never the key itself, only its SHA-256, next to a public id that the key
/// text carries so that a lookup needs no scan.
public struct StoredAPIKey: Sendable, Hashable {
    /// Public identifier (`k` + 8 hex digits), printed in the audit log in place of the secret.
    public var id: String
    /// Who or what holds the key ("case-intake", "vehicle-monitor-1").
    public var name: String
    /// Lowercase hex SHA-256 of the whole key text.
    public var sha256: String
    /// Scope names (`geocode`, `fences:write`, ...).
    public var scopes: [String]
    /// Requests per second this key may make; nil uses the server's default, 0 means unlimited.
    public var ratePerSecond: Double?
    /// Seconds since 1970.
    public var createdAt: Double
    /// Set once the key is revoked; a revoked key is refused but kept, so the audit log still names it.
    public var revokedAt: Double?

    /// A stored key row.
    public init(
        id: String, name: String, sha256: String, scopes: [String], ratePerSecond: Double?, createdAt: Double,
        revokedAt: Double? = nil
    ) {
        self.id = id
        self.name = name
        self.sha256 = sha256
        self.scopes = scopes
        self.ratePerSecond = ratePerSecond
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// One line of the audit log: who changed what, when, and how it ended.
public struct AuditEntry: Sendable, Hashable {
    /// Seconds since 1970.
    public var time: Double
    /// The key's id, nil for an anonymous caller (only possible when a write scope is public).
    public var keyId: String?
    public var keyName: String?
    public var method: String
    /// The request path with its query.
    public var path: String
    /// HTTP status answered.
    public var status: Int
    /// A short description: what was written (count, ids) or why it was refused.
    public var detail: String
    /// The caller's address, when known.
    public var remoteAddress: String?

    /// An audit line.
    public init(
        time: Double, keyId: String?, keyName: String?, method: String, path: String, status: Int, detail: String,
        remoteAddress: String?
    ) {
        self.time = time
        self.keyId = keyId
        self.keyName = keyName
        self.method = method
        self.path = path
        self.status = status
        self.detail = detail
        self.remoteAddress = remoteAddress
    }
}

/// API keys and the audit log, in the `api_keys` and `audit_log` tables.
extension SpatialStore: AccessStore {
    /// Adds a key; fails with `key_exists` when its id is taken.
    public func insertAPIKey(_ key: StoredAPIKey) async throws(GeoError) {
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM api_keys WHERE id = ?", arguments: [key.id]) == true {
                throw GeoError(code: .keyExists, message: "an API key with id \(key.id) exists")
            }
            try db.execute(
                sql: """
                    INSERT INTO api_keys (id, name, sha256, scopes, rate_per_second, created_at, revoked_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    key.id, key.name, key.sha256, key.scopes.joined(separator: ","), key.ratePerSecond, key.createdAt,
                    key.revokedAt,
                ])
        }
    }

    /// Every key, revoked ones included, oldest first.
    public func apiKeys() async throws(GeoError) -> [StoredAPIKey] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_keys ORDER BY created_at, id").map { row in
                StoredAPIKey(
                    id: row["id"], name: row["name"], sha256: row["sha256"],
                    scopes: (row["scopes"] as String).split(separator: ",").map(String.init),
                    ratePerSecond: row["rate_per_second"], createdAt: row["created_at"], revokedAt: row["revoked_at"])
            }
        }
    }

    /// Marks a key revoked at `time`; false when there is no such key or it was already revoked.
    public func revokeAPIKey(id: String, at time: Double) async throws(GeoError) -> Bool {
        try await write { db in
            try db.execute(sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [time, id])
            return db.changesCount > 0
        }
    }

    /// Appends audit lines in one transaction.
    public func appendAudit(_ entries: [AuditEntry]) async throws(GeoError) {
        guard !entries.isEmpty else { return }
        try await write { db in
            let statement = try db.makeStatement(
                sql: """
                    INSERT INTO audit_log (time, key_id, key_name, method, path, status, detail, remote_address)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for entry in entries {
                try statement.execute(arguments: [
                    entry.time, entry.keyId, entry.keyName, entry.method, entry.path, entry.status, entry.detail,
                    entry.remoteAddress,
                ])
            }
        }
    }

    /// Audit lines with `from ≤ time < to` (either bound may be nil), of one key if given, newest first.
    public func auditEntries(from: Double?, to: Double?, keyId: String?, limit: Int) async throws(GeoError) -> [AuditEntry] {
        try await read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let from { conditions.append("time >= ?"); arguments += [from] }
            if let to { conditions.append("time < ?"); arguments += [to] }
            if let keyId { conditions.append("key_id = ?"); arguments += [keyId] }
            arguments += [limit]
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(
                db, sql: "SELECT * FROM audit_log \(filter) ORDER BY time DESC, id DESC LIMIT ?", arguments: arguments
            ).map { row in
                AuditEntry(
                    time: row["time"], keyId: row["key_id"], keyName: row["key_name"], method: row["method"],
                    path: row["path"], status: row["status"], detail: row["detail"], remoteAddress: row["remote_address"])
            }
        }
    }

    /// The schema of the two tables (migration `v5_access`).
    static let accessTablesSQL = """
        CREATE TABLE api_keys (
            id TEXT NOT NULL PRIMARY KEY,
            name TEXT NOT NULL,
            sha256 TEXT NOT NULL UNIQUE,
            scopes TEXT NOT NULL,
            rate_per_second REAL,
            created_at REAL NOT NULL,
            revoked_at REAL
        );
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time REAL NOT NULL,
            key_id TEXT,
            key_name TEXT,
            method TEXT NOT NULL,
            path TEXT NOT NULL,
            status INTEGER NOT NULL,
            detail TEXT NOT NULL,
            remote_address TEXT
        );
        CREATE INDEX audit_log_time ON audit_log (time);
        CREATE INDEX audit_log_key ON audit_log (key_id, time);
        -- Append-only, as the platform specifications ask of audit logs: lines can be added, never changed or removed.
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
        """
}
