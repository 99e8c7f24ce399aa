import Foundation
import GeoCore
import GeoEngine
import GeoStore
@testable import GeoTiles
import Testing

/// Store-layer sources, density control, the R-tree, the LRU cache and change-driven invalidation.
@Suite struct SourceAndCacheTests {
    /// Squares of growing size along a row near 120.4°E 33.2°N: square k has side 0.001·(k+1) degrees.
    static func squares(count: Int, originX: Double = 120.40, y: Double = 33.20) -> [Feature] {
        (0..<count).map { k in
            let x = originX + Double(k) * 0.01
            let side = 0.001 * Double(k + 1)
            let ring = [Coordinate(x: x, y: y), Coordinate(x: x + side, y: y), Coordinate(x: x + side, y: y + side), Coordinate(x: x, y: y + side), Coordinate(x: x, y: y)]
            return Feature(id: .int(Int64(100 + k)), geometry: .polygon(Polygon(exterior: ring)), properties: ["code": .string("G\(k)"), "rank": .int(Int64(k)), "note": .null])
        }
    }

    static func store(features: [Feature], layer: String = "grids") async throws -> SpatialStore {
        let store = try SpatialStore.temporary()
        _ = try await store.importLayer(name: layer, features: FeatureCollection(features))
        return store
    }

    @Test func storeLayerSourceCutsEveryFeatureAtItsMaximumZoom() async throws {
        let store = try await Self.store(features: Self.squares(count: 5))
        let snapshots = LayerSnapshots(store: store)
        let source = StoreLayerSource(layer: "grids", options: StoreLayerSourceOptions(minzoom: 4, maxzoom: 8, fields: ["code"]), snapshots: snapshots)
        let tile = try WebMercator.tile(containing: Coordinate(x: 120.42, y: 33.201), zoom: 8)
        let content = try await source.content(of: tile, options: TileOptions())
        let layer = try #require(content.layers.first)
        #expect(layer.name == "grids")
        #expect(layer.mayThin == false)
        #expect(layer.features.map(\.feature.id) == [100, 101, 102, 103, 104])
        #expect(layer.features.allSatisfy { $0.feature.properties.keys.sorted() == ["code"] })
        #expect(layer.features[2].feature.properties["code"] == .string("G2"))
        #expect(content.revision == ["grids": 1])
        // Below the minimum zoom the source has nothing.
        let low = try await source.content(of: try WebMercator.tile(containing: Coordinate(x: 120.42, y: 33.2), zoom: 3), options: TileOptions())
        #expect(low.layers.isEmpty)
        let info = try await source.info()
        #expect(info.layers.first?.fields == ["code": "String"])
        #expect(info.minzoom == 4)
        #expect(info.maxzoom == 8)
    }

    /// Over the feature budget below the maximum zoom, the largest squares stay (ids 104, 103, 102).
    @Test func featureBudgetKeepsTheLargestFeatures() async throws {
        let store = try await Self.store(features: Self.squares(count: 5))
        let source = StoreLayerSource(layer: "grids", options: StoreLayerSourceOptions(maxzoom: 16), snapshots: LayerSnapshots(store: store))
        let tile = try WebMercator.tile(containing: Coordinate(x: 120.42, y: 33.2), zoom: 8)
        let content = try await source.content(of: tile, options: TileOptions(featureBudget: 3))
        #expect(content.layers.first?.features.map(\.feature.id) == [102, 103, 104])
        #expect(content.layers.first?.mayThin == true)
    }

    @Test func rankingIsByImportanceThenId() {
        #expect(DensityControl.ranked([(5, 1.0), (3, 2.0), (4, 1.0), (1, 0), (2, 2.0)]) == [2, 3, 4, 5, 1])
    }

    /// A byte budget below the tile's size drops the smallest features first, only on thinnable layers.
    @Test func byteBudgetDropsTheSmallestFeatures() throws {
        var features: [TileFeature] = []
        for k in 0..<200 {
            let y = Int32(k)
            let line: [TilePoint] = [TilePoint(0, y), TilePoint(4000, y), TilePoint(4000, y + 7)]
            let feature = VectorTileFeature(id: UInt64(k), geometry: .lineStrings([line]), properties: ["name": .string("road \(k)")])
            features.append(TileFeature(feature: feature, importance: Double(k)))
        }
        let full = TileRenderer.render(TileContent(layers: [TileLayerContent(name: "roads", features: features, mayThin: true)], revision: [:]), options: TileOptions())
        let budget = full.bytes.count / 2
        let thinned = TileRenderer.render(
            TileContent(layers: [TileLayerContent(name: "roads", features: features, mayThin: true)], revision: [:]), options: TileOptions(byteBudget: budget))
        #expect(thinned.bytes.count <= budget)
        #expect(thinned.droppedFeatures > 0)
        #expect(thinned.featureCount + thinned.droppedFeatures == 200)
        let ids = try DecodedTile(thinned.bytes).layers[0].features.compactMap(\.id)
        #expect(ids == Array(UInt64(200 - ids.count)..<200))
        let kept = TileRenderer.render(
            TileContent(layers: [TileLayerContent(name: "roads", features: features, mayThin: false)], revision: [:]), options: TileOptions(byteBudget: budget))
        #expect(kept.bytes == full.bytes)
        #expect(kept.droppedFeatures == 0)
    }

