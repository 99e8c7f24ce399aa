import Foundation
import GeoCore
import GeoStore
import Logging
internal import PostgresNIO

/// API keys and the append-only, SM3-chained audit log (migrations `v5_access` and `v7_compliance`).
extension PostGISStore: AccessStore {
    /// The columns of a key row, in the order ``StoredAPIKey`` is read from them.
    private static let keyColumns = """
        id, name, digest, scopes, rate_per_second, created_at, revoked_at, expires_at, regions, route_rates, previous_digest,
        previous_expires_at
        """

    /// Adds a key; `key_exists` when its id is taken.
    public func insertAPIKey(_ key: StoredAPIKey) async throws(GeoError) {
        let routeRates = try AccessColumns.routeRatesText(key.routeRates)
        try await transaction("cannot store API key \(key.id)") { connection in
            let taken = try await connection.query("SELECT 1 FROM api_keys WHERE id = \(key.id) FOR UPDATE", logger: logger).collect()
            guard taken.isEmpty else { throw GeoError(code: .keyExists, message: "an API key with id \(key.id) exists") }
            try await connection.run(
                """
                INSERT INTO api_keys (id, name, digest, scopes, rate_per_second, created_at, revoked_at, expires_at, regions,
                    route_rates, previous_digest, previous_expires_at)
                VALUES (\(key.id), \(key.name), \(key.digest), \(key.scopes.joined(separator: ",")), \(key.ratePerSecond),
                    \(key.createdAt), \(key.revokedAt), \(key.expiresAt), \(key.regions.joined(separator: ",")), \(routeRates),
                    \(key.previousDigest), \(key.previousExpiresAt))
                """, logger: logger)
        }
    }

