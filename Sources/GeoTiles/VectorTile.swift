import GeoCore

/// An attribute value of a vector tile feature, typed as the `Value` message types it.
public enum TileValue: Hashable, Sendable {
    case string(String)
    /// Written as `uint_value` when non-negative, else as `sint_value` (zigzag), the shortest encodings.
    case int(Int64)
    case double(Double)
    case bool(Bool)

    /// The tile value of a feature property: numbers keep integer or real type; arrays and objects become their
    /// JSON text; null has no tile value (the tag is left out, as the specification has no null).
    public init?(_ value: JSONValue) {
        switch value {
        case .null: return nil
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array, .object:
            guard let text = try? JSON.encode(value) else { return nil }
            self = .string(text)
        }
    }
}

/// One feature of a layer in tile coordinates.
@MemberwiseInit
public struct VectorTileFeature: Hashable, Sendable {
    /// The feature id (the specification's `uint64 id`); nil leaves it out.
    public var id: UInt64?
    public var geometry: TileGeometry
    public var properties: [String: TileValue] = [:]
}

/// A named layer of a tile.
@MemberwiseInit
public struct VectorTileLayer: Hashable, Sendable {
    public var name: String
    public var extent: Int = 4096
    public var features: [VectorTileFeature]
}

/// Encodes Mapbox Vector Tiles 2.1 (vector_tile.proto) by hand.
///
/// Keys and values are deduplicated per layer, in order of first use, with each feature's properties taken in
/// key order so that the same input always gives the same bytes (ETags depend on it).
public enum VectorTileEncoder {
    /// The tile's bytes; layers without features are left out, and a tile without layers is empty (0 bytes),
    /// which the specification allows.
    public static func encode(_ layers: [VectorTileLayer]) -> [UInt8] {
        var tile = ProtobufWriter()
        for layer in layers where !layer.features.isEmpty {
            tile.lengthDelimited(3, encodeLayer(layer))
        }
        return tile.bytes
    }

    /// The `Layer` message alone (field 3 of `Tile` holds it); its size lets callers budget a tile.
    public static func encodeLayer(_ layer: VectorTileLayer) -> [UInt8] {
        var keys = FirstUseTable<String>()
        var values = FirstUseTable<TileValue>()
        var writer = ProtobufWriter()
        writer.string(1, layer.name)
        for feature in layer.features {
            var tags: [UInt32] = []
            tags.reserveCapacity(feature.properties.count * 2)
            for key in feature.properties.keys.sorted() {
                let k = keys.index(of: key)
                let v = values.index(of: feature.properties[key]!)
                tags.append(k)
                tags.append(v)
            }
            writer.message(2) { f in
                if let id = feature.id { f.uint(1, id) }
                f.packed(2, tags)
                f.uint(3, UInt64(feature.geometry.type.rawValue))
                f.packed(4, feature.geometry.commands)
            }
        }
        for key in keys.elements { writer.string(3, key) }
        for value in values.elements {
            writer.message(4) { v in
                switch value {
                case .string(let s): v.string(1, s)
                case .double(let d): v.double(3, d)
                case .int(let i) where i >= 0: v.uint(5, UInt64(i))
                case .int(let i): v.sint(6, i)
                case .bool(let b): v.bool(7, b)
                }
            }
        }
        writer.uint(5, UInt64(layer.extent))
        writer.uint(15, 2)
        return writer.bytes
    }
}

/// The distinct elements in order of first use, each with its position: a layer's key and value tables, which
/// features refer to by index.
struct FirstUseTable<Element: Hashable> {
    private(set) var elements: [Element] = []
    private var positions: [Element: UInt32] = [:]

    /// The element's position, appending it on first use.
    mutating func index(of element: Element) -> UInt32 {
        if let known = positions[element] { return known }
        let position = UInt32(elements.count)
        positions[element] = position
        elements.append(element)
        return position
    }
}