    @Test func packedRTreeFindsWhatABruteForceScanFinds() {
        var generator = SeededGenerator(seed: 42)
        let boxes = (0..<1000).map { _ in
            let x = Double.random(in: 0..<1, using: &generator)
            let y = Double.random(in: 0..<1, using: &generator)
            return BoundingBox(minX: x, minY: y, maxX: x + Double.random(in: 0..<0.05, using: &generator), maxY: y + Double.random(in: 0..<0.05, using: &generator))
        }
        let tree = PackedRTree(boxes: boxes)
        for _ in 0..<50 {
            let x = Double.random(in: 0..<1, using: &generator)
            let y = Double.random(in: 0..<1, using: &generator)
            let query = BoundingBox(minX: x, minY: y, maxX: x + 0.1, maxY: y + 0.08)
            #expect(tree.search(query) == boxes.indices.filter { boxes[$0].intersects(query) })
        }
        #expect(PackedRTree(boxes: []).search(BoundingBox(minX: 0, minY: 0, maxX: 1, maxY: 1)).isEmpty)
    }

    @Test func cacheEvictsTheLeastRecentlyUsedBeyondItsBudget() async throws {
        let cache = TileCache(byteBudget: 3 * (1000 + 128))
        func key(_ x: Int) throws -> TileCacheKey { TileCacheKey(source: "a", tile: try TileID(z: 5, x: x, y: 0)) }
        let entry = CachedTile(bytes: Array(repeating: 1, count: 1000), revision: ["a": 1])
        for x in 0..<3 { cache.put(try key(x), entry) }
        #expect(cache.get(try key(0), revision: ["a": 1]) != nil)  // 0 is now the most recent
        cache.put(try key(3), entry)  // evicts 1
        #expect(cache.count == 3)
        #expect(cache.get(try key(1), revision: ["a": 1]) == nil)
        #expect(cache.get(try key(0), revision: ["a": 1]) != nil)
        #expect(cache.get(try key(2), revision: ["a": 1]) != nil)
        #expect(cache.get(try key(3), revision: ["a": 2]) == nil)  // another version is a miss
        #expect(cache.bytes == 3 * 1128)
    }

    /// Invalidation by hand-made changes: tiles over the changed box go, others of the layer move on to the
    /// new version, other layers are untouched, and a delete removes every tile of the layer.
    @Test func invalidationEvictsOverTheChangedBoxAndRebasesTheRest() async throws {
        let cache = TileCache(byteBudget: 1 << 20)
        let over = try WebMercator.tile(containing: Coordinate(x: 120.45, y: 33.2), zoom: 12)
        let away = try WebMercator.tile(containing: Coordinate(x: 121.45, y: 33.2), zoom: 12)
        let entry = CachedTile(bytes: [1, 2, 3], revision: ["grids": 1])
        cache.put(TileCacheKey(source: "grids", tile: over), entry)
        cache.put(TileCacheKey(source: "grids", tile: away), entry)
        cache.put(TileCacheKey(source: "roads", tile: over), CachedTile(bytes: [4], revision: ["roads": 3]))
        cache.put(TileCacheKey(source: "roads,grids", tile: away), CachedTile(bytes: [5], revision: ["roads": 3, "grids": 1]))
        let change = TileChange(
            sequence: 1, layer: "grids", fromVersion: 1, toVersion: 2,
            bounds: BoundingBox(minX: 120.449, minY: 33.199, maxX: 120.451, maxY: 33.201), detectedAt: Date())
        cache.invalidate(change, buffer: 64, extent: 4096)
        #expect(cache.get(TileCacheKey(source: "grids", tile: over), revision: ["grids": 2]) == nil)
        #expect(cache.get(TileCacheKey(source: "grids", tile: away), revision: ["grids": 2])?.bytes == [1, 2, 3])
        #expect(cache.get(TileCacheKey(source: "roads", tile: over), revision: ["roads": 3])?.bytes == [4])
        #expect(cache.get(TileCacheKey(source: "roads,grids", tile: away), revision: ["roads": 3, "grids": 2])?.bytes == [5])
        #expect(cache.evictedByChanges == 1)
        let deleted = TileChange(sequence: 2, layer: "grids", fromVersion: 2, toVersion: nil, bounds: nil, detectedAt: Date())
        cache.invalidate(deleted, buffer: 64, extent: 4096)
        #expect(cache.count == 1)
        #expect(cache.get(TileCacheKey(source: "roads", tile: over), revision: ["roads": 3]) != nil)
    }

