import Foundation
import GeoCore
import GeoCrypto
internal import GRDB

/// The two kinds of backup the procurements ask for: core data monthly, everything every six months.
public enum BackupKind: String, Sendable, CaseIterable, Codable {
    /// The core layers (``BackupPolicy/coreLayers``) with fences, events, tracks, keys and the audit log.
    case core
    /// The whole store.
    case full
}

/// Where backups go, what core means, how often each kind is due and how many are kept.
@MemberwiseInit
public struct BackupPolicy: Sendable, Hashable {
    public var directory: URL
    /// Layers a core backup keeps; nil keeps every layer (then core and full differ only in their schedule).
    public var coreLayers: [String]?
    public var coreIntervalDays: Double = 30
    public var fullIntervalDays: Double = 182
    /// Backups of each kind kept; older ones are deleted after a new one is complete.
    public var keepCore: Int = 12
    public var keepFull: Int = 4
}

/// What a backup holds, written beside its sealed snapshot as `manifest.json` and authenticated by
/// `manifest.sig` (HMAC-SM3 under the data key).
public struct BackupManifest: Sendable, Hashable, Codable {
    public struct File: Sendable, Hashable, Codable {
        public var name: String
        public var sealedSM3: String
        public var plaintextSM3: String
        public var plaintextBytes: Int
    }

    @MemberwiseInit
    public struct Layer: Sendable, Hashable, Codable {
        public var name: String
        public var features: Int
        public var version: Int64
    }

    public var format = "citygeo-backup-1"
    public var kind: BackupKind
    /// ISO 8601, China Standard Time.
    public var createdAt: String
    public var createdAtSeconds: Double
    public var backend: String
    public var backendVersion: String
    public var snapshotFormat: String
    /// The program that wrote the snapshot, with its version (absent in manifests of earlier releases).
    public var snapshotTool: String?
    public var schemaMigrations: [String]
    /// The data key that sealed the snapshot (its id only).
    public var keyId: String
    public var files: [File]
    public var layers: [Layer]
    public var tables: [ContentDigest]
}

/// Backups and restores: a consistent snapshot of a running store, sealed with SM4 (``SealedFile``), with a manifest
/// of SM3 digests of every file and every table; restores check all of it and produce a new database, whole or
/// not at all.
public enum CityBackups {
    static let snapshotName = "store.snapshot.sm4"

    /// Takes a backup of `kind` into a new folder of `policy.directory`, then deletes backups beyond the policy's
    /// counts. The folder appears under its final name only once complete.
    public static func create(
        store: any CityStore, kind: BackupKind, policy: BackupPolicy, keys: DataKeyRing, now: Date = Date()
    ) async throws(GeoError) -> (folder: URL, manifest: BackupManifest) {
        let stamp = Self.stamp(now)
        let folder = policy.directory.appendingPathComponent("citygeo-\(kind.rawValue)-\(stamp)", isDirectory: true)
        let partial = policy.directory.appendingPathComponent(".partial-citygeo-\(kind.rawValue)-\(stamp)", isDirectory: true)
        try Files.createPrivateDirectory(partial)
        var complete = false
        defer { if !complete { try? FileManager.default.removeItem(at: partial) } }
        let plain = partial.appendingPathComponent("snapshot.plain")
        let contents = try await store.writeSnapshot(to: plain, keepingLayers: kind == .core ? policy.coreLayers.map(Set.init) : nil)
        let sealed = partial.appendingPathComponent(snapshotName)
        let digests = try SealedFile.seal(plain, to: sealed, key: keys.current)
        try? FileManager.default.removeItem(at: plain)
        let description = try await store.describe()
        let manifest = BackupManifest(
            kind: kind, createdAt: TimeText.format(now.timeIntervalSince1970), createdAtSeconds: now.timeIntervalSince1970,
            backend: description.backend, backendVersion: description.version, snapshotFormat: store.snapshotFormat,
            snapshotTool: contents.tool, schemaMigrations: contents.schemaMigrations, keyId: keys.current.id,
            files: [
                .init(name: snapshotName, sealedSM3: digests.sealedSM3, plaintextSM3: digests.plaintextSM3, plaintextBytes: digests.plaintextBytes)
            ],
            layers: contents.layers, tables: contents.tables)
        try writeManifest(manifest, in: partial, key: keys.current)
        do {
            try FileManager.default.moveItem(at: partial, to: folder)
        } catch {
            throw GeoError(code: .ioError, message: "cannot move the finished backup to \(folder.path)", underlying: "\(error)")
        }
        complete = true
        try prune(policy)
        return (folder, manifest)
    }

