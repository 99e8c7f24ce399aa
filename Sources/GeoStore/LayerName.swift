import GeoCore

/// A validated layer name.
///
/// Layer names end up inside SQL as table names (`layer_<name>`) and in the names SpatiaLite derives from them
/// (`idx_layer_<name>_geom`). Identifiers cannot be bound as parameters, so the only defence is to accept a
/// small alphabet: a lowercase ASCII letter followed by at most 62 lowercase letters, digits or underscores.
/// No SQL is ever built from a name that did not pass through this type.
public struct LayerName: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The validated name, e.g. `unit_grids`.
    public let rawValue: String

    /// Validates `rawValue`, throwing a ``GeoError`` with code `invalid_layer_name` that names it otherwise.
    public init(_ rawValue: String) throws(GeoError) {
        guard LayerName.isValid(rawValue) else {
            throw GeoError(
                code: .invalidLayerName,
                message: "invalid layer name \"\(rawValue)\": use a lowercase letter followed by up to 62 lowercase "
                    + "letters, digits or underscores (^[a-z][a-z0-9_]{0,62}$)")
        }
        self.rawValue = rawValue
    }

    /// Whether `name` matches `^[a-z][a-z0-9_]{0,62}$`.
    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 63, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z") else {
            return false
        }
        return bytes.allSatisfy { b in
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
                || b == UInt8(ascii: "_")
        }
    }

    public var description: String { rawValue }

    public static func < (lhs: LayerName, rhs: LayerName) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The table holding the layer's features. Safe to splice into SQL: built only from a validated name.
    var tableName: String { "layer_" + rawValue }

    /// The SpatiaLite R*Tree created by `CreateSpatialIndex(table, 'geom')`.
    var spatialIndexName: String { "idx_" + tableName + "_" + LayerSchema.geometryColumn }
}

/// Fixed column names of every layer table.
enum LayerSchema {
    /// The geometry column registered with `AddGeometryColumn`.
    static let geometryColumn = "geom"
}
