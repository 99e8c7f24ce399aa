import Foundation

/// GeoJSON (RFC 7946) reader and writer for ``Geometry``, ``Feature`` and ``FeatureCollection``.
///
/// Reading is strict about structure and forgiving about extras: unknown (foreign) members and `bbox` are
/// ignored, third and further ordinates are dropped, a feature `id` may be a string or an integer and
/// `properties` an object or null. Empty `coordinates` arrays are read as empty geometries (an empty Point is
/// ``Point/empty``; an empty Polygon may also be `[[]]`, as GEOS writes it).
/// Every error is a ``GeoError`` with code `invalid_geojson` (or `invalid_json` for malformed
/// JSON) whose `location` is a JSON path to the bad member, such as `features[3].geometry.coordinates[0][2]`;
/// `$` is the document root.
///
/// Writing is compact and deterministic: members in a fixed order (`type`, `id`, `geometry`, `properties`),
/// property keys sorted, numbers shortest round-trip, so the same value always gives the same bytes.
public enum GeoJSON {
    /// How strictly positions are checked while reading.
    @MemberwiseInit
    public struct ReadOptions: Hashable, Sendable {
        /// Whether every position must be a geographic coordinate (longitude in [-180, 180], latitude in
        /// [-90, 90]). RFC 7946 is WGS 84, so this is on by default; turn it off for projected imports.
        public var checksGeographicRange: Bool = true

        /// RFC 7946: geographic range checked.
        public static let geographic = ReadOptions(checksGeographicRange: true)
        /// Projected or otherwise non-geographic coordinates: any finite number is accepted.
        public static let projected = ReadOptions(checksGeographicRange: false)
    }

    /// How numbers are written.
    @MemberwiseInit
    public struct WriteOptions: Hashable, Sendable {
        /// Decimal places kept in coordinates (rounded half away from zero); nil keeps full round-trip precision.
        /// 7 places is about 1 cm at the equator. Properties are never rounded.
        public var coordinatePrecision: Int?
    }

    // MARK: reading

    /// Reads a GeoJSON geometry object.
    public static func decodeGeometry(_ bytes: [UInt8], options: ReadOptions = .init()) throws(GeoError) -> Geometry {
        try decodeGeometry(from: try JSON.decode(bytes), options: options)
    }

    /// Reads a GeoJSON Feature object.
    public static func decodeFeature(_ bytes: [UInt8], options: ReadOptions = .init()) throws(GeoError) -> Feature {
        try decodeFeature(from: try JSON.decode(bytes), options: options)
    }

    /// Reads a GeoJSON FeatureCollection object (and nothing else; see ``decodeFeatures(_:options:)``).
    public static func decodeFeatureCollection(_ bytes: [UInt8], options: ReadOptions = .init()) throws(GeoError) -> FeatureCollection {
        try decodeFeatureCollection(from: try JSON.decode(bytes), options: options)
    }

    /// Reads any GeoJSON object as a collection: a FeatureCollection as is, a Feature as a collection of one,
    /// a bare geometry as one feature without id or properties. For imports that take whatever a user uploads.
    public static func decodeFeatures(_ bytes: [UInt8], options: ReadOptions = .init()) throws(GeoError) -> FeatureCollection {
        try decodeFeatures(from: try JSON.decode(bytes), options: options)
    }

