import ArgumentParser
import Foundation
import GeoCore
import GeoCrypto
import GeoServer
import GeoStore

/// The `citygeo` command: a thin layer that parses arguments, calls the libraries and prints.
@main
struct CityGeoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "citygeo",
        abstract: "CityGeo: unit grids, sampling, geocoding, fences, trajectories and vector tiles for city management.",
        subcommands: [ServeCommand.self, ImportCommand.self, ExportCommand.self, LayersCommand.self, GridCommand.self, RegionsCommand.self, StatsCommand.self, SampleCommand.self, GeocodeCommand.self, FenceCommand.self, TilesCommand.self, TrajectoryCommand.self, AnalyzeCommand.self, RouteCommand.self, DemoCityCommand.self, KeysCommand.self, AuditCommand.self, BackupCommand.self, RestoreCommand.self, CryptoCommand.self])
}

/// Options shared by every command that opens the database.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "The database: a SpatiaLite file, or a PostgreSQL/PostGIS URL postgres://user@host:port/db.")
    var database: String = "data/citygeo.sqlite"
    @Option(help: "The data key file sealing sensitive columns and backups (default: CITYGEO_CRYPTO_KEY_FILE, or one key in CITYGEO_CRYPTO_KEY).")
    var keyFile: String?

    /// The data keys: `--key-file`, else the environment's; nil when none is given.
    func dataKeys() throws -> DataKeyRing? {
        let environment = ProcessInfo.processInfo.environment
        return try DataKeyRing.configured(file: keyFile ?? environment["CITYGEO_CRYPTO_KEY_FILE"], environmentKey: environment["CITYGEO_CRYPTO_KEY"])
    }

    /// The data keys, or the error naming how to give them.
    func requiredDataKeys() throws -> DataKeyRing {
        guard let keys = try dataKeys() else {
            throw GeoError(
                code: .encryptionKeyMissing,
                message: "no data key: give --key-file (a file of 64-hex-digit keys, mode 600; `citygeo crypto keygen` makes one) or CITYGEO_CRYPTO_KEY")
        }
        return keys
    }

    /// The store the option names (``CityStoreOpener``, the one place that names a backend).
    func open() async throws -> any CityStore { try await CityStoreOpener.open(database, dataKeys: try dataKeys()) }
}

/// Writes made from the command line go to the server's audit log too, under the operating-system user, so the
/// log answers "who changed this" whichever way the change came in.
func recordCommandLineWrite(_ store: any CityStore, command: String, detail: String, kind: AuditKind = .operation) async {
    let user = ProcessInfo.processInfo.environment["USER"] ?? NSUserName()
    let entry = AuditEntry(
        time: Date().timeIntervalSince1970, kind: kind, keyId: nil, keyName: "cli:\(user)", method: "CLI", path: command, status: 200,
        detail: detail, remoteAddress: nil)
    do {
        try await store.appendAudit([entry])
    } catch {
        FileHandle.standardError.write(Data("warning: the audit log could not record this change: \(error)\n".utf8))
    }
}
