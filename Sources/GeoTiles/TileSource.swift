import GeoCore

/// A layer of a tile source as TileJSON's `vector_layers` describes it.
@MemberwiseInit
public struct VectorLayerDescription: Hashable, Sendable {
    /// The layer name inside the tiles.
    public var id: String
    public var description: String?
    /// Attribute name to TileJSON type: "String", "Number" or "Boolean".
    public var fields: [String: String]
    public var minzoom: Int
    public var maxzoom: Int
    /// The one geometry type of the layer's features, when there is one.
    public var geometryType: GeometryType?
}

/// What a client needs to know about a tile source (TileJSON, the catalogue).
@MemberwiseInit
public struct TileSourceInfo: Hashable, Sendable {
    /// The id used in tile URLs: a layer name, or several joined by commas for a composite.
    public var id: String
    public var layers: [VectorLayerDescription]
    public var minzoom: Int
    public var maxzoom: Int
    /// The extent of the data in longitude/latitude; nil when there is none.
    public var bounds: BoundingBox?
    /// The version of every store layer the source reads; tiles made from other versions are stale.
    public var revision: [String: Int64]
}

/// A feature cut for one tile, with the weight that density control ranks it by.
@MemberwiseInit
public struct TileFeature: Hashable, Sendable {
    public var feature: VectorTileFeature
    /// Area (polygons) or length (lines) of the whole feature in world units; 0 for points. Under a budget the
    /// least important features are dropped first.
    public var importance: Double
}

/// One layer's features in one tile, before density control and encoding.
@MemberwiseInit
public struct TileLayerContent: Hashable, Sendable {
    public var name: String
    public var features: [TileFeature]
    /// Whether features may be dropped to meet the byte budget: true below the source's maximum zoom, where
    /// a client cannot overzoom a deeper tile instead.
    public var mayThin: Bool
}

/// Everything a source puts into one tile, with the layer versions it was made from.
@MemberwiseInit
public struct TileContent: Hashable, Sendable {
    public var layers: [TileLayerContent]
    public var revision: [String: Int64]
}

/// A source of vector tiles: one store layer, several at once, or (later) anything else that can cut its
/// features for a tile. Implementations must be safe to call from concurrent requests.
public protocol TileSource: Sendable {
    /// The id used in URLs.
    var id: String { get }
    /// The source's layers, zoom range, bounds and current revision.
    func info() async throws(GeoError) -> TileSourceInfo
    /// The source's features cut for `tile` (empty layers when the zoom is outside the source's range).
    func content(of tile: TileID, options: TileOptions) async throws(GeoError) -> TileContent
    /// The layer versions the source shows now: all a cached tile needs checking, without building ``info()``.
    func revision() async throws(GeoError) -> [String: Int64]
}

extension TileSource {
    public func revision() async throws(GeoError) -> [String: Int64] { try await info().revision }
}

/// Several sources in one tile, their layers in the order given.
public struct CompositeTileSource: TileSource {
    public let sources: [any TileSource]
    public var id: String { sources.map(\.id).joined(separator: ",") }

    public init(sources: [any TileSource]) { self.sources = sources }

    public func revision() async throws(GeoError) -> [String: Int64] {
        var merged: [String: Int64] = [:]
        for source in sources { merged.merge(try await source.revision()) { a, _ in a } }
        return merged
    }

    public func info() async throws(GeoError) -> TileSourceInfo {
        var infos: [TileSourceInfo] = []
        for source in sources { infos.append(try await source.info()) }
        var bounds: BoundingBox?
        for box in infos.compactMap(\.bounds) { bounds = bounds?.union(box) ?? box }
        return TileSourceInfo(
            id: id, layers: infos.flatMap(\.layers), minzoom: infos.map(\.minzoom).min() ?? 0,
            maxzoom: infos.map(\.maxzoom).max() ?? 0, bounds: bounds,
            revision: infos.reduce(into: [:]) { $0.merge($1.revision) { a, _ in a } })
    }

    public func content(of tile: TileID, options: TileOptions) async throws(GeoError) -> TileContent {
        var result = TileContent(layers: [], revision: [:])
        for source in sources {
            let part = try await source.content(of: tile, options: options)
            result.layers += part.layers
            result.revision.merge(part.revision) { a, _ in a }
        }
        return result
    }
}