    /// ``decodeGeometry(_:options:)`` from `Data`.
    public static func decodeGeometry(_ data: Data, options: ReadOptions = .init()) throws(GeoError) -> Geometry {
        try decodeGeometry([UInt8](data), options: options)
    }
    /// ``decodeFeature(_:options:)`` from `Data`.
    public static func decodeFeature(_ data: Data, options: ReadOptions = .init()) throws(GeoError) -> Feature {
        try decodeFeature([UInt8](data), options: options)
    }
    /// ``decodeFeatureCollection(_:options:)`` from `Data`.
    public static func decodeFeatureCollection(_ data: Data, options: ReadOptions = .init()) throws(GeoError) -> FeatureCollection {
        try decodeFeatureCollection([UInt8](data), options: options)
    }
    /// ``decodeFeatures(_:options:)`` from `Data`.
    public static func decodeFeatures(_ data: Data, options: ReadOptions = .init()) throws(GeoError) -> FeatureCollection {
        try decodeFeatures([UInt8](data), options: options)
    }
    /// ``decodeGeometry(_:options:)`` from a String.
    public static func decodeGeometry(_ text: String, options: ReadOptions = .init()) throws(GeoError) -> Geometry {
        try decodeGeometry(Array(text.utf8), options: options)
    }
    /// ``decodeFeature(_:options:)`` from a String.
    public static func decodeFeature(_ text: String, options: ReadOptions = .init()) throws(GeoError) -> Feature {
        try decodeFeature(Array(text.utf8), options: options)
    }
    /// ``decodeFeatureCollection(_:options:)`` from a String.
    public static func decodeFeatureCollection(_ text: String, options: ReadOptions = .init()) throws(GeoError) -> FeatureCollection {
        try decodeFeatureCollection(Array(text.utf8), options: options)
    }
    /// ``decodeFeatures(_:options:)`` from a String.
    public static func decodeFeatures(_ text: String, options: ReadOptions = .init()) throws(GeoError) -> FeatureCollection {
        try decodeFeatures(Array(text.utf8), options: options)
    }

    /// Reads a geometry from an already parsed JSON value.
    public static func decodeGeometry(from value: JSONValue, options: ReadOptions = .init()) throws(GeoError) -> Geometry {
        var reader = GeoJSONReader(options: options)
        return try reader.geometry(value)
    }

    /// Reads a feature from an already parsed JSON value.
    public static func decodeFeature(from value: JSONValue, options: ReadOptions = .init()) throws(GeoError) -> Feature {
        var reader = GeoJSONReader(options: options)
        return try reader.feature(value)
    }

    /// Reads a feature collection from an already parsed JSON value.
    public static func decodeFeatureCollection(from value: JSONValue, options: ReadOptions = .init()) throws(GeoError) -> FeatureCollection {
        var reader = GeoJSONReader(options: options)
        return try reader.featureCollection(value)
    }

    /// ``decodeFeatures(_:options:)`` from an already parsed JSON value.
    public static func decodeFeatures(from value: JSONValue, options: ReadOptions = .init()) throws(GeoError) -> FeatureCollection {
        var reader = GeoJSONReader(options: options)
        let type = try reader.typeName(of: value)
        switch type {
        case "FeatureCollection": return try reader.featureCollection(value)
        case "Feature": return FeatureCollection([try reader.feature(value)])
        default: return FeatureCollection([Feature(geometry: try reader.geometry(value))])
        }
    }

    // MARK: writing

    /// The compact GeoJSON text of a geometry.
    public static func encode(_ geometry: Geometry, options: WriteOptions = .init()) throws(GeoError) -> String {
        String(decoding: try encodeBytes(geometry, options: options), as: UTF8.self)
    }
    /// The compact GeoJSON text of a feature.
    public static func encode(_ feature: Feature, options: WriteOptions = .init()) throws(GeoError) -> String {
        String(decoding: try encodeBytes(feature, options: options), as: UTF8.self)
    }
    /// The compact GeoJSON text of a feature collection.
    public static func encode(_ collection: FeatureCollection, options: WriteOptions = .init()) throws(GeoError) -> String {
        String(decoding: try encodeBytes(collection, options: options), as: UTF8.self)
    }

