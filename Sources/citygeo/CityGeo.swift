import ArgumentParser

/// The `citygeo` command: a thin layer that parses arguments, calls the libraries and prints.
@main
struct CityGeoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "citygeo",
        abstract: "CityGeo: unit grids, sampling, geocoding, fences, trajectories and vector tiles for city management.",
        subcommands: [ServeCommand.self, ImportCommand.self, ExportCommand.self, LayersCommand.self, GridCommand.self, SampleCommand.self, GeocodeCommand.self, FenceCommand.self, TilesCommand.self, TrajectoryCommand.self, DemoCityCommand.self, KeysCommand.self])
}

/// Options shared by every command that opens the database.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "The SpatiaLite database file.")
    var database: String = "data/citygeo.sqlite"
}