    /// What a restore checked.
    public struct RestoreReport: Sendable, Hashable {
        public var manifest: BackupManifest
        /// Tables whose count and SM3 matched the manifest, measured in the restored database; 0 when the target only
        /// reads the snapshot (``BackupRestoreTarget/load(_:manifest:)`` returned nil).
        public var tablesChecked: Int
        /// What the target checked besides the digests (`SQLite's integrity check`, `pg_restore into …`).
        public var targetCheck: String
        /// Where the database was restored (a path, or host:port/database), nil for a check alone.
        public var restoredTo: String?
    }

    /// The manifest of the backup in `folder`, its signature checked with `keys`.
    public static func manifest(in folder: URL, keys: DataKeyRing) throws(GeoError) -> BackupManifest {
        try readManifest(in: folder, keys: keys)
    }

    /// Checks the backup in `folder` and restores it into the new SpatiaLite file `target`, or only checks it when
    /// nil: ``restore(_:keys:into:)`` with a ``SpatiaLiteRestoreTarget``.
    public static func restore(_ folder: URL, keys: DataKeyRing, to target: URL?) async throws(GeoError) -> RestoreReport {
        try await restore(folder, keys: keys, into: SpatiaLiteRestoreTarget(file: target))
    }

    /// Checks the backup in `folder` (the manifest's signature, the SM3 of the sealed and the opened snapshot), loads
    /// the snapshot into `target` (a new database), measures every table and layer there and compares them with the
    /// manifest, naming the first that differs. The target keeps the database only when every check passed.
    public static func restore(_ folder: URL, keys: DataKeyRing, into target: any BackupRestoreTarget) async throws(GeoError) -> RestoreReport {
        let manifest = try readManifest(in: folder, keys: keys)
        guard manifest.snapshotFormat == target.snapshotFormat else {
            throw GeoError(code: .invalidArgument, message: formatMismatch(manifest.snapshotFormat))
        }
        guard let file = manifest.files.first(where: { $0.name == snapshotName }) else {
            throw GeoError(code: .integrityError, message: "the manifest lists no \(snapshotName)")
        }
        let sealed = folder.appendingPathComponent(file.name)
        guard try SealedFile.sm3(of: sealed) == file.sealedSM3 else {
            throw GeoError(code: .integrityError, message: "\(file.name) does not match the SM3 in the manifest: damaged or replaced")
        }
        try await target.prepare()
        let work = target.scratchFolder.appendingPathComponent(".restore-\(UUID().uuidString)", isDirectory: true)
        var kept = false
        do throws(GeoError) {
            try Files.createPrivateDirectory(work)
            defer { try? FileManager.default.removeItem(at: work) }
            let plain = work.appendingPathComponent("restored.snapshot")
            let opened = try SealedFile.open(sealed, to: plain, keys: keys)
            guard opened.plaintextSM3 == file.plaintextSM3 else {
                throw GeoError(code: .integrityError, message: "the opened snapshot does not match the SM3 in the manifest")
            }
            let restored = try await target.load(plain, manifest: manifest)
            if let restored { try compare(restored, with: manifest) }
            let location = try await target.keep(plain, manifest: manifest)
            kept = true
            return RestoreReport(
                manifest: manifest, tablesChecked: restored?.tables.count ?? 0, targetCheck: target.check, restoredTo: location)
        } catch {
            if !kept { await target.discard() }
            throw error
        }
    }

    /// The first difference between what a restored database holds and what the manifest says the snapshot held:
    /// tables in the manifest's order, then tables the manifest does not list, then layers, then the migrations.
    static func compare(_ restored: SnapshotContents, with manifest: BackupManifest) throws(GeoError) {
        try firstDifference("table", restored.tables, manifest.tables, key: \.table) { "\($0.rows) rows, SM3 \($0.sm3.prefix(16))…" }
        try firstDifference("layer", restored.layers, manifest.layers, key: \.name) { "\($0.features) features (version \($0.version))" }
        guard restored.schemaMigrations == manifest.schemaMigrations else {
            throw GeoError(
                code: .integrityError,
                message: "the restored database differs from the manifest: schema migrations \(restored.schemaMigrations.joined(separator: ", ")); "
                    + "the manifest \(manifest.schemaMigrations.joined(separator: ", "))")
        }
    }

