import ArgumentParser
import Foundation
import GeoServer
import GeoStore

/// The `citygeo` command: a thin layer that parses arguments, calls the libraries and prints.
@main
struct CityGeoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "citygeo",
        abstract: "CityGeo: unit grids, sampling, geocoding, fences, trajectories and vector tiles for city management.",
        subcommands: [ServeCommand.self, ImportCommand.self, ExportCommand.self, LayersCommand.self, GridCommand.self, RegionsCommand.self, StatsCommand.self, SampleCommand.self, GeocodeCommand.self, FenceCommand.self, TilesCommand.self, TrajectoryCommand.self, AnalyzeCommand.self, RouteCommand.self, DemoCityCommand.self, KeysCommand.self])
}

/// Options shared by every command that opens the database.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "The database: a SpatiaLite file, or a PostgreSQL/PostGIS URL postgres://user@host:port/db.")
    var database: String = "data/citygeo.sqlite"

    /// The store the option names (``CityStoreOpener``, the one place that names a backend).
    func open() async throws -> any CityStore { try await CityStoreOpener.open(database) }
}

/// Writes made from the command line go to the server's audit log too, under the operating-system user, so the
/// log answers "who changed this" whichever way the change came in.
func recordCommandLineWrite(_ store: any CityStore, command: String, detail: String) async {
    let user = ProcessInfo.processInfo.environment["USER"] ?? NSUserName()
    let entry = AuditEntry(
        time: Date().timeIntervalSince1970, keyId: nil, keyName: "cli:\(user)", method: "CLI", path: command, status: 200,
        detail: detail, remoteAddress: nil)
    do {
        try await store.appendAudit([entry])
    } catch {
        FileHandle.standardError.write(Data("warning: the audit log could not record this change: \(error)\n".utf8))
    }
}
