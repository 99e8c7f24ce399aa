import GeoCore

/// Deterministic ranking for density control.
public enum DensityControl {
    /// Ids from most to least important: larger importance first, ties by smaller id. The same input always
    /// drops the same features, so repeated renders of a tile give the same bytes.
    public static func ranked(_ entries: [(id: UInt64, importance: Double)]) -> [UInt64] {
        entries.sorted { ($0.importance, $1.id) > ($1.importance, $0.id) }.map(\.id)
    }
}

/// An encoded tile and what density control did to it.
public struct RenderedTile: Hashable, Sendable {
    /// The tile's bytes (not compressed); empty for a tile without features.
    public var bytes: [UInt8]
    public var featureCount: Int
    /// Features dropped to meet the byte budget.
    public var droppedFeatures: Int
    /// The layer versions the tile was made from.
    public var revision: [String: Int64]
}

/// Encodes a tile's content, dropping the least important features of thinnable layers while the tile is
/// larger than the byte budget.
public enum TileRenderer {
    public static func render(_ content: TileContent, options: TileOptions) -> RenderedTile {
        var layers = content.layers.filter { !$0.features.isEmpty }
        var encoded = encode(layers, extent: options.extent)
        var dropped = 0
        // Each round keeps the share of features the budget allows (less 10 %, since bytes per feature vary),
        // until the tile fits or nothing thinnable is left.
        var rounds = 0
        while encoded.count > options.byteBudget, rounds < 8, layers.contains(where: { $0.mayThin && !$0.features.isEmpty }) {
            rounds += 1
            let share = Double(options.byteBudget) / Double(encoded.count) * 0.9
            for i in layers.indices where layers[i].mayThin {
                let features = layers[i].features
                let keep = Int(Double(features.count) * share)
                let kept = Set(DensityControl.ranked(features.map { ($0.feature.id ?? 0, $0.importance) }).prefix(keep))
                layers[i].features = features.filter { kept.contains($0.feature.id ?? 0) }
                dropped += features.count - layers[i].features.count
            }
            encoded = encode(layers, extent: options.extent)
        }
        return RenderedTile(
            bytes: encoded, featureCount: layers.reduce(0) { $0 + $1.features.count }, droppedFeatures: dropped,
            revision: content.revision)
    }

    private static func encode(_ layers: [TileLayerContent], extent: Int) -> [UInt8] {
        VectorTileEncoder.encode(layers.map { VectorTileLayer(name: $0.name, extent: extent, features: $0.features.map(\.feature)) })
    }
}
