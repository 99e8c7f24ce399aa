import GeoCore
import GeoEngine
import GeoStore

/// Settings of the tile service.
@MemberwiseInit
public struct TileServiceConfiguration: Hashable, Sendable {
    public var options: TileOptions = TileOptions()
    /// Options per store layer; layers not named here get `defaultLayerOptions`.
    public var layers: [String: StoreLayerSourceOptions] = [:]
    public var defaultLayerOptions: StoreLayerSourceOptions = StoreLayerSourceOptions()
    /// Byte budget of the in-memory tile cache.
    public var cacheBytes: Int = 128 << 20
    /// The deepest zoom the change feed lists tile ranges for.
    public var changeFeedMaxZoom: Int = 16
    /// Most layers in one composite source.
    public var maximumCompositeLayers: Int = 16
    /// How long a layer version is trusted before the store is asked again; zero asks on every request.
    public var versionCheckInterval: Duration = .zero
}

/// A tile as served: the bytes in the requested encoding and the validators of the uncompressed tile.
public struct ServedTile: Sendable {
    /// The body: the tile, gzipped when asked for; empty for a tile without features.
    public var body: [UInt8]
    public var isGzipped: Bool
    /// The ETag of this representation (the gzip one carries a `-gzip` suffix, as the bytes differ).
    public var etag: String
    public var fromCache: Bool
    public var isEmpty: Bool
}

/// Tiles of store layers for the server and the CLI: resolves source ids (one layer or a comma list), cuts
/// and encodes tiles, keeps them in a ``TileCache`` kept honest by the ``LayerSnapshots`` change feed.
public final class TileService: Sendable {
    public let store: any FeatureStore
    public let configuration: TileServiceConfiguration
    public let snapshots: LayerSnapshots
    public let cache: TileCache

    /// Sources that are not store layers (trajectories in a window …), asked first for every source id.
    public let resolver: (@Sendable (String) async throws(GeoError) -> (any TileSource)?)?
    /// Where tiles missing from the cache are cut and encoded (the server's compute threads), nil for the caller's
    /// executor: a low-zoom tile of a big layer is tens of milliseconds of CPU, which must not hold an event loop.
    public let renderExecutor: (any TaskExecutor)?

    /// A service over `store`. Call ``start()`` once before serving, to wire cache invalidation.
    /// - Parameters:
    ///   - resolver: returns the source for ids it owns and nil for the others (store layers).
    ///   - renderExecutor: where cache misses are rendered; nil renders on the caller's executor.
    public init(
        store: any FeatureStore, configuration: TileServiceConfiguration = TileServiceConfiguration(),
        renderExecutor: (any TaskExecutor)? = nil,
        resolver: (@Sendable (String) async throws(GeoError) -> (any TileSource)?)? = nil
    ) {
        self.store = store
        self.resolver = resolver
        self.renderExecutor = renderExecutor
        self.configuration = configuration
        snapshots = LayerSnapshots(store: store, maximumAge: configuration.versionCheckInterval)
        cache = TileCache(byteBudget: configuration.cacheBytes)
    }

    /// Connects the change feed to the cache.
    public func start() async {
        let cache = self.cache
        let options = configuration.options
        await snapshots.setChangeHandler { change in
            cache.invalidate(change, buffer: options.buffer, extent: options.extent)
        }
    }

    /// The source named by `id`: a store layer, or layers joined by commas. Throws `invalid_source` for an
    /// empty, repetitive or overlong list. Whether the layers exist is found when the source is used (see
    /// ``info(of:)`` and ``tile(_:source:gzip:)``), which saves a catalogue read per request.
    public func source(_ id: String) throws(GeoError) -> any TileSource {
        let names = id.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard !names.isEmpty, names.count <= configuration.maximumCompositeLayers, !names.contains(where: \.isEmpty),
            Set(names).count == names.count
        else {
            throw GeoError(
                code: .invalidSource,
                message: "a tile source is a layer name or up to \(configuration.maximumCompositeLayers) different layer names joined by commas, not \"\(id)\"",
                location: "source")
        }
        let sources: [any TileSource] = names.map {
            StoreLayerSource(layer: $0, options: configuration.layers[$0] ?? configuration.defaultLayerOptions, snapshots: snapshots)
        }
        return sources.count == 1 ? sources[0] : CompositeTileSource(sources: sources)
    }

    /// The resolver's source for `id`, else the store-layer source.
    private func resolve(_ id: String) async throws(GeoError) -> any TileSource {
        if let resolver, let custom = try await resolver(id) { return custom }
        return try source(id)
    }

