import Foundation
import GeoCore
import GeoStore
import Logging
internal import PostgresNIO
import Synchronization

/// Backups of a PostGIS database: `pg_dump` in its custom format, of a snapshot this store exports and measures.
///
/// One connection of its own locks every data table against being dropped (`ACCESS SHARE`, which no insert, update
/// or delete waits for), opens a `REPEATABLE READ` transaction and exports its snapshot (`pg_export_snapshot()`);
/// `pg_dump --snapshot` then copies exactly that snapshot while the transaction digests every table and reads the
/// catalogue and the migrations in it. So the dump and the manifest's digests describe the same instant, and writers
/// carry on throughout. ``CityBackups`` seals the dump and writes the manifest as for SpatiaLite.
extension PostGISStore: StoreBackup {
    public var snapshotFormat: String { "pg_dump" }

    public func writeSnapshot(to file: URL, keepingLayers: Set<String>?) async throws(GeoError) -> SnapshotContents {
        guard !FileManager.default.fileExists(atPath: file.path) else {
            throw GeoError(code: .ioError, message: "\(file.path) exists; a snapshot goes into a new file")
        }
        let pgDump = try PostgresTools.locate("pg_dump")
        let scratch = file.deletingLastPathComponent()
        let tool = try await PostgresTools.run(pgDump, ["--version"], location: nil, scratch: scratch)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let location = location
        let logger = logger
        return try await PostGISConnections.withConnection(to: location, applicationName: "citygeo backup", logger: logger) { connection in
            let snapshot = try await PostGISSnapshots.export(connection, logger: logger)
            let layers = try await PostGISSnapshots.layers(connection, logger: logger)
            let leftOut = PostGISSnapshots.tables(of: layers, leftOutBy: keepingLayers)
            let schema = try await connection.query("SELECT current_schema()::text", logger: logger).collect().first?.decode(String.self) ?? "public"
            // A core backup keeps the other layers' tables (the catalogue names them) without their rows.
            let arguments =
                ["--format=custom", "--snapshot=\(snapshot)", "--file=\(file.path)", "--no-password"]
                + leftOut.sorted().map { "--exclude-table-data=\(PostGISSnapshots.pattern(schema, $0))" }
            async let dumped = PostgresTools.run(pgDump, arguments, location: location, scratch: scratch)
            let contents = try await PostGISSnapshots.measure(connection, layers: layers, leftOut: leftOut, logger: logger)
            _ = try await dumped
            let server = try await connection.query("SHOW server_version", logger: logger).collect().first?.decode(String.self) ?? "?"
            try await connection.run("COMMIT", logger: logger)
            return SnapshotContents(
                tables: contents.tables, layers: contents.layers, schemaMigrations: contents.schemaMigrations,
                tool: "\(tool); server \(server)")
        }
    }

    public func contentDigests() async throws(GeoError) -> [ContentDigest] {
        try await withConnection("cannot digest the tables") { connection in
            try await connection.run("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            try await PostGISSnapshots.fixTextForms(connection, logger: logger)
            var digests: [ContentDigest] = []
            for table in try await PostGISSnapshots.dataTables(connection, logger: logger) {
                digests.append(try await PostGISSnapshots.digest(connection, table, logger: logger))
            }
            try await connection.run("COMMIT", logger: logger)
            return digests
        }
    }

    public func schemaMigrations() async throws(GeoError) -> [String] {
        try await withConnection("cannot read the schema migrations") { connection in
            try await PostGISMigrations.applied(connection, logger: logger)
        }
    }
}

/// Snapshots and the digests of PostgreSQL tables.
///
/// A table's digest is SM3 over its rows in the order of its primary key (else its first unique index by name; text
/// keys in byte order, `COLLATE "C"`), ties broken by the row's text, each row as its text form (`row::text`) with
/// a 4-byte length before it. Text forms that depend on session settings (time zone, date style, float digits,
/// bytea output) are fixed first, so the same rows digest alike on any server and connection: the live database
/// and a restored copy are measured by the same function. A partitioned table (`track_points`) is digested whole
/// through its parent; the partitions are not listed apart.
enum PostGISSnapshots {
    /// A data table and its ORDER BY list.
    struct Table: Sendable, Hashable {
        var name: String
        var order: String
    }

