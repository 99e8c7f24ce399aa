import ArgumentParser
import DemoCity
import Foundation

struct DemoCityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-city",
        abstract: "Generate the demo city (大丰区, 320904) into GridData/ and AddressBooks/, deterministic from a seed.")

    @Option(help: "Seed of every random choice.") var seed: UInt64 = DemoCityGenerator.defaultSeed
    @Option(help: "Area multiplier of the urban core (1: ~4,000 core unit grids; 13: over 50,000).") var scale = 1.0
    @Option(name: .shortAndLong, help: "Folder to write GridData/ and AddressBooks/ into.") var output = "."
    @Option(help: "The district boundary (GeoJSON, WGS 84).")
    var boundary = "GridData/sources/dafeng-320904-boundary.geojson"

    func run() async throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: boundary))
        let started = Date()
        let city = try DemoCityGenerator.generate(
            boundaryGeoJSON: Array(bytes), options: .init(seed: seed, scale: scale))
        try city.write(to: URL(fileURLWithPath: output))
        for (kind, count) in city.counts { print("\(kind): \(count)") }
        let size = city.files.reduce(0) { $0 + $1.bytes.count }
        print(String(format: "wrote %d files (%.1f MB) to %@ in %.1f s", city.files.count, Double(size) / 1e6, output, Date().timeIntervalSince(started)))
    }
}
