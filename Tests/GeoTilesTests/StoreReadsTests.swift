import Foundation
import GeoCore
import GeoStore
@testable import GeoTiles
import Testing

/// A store that counts the catalogue reads the tile service makes.
final class CountingStore: FeatureStore, @unchecked Sendable {
    let base: SpatialStore
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    init(base: SpatialStore) { self.base = base }

    func count(_ name: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return counts[name, default: 0]
    }

    func reset() {
        lock.lock()
        counts = [:]
        lock.unlock()
    }

    private func note(_ name: String) {
        lock.lock()
        counts[name, default: 0] += 1
        lock.unlock()
    }

    func layers() async throws(GeoError) -> [LayerInfo] { note("layers"); return try await base.layers() }
    func layer(named name: String) async throws(GeoError) -> LayerInfo? { note("layer"); return try await base.layer(named: name) }
    func layerVersion(named name: String) async throws(GeoError) -> Int64? { note("version"); return try await base.layerVersion(named: name) }
    func importLayer<Features: Collection & Sendable>(
        name: String, features: Features, options: ImportOptions, progress: ImportProgressHandler?,
        locate: @escaping @Sendable (Int) -> String
    ) async throws(GeoError) -> LayerInfo where Features.Element == Feature {
        try await base.importLayer(name: name, features: features, options: options, progress: progress, locate: locate)
    }
    func features(in layer: String, bbox: BoundingBox?, limit: Int?, offset: Int) async throws(GeoError) -> [StoredFeature] {
        note("features")
        return try await base.features(in: layer, bbox: bbox, limit: limit, offset: offset)
    }
    func features(in layer: String, bbox: BoundingBox?, afterFid: Int64, limit: Int) async throws(GeoError) -> [StoredFeature] {
        note("features")
        return try await base.features(in: layer, bbox: bbox, afterFid: afterFid, limit: limit)
    }
    func featureCount(in layer: String, bbox: BoundingBox?) async throws(GeoError) -> Int { try await base.featureCount(in: layer, bbox: bbox) }
    func feature(in layer: String, fid: Int64) async throws(GeoError) -> StoredFeature? { try await base.feature(in: layer, fid: fid) }
    func insertFeature(_ feature: Feature, into layer: String) async throws(GeoError) -> FeatureEdit {
        try await base.insertFeature(feature, into: layer)
    }
    func replaceFeature(fid: Int64, in layer: String, with feature: Feature) async throws(GeoError) -> FeatureEdit {
        try await base.replaceFeature(fid: fid, in: layer, with: feature)
    }
    func deleteFeature(fid: Int64, in layer: String) async throws(GeoError) -> FeatureEdit { try await base.deleteFeature(fid: fid, in: layer) }
    func exportGeoJSON(layer: String) async throws(GeoError) -> [UInt8] { try await base.exportGeoJSON(layer: layer) }
    func deleteLayer(named name: String) async throws(GeoError) { try await base.deleteLayer(named: name) }
}

/// What a tile request costs the store: the layer is read whole once per version; each later request (hit or
/// miss) reads one version number per layer, once, however often the request needs the snapshot.
@Suite struct StoreReadsTests {
    @Test func oneVersionReadPerLayerPerRequest() async throws {
        let store = CountingStore(base: try await SourceAndCacheTests.store(features: SourceAndCacheTests.squares(count: 3)))
        _ = try await store.importLayer(name: "more", features: SourceAndCacheTests.squares(count: 2), options: ImportOptions(), progress: nil)
        let service = TileService(store: store)
        await service.start()
        let tile = try WebMercator.tile(containing: Coordinate(x: 120.405, y: 33.2005), zoom: 10)
        let first = try await service.tile(tile, source: "grids", gzip: false)
        #expect(first.fromCache == false)
        #expect(store.count("features") == 1)
        store.reset()
        // A miss on another tile: the snapshot is needed twice (revision, then content), the version read once.
        let other = try await service.tile(try TileID(z: 10, x: tile.x + 1, y: tile.y), source: "grids", gzip: false)
        #expect(other.fromCache == false)
        #expect(store.count("version") == 1)
        #expect(store.count("layer") == 0)
        #expect(store.count("features") == 0)
        store.reset()
        let composite = try await service.tile(tile, source: "grids,more", gzip: false)
        #expect(composite.fromCache == false)
        #expect(store.count("version") == 1)  // "more" is new: its first read is the full entry
        #expect(store.count("layer") == 1)
        #expect(store.count("features") == 1)
        store.reset()
        let again = try await service.tile(tile, source: "grids,more", gzip: false)
        #expect(again.fromCache == true)
        #expect(store.count("version") == 2)
        #expect(store.count("layer") == 0)
    }

    /// An export-style service trusts a confirmed version for its interval and does not ask the store per tile.
    @Test func versionCheckIntervalSavesReads() async throws {
        let store = CountingStore(base: try await SourceAndCacheTests.store(features: SourceAndCacheTests.squares(count: 3)))
        let service = TileService(store: store, configuration: TileServiceConfiguration(versionCheckInterval: .seconds(3600)))
        let source = try service.source("grids")
        for x in 0..<5 { _ = try await service.render(try TileID(z: 3, x: x, y: 3), source: source) }
        #expect(store.count("features") == 1)
        #expect(store.count("layer") == 1)
        #expect(store.count("version") == 0)
    }
}
