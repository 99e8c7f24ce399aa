import Foundation
import GeoCore
internal import GRDB

/// An API key as the store keeps it: never the key itself, only a digest of it, next to a public id that the key
/// text carries so that a lookup needs no scan.
public struct StoredAPIKey: Sendable, Hashable {
    /// Public identifier (`k` + 8 hex digits), printed in the audit log in place of the secret.
    public var id: String
    /// Who or what holds the key ("case-intake", "vehicle-monitor-1").
    public var name: String
    /// The digest of the whole key text with its algorithm, `sm3:<64 hex>` (keys made since the national
    /// algorithms) or `sha256:<64 hex>` (older keys, replaced by their SM3 on first use).
    public var digest: String
    /// Scope names (`geocode`, `fences:write`, ...).
    public var scopes: [String]
    /// Requests per second this key may make; nil uses the server's default, 0 means unlimited.
    public var ratePerSecond: Double?
    /// Seconds since 1970.
    public var createdAt: Double
    /// Set once the key is revoked; a revoked key is refused but kept, so the audit log still names it.
    public var revokedAt: Double?
    /// After this time (seconds since 1970) the key is refused as expired; nil never expires.
    public var expiresAt: Double?
    /// Region codes (6-digit county, 9-digit street, 12-digit community ...) whose subtrees alone the key may see;
    /// empty for everywhere.
    public var regions: [String]
    /// Requests per second on particular routes (`GET /v1/geocode` → 5), beside the key's overall rate.
    public var routeRates: [String: Double]
    /// The digest of the secret this key had before its last rotation, accepted until ``previousExpiresAt``.
    public var previousDigest: String?
    /// The end of the rotation's overlap window.
    public var previousExpiresAt: Double?

    /// A stored key row.
    public init(
        id: String, name: String, digest: String, scopes: [String], ratePerSecond: Double?, createdAt: Double,
        revokedAt: Double? = nil, expiresAt: Double? = nil, regions: [String] = [], routeRates: [String: Double] = [:],
        previousDigest: String? = nil, previousExpiresAt: Double? = nil
    ) {
        self.id = id
        self.name = name
        self.digest = digest
        self.scopes = scopes
        self.ratePerSecond = ratePerSecond
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.expiresAt = expiresAt
        self.regions = regions
        self.routeRates = routeRates
        self.previousDigest = previousDigest
        self.previousExpiresAt = previousExpiresAt
    }
}

/// The four kinds of log the platform specifications ask for (seed 004: 访问日志, 系统日志, 操作日志, 异常日志).
public enum AuditKind: String, Sendable, CaseIterable, Hashable {
    /// Who was let in or refused: authentication and authorisation outcomes (401, 403, 429).
    case access
    /// The service itself: start, stop, configuration, backups, restores, key rotation, chain checks.
    case system
    /// Changes to stored data: writes through the API and the command line, key management.
    case operation
    /// Failures: 5xx answers, timeouts, failed jobs.
    case exception
}

extension AuditKind {
    /// The kind of a line written before the log had kinds, from the status it answered: refusals are access
    /// lines, server failures exceptions, the rest operations (what migration `v7_compliance` gives old lines).
    public static func inferred(fromStatus status: Int) -> AuditKind {
        [401, 403, 429].contains(status) ? .access : status >= 500 ? .exception : .operation
    }
}

/// One line of the audit log: who changed what, when, and how it ended.
public struct AuditEntry: Sendable, Hashable {
    /// Seconds since 1970.
    public var time: Double
    /// Which of the four logs the line belongs to.
    public var kind: AuditKind
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
        time: Double, kind: AuditKind = .operation, keyId: String?, keyName: String?, method: String, path: String, status: Int,
        detail: String, remoteAddress: String?
    ) {
        self.time = time
        self.kind = kind
        self.keyId = keyId
        self.keyName = keyName
        self.method = method
        self.path = path
        self.status = status
        self.detail = detail
        self.remoteAddress = remoteAddress
    }
}

