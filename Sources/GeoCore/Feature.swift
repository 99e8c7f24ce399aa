/// A JSON value, as found in feature properties. Integers and reals are kept apart so that
/// attribute schemas can tell INTEGER from REAL columns and 64-bit ids survive a round trip.
public indirect enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The string payload, if this is a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The numeric payload as a Double, if this is a number.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    /// The members, if this is an object.
    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// A scalar as text: a string as it is, an integer (or a whole real) in digits, as codes stored as numbers
    /// read, another real as Swift writes it, a boolean as `true`/`false`; nil for null, arrays and objects.
    public var scalarText: String? {
        switch self {
        case .string(let s): s
        case .int(let i): String(i)
        case .double(let d): intValue.map { String($0) } ?? String(d)
        case .bool(let b): String(b)
        case .null, .array, .object: nil
        }
    }

    /// The integer payload, if this is an integer (or a real with no fractional part).
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.0e15: return Int64(d)
        default: return nil
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
}

/// A feature identifier: GeoJSON allows a string or a number.
public enum FeatureID: Hashable, Sendable {
    case string(String)
    case int(Int64)

    /// The identifier as text.
    public var text: String {
        switch self {
        case .string(let s): s
        case .int(let i): String(i)
        }
    }
}

/// A geometry with an identifier and attributes (a GeoJSON Feature).
@MemberwiseInit
public struct Feature: Hashable, Sendable {
    public var id: FeatureID?
    /// The geometry; GeoJSON allows a feature without one (`"geometry": null`).
    public var geometry: Geometry?
    public var properties: [String: JSONValue] = [:]
}

/// An ordered collection of features (a GeoJSON FeatureCollection).
public struct FeatureCollection: Hashable, Sendable {
    public var features: [Feature]
    public init(_ features: [Feature] = []) { self.features = features }
}
