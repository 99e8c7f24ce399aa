import ArgumentParser
import Foundation
import GeoCore
import GeoCrypto
import GeoServer
import GeoStore

/// `citygeo backup`: an online, consistent, SM4-sealed backup with its manifest, under the retention policy.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up the database while the server runs: a consistent snapshot sealed with SM4, a manifest of SM3 digests.",
        discussion: """
            The policy (directory, core layers, intervals, how many to keep) comes from the backup.* settings of \
            --config and CITYGEO_BACKUP_* (docs/operations.md); --directory overrides the folder. --kind due (for a \
            daily timer) makes a full backup when the last is older than backup.full_interval_days, else a core one \
            when the last is older than backup.core_interval_days, else nothing. Old backups beyond the policy's counts \
            are deleted after a new one is complete. A SpatiaLite file is copied with VACUUM INTO; a PostGIS database \
            (--database postgres://…) with pg_dump (custom format, of one snapshot that the manifest's digests are \
            measured in), found on PATH or in /usr/lib/postgresql/*/bin.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: "A JSON configuration file with backup.* settings.") var config: String?
    @Option(help: "The folder backups go to (default: backup.directory).") var directory: String?
    @Option(help: "core, full, or due.") var kind = "due"

    func run() async throws {
        var policy = try await ServerSettings.load(file: config, environment: ProcessInfo.processInfo.environment, over: ServerConfiguration())
            .0.backup
        if let directory { policy = policy ?? BackupPolicy(directory: URL(fileURLWithPath: directory)); policy?.directory = URL(fileURLWithPath: directory) }
        guard let policy else { throw ValidationError("no backup folder: give --directory or set backup.directory") }
        let chosen: BackupKind?
        switch kind {
        case "due": chosen = CityBackups.due(policy)
        case let name: guard let parsed = BackupKind(rawValue: name) else { throw ValidationError("--kind must be core, full or due") }; chosen = parsed
        }
        guard let chosen else {
            print("no backup due: the newest are within backup.core_interval_days and backup.full_interval_days")
            return
        }
        let keys = try database.requiredDataKeys()
        let store = try await database.open()
        let (folder, manifest) = try await CityBackups.create(store: store, kind: chosen, policy: policy, keys: keys)
        let rows = manifest.tables.reduce(0) { $0 + $1.rows }
        await recordCommandLineWrite(
            store, command: "citygeo backup", detail: "\(chosen.rawValue) backup \(folder.lastPathComponent): \(manifest.tables.count) tables, \(rows) rows",
            kind: .system)
        print("\(chosen.rawValue) backup: \(folder.path)")
        print("sealed with SM4 under data key \(manifest.keyId); \(manifest.layers.count) layers, \(manifest.tables.count) tables, \(rows) rows")
        for layer in manifest.layers { print("  \(layer.name): \(layer.features) features (version \(layer.version))") }
    }
}

/// `citygeo restore`: checks a backup and restores it into a new database, whole or not at all.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Check a backup (signature, SM3 of every file and table) and restore it into a new database.",
        discussion: """
            A SpatiaLite backup restores into a new file; a PostGIS backup (pg_dump) into a new or empty PostgreSQL \
            database given as --to postgres://user@host:port/database (made when missing), where every table's count \
            and SM3 are measured again. With --verify and no --to, a SpatiaLite backup is checked on a temporary copy \
            that is deleted (a restore drill); a PostGIS backup is opened and read by pg_restore --list, its tables \
            unchecked.
            """)

    @Argument(help: "The backup folder (citygeo-full-… or citygeo-core-…).") var backup: String
    @Option(help: "The new database to restore into: a SpatiaLite file that must not exist, or for a PostGIS backup a postgres:// URL.")
    var to: String?
    @Flag(help: "Check everything; without --to nothing is kept.") var verify = false
    @Option(help: "The data key file (default: CITYGEO_CRYPTO_KEY_FILE or CITYGEO_CRYPTO_KEY).") var keyFile: String?

    func run() async throws {
        guard to != nil || verify else { throw ValidationError("give --to NEW_DATABASE, or --verify for a check alone") }
        let options = try DatabaseOptions.parse(keyFile.map { ["--key-file", $0] } ?? [])
        let keys = try options.requiredDataKeys()
        let folder = URL(fileURLWithPath: backup)
        let target = try CityStoreOpener.restoreTarget(to, backupFormat: try CityBackups.manifest(in: folder, keys: keys).snapshotFormat)
        let report = try await CityBackups.restore(folder, keys: keys, into: target)
        let manifest = report.manifest
        let heading = "backup \(manifest.kind.rawValue) of \(manifest.createdAt) (\(manifest.backend))"
        if report.tablesChecked > 0 {
            print("\(heading): signature, SM3 of the sealed and opened snapshot, \(report.targetCheck) and \(report.tablesChecked) tables match")
        } else {
            print("\(heading): signature, SM3 of the sealed and opened snapshot and \(report.targetCheck) pass; "
                + "its tables are checked only by a restore into a database (--to postgres://…)")
        }
        for layer in manifest.layers { print("  \(layer.name): \(layer.features) features") }
        if let restored = report.restoredTo, let to {
            let store = try await CityStoreOpener.open(to, dataKeys: try options.dataKeys())
            await recordCommandLineWrite(store, command: "citygeo restore", detail: "restored \(backup) (\(manifest.createdAt))", kind: .system)
            print("restored into \(restored)")
        } else {
            print("verified; nothing restored")
        }
    }
}

/// `citygeo crypto keygen|protect|reseal|columns`: data keys and sensitive columns.
struct CryptoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crypto", abstract: "Data keys (SM4) and the columns kept encrypted at rest.",
        subcommands: [Keygen.self, Protect.self, Reseal.self, Columns.self, Selftest.self])

    struct Keygen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append a new data key to a key file (created with mode 600); the last key of the file seals new data.")
        @Argument(help: "The key file.") var file: String

        func run() async throws {
            let line = try DataKey.generateLine()
            let manager = FileManager.default
            if manager.fileExists(atPath: file) {
                guard let handle = FileHandle(forWritingAtPath: file) else { throw ValidationError("cannot write \(file)") }
                try handle.seekToEnd()
                try handle.write(contentsOf: Data((line + "\n").utf8))
                try handle.close()
            } else {
                guard manager.createFile(atPath: file, contents: Data(("# CityGeo data keys: the last line seals new data\n" + line + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
                    throw ValidationError("cannot create \(file)")
                }
            }
            let ring = try DataKeyRing.load(file: file)
            print("data key \(ring.current.id) appended to \(file) (\(ring.keys.count) keys); run `citygeo crypto reseal` to move sealed values to it")
        }
    }

    struct Protect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Keep a layer's column encrypted at rest (SM4-CBC + HMAC-SM3); seals its stored values now.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The layer.") var layer: String
        @Option(help: "The attribute, e.g. reporter_phone.") var column: String

        func run() async throws {
            _ = try database.requiredDataKeys()
            let store = try await database.open()
            let count = try await store.protect(SensitiveColumn(layer: layer, column: column))
            await recordCommandLineWrite(store, command: "citygeo crypto protect", detail: "\(layer).\(column): \(count) values sealed")
            print("\(layer).\(column) is kept encrypted; \(count) stored values sealed")
        }
    }

    struct Reseal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Re-encrypt every sensitive value under the newest data key (key rotation).")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let keys = try database.requiredDataKeys()
            let store = try await database.open()
            let count = try await store.resealSensitiveColumns()
            await recordCommandLineWrite(store, command: "citygeo crypto reseal", detail: "\(count) rows re-sealed under key \(keys.current.id)", kind: .system)
            print("\(count) rows re-sealed under data key \(keys.current.id); older keys may now leave the key file once no backup needs them")
        }
    }

    struct Columns: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the columns kept encrypted.")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let columns = try await database.open().sensitiveColumns()
            if columns.isEmpty { print("no sensitive columns; mark one with citygeo crypto protect --layer L --column C") }
            for column in columns { print("\(column.layer).\(column.column)") }
        }
    }

    struct Selftest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check SM3, SM4 and HMAC-SM3 of this machine's OpenSSL against the examples of GB/T 32905 and GB/T 32907.",
            discussion: "Prints one line per check and exits 1 when any differs.")
        @Flag(help: "Leave out GB/T 32907 A.2 (one block enciphered 1,000,000 times).") var quick = false

        func run() async throws {
            let results = KnownAnswers.run(long: !quick)
            for result in results {
                print("\(result.passed ? "PASS" : "FAIL") \(result.name): \(result.computed)\(result.passed ? "" : " (expected \(result.expected))")")
            }
            if results.contains(where: { !$0.passed }) { throw ExitCode(1) }
        }
    }
}
