import Foundation
import GeoCore
import GeoEngine
import GeoStore
@testable import GeoTiles
import Testing

/// The MBTiles export: metadata, TMS rows, gzipped tiles equal to the rendered ones, empty tiles left out.
@Suite struct MBTilesExportTests {
    @Test func exportWritesGzippedTilesWithTMSRowsAndMetadata() async throws {
        let store = try await SourceAndCacheTests.store(features: SourceAndCacheTests.squares(count: 3, originX: 120.40))
        let service = TileService(store: store, configuration: TileServiceConfiguration(defaultLayerOptions: StoreLayerSourceOptions(minzoom: 0, maxzoom: 14)))
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("citygeo-\(UUID().uuidString).mbtiles").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let calls = ProgressLog()
        let summary = try await MBTilesExport.run(service: service, source: "grids", minzoom: 12, maxzoom: 14, output: output) { done, total in
            calls.append(done, total)
        }
        // The three squares lie within one tile at zoom 12 and 13 and spread over 120.40…120.423°E.
        let bounds = try #require(try await service.info(of: "grids").bounds)
        let expected = try (12...14).map { try WebMercator.tiles(covering: bounds, zoom: $0).count }.reduce(0, +)
        #expect(summary.tilesVisited == expected)
        let check = try MBTilesFile(openingExisting: output)
        #expect(try check.tileCount() == summary.tilesWritten)
        #expect(summary.tilesWritten > 0 && summary.tilesWritten <= expected)
        let metadata = try check.metadata()
        #expect(metadata["format"] == "pbf")
        #expect(metadata["minzoom"] == "12")
        #expect(metadata["maxzoom"] == "14")
        #expect(metadata["name"] == "grids")
        #expect(metadata["json"]?.contains("\"vector_layers\"") == true)
        let tile = try WebMercator.tile(containing: Coordinate(x: 120.4005, y: 33.2005), zoom: 12)
        let stored = try #require(try check.tile(tile))
        #expect(stored.prefix(2) == [0x1f, 0x8b])
        let rendered = try await service.render(tile, source: try service.source("grids"))
        #expect(try Gzip.decompress(stored) == rendered.bytes)
        #expect(calls.last?.done == expected && calls.last?.total == expected)
    }
}

final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(done: Int, total: Int)] = []
    func append(_ done: Int, _ total: Int) {
        lock.lock()
        entries.append((done, total))
        lock.unlock()
    }
    var last: (done: Int, total: Int)? {
        lock.lock()
        defer { lock.unlock() }
        return entries.last
    }
}
