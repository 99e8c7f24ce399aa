import ArgumentParser

/// The `citygeo` command: a thin layer that parses arguments, calls the libraries and prints.
@main
struct CityGeoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "citygeo",
        abstract: "CityGeo: unit grids, sampling, geocoding, fences, trajectories and vector tiles for city management.",
        subcommands: [])
}