/// An audit line as the chain holds it: its position and the SM3 hash that links it to the line before.
@MemberwiseInit
public struct ChainedAuditEntry: Sendable, Hashable {
    /// Position in the log, 1, 2, 3 … without gaps.
    public var id: Int64
    public var entry: AuditEntry
    /// ``AuditChain/hash(of:id:previous:)`` of this line over the previous line's hash, as stored.
    public var hash: String
}

/// A count of audit lines in one time bucket (an hour or a day, in a given UTC offset).
@MemberwiseInit
public struct AuditCount: Sendable, Hashable {
    /// The bucket's start, seconds since 1970.
    public var start: Double
    public var count: Int
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
                    INSERT INTO api_keys (id, name, digest, scopes, rate_per_second, created_at, revoked_at, expires_at,
                        regions, route_rates, previous_digest, previous_expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    key.id, key.name, key.digest, key.scopes.joined(separator: ","), key.ratePerSecond, key.createdAt,
                    key.revokedAt, key.expiresAt, key.regions.joined(separator: ","), try AccessColumns.routeRatesText(key.routeRates),
                    key.previousDigest, key.previousExpiresAt,
                ])
        }
    }

    /// Every key, revoked ones included, oldest first.
    public func apiKeys() async throws(GeoError) -> [StoredAPIKey] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_keys ORDER BY created_at, id").map { row in
                StoredAPIKey(
                    id: row["id"], name: row["name"], digest: row["digest"], scopes: AccessColumns.list(row["scopes"]),
                    ratePerSecond: row["rate_per_second"], createdAt: row["created_at"], revokedAt: row["revoked_at"],
                    expiresAt: row["expires_at"], regions: AccessColumns.list(row["regions"]),
                    routeRates: AccessColumns.routeRates(row["route_rates"]), previousDigest: row["previous_digest"],
                    previousExpiresAt: row["previous_expires_at"])
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

    /// Replaces a key's digest with `new` if it still is `old`; false otherwise (changed meanwhile, no such key).
    public func replaceAPIKeyDigest(id: String, from old: String, to new: String) async throws(GeoError) -> Bool {
        try await write { db in
            try db.execute(sql: "UPDATE api_keys SET digest = ? WHERE id = ? AND digest = ?", arguments: [new, id, old])
            if db.changesCount > 0 { return true }
            // The old secret of a rotation is upgraded in its own column.
            try db.execute(
                sql: "UPDATE api_keys SET previous_digest = ? WHERE id = ? AND previous_digest = ?", arguments: [new, id, old])
            return db.changesCount > 0
        }
    }

    /// Gives an active key the secret of `digest`; its current secret keeps working until `overlapUntil`, and
    /// `expiresAt` (when given) replaces the key's expiry. False when there is no such active key.
    public func rotateAPIKey(id: String, digest: String, overlapUntil: Double, expiresAt: Double?) async throws(GeoError) -> Bool {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE api_keys SET previous_digest = digest, previous_expires_at = ?, digest = ?,
                        expires_at = coalesce(?, expires_at)
                    WHERE id = ? AND revoked_at IS NULL
                    """,
                arguments: [overlapUntil, digest, expiresAt, id])
            return db.changesCount > 0
        }
    }

    /// Appends audit lines in one transaction, each chained to the one before by its SM3 hash.
    public func appendAudit(_ entries: [AuditEntry]) async throws(GeoError) {
        guard !entries.isEmpty else { return }
        try await immediateWrite { db in
            // The head of the chain, read inside the write lock: nobody can append between this read and the inserts.
            let head = try Row.fetchOne(db, sql: "SELECT id, chain_hash FROM audit_log ORDER BY id DESC LIMIT 1")
            var id: Int64 = head?["id"] ?? 0
            var previous: String = head?["chain_hash"] ?? AuditChain.genesis
            let statement = try db.makeStatement(
                sql: """
                    INSERT INTO audit_log (id, time, kind, key_id, key_name, method, path, status, detail, remote_address, chain_hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for entry in entries {
                id += 1
                previous = try AuditChain.hash(of: entry, id: id, previous: previous)
                try statement.execute(arguments: [
                    id, entry.time, entry.kind.rawValue, entry.keyId, entry.keyName, entry.method, entry.path, entry.status,
                    entry.detail, entry.remoteAddress, previous,
                ])
            }
        }
    }

    /// Audit lines with `from ≤ time < to` (either bound may be nil), of one key and one kind if given, newest first.
    public func auditEntries(
        from: Double?, to: Double?, keyId: String?, kind: AuditKind?, limit: Int
    ) async throws(GeoError) -> [AuditEntry] {
        try await read { db in
            let (filter, arguments) = AccessColumns.auditFilter(from: from, to: to, keyId: keyId, kind: kind)
            return try Row.fetchAll(
                db, sql: "SELECT * FROM audit_log \(filter) ORDER BY time DESC, id DESC LIMIT ?", arguments: arguments + [limit]
            ).map(AccessColumns.auditEntry)
        }
    }

    /// Lines per bucket of `bucketSeconds` (3600, 86400), buckets aligned to midnight at `utcOffsetSeconds`.
    public func auditCounts(
        kind: AuditKind?, from: Double?, to: Double?, bucketSeconds: Int, utcOffsetSeconds: Int
    ) async throws(GeoError) -> [AuditCount] {
        try await read { db in
            let (filter, arguments) = AccessColumns.auditFilter(from: from, to: to, keyId: nil, kind: kind)
            let bucket = "CAST(floor((time + \(utcOffsetSeconds)) / \(bucketSeconds)) AS INTEGER)"
            return try Row.fetchAll(
                db, sql: "SELECT \(bucket) AS bucket, count(*) AS n FROM audit_log \(filter) GROUP BY bucket ORDER BY bucket",
                arguments: arguments
            ).map { row in
                AuditCount(start: Double((row["bucket"] as Int64) * Int64(bucketSeconds) - Int64(utcOffsetSeconds)), count: row["n"])
            }
        }
    }

    /// Chained lines with `id > afterId`, oldest first, at most `limit`.
    public func auditChain(afterId: Int64, limit: Int) async throws(GeoError) -> [ChainedAuditEntry] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_log WHERE id > ? ORDER BY id LIMIT ?", arguments: [afterId, limit]).map { row in
                ChainedAuditEntry(id: row["id"], entry: AccessColumns.auditEntry(row), hash: row["chain_hash"])
            }
        }
    }

    /// Runs `body` in an IMMEDIATE transaction: the write lock is taken before the first read, so a read-then-write
    /// (the chain's head) cannot interleave with another process's append.
    func immediateWrite(_ body: @escaping @Sendable (Database) throws -> Void) async throws(GeoError) {
        do {
            try await writer.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    try body(db)
                    return .commit
                }
            }
        } catch {
            throw GeoError.store(error, "database write failed")
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

/// How the access tables' columns are written and read, on every backend: scopes and regions as comma-separated
/// text, route rates as a JSON object.
public enum AccessColumns {
    /// A comma-separated column as its items.
    public static func list(_ text: String?) -> [String] { (text ?? "").split(separator: ",").map(String.init) }

    /// Route rates as the `route_rates` column holds them.
    public static func routeRatesText(_ rates: [String: Double]) throws(GeoError) -> String {
        try JSON.encode(.object(rates.mapValues { JSONValue.double($0) }))
    }

    /// The `route_rates` column read back; unreadable text reads as no route rates.
    public static func routeRates(_ text: String?) -> [String: Double] {
        guard let text, case .object(let object)? = try? JSON.decode(Array(text.utf8)) else { return [:] }
        return object.compactMapValues(\.doubleValue)
    }

    static func auditFilter(from: Double?, to: Double?, keyId: String?, kind: AuditKind?) -> (String, StatementArguments) {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let from { conditions.append("time >= ?"); arguments += [from] }
        if let to { conditions.append("time < ?"); arguments += [to] }
        if let keyId { conditions.append("key_id = ?"); arguments += [keyId] }
        if let kind { conditions.append("kind = ?"); arguments += [kind.rawValue] }
        return (conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "), arguments)
    }

    static func auditEntry(_ row: Row) -> AuditEntry {
        AuditEntry(
            time: row["time"], kind: AuditKind(rawValue: row["kind"]) ?? .operation, keyId: row["key_id"], keyName: row["key_name"],
            method: row["method"], path: row["path"], status: row["status"], detail: row["detail"], remoteAddress: row["remote_address"])
    }
}