    /// Locks every data table (`ACCESS SHARE`: writers go on, only dropping or altering a table waits), begins a
    /// `REPEATABLE READ, READ ONLY` transaction, fixes the text forms and exports the snapshot; its id. The locks come
    /// before the snapshot, so no table of the snapshot can be dropped before `pg_dump` locks it too.
    static func export(_ connection: PostgresConnection, logger: Logger) async throws -> String {
        for attempt in 0..<5 {
            let tables = try await dataTables(connection, logger: logger)
            try await connection.run("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            do {
                if !tables.isEmpty {
                    let list = tables.map { quoted($0.name) }.joined(separator: ", ")
                    try await connection.run(PostgresQuery(unsafeSQL: "LOCK TABLE \(list) IN ACCESS SHARE MODE"), logger: logger)
                }
                try await fixTextForms(connection, logger: logger)
                let rows = try await connection.query("SELECT pg_export_snapshot()", logger: logger).collect()
                guard let id = try rows.first?.decode(String.self) else {
                    throw GeoError(code: .databaseError, message: "PostgreSQL exported no snapshot")
                }
                return id
            } catch where PostGISErrors.sqlState(error) == "42P01" && attempt < 4 {
                // A table listed a moment ago was dropped (a layer replaced) before it was locked: list again.
                _ = try? await connection.run("ROLLBACK", logger: logger)
            }
        }
        throw GeoError(code: .databaseError, message: "tables kept being dropped while a backup began; try again")
    }

    /// Session settings that text forms depend on, for the rest of the transaction.
    static func fixTextForms(_ connection: PostgresConnection, logger: Logger) async throws {
        for setting in [
            "TimeZone = 'UTC'", "DateStyle = 'ISO, YMD'", "IntervalStyle = 'postgres'", "extra_float_digits = 1", "bytea_output = 'hex'",
        ] {
            try await connection.run(PostgresQuery(unsafeSQL: "SET LOCAL \(setting)"), logger: logger)
        }
    }

    /// The tables of the store's schema that hold its data: not PostGIS's own (`spatial_ref_sys`, extension
    /// members), not partitions (their parent stands for them), by name in byte order.
    static func dataTables(_ connection: PostgresConnection, logger: Logger) async throws -> [Table] {
        let rows = try await connection.query(
            """
            SELECT c.relname::text, coalesce((
                SELECT string_agg(quote_ident(a.attname) || CASE WHEN a.attcollation <> 0 THEN ' COLLATE "C"' ELSE '' END, ', ' ORDER BY k.n)
                FROM (SELECT i.indkey FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                      WHERE i.indrelid = c.oid AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
                      ORDER BY i.indisprimary DESC, ic.relname COLLATE "C" LIMIT 1) AS u
                CROSS JOIN LATERAL unnest(u.indkey::int2[]) WITH ORDINALITY AS k (attnum, n)
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum), '')
            FROM pg_class c
            WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
                AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
            ORDER BY c.relname COLLATE "C"
            """, logger: logger)
        var tables: [Table] = []
        for try await (name, key) in rows.decode((String, String).self) {
            tables.append(Table(name: name, order: (key.isEmpty ? "" : key + ", ") + "snapshot_row::text COLLATE \"C\""))
        }
        return tables
    }