    @Test func etagDependsOnTheBytes() {
        #expect(CachedTile.etag(of: [1, 2, 3]) != CachedTile.etag(of: [1, 2, 4]))
        #expect(CachedTile.etag(of: []) == "\"cbf29ce484222325-0\"")
        #expect(CachedTile.etag(of: [1, 2, 3]) == CachedTile.etag(of: [1, 2, 3]))
    }

    /// After a change, the tile over the changed feature is rendered anew, a tile elsewhere is still served
    /// from the cache, and the feed reports the changed feature's box.
    @Test func aLayerChangeEvictsOnlyTheTilesItTouches() async throws {
        let west = Self.squares(count: 3, originX: 120.10)
        let east = Self.squares(count: 3, originX: 120.60)
        let store = try await Self.store(features: west + east)
        let service = TileService(store: store, configuration: TileServiceConfiguration(defaultLayerOptions: StoreLayerSourceOptions(maxzoom: 12)))
        await service.start()
        let westTile = try WebMercator.tile(containing: Coordinate(x: 120.105, y: 33.2005), zoom: 12)
        let eastTile = try WebMercator.tile(containing: Coordinate(x: 120.605, y: 33.2005), zoom: 12)
        #expect(westTile != eastTile)
        let westBefore = try await service.tile(westTile, source: "grids", gzip: false)
        let eastBefore = try await service.tile(eastTile, source: "grids", gzip: false)
        #expect(westBefore.fromCache == false)
        #expect(try await service.tile(eastTile, source: "grids", gzip: false).fromCache == true)
        #expect(try await service.changes(since: 0).changes.isEmpty)

        // A new feature next to the western squares.
        let ring = [Coordinate(x: 120.1005, y: 33.2), Coordinate(x: 120.1008, y: 33.2), Coordinate(x: 120.1008, y: 33.2005), Coordinate(x: 120.1005, y: 33.2005), Coordinate(x: 120.1005, y: 33.2)]
        let added = Feature(id: .int(999), geometry: .polygon(Polygon(exterior: ring)), properties: ["code": "new"])
        _ = try await store.importLayer(name: "grids", features: [added], options: ImportOptions(mode: .append), progress: nil)

        let westAfter = try await service.tile(westTile, source: "grids", gzip: false)
        #expect(westAfter.fromCache == false)
        #expect(westAfter.body != westBefore.body)
        #expect(westAfter.etag != westBefore.etag)
        let eastAfter = try await service.tile(eastTile, source: "grids", gzip: false)
        #expect(eastAfter.fromCache == true)
        #expect(eastAfter.body == eastBefore.body)
        let feed = try await service.changes(since: 0)
        #expect(feed.latest == 1)
        let change = try #require(feed.changes.first)
        #expect(change.layer == "grids")
        #expect(change.fromVersion == 1)
        #expect(change.toVersion == 2)
        let bounds = try #require(change.bounds)
        #expect(abs(bounds.minX - 120.1005) < 1e-9 && abs(bounds.maxX - 120.1008) < 1e-9)
        #expect(abs(bounds.minY - 33.2) < 1e-9 && abs(bounds.maxY - 33.2005) < 1e-9)
        let range = try #require(TileService.tileRange(of: change, zoom: 12))
        #expect(range.minX == westTile.x && range.maxX == westTile.x && range.minY == westTile.y)
        #expect(try await service.changes(since: 1).changes.isEmpty)
    }

    @Test func gzipIsServedWithItsOwnETag() async throws {
        let store = try await Self.store(features: Self.squares(count: 3))
        let service = TileService(store: store)
        await service.start()
        let tile = try WebMercator.tile(containing: Coordinate(x: 120.405, y: 33.2005), zoom: 10)
        let plain = try await service.tile(tile, source: "grids", gzip: false)
        let packed = try await service.tile(tile, source: "grids", gzip: true)
        #expect(packed.isGzipped)
        #expect(try Gzip.decompress(packed.body) == plain.body)
        #expect(packed.etag == String(plain.etag.dropLast()) + "-gzip\"")
    }

    @Test func unknownSourcesAndBadListsAreNamed() async throws {
        let store = try await Self.store(features: Self.squares(count: 1))
        let service = TileService(store: store)
        do {
            _ = try await service.info(of: "grids,nope")
            Issue.record("unknown layer accepted")
        } catch {
            #expect(error.code == .tileSourceNotFound)
            #expect(error.location == "source")
            #expect(error.message.contains("\"nope\""))
        }
        for bad in ["", "grids,", "grids,grids"] {
            do {
                _ = try service.source(bad)
                Issue.record("\(bad) accepted")
            } catch {
                #expect(error.code == .invalidSource)
            }
        }
        #expect(try service.source("grids").id == "grids")
        #expect(try service.source("grids,other").id == "grids,other")
    }
}
