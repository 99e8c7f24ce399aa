import Foundation
import Synchronization
import GeoCore
import GeoFences
import GeoStore
import GeoTiles
import GeoTrajectories

/// Tile sources that are not store layers: `fences` (the fence service's fences) and
/// `trajectories:FROM-TO` (every vehicle's cleaned track between two epoch seconds, as lines).
enum ComputedTileSources {
    /// The source for `id`, or nil when `id` is a store layer's.
    static func resolve(_ id: String, fences: FenceTileSource, store: any CityStore) async throws(GeoError) -> (any TileSource)? {
        if id == "fences" { return try await fences.source() }
        guard id.hasPrefix("trajectories:") else { return nil }
        let window = id.dropFirst("trajectories:".count).split(separator: "-")
        guard window.count == 2, let from = Double(window[0]), let to = Double(window[1]), from < to, to - from <= 31 * 86_400 else {
            throw GeoError(
                code: .invalidSource, message: "a trajectory source is trajectories:FROM-TO in epoch seconds, at most 31 days, not \"\(id)\"",
                location: "source")
        }
        return TrackTileSource(id: id, store: store, from: from, to: to)
    }
}

/// The monitor's fences as a tile source (`/tiles/fences/…`), indexed once per change of the fences.
final class FenceTileSource: Sendable {
    let monitor: FenceMonitor
    private let cached = Mutex<FeatureSetSource?>(nil)

    init(monitor: FenceMonitor) { self.monitor = monitor }

    func source() async throws(GeoError) -> FeatureSetSource {
        let revision = await monitor.changeCount
        if let source = cached.withLock({ $0 }), source.revisionValue == revision { return source }
        let fences: [Fence]
        do { fences = try await monitor.fences() } catch { throw GeoError(code: .internalError, message: "cannot read the fences", underlying: "\(error)") }
        let source = FeatureSetSource(id: "fences", layer: "fences", features: fences.map(\.feature), revision: revision)
        cached.withLock { $0 = source }
        return source
    }
}

/// Vehicles' tracks between two times as lines, one per vehicle and stretch without a gap over 10 minutes, for
/// zooms 12-16 (a tile reads the fixes of its own ~200 m cells only). Tiles are cached for a minute at most:
/// new fixes may arrive at any time.
struct TrackTileSource: TileSource {
    let id: String
    let store: any CityStore
    let from: Double
    let to: Double
    static let options = StoreLayerSourceOptions(minzoom: 12, maxzoom: 16)
    static let maximumGap = 600.0

    private var revisionValue: Int64 { Int64(Date().timeIntervalSince1970 / 60) }

    func info() async throws(GeoError) -> TileSourceInfo {
        TileSourceInfo(
            id: id,
            layers: [VectorLayerDescription(
                id: "trajectories", description: "vehicle tracks", fields: ["vehicle": "String", "from": "Number", "to": "Number", "points": "Number"],
                minzoom: Self.options.minzoom, maxzoom: Self.options.maxzoom, geometryType: .lineString)],
            minzoom: Self.options.minzoom, maxzoom: Self.options.maxzoom, bounds: nil, revision: [id: revisionValue])
    }

    func revision() async throws(GeoError) -> [String: Int64] { [id: revisionValue] }

    func content(of tile: TileID, options: TileOptions) async throws(GeoError) -> TileContent {
        guard (Self.options.minzoom...Self.options.maxzoom).contains(tile.z) else { return TileContent(layers: [], revision: [id: revisionValue]) }
        // The tile and a margin of one cell, so that lines leaving the tile are drawn to its buffer.
        let box = tile.bounds
        let margin = 0.002
        let cells = TrackCell.cells(covering: BoundingBox(minX: box.minX - margin, minY: box.minY - margin, maxX: box.maxX + margin, maxY: box.maxY + margin))
        let points = try await store.trackPoints(inCells: cells, from: from, to: to)
        var features: [Feature] = []
        for (vehicle, fixes) in Dictionary(grouping: points, by: \.vehicle).sorted(by: { $0.key < $1.key }) {
            let clean = TrackCleaner().clean(fixes).points
            var stretch: [TrackPoint] = []
            func close() {
                if stretch.count >= 2 {
                    features.append(Feature(
                        geometry: .lineString(LineString(stretch.map(\.coordinate))),
                        properties: ["vehicle": .string(vehicle), "from": .double(stretch[0].time), "to": .double(stretch[stretch.count - 1].time),
                                     "points": .int(Int64(stretch.count))]))
                }
                stretch = []
            }
            for p in clean {
                if let last = stretch.last, p.time - last.time > Self.maximumGap { close() }
                stretch.append(p)
            }
            close()
        }
        return try await FeatureSetSource(id: id, layer: "trajectories", features: features, revision: revisionValue, options: Self.options)
            .content(of: tile, options: options)
    }
}