    /// The digest of `table`, or of the rows `filter` (an SQL condition) keeps, or of its first `limit` rows in key
    /// order: an append-only table digests as it was at an earlier instant.
    static func digest(
        _ connection: PostgresConnection, _ table: Table, filter: String? = nil, limit: Int? = nil, logger: Logger
    ) async throws -> ContentDigest {
        var digester = try TableDigester(table: table.name)
        let condition = filter.map { " WHERE \($0)" } ?? ""
        let bound = limit.map { " LIMIT \(max(0, $0))" } ?? ""
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT snapshot_row::text FROM \(quoted(table.name)) AS snapshot_row\(condition) ORDER BY \(table.order)\(bound)"),
            logger: logger)
        for try await text in rows.decode(String.self) {
            let bytes = Array(text.utf8)
            try digester.add(row: withUnsafeBytes(of: UInt32(bytes.count).bigEndian, Array.init) + bytes)
        }
        return try digester.finish()
    }

    /// The catalogue's layers with their versions, by name.
    static func layers(_ connection: PostgresConnection, logger: Logger) async throws -> [(name: String, version: Int64)] {
        var layers: [(name: String, version: Int64)] = []
        let rows = try await connection.query("SELECT name, version FROM geo_layers ORDER BY name", logger: logger)
        for try await (name, version) in rows.decode((String, Int64).self) { layers.append((name, version)) }
        return layers
    }

    /// The tables of the layers a core backup leaves out (none when `keeping` is nil).
    static func tables(of layers: [(name: String, version: Int64)], leftOutBy keeping: Set<String>?) -> Set<String> {
        guard let keeping else { return [] }
        return Set(layers.filter { !keeping.contains($0.name) }.compactMap { layer in (try? LayerName(layer.name)).map { PostGISLayerTable($0).name } })
    }

    /// What the snapshot holds: every data table's digest but those `leftOut`, the other layers with their tables'
    /// counts, and the migrations.
    static func measure(
        _ connection: PostgresConnection, layers: [(name: String, version: Int64)], leftOut: Set<String>, logger: Logger
    ) async throws -> SnapshotContents {
        var digests: [ContentDigest] = []
        for table in try await dataTables(connection, logger: logger) where !leftOut.contains(table.name) {
            digests.append(try await digest(connection, table, logger: logger))
        }
        let rows = Dictionary(digests.map { ($0.table, $0.rows) }, uniquingKeysWith: { a, _ in a })
        let kept = layers.compactMap { layer -> BackupManifest.Layer? in
            guard let name = try? LayerName(layer.name) else { return nil }
            let table = PostGISLayerTable(name).name
            guard !leftOut.contains(table) else { return nil }
            return BackupManifest.Layer(name: layer.name, features: rows[table] ?? 0, version: layer.version)
        }
        return SnapshotContents(
            tables: digests, layers: kept, schemaMigrations: try await PostGISMigrations.applied(connection, logger: logger), tool: "")
    }

    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// A pg_dump table pattern naming exactly `schema.table`.
    static func pattern(_ schema: String, _ table: String) -> String { quoted(schema) + "." + quoted(table) }
}

/// A restore of a PostGIS backup (a pg_dump) into a new PostgreSQL database, or a read of the dump alone.
///
/// The database is made when missing (`CREATE DATABASE … TEMPLATE template0`, through the server's `postgres`
/// database) and refused when it already holds tables. `pg_restore` loads the dump in one transaction (owners and
/// grants left to the restoring user), then the tables and layers are measured as the backup measured them. A core
/// backup's left-out layers come back as empty tables named by the catalogue; once every check passed they are
/// deleted, so the restored database holds the core layers only. A database this target made is dropped again when a
/// check fails.
public final class PostGISRestoreTarget: BackupRestoreTarget, Sendable {
    /// The database to restore into; nil only reads the dump (`pg_restore --list`) and checks no table.
    public let location: PostGISLocation?
    private let madeDatabase = Mutex(false)
    private let logger = Logger(label: "citygeo.postgis")

    /// A target for the database `url` names (``PostGISLocation``), or for reading the dump alone when nil.
    public init(url: String?) throws(GeoError) {
        location = try url.map { url throws(GeoError) in try PostGISLocation(url: url) }
    }

    public var snapshotFormat: String { "pg_dump" }
    public var check: String { location.map { "pg_restore into \($0)" } ?? "pg_restore --list" }
    public var scratchFolder: URL { FileManager.default.temporaryDirectory }