    public func apiKeys() async throws(GeoError) -> [StoredAPIKey] {
        try await withConnection("cannot read the API keys") { connection in
            var keys: [StoredAPIKey] = []
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT \(Self.keyColumns) FROM api_keys ORDER BY created_at, id"), logger: logger)
            for try await (id, name, digest, scopes, rate, created, revoked, expires, regions, routeRates, previousDigest, previousExpires)
                in rows.decode((String, String, String, String, Double?, Double, Double?, Double?, String, String, String?, Double?).self)
            {
                keys.append(
                    StoredAPIKey(
                        id: id, name: name, digest: digest, scopes: AccessColumns.list(scopes), ratePerSecond: rate, createdAt: created,
                        revokedAt: revoked, expiresAt: expires, regions: AccessColumns.list(regions),
                        routeRates: AccessColumns.routeRates(routeRates), previousDigest: previousDigest, previousExpiresAt: previousExpires))
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

    /// Replaces a key's digest (or, during a rotation's overlap, its previous digest) `old` with `new`; false when
    /// it is no longer `old`.
    public func replaceAPIKeyDigest(id: String, from old: String, to new: String) async throws(GeoError) -> Bool {
        try await transaction("cannot upgrade the digest of API key \(id)") { connection in
            let current = try await connection.query(
                "UPDATE api_keys SET digest = \(new) WHERE id = \(id) AND digest = \(old) RETURNING 1", logger: logger
            ).collect()
            if !current.isEmpty { return true }
            return try await !connection.query(
                "UPDATE api_keys SET previous_digest = \(new) WHERE id = \(id) AND previous_digest = \(old) RETURNING 1", logger: logger
            ).collect().isEmpty
        }
    }

    /// Gives the active key `id` the secret of `digest`; the current one stays accepted until `overlapUntil`.
    public func rotateAPIKey(id: String, digest: String, overlapUntil: Double, expiresAt: Double?) async throws(GeoError) -> Bool {
        try await withConnection("cannot rotate API key \(id)") { connection in
            try await !connection.query(
                """
                UPDATE api_keys SET previous_digest = digest, previous_expires_at = \(overlapUntil), digest = \(digest),
                    expires_at = coalesce(\(expiresAt), expires_at)
                WHERE id = \(id) AND revoked_at IS NULL RETURNING 1
                """, logger: logger
            ).collect().isEmpty
        }
    }

    /// Appends audit lines in one transaction, chained by ``AuditChain``. The head is read under a transaction-level
    /// advisory lock that every append takes, so appends from several replicas queue and never fork the chain.
    public func appendAudit(_ entries: [AuditEntry]) async throws(GeoError) {
        guard !entries.isEmpty else { return }
        try await transaction("cannot append to the audit log") { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(hashtext(\(PostGISAuditChain.lockName)))", logger: logger)
            var id: Int64 = 0
            var previous = AuditChain.genesis
            let head = try await connection.query("SELECT id, chain_hash FROM audit_log ORDER BY id DESC LIMIT 1", logger: logger)
            for try await (headID, headHash) in head.decode((Int64, String).self) {
                id = headID
                previous = headHash
            }
            var chained: [ChainedAuditEntry] = []
            chained.reserveCapacity(entries.count)
            for entry in entries {
                id += 1
                previous = try AuditChain.hash(of: entry, id: id, previous: previous)
                chained.append(ChainedAuditEntry(id: id, entry: entry, hash: previous))
            }
            try await PostGISAuditChain.insert(chained, into: "audit_log", over: connection, logger: logger)
        }
    }

    public func auditEntries(
        from: Double?, to: Double?, keyId: String?, kind: AuditKind?, limit: Int
    ) async throws(GeoError) -> [AuditEntry] {
        var sql = SQLBuilder("SELECT \(PostGISAuditChain.columns) FROM audit_log")
        PostGISAuditChain.filter(&sql, from: from, to: to, keyId: keyId, kind: kind)
        // A negative limit means no limit in SQLite; LIMIT NULL says the same here.
        sql.sql += " ORDER BY time DESC, id DESC LIMIT \(sql.bind(limit < 0 ? nil : Int64(limit)))"
        let query = sql.query
        return try await withConnection("cannot read the audit log") { connection in
            try await PostGISAuditChain.read(query, over: connection, logger: logger).map(\.entry)
        }
    }

    public func auditCounts(
        kind: AuditKind?, from: Double?, to: Double?, bucketSeconds: Int, utcOffsetSeconds: Int
    ) async throws(GeoError) -> [AuditCount] {
        guard bucketSeconds > 0 else { throw GeoError(code: .invalidArgument, message: "bucketSeconds must be positive, got \(bucketSeconds)") }
        var sql = SQLBuilder("")
        let bucket = "floor((time + \(sql.bind(Double(utcOffsetSeconds)))) / \(sql.bind(Double(bucketSeconds))))::bigint"
        sql.sql = "SELECT \(bucket) AS bucket, count(*) FROM audit_log"
        PostGISAuditChain.filter(&sql, from: from, to: to, keyId: nil, kind: kind)
        sql.sql += " GROUP BY bucket ORDER BY bucket"
        let query = sql.query
        return try await withConnection("cannot count the audit log") { connection in
            var counts: [AuditCount] = []
            for try await (bucket, count) in try await connection.query(query, logger: logger).decode((Int64, Int64).self) {
                counts.append(AuditCount(start: Double(bucket * Int64(bucketSeconds) - Int64(utcOffsetSeconds)), count: Int(count)))
            }
            return counts
        }
    }

    public func auditChain(afterId: Int64, limit: Int) async throws(GeoError) -> [ChainedAuditEntry] {
        try await withConnection("cannot read the audit chain") { connection in
            try await PostGISAuditChain.read(
                "SELECT \(unescaped: PostGISAuditChain.columns) FROM audit_log WHERE id > \(afterId) ORDER BY id LIMIT \(Int64(limit))",
                over: connection, logger: logger)
        }
    }
}

/// The audit log's rows on PostgreSQL: how chained lines are written, filtered and read back.
enum PostGISAuditChain {
    /// The advisory lock every append takes before reading the chain's head.
    static let lockName = "citygeo_audit_chain"

    static let columns = "id, time, kind, key_id, key_name, method, path, status, detail, remote_address, chain_hash"

    /// Inserts lines already numbered and hashed into `table`, in one statement (all or none). Optional text travels
    /// with a presence flag.
    static func insert(_ lines: [ChainedAuditEntry], into table: String, over connection: PostgresConnection, logger: Logger) async throws {
        guard !lines.isEmpty else { return }
        let entries = lines.map(\.entry)
        let query: PostgresQuery = """
            INSERT INTO \(unescaped: table) (id, time, kind, key_id, key_name, method, path, status, detail, remote_address, chain_hash)
            SELECT id, time, kind, CASE WHEN has_key_id THEN key_id END, CASE WHEN has_key_name THEN key_name END, method, path,
                status, detail, CASE WHEN has_remote THEN remote END, chain_hash
            FROM unnest(\(lines.map(\.id)), \(entries.map(\.time)), \(entries.map(\.kind.rawValue)), \(entries.map { $0.keyId != nil }),
                \(entries.map { $0.keyId ?? "" }), \(entries.map { $0.keyName != nil }), \(entries.map { $0.keyName ?? "" }),
                \(entries.map(\.method)), \(entries.map(\.path)), \(entries.map { Int32(clamping: $0.status) }), \(entries.map(\.detail)),
                \(entries.map { $0.remoteAddress != nil }), \(entries.map { $0.remoteAddress ?? "" }), \(lines.map(\.hash)))
                AS batch (id, time, kind, has_key_id, key_id, has_key_name, key_name, method, path, status, detail, has_remote,
                    remote, chain_hash)
            ORDER BY id
            """
        try await connection.run(query, logger: logger)
    }

    /// Adds the WHERE clause of the audit filters (`from ≤ time < to`, key, kind) to `sql`.
    static func filter(_ sql: inout SQLBuilder, from: Double?, to: Double?, keyId: String?, kind: AuditKind?) {
        var conditions: [String] = []
        if let from { conditions.append("time >= \(sql.bind(from))") }
        if let to { conditions.append("time < \(sql.bind(to))") }
        if let keyId { conditions.append("key_id = \(sql.bind(keyId))") }
        if let kind { conditions.append("kind = \(sql.bind(kind.rawValue))") }
        if !conditions.isEmpty { sql.sql += " WHERE " + conditions.joined(separator: " AND ") }
    }

    /// The lines a query selecting ``columns`` returns, in its order.
    static func read(_ query: PostgresQuery, over connection: PostgresConnection, logger: Logger) async throws -> [ChainedAuditEntry] {
        var lines: [ChainedAuditEntry] = []
        let rows = try await connection.query(query, logger: logger)
        for try await (id, time, kind, keyID, keyName, method, path, status, detail, remote, hash) in rows.decode(
            (Int64, Double, String, String?, String?, String, String, Int32, String, String?, String).self)
        {
            let entry = AuditEntry(
                time: time, kind: AuditKind(rawValue: kind) ?? .operation, keyId: keyID, keyName: keyName, method: method, path: path,
                status: Int(status), detail: detail, remoteAddress: remote)
            lines.append(ChainedAuditEntry(id: id, entry: entry, hash: hash))
        }
        return lines
    }

    /// The program half of migration `v7_compliance`: the lines written before the chain existed join it in their
    /// order, numbered from 1, with the kind their status implies (``AuditKind/inferred(fromStatus:)``), in the new
    /// table `audit_log_chained`, which then replaces `audit_log` with the append-only triggers.
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
        var old: [AuditEntry] = []
        let rows = try await connection.query(
            "SELECT time, key_id, key_name, method, path, status, detail, remote_address FROM audit_log ORDER BY id", logger: logger)
        for try await (time, keyID, keyName, method, path, status, detail, remote) in rows.decode(
            (Double, String?, String?, String, String, Int32, String, String?).self)
        {
            old.append(
                AuditEntry(
                    time: time, kind: .inferred(fromStatus: Int(status)), keyId: keyID, keyName: keyName, method: method, path: path,
                    status: Int(status), detail: detail, remoteAddress: remote))
        }
        var previous = AuditChain.genesis
        var chained: [ChainedAuditEntry] = []
        for (offset, entry) in old.enumerated() {
            let id = Int64(offset + 1)
            previous = try AuditChain.hash(of: entry, id: id, previous: previous)
            chained.append(ChainedAuditEntry(id: id, entry: entry, hash: previous))
        }
        for start in stride(from: 0, to: chained.count, by: 10_000) {
            try await insert(Array(chained[start..<min(start + 10_000, chained.count)]), into: "audit_log_chained", over: connection, logger: logger)
        }
        for statement in [
            "DROP TABLE audit_log",
            "ALTER TABLE audit_log_chained RENAME TO audit_log",
            "CREATE INDEX audit_log_time ON audit_log (time)",
            "CREATE INDEX audit_log_key ON audit_log (key_id, time)",
            "CREATE INDEX audit_log_kind ON audit_log (kind, time)",
            // Append-only: lines can be added, never changed or removed (the chain shows it if a superuser goes
            // around these triggers).
            """
            CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
                FOR EACH ROW EXECUTE FUNCTION citygeo_audit_append_only()
            """,
            """
            CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
                FOR EACH STATEMENT EXECUTE FUNCTION citygeo_audit_append_only()
            """,
        ] {
            try await connection.run(PostgresQuery(unsafeSQL: statement), logger: logger)
        }
    }
}