    /// The compact GeoJSON UTF-8 bytes of a geometry. Throws (`invalid_geojson`) on a non-finite coordinate.
    public static func encodeBytes(_ geometry: Geometry, options: WriteOptions = .init()) throws(GeoError) -> [UInt8] {
        var writer = GeoJSONWriter(options: options)
        try writer.geometry(geometry, path: "")
        return writer.out
    }
    /// The compact GeoJSON UTF-8 bytes of a feature.
    public static func encodeBytes(_ feature: Feature, options: WriteOptions = .init()) throws(GeoError) -> [UInt8] {
        var writer = GeoJSONWriter(options: options)
        try writer.feature(feature, path: "")
        return writer.out
    }
    /// The compact GeoJSON UTF-8 bytes of a feature collection.
    public static func encodeBytes(_ collection: FeatureCollection, options: WriteOptions = .init()) throws(GeoError) -> [UInt8] {
        try encodeBytes(collection, foreignMembers: [], options: options)
    }

    /// The compact GeoJSON UTF-8 bytes of a feature collection followed by members GeoJSON leaves to its users
    /// (RFC 7946 §6.1), in the order given: OGC API's `links`, `numberMatched`, `numberReturned` …
    public static func encodeBytes(
        _ collection: FeatureCollection, foreignMembers: [(String, JSONValue)], options: WriteOptions = .init()
    ) throws(GeoError) -> [UInt8] {
        var writer = GeoJSONWriter(options: options)
        writer.out.append(contentsOf: #"{"type":"FeatureCollection","features":["#.utf8)
        for (i, feature) in collection.features.enumerated() {
            if i > 0 { writer.out.append(UInt8(ascii: ",")) }
            try writer.feature(feature, path: "features[\(i)]")
        }
        writer.out.append(UInt8(ascii: "]"))
        try appendMembers(foreignMembers, to: &writer.out)
        writer.out.append(UInt8(ascii: "}"))
        return writer.out
    }

    /// The compact GeoJSON UTF-8 bytes of a feature followed by `foreignMembers` (see the collection overload).
    public static func encodeBytes(
        _ feature: Feature, foreignMembers: [(String, JSONValue)], options: WriteOptions = .init()
    ) throws(GeoError) -> [UInt8] {
        var out = try encodeBytes(feature, options: options)
        out.removeLast()  // the feature object's closing brace
        try appendMembers(foreignMembers, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    private static func appendMembers(_ members: [(String, JSONValue)], to out: inout [UInt8]) throws(GeoError) {
        for (name, value) in members {
            out.append(UInt8(ascii: ","))
            out += try JSON.encodeBytes(.string(name))
            out.append(UInt8(ascii: ":"))
            out += try JSON.encodeBytes(value)
        }
    }
}

// MARK: - Reader

/// Walks a parsed JSON tree keeping the path to the current member, rendered only when an error is thrown.
struct GeoJSONReader {
    enum Step {
        case key(String)
        case index(Int)
    }

    let options: GeoJSON.ReadOptions
    var path: [Step] = []

    init(options: GeoJSON.ReadOptions) {
        self.options = options
    }

    func render(_ extra: [Step] = []) -> String {
        let steps = path + extra
        if steps.isEmpty { return "$" }
        var text = ""
        for step in steps {
            switch step {
            case .key(let k): text += text.isEmpty ? k : ".\(k)"
            case .index(let i): text += "[\(i)]"
            }
        }
        return text
    }

    func error(_ message: String, _ extra: Step...) -> GeoError {
        GeoError(code: .invalidGeoJSON, message: message, location: render(extra))
    }

    func object(_ value: JSONValue, _ what: String) throws(GeoError) -> [String: JSONValue] {
        guard case .object(let members) = value else { throw error("\(what) must be a JSON object, found \(kind(value))") }
        return members
    }

    func kind(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    func typeName(of value: JSONValue) throws(GeoError) -> String {
        let members = try object(value, "a GeoJSON object")
        guard let type = members["type"] else { throw error("missing member \"type\"", .key("type")) }
        guard case .string(let name) = type else { throw error("\"type\" must be a string, found \(kind(type))", .key("type")) }
        return name
    }

    mutating func featureCollection(_ value: JSONValue) throws(GeoError) -> FeatureCollection {
        let type = try typeName(of: value)
        guard type == "FeatureCollection" else {
            throw error("expected type \"FeatureCollection\", found \"\(type)\"", .key("type"))
        }
        guard case .object(let members) = value, let list = members["features"] else {
            throw error("missing member \"features\"", .key("features"))
        }
        guard case .array(let elements) = list else {
            throw error("\"features\" must be an array, found \(kind(list))", .key("features"))
        }
        return FeatureCollection(try map(elements, under: .key("features")) { parser, element throws(GeoError) in try parser.feature(element) })
    }

    mutating func feature(_ value: JSONValue) throws(GeoError) -> Feature {
        let type = try typeName(of: value)
        guard type == "Feature" else { throw error("expected type \"Feature\", found \"\(type)\"", .key("type")) }
        guard case .object(let members) = value else { preconditionFailure("typeName checked the object") }

        var id: FeatureID?
        switch members["id"] {
        case nil, .null?: id = nil
        case .string(let s)?: id = .string(s)
        case .int(let i)?: id = .int(i)
        case .double(let d)? where d.rounded() == d && abs(d) < 9.0e18: id = .int(Int64(d))
        case let other?:
            throw error("feature id must be a string or an integer, found \(kind(other))", .key("id"))
        }

        guard let geometryValue = members["geometry"] else { throw error("missing member \"geometry\"", .key("geometry")) }
        var geometry: Geometry?
        if geometryValue != .null {
            path.append(.key("geometry"))
            geometry = try self.geometry(geometryValue)
            path.removeLast()
        }

        var properties: [String: JSONValue] = [:]
        switch members["properties"] {
        case nil, .null?: break
        case .object(let p)?: properties = p
        case let other?:
            throw error("properties must be an object or null, found \(kind(other))", .key("properties"))
        }
        return Feature(id: id, geometry: geometry, properties: properties)
    }

    mutating func geometry(_ value: JSONValue) throws(GeoError) -> Geometry {
        let type = try typeName(of: value)
        guard case .object(let members) = value else { preconditionFailure("typeName checked the object") }
        guard let geometryType = GeometryType(rawValue: type) else {
            throw error("unknown geometry type \"\(type)\"", .key("type"))
        }
        if geometryType == .geometryCollection {
            guard let list = members["geometries"] else { throw error("missing member \"geometries\"", .key("geometries")) }
            guard case .array(let elements) = list else {
                throw error("\"geometries\" must be an array, found \(kind(list))", .key("geometries"))
            }
            return .geometryCollection(GeometryCollection(try map(elements, under: .key("geometries")) { parser, element throws(GeoError) in try parser.geometry(element) }))
        }
        guard let coordinates = members["coordinates"] else {
            throw error("missing member \"coordinates\"", .key("coordinates"))
        }
        path.append(.key("coordinates"))
        defer { path.removeLast() }
        switch geometryType {
        case .point:
            if case .array(let a) = coordinates, a.isEmpty { return .point(.empty) }
            return .point(Point(try position(coordinates)))
        case .lineString:
            return .lineString(LineString(try line(coordinates)))
        case .polygon:
            return .polygon(try polygon(coordinates))
        case .multiPoint:
            return .multiPoint(MultiPoint(try positions(coordinates)))
        case .multiLineString:
            let elements = try array(coordinates, "MultiLineString coordinates")
            return .multiLineString(MultiLineString(try map(elements) { parser, element throws(GeoError) in LineString(try parser.line(element)) }))
        case .multiPolygon:
            let elements = try array(coordinates, "MultiPolygon coordinates")
            return .multiPolygon(MultiPolygon(try map(elements) { parser, element throws(GeoError) in try parser.polygon(element) }))
        case .geometryCollection:
            preconditionFailure("handled above")
        }
    }

    /// `transform` of each element, with the element's place (under `key`, at its index) on the error path.
    mutating func map<T>(
        _ elements: [JSONValue], under key: Step? = nil, _ transform: (inout Self, JSONValue) throws(GeoError) -> T
    ) throws(GeoError) -> [T] {
        var result: [T] = []
        result.reserveCapacity(elements.count)
        for (i, element) in elements.enumerated() {
            if let key { path.append(key) }
            path.append(.index(i))
            result.append(try transform(&self, element))
            path.removeLast(key == nil ? 1 : 2)
        }
        return result
    }

    func array(_ value: JSONValue, _ what: String) throws(GeoError) -> [JSONValue] {
        guard case .array(let elements) = value else { throw error("\(what) must be an array, found \(kind(value))") }
        return elements
    }

    mutating func polygon(_ value: JSONValue) throws(GeoError) -> Polygon {
        let elements = try array(value, "polygon coordinates")
        // GEOS (and so shapely) writes the empty polygon as `[[]]`: one empty ring means empty, not invalid.
        if elements.count == 1, case .array(let only) = elements[0], only.isEmpty { return Polygon(exterior: []) }
        var rings: [[Coordinate]] = []
        rings.reserveCapacity(elements.count)
        for (i, element) in elements.enumerated() {
            path.append(.index(i))
            let ring = try positions(element)
            if let problem = GeometryRules.ringProblem(ring) { throw error(problem) }
            rings.append(ring)
            path.removeLast()
        }
        return Polygon(rings: rings) ?? Polygon(exterior: [])
    }

    mutating func line(_ value: JSONValue) throws(GeoError) -> [Coordinate] {
        let line = try positions(value)
        if let problem = GeometryRules.lineProblem(line) { throw error(problem) }
        return line
    }

    mutating func positions(_ value: JSONValue) throws(GeoError) -> [Coordinate] {
        let elements = try array(value, "a list of positions")
        var result: [Coordinate] = []
        result.reserveCapacity(elements.count)
        for (i, element) in elements.enumerated() {
            path.append(.index(i))
            result.append(try position(element))
            path.removeLast()
        }
        return result
    }

    func position(_ value: JSONValue) throws(GeoError) -> Coordinate {
        guard case .array(let numbers) = value else {
            throw error("position must be an array of numbers, found \(kind(value))")
        }
        guard numbers.count >= 2 else { throw error("position needs at least 2 numbers") }
        var ordinates: (Double, Double) = (0, 0)
        for k in 0..<numbers.count {
            // Third and further ordinates (altitude, measures) are dropped, but must still be numbers.
            guard let d = numbers[k].doubleValue else {
                throw error("position ordinate must be a number, found \(kind(numbers[k]))", .index(k))
            }
            if k == 0 { ordinates.0 = d } else if k == 1 { ordinates.1 = d }
        }
        let c = Coordinate(x: ordinates.0, y: ordinates.1)
        if options.checksGeographicRange {
            if !(-180...180).contains(c.x) {
                throw error("longitude \(NumberText.shortest(c.x)) out of range [-180, 180]")
            }
            if !(-90...90).contains(c.y) {
                throw error("latitude \(NumberText.shortest(c.y)) out of range [-90, 90]")
            }
        }
        return c
    }
}

// MARK: - Writer

struct GeoJSONWriter {
    let options: GeoJSON.WriteOptions
    var out: [UInt8] = []

    init(options: GeoJSON.WriteOptions) {
        self.options = options
    }

    /// The path of member `name` below `path`, in the reader's style (no `$.` prefix below the root).
    static func member(_ path: String, _ name: String) -> String {
        path.isEmpty ? name : "\(path).\(name)"
    }

    mutating func feature(_ feature: Feature, path: String) throws(GeoError) {
        out.append(contentsOf: #"{"type":"Feature""#.utf8)
        switch feature.id {
        case nil: break
        case .string(let s)?:
            out.append(contentsOf: #","id":"#.utf8)
            JSONWriter.appendString(s, to: &out)
        case .int(let i)?:
            out.append(contentsOf: #","id":"#.utf8)
            out.append(contentsOf: String(i).utf8)
        }
        out.append(contentsOf: #","geometry":"#.utf8)
        if let g = feature.geometry {
            try geometry(g, path: GeoJSONWriter.member(path, "geometry"))
        } else {
            out.append(contentsOf: "null".utf8)
        }
        out.append(contentsOf: #","properties":"#.utf8)
        try JSONWriter.appendObject(feature.properties, to: &out, path: GeoJSONWriter.member(path, "properties"))
        out.append(UInt8(ascii: "}"))
    }

    mutating func geometry(_ geometry: Geometry, path: String) throws(GeoError) {
        out.append(contentsOf: #"{"type":""#.utf8)
        out.append(contentsOf: geometry.type.rawValue.utf8)
        if case .geometryCollection(let g) = geometry {
            out.append(contentsOf: #"","geometries":["#.utf8)
            for (i, child) in g.geometries.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                try self.geometry(child, path: GeoJSONWriter.member(path, "geometries[\(i)]"))
            }
            out.append(contentsOf: "]}".utf8)
            return
        }
        out.append(contentsOf: #"","coordinates":"#.utf8)
        let coordinatesPath = GeoJSONWriter.member(path, "coordinates")
        switch geometry {
        case .point(let p):
            if p.isEmpty { out.append(contentsOf: "[]".utf8) } else { try position(p.coordinate, path: coordinatesPath) }
        case .lineString(let l):
            try positions(l.coordinates, path: coordinatesPath)
        case .polygon(let p):
            try polygon(p, path: coordinatesPath)
        case .multiPoint(let m):
            try positions(m.points, path: coordinatesPath)
        case .multiLineString(let m):
            out.append(UInt8(ascii: "["))
            for (i, l) in m.lineStrings.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                try positions(l.coordinates, path: "\(coordinatesPath)[\(i)]")
            }
            out.append(UInt8(ascii: "]"))
        case .multiPolygon(let m):
            out.append(UInt8(ascii: "["))
            for (i, p) in m.polygons.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                try polygon(p, path: "\(coordinatesPath)[\(i)]")
            }
            out.append(UInt8(ascii: "]"))
        case .geometryCollection:
            preconditionFailure("handled above")
        }
        out.append(UInt8(ascii: "}"))
    }

    mutating func polygon(_ p: Polygon, path: String) throws(GeoError) {
        if p.exterior.isEmpty && p.holes.isEmpty {
            out.append(contentsOf: "[]".utf8)
            return
        }
        out.append(UInt8(ascii: "["))
        for (i, ring) in p.rings.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            try positions(ring, path: "\(path)[\(i)]")
        }
        out.append(UInt8(ascii: "]"))
    }

    mutating func positions(_ list: [Coordinate], path: String) throws(GeoError) {
        out.append(UInt8(ascii: "["))
        for (i, c) in list.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            try position(c, path: path, index: i)
        }
        out.append(UInt8(ascii: "]"))
    }

    mutating func position(_ c: Coordinate, path: String, index: Int? = nil) throws(GeoError) {
        guard c.isFinite else {
            let location = index.map { "\(path)[\($0)]" } ?? path
            throw GeoError(code: .invalidGeoJSON, message: "GeoJSON cannot represent a non-finite coordinate", location: location)
        }
        out.append(UInt8(ascii: "["))
        number(c.x)
        out.append(UInt8(ascii: ","))
        number(c.y)
        out.append(UInt8(ascii: "]"))
    }

    mutating func number(_ d: Double) {
        let value = options.coordinatePrecision.map { NumberText.rounded(d, decimals: $0) } ?? d
        NumberText.appendShortest(value, to: &out, pointZero: true)
    }
}
