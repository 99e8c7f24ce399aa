import Foundation
import GeoCore
import GeoCrypto
import Logging
import PostgresNIO
import StoreBackends
import Testing

@testable import GeoStore
@testable import GeoStorePostGIS

/// `citygeo backup` and `citygeo restore` on PostGIS: pg_dump of an exported snapshot under write load, sealed as on
/// SpatiaLite, restored into a new database and measured again there.
@Suite(.enabled(if: StoreBackend.postgresURL != nil, "needs CITYGEO_TEST_POSTGRES_URL"))
struct PostGISBackupTests {
    static var server: PostGISLocation { get throws { try PostGISLocation(url: try #require(StoreBackend.postgresURL)) } }

    /// A database name on the test server that does not exist yet.
    static func newDatabase() throws -> PostGISLocation {
        try server.with(database: "citygeo_restore_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())
    }

    static func url(_ location: PostGISLocation) -> String { "postgres://\(location.user)@\(location.host):\(location.port)/\(location.database)" }

    static func databaseExists(_ location: PostGISLocation) async throws -> Bool {
        let name = location.database
        return try await PostGISConnections.withConnection(to: location.with(database: "postgres"), logger: Logger(label: "test")) { connection in
            try await !connection.query("SELECT 1 FROM pg_database WHERE datname = \(name)", logger: Logger(label: "test")).collect().isEmpty
        }
    }

    static func drop(_ location: PostGISLocation) async {
        try? await PostGISScratchDatabases.drop(location.database, on: location.with(database: "postgres"), logger: Logger(label: "test"))
    }

    /// The digest of the live table `name` as it was when it held the rows `filter` keeps, or its first `limit` rows in
    /// key order: what an append-only table held at an earlier instant.
    static func liveDigest(_ store: PostGISStore, table name: String, filter: String? = nil, limit: Int? = nil) async throws -> ContentDigest {
        try await store.transaction("test digest") { connection in
            try await PostGISSnapshots.fixTextForms(connection, logger: Logger(label: "test"))
            let table = try #require(try await PostGISSnapshots.dataTables(connection, logger: Logger(label: "test")).first { $0.name == name })
            return try await PostGISSnapshots.digest(connection, table, filter: filter, limit: limit, logger: Logger(label: "test"))
        }
    }

    static func byTable(_ digests: [ContentDigest]) -> [String: ContentDigest] {
        Dictionary(uniqueKeysWithValues: digests.map { ($0.table, $0) })
    }

    @Test func aBackupUnderWriteLoadRestoresEveryLayerAsOfItsSnapshot() async throws {
        let root = try BackupTests.folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try await PostGISStore.temporary(server: try #require(StoreBackend.postgresURL))
        _ = try await store.importLayer(name: "cases", features: FeatureCollection(BackupTests.points(0..<2_000)))
        _ = try await store.importLayer(name: "grids", features: FeatureCollection(BackupTests.points(0..<500)))
        _ = try await store.insertTrackPoints(BackupTests.fixes(0..<1_000))
        let before = Self.byTable(try await store.contentDigests())
        let policy = BackupPolicy(directory: root.appendingPathComponent("backups"))
        let (backup, written, roundsDuring) = try await AppendingWriters.around(store) {
            try await CityBackups.create(store: store, kind: .full, policy: policy, keys: BackupTests.keys)
        }
        let (casesWritten, fixesWritten, auditWritten) = written
        let (folder, manifest) = backup

        // Writers were not held up: batches kept committing while pg_dump ran.
        #expect(roundsDuring > 0)
        #expect(manifest.backend == "postgis")
        #expect(manifest.snapshotFormat == "pg_dump")
        #expect(manifest.snapshotTool?.hasPrefix("pg_dump (PostgreSQL)") == true)
        #expect(manifest.schemaMigrations == PostGISMigrations.names)
        #expect(manifest.layers.map(\.name) == ["cases", "grids"])
        // Sealed: no pg_dump header (PGDMP) in the file.
        let sealed = try Data(contentsOf: folder.appendingPathComponent(CityBackups.snapshotName))
        #expect(!sealed.prefix(64).contains(Data("PGDMP".utf8)))

        // Restore into a new database: every table measured there matches the manifest.
        let target = try Self.newDatabase()
        defer { Task { await Self.drop(target) } }
        let report = try await CityBackups.restore(folder, keys: BackupTests.keys, into: try PostGISRestoreTarget(url: Self.url(target)))
        #expect(report.restoredTo == target.description)
        #expect(report.tablesChecked == manifest.tables.count)
        let restored = try await PostGISStore.open(target)
        let restoredTables = Self.byTable(try await restored.contentDigests())
        #expect(restoredTables == Self.byTable(manifest.tables))

        // Every layer: catalogue, table and manifest agree, and its checksum is the live table's as it was when it
        // held that many rows (a single writer appends each layer, so fids rise with commits).
        let restoredLayers = try await restored.layers()
        #expect(restoredLayers.map(\.name) == ["cases", "grids"])
        for layer in restoredLayers {
            let table = PostGISLayerTable(try LayerName(layer.name)).name
            let digest = try #require(restoredTables[table], "\(layer.name)")
            #expect(layer.featureCount == digest.rows, "\(layer.name)")
            #expect(layer.featureCount == (try await restored.featureCount(in: layer.name)), "\(layer.name)")
            #expect(manifest.layers.first { $0.name == layer.name } == BackupManifest.Layer(name: layer.name, features: digest.rows, version: layer.version))
            #expect(digest == (try await Self.liveDigest(store, table: table, limit: digest.rows)), "\(layer.name)")
        }
        // Whole batches from after the writers started, at most what they wrote; the untouched layer as it was.
        let cases = try #require(restoredTables["layer_cases"])
        #expect(cases.rows >= 2_000 && cases.rows <= casesWritten && cases.rows % 50 == 0)
        #expect(restoredTables["layer_grids"] == before["layer_grids"])
        // Positions: whole batches, exactly the fixes before the snapshot's last batch (fix k has time t0 + k).
        let tracks = try #require(restoredTables["track_points"])
        #expect(tracks.rows >= 1_000 && tracks.rows <= fixesWritten && tracks.rows % 100 == 0)
        #expect(tracks == (try await Self.liveDigest(store, table: "track_points", filter: "t < \(1_795_392_000 + tracks.rows)")))
        let auditLines = try #require(restoredTables["audit_log"])
        #expect(auditLines.rows <= auditWritten)
        #expect(auditLines == (try await Self.liveDigest(store, table: auditLines.table, limit: auditLines.rows)))
        #expect(try await AuditChain.verify(restored).firstBroken == nil)
        #expect(try await restored.trackPoints(vehicle: "V0", from: nil, to: nil).count == (tracks.rows + 6) / 7)
        // The live store moved on after the snapshot: the manifest is not its present state.
        #expect(try await store.contentDigests().first { $0.table == "layer_cases" }?.rows ?? 0 >= cases.rows)
        await restored.close()
        await store.close()
    }

    @Test func aTamperedOrForeignKeyedBackupRestoresNothing() async throws {
        let root = try BackupTests.folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try await PostGISStore.temporary(server: try #require(StoreBackend.postgresURL))
        _ = try await store.importLayer(name: "cases", features: FeatureCollection(BackupTests.points(0..<100)))
        let (folder, _) = try await CityBackups.create(
            store: store, kind: .full, policy: BackupPolicy(directory: root.appendingPathComponent("b")), keys: BackupTests.keys)
        await store.close()
        let target = try Self.newDatabase()

        // A key ring without the sealing key: encryption_key_missing naming the key, before anything is made.
        let other = try DataKeyRing.parse(String(repeating: "77", count: 32), source: "other")
        let missing = await #expect(throws: GeoError.self) {
            try await CityBackups.restore(folder, keys: other, into: try PostGISRestoreTarget(url: Self.url(target)))
        }
        #expect(missing?.code == .encryptionKeyMissing)
        #expect(missing?.message.contains(BackupTests.keys.current.id) == true)

        // A PostGIS dump does not go into a SpatiaLite file, and the message says where it goes.
        let file = root.appendingPathComponent("restored.sqlite")
        let wrongKind = await #expect(throws: GeoError.self) { try await CityBackups.restore(folder, keys: BackupTests.keys, to: file) }
        #expect(wrongKind?.code == .invalidArgument)
        #expect(wrongKind?.message.contains("postgres://") == true)
        #expect(!FileManager.default.fileExists(atPath: file.path))

        // A manifest re-signed with the key but claiming a row more: the restore measures the restored database, names
        // the first table that differs and drops the database it made.
        let manifestURL = folder.appendingPathComponent("manifest.json")
        let original = try Data(contentsOf: manifestURL)
        let claimed = String(decoding: original, as: UTF8.self).replacingOccurrences(of: "\"rows\" : 100,", with: "\"rows\" : 101,")
        #expect(claimed != String(decoding: original, as: UTF8.self))
        try Data(claimed.utf8).write(to: manifestURL)
        let signature = folder.appendingPathComponent("manifest.sig")
        let originalSignature = try Data(contentsOf: signature)
        try Data(HexText.encode(try BackupTests.keys.current.authenticate(Array(claimed.utf8))).utf8).write(to: signature)
        let differs = await #expect(throws: GeoError.self) {
            try await CityBackups.restore(folder, keys: BackupTests.keys, into: try PostGISRestoreTarget(url: Self.url(target)))
        }
        #expect(differs?.code == .integrityError)
        #expect(differs?.message.hasPrefix("the restored database differs from the manifest: table layer_cases has 100 rows, SM3 ") == true, "\(differs?.message ?? "")")
        #expect(differs?.message.contains("; the manifest 101 rows, SM3 ") == true)
        #expect(try await Self.databaseExists(target) == false)
        try original.write(to: manifestURL)
        try originalSignature.write(to: signature)

        // A flipped byte in the sealed dump fails its SM3; no database is left behind.
        let snapshot = folder.appendingPathComponent(CityBackups.snapshotName)
        var bytes = try Data(contentsOf: snapshot)
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: snapshot)
        let damaged = await #expect(throws: GeoError.self) {
            try await CityBackups.restore(folder, keys: BackupTests.keys, into: try PostGISRestoreTarget(url: Self.url(target)))
        }
        #expect(damaged?.code == .integrityError)
        #expect(damaged?.message.contains("SM3") == true)
        #expect(try await Self.databaseExists(target) == false)
    }

    @Test func aRestoreIntoADatabaseHoldingTablesIsRefusedAndAnEmptyOneIsUsed() async throws {
        let root = try BackupTests.folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try await PostGISStore.temporary(server: try #require(StoreBackend.postgresURL))
        _ = try await store.importLayer(name: "cases", features: FeatureCollection(BackupTests.points(0..<300)))
        _ = try await store.importLayer(name: "imagery_index", features: FeatureCollection(BackupTests.points(0..<40)))
        // A core backup of the layer cases.
        let policy = BackupPolicy(directory: root.appendingPathComponent("b"), coreLayers: ["cases"])
        let (folder, manifest) = try await CityBackups.create(store: store, kind: .core, policy: policy, keys: BackupTests.keys)
        #expect(manifest.layers.map(\.name) == ["cases"])
        #expect(!manifest.tables.contains { $0.table == "layer_imagery_index" })

        // Another CityGeo database is refused, naming its tables, and left as it was.
        let occupied = try await PostGISStore.temporary(server: try #require(StoreBackend.postgresURL))
        _ = try await occupied.importLayer(name: "streets", features: FeatureCollection(BackupTests.points(0..<10)))
        let occupiedBefore = try await occupied.contentDigests()
        let refused = await #expect(throws: GeoError.self) {
            try await CityBackups.restore(folder, keys: BackupTests.keys, into: try PostGISRestoreTarget(url: Self.url(occupied.location)))
        }
        #expect(refused?.code == .invalidArgument)
        #expect(refused?.message.contains("already holds CityGeo tables") == true)
        #expect(refused?.message.contains(" of them: api_keys, audit_log,") == true, "\(refused?.message ?? "")")
        #expect(try await occupied.contentDigests() == occupiedBefore)
        await occupied.close()

        // An empty database made beforehand (by a DBA, say) is used and kept; the core backup restores one layer.
        let empty = try Self.newDatabase()
        defer { Task { await Self.drop(empty) } }
        try await PostGISConnections.withConnection(to: empty.with(database: "postgres"), logger: Logger(label: "test")) { connection in
            try await connection.run(PostgresQuery(unsafeSQL: "CREATE DATABASE \(empty.database)"), logger: Logger(label: "test"))
        }
        let report = try await CityBackups.restore(folder, keys: BackupTests.keys, into: try PostGISRestoreTarget(url: Self.url(empty)))
        #expect(report.tablesChecked == manifest.tables.count)
        let restored = try await PostGISStore.open(empty)
        #expect(try await restored.layers().map(\.name) == ["cases"])
        #expect(try await restored.featureCount(in: "cases") == 300)
        #expect(Self.byTable(try await restored.contentDigests())["layer_cases"] == Self.byTable(manifest.tables)["layer_cases"])
        await restored.close()

        // Without a database the dump is opened and read by pg_restore, its tables left unchecked.
        let read = try await CityBackups.restore(folder, keys: BackupTests.keys, into: try PostGISRestoreTarget(url: nil))
        #expect(read.tablesChecked == 0)
        #expect(read.restoredTo == nil)
        #expect(read.targetCheck == "pg_restore --list")
        await store.close()
    }

    /// The digests do not depend on the session: another time zone and float format (rounded to 15 digits) give the same SM3.
    @Test func digestsAreTheSameWhateverTheSessionSettings() async throws {
        let store = try await PostGISStore.temporary(server: try #require(StoreBackend.postgresURL))
        _ = try await store.importLayer(name: "cases", features: FeatureCollection(BackupTests.points(0..<50)))
        _ = try await store.insertTrackPoints(BackupTests.fixes(0..<50))
        let first = try await store.contentDigests()
        try await store.execute("ALTER DATABASE \(store.location.database) SET TimeZone = 'Asia/Shanghai'")
        try await store.execute("ALTER DATABASE \(store.location.database) SET extra_float_digits = 0")
        let reopened = try await PostGISStore.open(store.location)
        #expect(try await reopened.contentDigests() == first)
        #expect(first.contains { $0.table == "fence_events" } && !first.contains { $0.table == "spatial_ref_sys" })
        #expect(!first.contains { $0.table.hasPrefix("track_points_") })
        await reopened.close()
        await store.close()
    }
}
