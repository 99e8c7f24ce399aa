import Foundation
import GeoCore
import GeoStore

/// Features held by the caller (not a store layer) as a tile source with one layer: what the server uses for
/// sources computed per request, such as trajectories in a time window. The features are indexed once when the
/// source is made; `revision` says which state of the data they show (cached tiles of another revision are
/// not served).
public struct FeatureSetSource: TileSource {
    public let id: String
    public let layer: String
    public let options: StoreLayerSourceOptions
    public let revisionValue: Int64
    private let snapshot: LayerSnapshot

    /// - Parameters:
    ///   - id: the source id in tile URLs; `layer` is the vector layer's name inside the tiles.
    ///   - features: lon/lat features (other geometry-less features are skipped).
    ///   - revision: a number that changes whenever the features do.
    public init(id: String, layer: String, features: [Feature], revision: Int64, options: StoreLayerSourceOptions = StoreLayerSourceOptions()) {
        self.id = id
        self.layer = layer
        self.options = options
        revisionValue = revision
        var box: BoundingBox?
        for f in features { if let b = f.geometry?.boundingBox { box = box?.union(b) ?? b } }
        var schema: [String: AttributeType] = [:]
        for f in features {
            for (key, value) in f.properties where schema[key] == nil {
                schema[key] =
                    switch value {
                    case .int: .integer
                    case .double: .real
                    case .bool: .boolean
                    default: .text
                    }
            }
        }
        let info = LayerInfo(
            name: layer, title: layer, geometryType: nil, srid: 4490,
            schema: schema.keys.sorted().map { AttributeField(name: $0, type: schema[$0]!) }, featureCount: features.count, bbox: box,
            createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0), version: revision)
        snapshot = LayerSnapshot(info: info, stored: features.enumerated().map { StoredFeature(fid: Int64($0.offset + 1), feature: $0.element) })
    }

    public func info() async throws(GeoError) -> TileSourceInfo {
        var fields: [String: String] = [:]
        for field in snapshot.info.schema where options.fields?.contains(field.name) ?? true {
            fields[field.name] = field.type == .integer || field.type == .real ? "Number" : field.type == .boolean ? "Boolean" : "String"
        }
        return TileSourceInfo(
            id: id,
            layers: [VectorLayerDescription(id: layer, description: layer, fields: fields, minzoom: options.minzoom, maxzoom: options.maxzoom, geometryType: nil)],
            minzoom: options.minzoom, maxzoom: options.maxzoom, bounds: snapshot.info.bbox, revision: [id: revisionValue])
    }

    public func revision() async throws(GeoError) -> [String: Int64] { [id: revisionValue] }

    public func content(of tile: TileID, options tileOptions: TileOptions) async throws(GeoError) -> TileContent {
        let revision = [id: revisionValue]
        guard (options.minzoom...options.maxzoom).contains(tile.z) else { return TileContent(layers: [], revision: revision) }
        let features = try StoreLayerSource.cut(snapshot, tile: tile, options: tileOptions, fields: options.fields, thin: tile.z < options.maxzoom)
        return TileContent(layers: [TileLayerContent(name: layer, features: features, mayThin: tile.z < options.maxzoom)], revision: revision)
    }
}