    /// The description of source `id`; throws `tile_source_not_found` (location `source`) when a layer is missing.
    public func info(of id: String) async throws(GeoError) -> TileSourceInfo {
        let source = try await resolve(id)
        return try await Self.naming(id) { () async throws(GeoError) in try await source.info() }
    }

    /// Runs `body`, turning a missing or impossible layer name into `tile_source_not_found`.
    static func naming<T>(_ id: String, _ body: () async throws(GeoError) -> T) async throws(GeoError) -> T {
        do {
            return try await body()
        } catch where error.code == .layerNotFound || error.code == .invalidLayerName {
            throw GeoError(code: .tileSourceNotFound, message: "no tiles for \"\(id)\": \(error.message)", location: "source")
        }
    }

    /// Every store layer as a source, by name.
    public func catalog() async throws(GeoError) -> [TileSourceInfo] {
        var result: [TileSourceInfo] = []
        for layer in try await store.layers() {
            do {
                result.append(try await info(of: layer.name))
            } catch where error.code == .tileSourceNotFound {
                continue  // deleted meanwhile
            }
        }
        return result
    }

    /// The uncompressed tile, rendered without the cache (the CLI's export uses it).
    public func render(_ tile: TileID, source: any TileSource) async throws(GeoError) -> RenderedTile {
        let options = configuration.options
        do {
            return try await LayerSnapshots.$requestStart.withValue(LayerSnapshots.requestStart ?? ContinuousClock.now) {
                TileRenderer.render(try await source.content(of: tile, options: options), options: options)
            }
        } catch {
            throw GeoError.tiles(error, "cannot render tile \(tile) of \(source.id)")
        }
    }

    /// ``render(_:source:)`` on the ``renderExecutor``.
    private func renderOffLoop(_ tile: TileID, source: any TileSource) async throws(GeoError) -> RenderedTile {
        guard let renderExecutor else { return try await render(tile, source: source) }
        do {
            return try await withTaskExecutorPreference(renderExecutor) { try await render(tile, source: source) }
        } catch {
            throw GeoError.tiles(error, "cannot render tile \(tile) of \(source.id)")
        }
    }

    /// A tile through the cache, gzipped when `gzip` is true.
    public func tile(_ tile: TileID, source id: String, gzip: Bool) async throws(GeoError) -> ServedTile {
        do {
            return try await LayerSnapshots.$requestStart.withValue(ContinuousClock.now) {
                try await servedTile(tile, source: id, gzip: gzip)
            }
        } catch {
            throw GeoError.tiles(error, "cannot serve tile \(tile) of \(id)")
        }
    }

    private func servedTile(_ tile: TileID, source id: String, gzip: Bool) async throws(GeoError) -> ServedTile {
        let source = try await resolve(id)
        let key = TileCacheKey(source: source.id, tile: tile)
        let revision = try await Self.naming(id) { () async throws(GeoError) in try await source.revision() }
        var entry: CachedTile
        var fromCache = false
        if let cached = cache.get(key, revision: revision) {
            entry = cached
            fromCache = true
        } else {
            let rendered = try await Self.naming(id) { () async throws(GeoError) in try await renderOffLoop(tile, source: source) }
            entry = CachedTile(bytes: rendered.bytes, revision: rendered.revision)
            cache.put(key, entry)
        }
        guard gzip, !entry.bytes.isEmpty else {
            return ServedTile(body: entry.bytes, isGzipped: false, etag: entry.etag, fromCache: fromCache, isEmpty: entry.bytes.isEmpty)
        }
        if entry.gzipped == nil {
            entry.gzipped = try Gzip.compress(entry.bytes)
            cache.put(key, entry)
        }
        return ServedTile(
            body: entry.gzipped ?? [], isGzipped: true, etag: String(entry.etag.dropLast()) + "-gzip\"", fromCache: fromCache,
            isEmpty: false)
    }

    /// Changes of the layers served so far after feed position `since`, after checking them against the store.
    public func changes(since: Int64) async throws(GeoError) -> (latest: Int64, changes: [TileChange]) {
        try await snapshots.refresh()
        return await snapshots.changes(since: since)
    }

    /// The tiles a change touched at `zoom`, as an inclusive x/y range; nil when it touched none.
    public static func tileRange(of change: TileChange, zoom: Int) -> (minX: Int, minY: Int, maxX: Int, maxY: Int)? {
        guard let bounds = change.bounds else { return nil }
        let world = WorldCoordinates.projectBox(bounds)
        let n = Double(1 << zoom)
        let last = (1 << zoom) - 1
        func cell(_ v: Double) -> Int { min(max(Int((v * n).rounded(.down)), 0), last) }
        return (cell(world.minX), cell(world.minY), cell(world.maxX), cell(world.maxY))
    }
}
