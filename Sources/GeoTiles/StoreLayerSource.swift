import GeoCore
import GeoStore

/// How one store layer is served as tiles.
@MemberwiseInit
public struct StoreLayerSourceOptions: Hashable, Sendable {
    /// Below this zoom the layer's tiles are empty (e.g. no unit grids on a whole-country view).
    public var minzoom: Int = 0
    /// The deepest zoom cut; clients overzoom beyond it. Features are never dropped at this zoom.
    public var maxzoom: Int = 16
    /// The attributes written into tiles; nil writes all of them.
    public var fields: [String]?
}

/// A store layer as a tile source with a layer of the same name.
public struct StoreLayerSource: TileSource {
    public let layer: String
    public let options: StoreLayerSourceOptions
    public let snapshots: LayerSnapshots
    public var id: String { layer }

    public init(layer: String, options: StoreLayerSourceOptions = StoreLayerSourceOptions(), snapshots: LayerSnapshots) {
        self.layer = layer
        self.options = options
        self.snapshots = snapshots
    }

    public func info() async throws(GeoError) -> TileSourceInfo {
        let snapshot = try await snapshots.current(layer)
        let info = snapshot.info
        var fields: [String: String] = [:]
        for field in info.schema where options.fields?.contains(field.name) ?? true {
            fields[field.name] =
                switch field.type {
                case .integer, .real: "Number"
                case .boolean: "Boolean"
                case .text, .json: "String"
                }
        }
        let description = VectorLayerDescription(
            id: layer, description: info.title, fields: fields, minzoom: options.minzoom, maxzoom: options.maxzoom,
            geometryType: info.geometryType)
        return TileSourceInfo(
            id: layer, layers: [description], minzoom: options.minzoom, maxzoom: options.maxzoom, bounds: info.bbox,
            revision: [layer: info.version])
    }

    public func revision() async throws(GeoError) -> [String: Int64] { [layer: try await snapshots.current(layer).version] }

    public func content(of tile: TileID, options tileOptions: TileOptions) async throws(GeoError) -> TileContent {
        let snapshot = try await snapshots.current(layer)
        let revision = [layer: snapshot.version]
        guard (options.minzoom...options.maxzoom).contains(tile.z) else { return TileContent(layers: [], revision: revision) }
        let features = try Self.cut(snapshot, tile: tile, options: tileOptions, fields: options.fields, thin: tile.z < options.maxzoom)
        return TileContent(layers: [TileLayerContent(name: layer, features: features, mayThin: tile.z < options.maxzoom)], revision: revision)
    }

    /// The snapshot's features in `tile`. With `thin`, only the `featureBudget` most important candidates are
    /// cut (largest first, ties by smaller id), so a low-zoom tile over a dense layer stays bounded in time too.
    static func cut(_ snapshot: LayerSnapshot, tile: TileID, options: TileOptions, fields: [String]?, thin: Bool) throws(GeoError) -> [TileFeature] {
        let clipper: TileClipper
        do {
            clipper = try TileClipper(tile: tile, options: options)
        } catch {
            throw GeoError.tiles(error, "cannot create a GEOS context")
        }
        var candidates = snapshot.items(in: clipper.worldClipBox)
        if thin, candidates.count > options.featureBudget {
            let kept = Set(DensityControl.ranked(candidates.map { ($0.id, $0.importance) }).prefix(options.featureBudget))
            candidates = candidates.filter { kept.contains($0.id) }
        }
        let selected = fields.map(Set.init)
        var result: [TileFeature] = []
        result.reserveCapacity(candidates.count)
        for item in candidates {
            let geometry: TileGeometry?
            do {
                geometry = try clipper.cut(item.world, worldBox: item.worldBox)
            } catch {
                throw GeoError.tiles(error, "cannot cut feature \(item.id) of \(snapshot.info.name) for tile \(tile)")
            }
            guard let geometry else { continue }
            let properties = selected.map { keep in item.properties.filter { keep.contains($0.key) } } ?? item.properties
            result.append(TileFeature(feature: VectorTileFeature(id: item.id, geometry: geometry, properties: properties), importance: item.importance))
        }
        return result
    }
}

extension GeoError {
    static func tiles(_ error: any Error, _ message: String) -> GeoError {
        if let error = error as? GeoError { return error }
        return GeoError(code: .tileError, message: message, underlying: "\(error)")
    }
}
