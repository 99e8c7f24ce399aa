import ArgumentParser
import Foundation
import GeoCore
import GeoStore
import GeoTiles

struct TilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tiles", abstract: "Vector tiles of layers.", subcommands: [TilesExportCommand.self])
}

struct TilesExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a layer's (or comma-joined layers') tile pyramid to an MBTiles 1.3 file (gzipped MVT, TMS rows).")

    @Option(help: "A layer name, or layer names joined by commas for composite tiles.") var source: String
    @Option(help: "First zoom.") var minzoom = 10
    @Option(help: "Last zoom.") var maxzoom = 16
    @Option(name: .shortAndLong, help: "The .mbtiles file to write (replaced if it exists).") var output: String
    @Option(help: "Tiles rendered at once.") var jobs = ProcessInfo.processInfo.activeProcessorCount
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard (0...TileID.maximumZoom).contains(minzoom), (minzoom...TileID.maximumZoom).contains(maxzoom) else {
            throw ValidationError("zooms must satisfy 0 <= --minzoom <= --maxzoom <= \(TileID.maximumZoom)")
        }
    }

    func run() async throws {
        let store = try await database.open()
        // Every layer exported at the zooms asked for: the command line, not a server default, decides. The
        // layer version is confirmed every few seconds, not per tile: an export reads one state of the data.
        let layerOptions = StoreLayerSourceOptions(minzoom: minzoom, maxzoom: maxzoom)
        let service = TileService(store: store, configuration: TileServiceConfiguration(defaultLayerOptions: layerOptions, versionCheckInterval: .seconds(5)))
        let bar = ProgressBar(label: "tiles \(source) z\(minzoom)-\(maxzoom)")
        let started = Date()
        let summary = try await MBTilesExport.run(
            service: service, source: source, minzoom: minzoom, maxzoom: maxzoom, output: output, concurrency: jobs
        ) { done, total in bar.update(done: done, total: total) }
        let seconds = Date().timeIntervalSince(started)
        print("wrote \(summary.tilesWritten) tiles (\(summary.tilesVisited) visited, \(summary.bytes) bytes gzipped) to \(output) in \(String(format: "%.1f", seconds)) s")
    }
}