    /// The first of `listed` (in its order) that `restored` lacks or holds otherwise, then the first of `restored`
    /// that is not listed: `integrity_error` naming it, described by `describe` on both sides.
    private static func firstDifference<Item: Hashable>(
        _ kind: String, _ restored: [Item], _ listed: [Item], key: (Item) -> String, describe: (Item) -> String
    ) throws(GeoError) {
        func mismatch(_ what: String) -> GeoError {
            GeoError(code: .integrityError, message: "the restored database differs from the manifest: \(kind) \(what)")
        }
        let found = Dictionary(restored.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        for expected in listed {
            guard let item = found[key(expected)] else { throw mismatch("\(key(expected)) is missing") }
            guard item == expected else { throw mismatch("\(key(expected)) has \(describe(item)); the manifest \(describe(expected))") }
        }
        let names = Set(listed.map(key))
        if let extra = restored.first(where: { !names.contains(key($0)) }) {
            throw mismatch("\(key(extra)) (\(describe(extra))) is not in the manifest")
        }
    }

    /// Why a backup cannot go into a target of another format.
    private static func formatMismatch(_ format: String) -> String {
        switch format {
        case "sqlite": "the backup is a SpatiaLite snapshot: it restores into a new SpatiaLite file, not a PostgreSQL database"
        case "pg_dump":
            "the backup is a pg_dump of a PostGIS database: it restores into a new PostgreSQL database given as "
                + "--to postgres://user@host:port/database, not into a SpatiaLite file"
        default: "the backup is a \(format) snapshot, which this restore cannot read"
        }
    }

    /// The kind of backup due at `now` under `policy` (full first), nil when the newest ones are recent enough.
    public static func due(_ policy: BackupPolicy, now: Date = Date()) -> BackupKind? {
        let backups = existing(in: policy.directory)
        let newestFull = backups.filter { $0.kind == .full }.map(\.time).max()
        let newest = backups.map(\.time).max()
        let day = 86_400.0
        if newestFull.map({ now.timeIntervalSince1970 - $0 >= policy.fullIntervalDays * day }) ?? true { return .full }
        if newest.map({ now.timeIntervalSince1970 - $0 >= policy.coreIntervalDays * day }) ?? true { return .core }
        return nil
    }

    /// Deletes the oldest backups of each kind beyond the policy's counts; the folders deleted.
    @discardableResult
    public static func prune(_ policy: BackupPolicy) throws(GeoError) -> [URL] {
        var removed: [URL] = []
        for kind in BackupKind.allCases {
            let keep = kind == .core ? policy.keepCore : policy.keepFull
            let mine = existing(in: policy.directory).filter { $0.kind == kind }.sorted { $0.time > $1.time }
            for old in mine.dropFirst(max(1, keep)) {
                do { try FileManager.default.removeItem(at: old.folder) } catch {
                    throw GeoError(code: .ioError, message: "cannot delete the old backup \(old.folder.path)", underlying: "\(error)")
                }
                removed.append(old.folder)
            }
        }
        return removed
    }

    /// The complete backups in `directory`, by kind and time (from their folder names).
    public static func existing(in directory: URL) -> [(folder: URL, kind: BackupKind, time: Double)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.compactMap { name in
            let parts = name.split(separator: "-")
            guard parts.count == 3, parts[0] == "citygeo", let kind = BackupKind(rawValue: String(parts[1])),
                let time = parseStamp(String(parts[2]))
            else { return nil }
            return (directory.appendingPathComponent(name, isDirectory: true), kind, time)
        }
    }

    // MARK: manifest and names

    private static func writeManifest(_ manifest: BackupManifest, in folder: URL, key: DataKey) throws(GeoError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            let bytes = try encoder.encode(manifest)
            try bytes.write(to: folder.appendingPathComponent("manifest.json"))
            try Data(HexText.encode(try key.authenticate(Array(bytes))).utf8).write(to: folder.appendingPathComponent("manifest.sig"))
        } catch let error as GeoError {
            throw error
        } catch {
            throw GeoError(code: .ioError, message: "cannot write the manifest in \(folder.path)", underlying: "\(error)")
        }
    }