    public func prepare() async throws(GeoError) {
        _ = try PostgresTools.locate("pg_restore")
        guard let location else { return }
        let logger = logger
        let made = try await PostGISConnections.withConnection(
            to: location.with(database: "postgres"), applicationName: "citygeo restore", logger: logger
        ) { connection in
            let found = try await connection.query("SELECT 1 FROM pg_database WHERE datname = \(location.database)", logger: logger).collect()
            guard found.isEmpty else { return false }
            try await connection.run(
                PostgresQuery(unsafeSQL: "CREATE DATABASE \(PostGISSnapshots.quoted(location.database)) TEMPLATE template0"), logger: logger)
            return true
        }
        madeDatabase.withLock { $0 = made }
        guard !made else { return }
        let tables = try await PostGISConnections.withConnection(to: location, applicationName: "citygeo restore", logger: logger) { connection in
            var names: [String] = []
            let rows = try await connection.query(
                """
                SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                    AND n.nspname NOT LIKE 'pg\\_%'
                    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
                ORDER BY c.relname COLLATE "C"
                """, logger: logger)
            for try await name in rows.decode(String.self) { names.append(name) }
            return names
        }
        guard tables.isEmpty else {
            let ours = tables.contains("schema_migrations") || tables.contains("geo_layers")
            let shown = "\(tables.count) of them: " + tables.prefix(5).joined(separator: ", ") + (tables.count > 5 ? ", …" : "")
            throw GeoError(
                code: .invalidArgument,
                message: "the database \(location) already holds \(ours ? "CityGeo tables" : "tables") (\(shown)): "
                    + "a restore goes into a new or empty database")
        }
    }

    public func load(_ file: URL, manifest: BackupManifest) async throws(GeoError) -> SnapshotContents? {
        let pgRestore = try PostgresTools.locate("pg_restore")
        let scratch = file.deletingLastPathComponent()
        guard let location else {
            let listing = try await PostgresTools.run(pgRestore, ["--list", file.path], location: nil, scratch: scratch)
            guard listing.split(separator: "\n").contains(where: { !$0.hasPrefix(";") && !$0.isEmpty }) else {
                throw GeoError(code: .integrityError, message: "pg_restore --list finds no entries in the opened dump")
            }
            return nil
        }
        _ = try await PostgresTools.run(
            pgRestore,
            [
                "--dbname=\(PostgresTools.databaseParameter(location.database))", "--single-transaction", "--exit-on-error", "--no-owner",
                "--no-privileges", "--no-comments", "--no-password", file.path,
            ],
            location: location, scratch: scratch)
        let keeping = Set(manifest.layers.map(\.name))
        let logger = logger
        return try await PostGISConnections.withConnection(to: location, applicationName: "citygeo restore", logger: logger) { connection in
            try await connection.run("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            try await PostGISSnapshots.fixTextForms(connection, logger: logger)
            let layers = try await PostGISSnapshots.layers(connection, logger: logger)
            let leftOut = PostGISSnapshots.tables(of: layers, leftOutBy: keeping)
            let contents = try await PostGISSnapshots.measure(connection, layers: layers, leftOut: leftOut, logger: logger)
            try await connection.run("COMMIT", logger: logger)
            return contents
        }
    }

    public func keep(_ file: URL, manifest: BackupManifest) async throws(GeoError) -> String? {
        guard let location else { return nil }
        let keeping = Set(manifest.layers.map(\.name))
        let store = try await PostGISStore.open(location, options: PostGISStore.Options(maximumConnections: 1))
        do {
            for layer in try await store.layers() where !keeping.contains(layer.name) {
                try await store.deleteLayer(named: layer.name)
            }
        } catch {
            await store.close()
            throw error
        }
        await store.close()
        return location.description
    }

    public func discard() async {
        guard let location, madeDatabase.withLock({ $0 }) else { return }
        try? await PostGISScratchDatabases.drop(location.database, on: location.with(database: "postgres"), logger: logger)
    }
}
