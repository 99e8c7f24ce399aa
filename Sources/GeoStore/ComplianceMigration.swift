import GeoCore
internal import GRDB

/// Migration `v7_compliance` (issue 21): keys with lifetimes and SM3 digests, the audit log in four kinds and
/// chained by SM3, and the register of columns kept encrypted.
enum ComplianceMigration {
    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
                -- Keys: the digest names its algorithm (older keys are SHA-256, new ones SM3), expiry, regions,
                -- per-route rates and the previous secret of a rotation with the end of its overlap.
                ALTER TABLE api_keys RENAME COLUMN sha256 TO digest;
                UPDATE api_keys SET digest = 'sha256:' || digest;
                ALTER TABLE api_keys ADD COLUMN expires_at REAL;
                ALTER TABLE api_keys ADD COLUMN regions TEXT NOT NULL DEFAULT '';
                ALTER TABLE api_keys ADD COLUMN route_rates TEXT NOT NULL DEFAULT '{}';
                ALTER TABLE api_keys ADD COLUMN previous_digest TEXT;
                ALTER TABLE api_keys ADD COLUMN previous_expires_at REAL;

                CREATE TABLE audit_log_chained (
                    id INTEGER NOT NULL PRIMARY KEY,
                    time REAL NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('access', 'system', 'operation', 'exception')),
                    key_id TEXT,
                    key_name TEXT,
                    method TEXT NOT NULL,
                    path TEXT NOT NULL,
                    status INTEGER NOT NULL,
                    detail TEXT NOT NULL,
                    remote_address TEXT,
                    chain_hash TEXT NOT NULL
                );
                -- Columns whose values are stored sealed (SM4-CBC + HMAC-SM3), by layer.
                CREATE TABLE sensitive_columns (
                    layer TEXT NOT NULL,
                    column_name TEXT NOT NULL,
                    PRIMARY KEY (layer, column_name)
                );
                """)
        // The lines written before the chain existed join it in their order, numbered from 1, with the kind their
        // status implies: refusals are access lines, server failures exceptions, the rest operations.
        let insert = try db.makeStatement(
            sql: """
                INSERT INTO audit_log_chained (id, time, kind, key_id, key_name, method, path, status, detail, remote_address, chain_hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        var previous = AuditChain.genesis
        var id: Int64 = 0
        let rows = try Row.fetchCursor(db, sql: "SELECT * FROM audit_log ORDER BY id")
        while let row = try rows.next() {
            let status: Int = row["status"]
            let kind = AuditKind.inferred(fromStatus: status)
            let entry = AuditEntry(
                time: row["time"], kind: kind, keyId: row["key_id"], keyName: row["key_name"], method: row["method"],
                path: row["path"], status: status, detail: row["detail"], remoteAddress: row["remote_address"])
            id += 1
            previous = try AuditChain.hash(of: entry, id: id, previous: previous)
            try insert.execute(arguments: [
                id, entry.time, kind.rawValue, entry.keyId, entry.keyName, entry.method, entry.path, status, entry.detail,
                entry.remoteAddress, previous,
            ])
        }
        try db.execute(
            sql: """
                DROP TABLE audit_log;
                ALTER TABLE audit_log_chained RENAME TO audit_log;
                CREATE INDEX audit_log_time ON audit_log (time);
                CREATE INDEX audit_log_key ON audit_log (key_id, time);
                CREATE INDEX audit_log_kind ON audit_log (kind, time);
                -- Append-only: lines can be added, never changed or removed (the chain shows it if the file is edited
                -- around these triggers).
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                """)
    }
}