    private static func readManifest(in folder: URL, keys: DataKeyRing) throws(GeoError) -> BackupManifest {
        let bytes: Data
        let signature: String
        do {
            bytes = try Data(contentsOf: folder.appendingPathComponent("manifest.json"))
            signature = try String(contentsOf: folder.appendingPathComponent("manifest.sig"), encoding: .utf8)
        } catch {
            throw GeoError(code: .ioError, message: "\(folder.path) holds no readable manifest.json and manifest.sig", underlying: "\(error)")
        }
        let decoder = JSONDecoder()
        let manifest: BackupManifest
        do { manifest = try decoder.decode(BackupManifest.self, from: bytes) } catch {
            throw GeoError(code: .integrityError, message: "manifest.json is not a CityGeo backup manifest", underlying: "\(error)")
        }
        guard let key = keys.key(id: manifest.keyId) else {
            throw GeoError(code: .encryptionKeyMissing, message: "the backup was sealed with data key \(manifest.keyId), which the key ring does not hold")
        }
        let expected = try key.authenticate(Array(bytes))
        guard let given = HexText.decode(signature.trimmingCharacters(in: .whitespacesAndNewlines)), ConstantTime.equal(given, expected) else {
            throw GeoError(code: .integrityError, message: "manifest.json fails its HMAC-SM3 signature: it was changed")
        }
        return manifest
    }

    private static func stamp(_ date: Date) -> String {
        // UTC, sortable, no separators that file systems or the name's own dashes would trip over.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    private static func parseStamp(_ text: String) -> Double? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.date(from: text)?.timeIntervalSince1970
    }
}

/// File helpers of backups.
enum Files {
    /// A new folder readable by its owner only.
    static func createPrivateDirectory(_ url: URL) throws(GeoError) {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw GeoError(code: .ioError, message: "cannot create \(url.path)", underlying: "\(error)")
        }
    }
}

/// A SQLite snapshot file on its own: read without SpatiaLite and without changing it (no WAL files appear).
enum SnapshotFile {
    private static func open(_ file: URL, readOnly: Bool) throws(GeoError) -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = readOnly
        do { return try DatabaseQueue(path: file.path, configuration: configuration) } catch {
            throw GeoError.store(error, "cannot open the snapshot \(file.path)")
        }
    }

    /// The snapshot's tables, layers and migrations, read in one transaction.
    static func contents(_ file: URL) throws(GeoError) -> SnapshotContents {
        let queue = try open(file, readOnly: true)
        do {
            return try queue.read { db in
                let tables = try ContentDigests.all(db)
                let rows = Dictionary(tables.map { ($0.table, $0.rows) }, uniquingKeysWith: { a, _ in a })
                let layers = try Row.fetchAll(db, sql: "SELECT name, version FROM geo_layers ORDER BY name").map { row in
                    let name: String = row["name"]
                    return BackupManifest.Layer(name: name, features: rows[(try? LayerName(name))?.tableName ?? ""] ?? 0, version: row["version"])
                }
                let version = try String.fetchOne(db, sql: "SELECT sqlite_version()") ?? "?"
                return SnapshotContents(tables: tables, layers: layers, schemaMigrations: try ContentDigests.migrations(db), tool: "SQLite \(version)")
            }
        } catch {
            throw GeoError.store(error, "cannot read the snapshot \(file.path)")
        }
    }

    static func checkIntegrity(_ file: URL) throws(GeoError) {
        let queue = try open(file, readOnly: true)
        let result: [String]
        do { result = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") } } catch {
            throw GeoError.store(error, "cannot check the snapshot \(file.path)")
        }
        guard result == ["ok"] else {
            throw GeoError(code: .integrityError, message: "the restored database fails SQLite's integrity check: \(result.prefix(3).joined(separator: "; "))")
        }
    }

    /// Deletes from a snapshot every layer not in `keep` (through SpatiaLite, so its metadata stays right), then
    /// compacts it and leaves it in rollback-journal mode.
    static func keepOnlyLayers(_ keep: Set<String>, in file: URL) async throws(GeoError) {
        do {
            let store = try SpatialStore(path: file.path)
            for layer in try await store.layers() where !keep.contains(layer.name) {
                try await store.deleteLayer(named: layer.name)
            }
        }
        let queue = try open(file, readOnly: false)
        do {
            try await queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
                try db.execute(sql: "VACUUM")
            }
        } catch {
            throw GeoError.store(error, "cannot compact the snapshot \(file.path)")
        }
    }
}
