import Foundation
import GeoCore
import GeoCrypto
internal import GRDB

/// The row count and SM3 digest of one table of a store, for a backup's manifest and the check after a restore.
public struct ContentDigest: Sendable, Hashable, Codable {
    /// The table (`layer_unit_grids`, `audit_log`, `track_points` …).
    public var table: String
    public var rows: Int
    /// SM3 over every row in key order, each value with its type (64 hex digits).
    public var sm3: String

    public init(table: String, rows: Int, sm3: String) {
        self.table = table
        self.rows = rows
        self.sm3 = sm3
    }
}

/// Consistent copies of a store while it serves, and the digests that prove a copy whole.
///
/// SpatiaLite writes its snapshot with `VACUUM INTO` (one read transaction: writers carry on, the copy is the
/// database as of one instant, compacted). A PostGIS store's format is `pg_dump`: its backups are taken by the
/// database's own tools (pg_dump, base backups), and it refuses to write a snapshot with
/// ``GeoError/backupByDatabaseTools(backend:)``.
public protocol StoreBackup: Sendable {
    /// What ``writeSnapshot(to:)`` produces: `sqlite` (a database file) or `pg_dump` (a custom-format dump).
    var snapshotFormat: String { get }
    /// Writes a consistent snapshot of the whole store into the new file `file`.
    func writeSnapshot(to file: URL) async throws(GeoError)
    /// Every data table's row count and SM3 digest (the spatial extension's own metadata left out).
    func contentDigests() async throws(GeoError) -> [ContentDigest]
    /// The applied schema migrations, in order.
    func schemaMigrations() async throws(GeoError) -> [String]
}

extension GeoError {
    /// The refusal of a `citygeo backup` of a store whose backups its database's own tools take (a PostGIS
    /// database: pg_dump, base backups, point-in-time recovery): `invalid_argument`, naming the remedy.
    public static func backupByDatabaseTools(backend: String) -> GeoError {
        GeoError(
            code: .invalidArgument,
            message: "backups of a \(backend) database are taken with pg_dump or the database's own backup tooling, not citygeo backup; "
                + "see docs/operations.md (Backups)")
    }
}

extension SpatialStore: StoreBackup {
    public var snapshotFormat: String { "sqlite" }

    public func writeSnapshot(to file: URL) async throws(GeoError) {
        guard !FileManager.default.fileExists(atPath: file.path) else {
            throw GeoError(code: .ioError, message: "\(file.path) exists; a snapshot goes into a new file")
        }
        do {
            // VACUUM refuses to run inside a transaction; on its own it reads the database in one read transaction.
            try await writer.unsafeRead { db in try db.execute(sql: "VACUUM INTO ?", arguments: [file.path]) }
        } catch {
            throw GeoError.store(error, "cannot write a snapshot of the database to \(file.path)")
        }
    }

    public func contentDigests() async throws(GeoError) -> [ContentDigest] {
        try await read { db in
            // One read transaction: all digests describe the same instant.
            let tables = try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")
            return try tables.filter(ContentDigests.isData).map { try ContentDigests.digest(db, table: $0) }
        }
    }

    public func schemaMigrations() async throws(GeoError) -> [String] {
        try await read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") }
    }
}

/// The digests of SQLite tables.
enum ContentDigests {
    /// SpatiaLite's metadata and index tables: derived or static, and not part of the city's data.
    static let metadataPrefixes = [
        "sqlite_", "idx_", "spatial_ref_sys", "geometry_columns", "views_geometry_columns", "virts_geometry_columns",
        "spatialite_history", "sql_statements_log", "data_licenses", "SpatialIndex", "ElementaryGeometries", "KNN",
    ]

    static func isData(_ table: String) -> Bool { !metadataPrefixes.contains { table.hasPrefix($0) } }

    /// The digest of `table`, or of its first `firstRows` rows in rowid order: a table that is only appended to
    /// digests as it was at an earlier instant by its row count then.
    static func digest(_ db: Database, table: String, firstRows: Int? = nil) throws -> ContentDigest {
        let hasher = try SM3Hasher()
        var rows = 0
        let quoted = "\"" + table.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        let limit = firstRows.map { " LIMIT \(max(0, $0))" } ?? ""
        let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM \(quoted) ORDER BY rowid\(limit)")
        while let row = try cursor.next() {
            var bytes: [UInt8] = []
            for value in row.databaseValues { append(value, to: &bytes) }
            try hasher.update(bytes)
            rows += 1
        }
        return ContentDigest(table: table, rows: rows, sm3: HexText.encode(try hasher.finalize()))
    }

    /// A value as a type tag and its bytes (lengths before texts and blobs), so that no two rows hash alike.
    private static func append(_ value: DatabaseValue, to bytes: inout [UInt8]) {
        func length(_ count: Int) { bytes += withUnsafeBytes(of: UInt32(count).bigEndian, Array.init) }
        switch value.storage {
        case .null: bytes.append(0)
        case .int64(let integer):
            bytes.append(1)
            bytes += withUnsafeBytes(of: integer.bigEndian, Array.init)
        case .double(let double):
            bytes.append(2)
            bytes += withUnsafeBytes(of: double.bitPattern.bigEndian, Array.init)
        case .string(let text):
            bytes.append(3)
            length(text.utf8.count)
            bytes += text.utf8
        case .blob(let data):
            bytes.append(4)
            length(data.count)
            bytes += data
        }
    }
}
