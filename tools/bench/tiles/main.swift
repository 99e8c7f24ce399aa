// Vector-tile pyramid benchmark: every tile covering a layer's bounds from zoom MIN to MAX, cut cold (no tile
// cache) by GeoTiles from a SpatiaLite store, as `GET /tiles/...` would on a cache miss.
// Usage: bench-tiles LAYER.geojson [MINZOOM MAXZOOM [JOBS [SIMPLIFICATION]]]
// Prints one JSON line: tiles, non-empty tiles, features written, bytes, the one-time layer snapshot load and
// tiles/s (best of two runs, each on a fresh service so that nothing is cached).
import Foundation
import GeoCore
import GeoStore
import GeoTiles

let arguments = CommandLine.arguments
guard [2, 4, 5, 6].contains(arguments.count) else {
    FileHandle.standardError.write(Data("usage: bench-tiles LAYER.geojson [MINZOOM MAXZOOM [JOBS [SIMPLIFICATION]]]\n".utf8))
    exit(2)
}
let minzoom = arguments.count >= 4 ? Int(arguments[2])! : 0
let maxzoom = arguments.count >= 4 ? Int(arguments[3])! : 16
let jobs = arguments.count >= 5 ? Int(arguments[4])! : 1
let simplification = arguments.count == 6 ? Double(arguments[5])! : TileOptions().simplification

let store = try SpatialStore.temporary()
let features = try GeoJSON.decodeFeatureCollection(Array(try Data(contentsOf: URL(fileURLWithPath: arguments[1]))))
let layer = try await store.importLayer(name: "bench", features: features)
guard let bounds = layer.bbox else { fatalError("empty layer") }
let tiles: [TileID] = try (minzoom...maxzoom).flatMap { try WebMercator.tiles(covering: bounds, zoom: $0) }

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

struct Run: Sendable {
    var seconds = 0.0
    var loadSeconds = 0.0
    var nonEmpty = 0
    var features = 0
    var bytes = 0
}

/// Renders every tile on a fresh service: `jobs` tiles at a time, the first call loading the snapshot.
func run() async throws -> Run {
    let service = TileService(store: store, configuration: TileServiceConfiguration(options: TileOptions(simplification: simplification), defaultLayerOptions: StoreLayerSourceOptions(minzoom: minzoom, maxzoom: maxzoom)))
    let source = try service.source("bench")
    var result = Run()
    let loadStart = now()
    _ = try await service.info(of: "bench")
    result.loadSeconds = now() - loadStart
    let start = now()
    try await withThrowingTaskGroup(of: RenderedTile.self) { group in
        var next = 0
        for _ in 0..<min(jobs, tiles.count) {
            let tile = tiles[next]
            next += 1
            group.addTask { try await service.render(tile, source: source) }
        }
        while let rendered = try await group.next() {
            if !rendered.bytes.isEmpty { result.nonEmpty += 1 }
            result.features += rendered.featureCount
            result.bytes += rendered.bytes.count
            if next < tiles.count {
                let tile = tiles[next]
                next += 1
                group.addTask { try await service.render(tile, source: source) }
            }
        }
    }
    result.seconds = now() - start
    return result
}

var best = try await run()
let second = try await run()
if second.seconds < best.seconds { best = second }
let line: JSONValue = .object([
    "engine": .string("CityGeo GeoTiles (\(jobs) task\(jobs == 1 ? "" : "s")\(simplification == TileOptions().simplification ? "" : ", simplification \(simplification)"))"),
    "tiles": .int(Int64(tiles.count)), "non_empty": .int(Int64(best.nonEmpty)), "features": .int(Int64(best.features)),
    "bytes": .int(Int64(best.bytes)), "load_s": .double(best.loadSeconds), "seconds": .double(best.seconds),
    "tiles_per_s": .double(Double(tiles.count) / best.seconds), "layer_features": .int(Int64(layer.featureCount)),
])
print(try JSON.encode(line))
