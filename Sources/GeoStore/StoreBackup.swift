import Foundation
import GeoCore
import GeoCrypto
internal import GRDB

/// The row count and SM3 digest of one table of a store, for a backup's manifest and the check after a restore.
@MemberwiseInit
public struct ContentDigest: Sendable, Hashable, Codable {
    /// The table (`layer_unit_grids`, `audit_log`, `track_points` …).
    public var table: String
    public var rows: Int
    /// SM3 over every row in key order, each value with its type (64 hex digits).
    public var sm3: String
}

/// What a consistent snapshot holds, measured at the instant it copies: every data table's count and SM3, every
/// layer's count and version, and the schema migrations. A backup's manifest keeps it; a restore measures the
/// restored database the same way and compares.
@MemberwiseInit
public struct SnapshotContents: Sendable, Hashable {
    public var tables: [ContentDigest]
    public var layers: [BackupManifest.Layer]
    public var schemaMigrations: [String]
    /// The program that wrote the snapshot, with its version (`SQLite 3.40.1`, `pg_dump (PostgreSQL) 15.20 …`).
    public var tool: String
}

/// Consistent copies of a store while it serves, and the digests that prove a copy whole.
///
/// SpatiaLite writes its snapshot with `VACUUM INTO` (one read transaction: writers carry on, the copy is the
/// database as of one instant, compacted) and measures the copy. PostGIS exports the snapshot of a `REPEATABLE READ`
/// transaction, has `pg_dump --snapshot` write it in its custom format, and measures the same snapshot inside the
/// exporting transaction (docs/operations.md, "Backups and restore").
public protocol StoreBackup: Sendable {
    /// What ``writeSnapshot(to:keepingLayers:)`` produces: `sqlite` (a database file) or `pg_dump` (a custom-format
    /// dump).
    var snapshotFormat: String { get }
    /// Writes a consistent snapshot of the store into the new file `file` and returns what it holds, measured at the
    /// same instant. With `keepingLayers` (a core backup) the features of other layers are left out.
    func writeSnapshot(to file: URL, keepingLayers: Set<String>?) async throws(GeoError) -> SnapshotContents
    /// Every data table's row count and SM3 digest (the spatial extension's own metadata left out), all of one instant.
    func contentDigests() async throws(GeoError) -> [ContentDigest]
    /// The applied schema migrations, in order.
    func schemaMigrations() async throws(GeoError) -> [String]
}

/// The running SM3 digest of one table: its rows in key order, each as the bytes its backend encodes it in (the same
/// on a restored copy as on the original). Both backends' digests are built with it.
public struct TableDigester {
    public let table: String
    public private(set) var rows = 0
    private let hasher: SM3Hasher

    public init(table: String) throws(GeoError) {
        self.table = table
        hasher = try SM3Hasher()
    }

    /// Adds the next row's bytes.
    public mutating func add(row bytes: [UInt8]) throws(GeoError) {
        try hasher.update(bytes)
        rows += 1
    }

    public func finish() throws(GeoError) -> ContentDigest {
        ContentDigest(table: table, rows: rows, sm3: HexText.encode(try hasher.finalize()))
    }
}

extension SpatialStore: StoreBackup {
    public var snapshotFormat: String { "sqlite" }

    public func writeSnapshot(to file: URL, keepingLayers: Set<String>?) async throws(GeoError) -> SnapshotContents {
        guard !FileManager.default.fileExists(atPath: file.path) else {
            throw GeoError(code: .ioError, message: "\(file.path) exists; a snapshot goes into a new file")
        }
        do {
            // VACUUM refuses to run inside a transaction; on its own it reads the database in one read transaction.
            try await writer.unsafeRead { db in try db.execute(sql: "VACUUM INTO ?", arguments: [file.path]) }
        } catch {
            throw GeoError.store(error, "cannot write a snapshot of the database to \(file.path)")
        }
        if let keepingLayers { try await SnapshotFile.keepOnlyLayers(keepingLayers, in: file) }
        return try SnapshotFile.contents(file)
    }

    public func contentDigests() async throws(GeoError) -> [ContentDigest] {
        // One read transaction: all digests describe the same instant.
        try await read { db in try ContentDigests.all(db) }
    }

    public func schemaMigrations() async throws(GeoError) -> [String] {
        try await read { db in try ContentDigests.migrations(db) }
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

    /// Every data table's digest, by name.
    static func all(_ db: Database) throws -> [ContentDigest] {
        let tables = try String.fetchAll(
            db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")
        return try tables.filter(isData).map { try digest(db, table: $0) }
    }

    static func migrations(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid")
    }

    /// The digest of `table`, or of its first `firstRows` rows in rowid order: a table that is only appended to
    /// digests as it was at an earlier instant by its row count then.
    static func digest(_ db: Database, table: String, firstRows: Int? = nil) throws -> ContentDigest {
        var digester = try TableDigester(table: table)
        let quoted = "\"" + table.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        let limit = firstRows.map { " LIMIT \(max(0, $0))" } ?? ""
        let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM \(quoted) ORDER BY rowid\(limit)")
        while let row = try cursor.next() {
            var bytes: [UInt8] = []
            for value in row.databaseValues { append(value, to: &bytes) }
            try digester.add(row: bytes)
        }
        return try digester.finish()
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
