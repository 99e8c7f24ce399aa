/// A position in two dimensions.
///
/// For geographic coordinates `x` is the longitude and `y` the latitude, in degrees (the GeoJSON order);
/// for projected coordinates both are metres. Altitude is not modelled: readers drop a third ordinate.
@MemberwiseInit
public struct Coordinate: Hashable, Sendable, Codable {
    public var x: Double
    public var y: Double

    /// A geographic coordinate from longitude and latitude in degrees.
    public init(longitude: Double, latitude: Double) {
        self.init(x: longitude, y: latitude)
    }

    /// The longitude in degrees (an alias of `x`).
    public var longitude: Double { x }
    /// The latitude in degrees (an alias of `y`).
    public var latitude: Double { y }

    /// Whether both ordinates are finite numbers.
    public var isFinite: Bool { x.isFinite && y.isFinite }

    /// Whether this is a valid WGS 84 / CGCS2000 position: finite, longitude in [-180, 180], latitude in [-90, 90].
    public var isValidGeographic: Bool {
        isFinite && x >= -180 && x <= 180 && y >= -90 && y <= 90
    }
}

/// A single position.
public struct Point: Hashable, Sendable {
    public var coordinate: Coordinate
    public init(_ coordinate: Coordinate) { self.coordinate = coordinate }
}

/// A sequence of two or more positions.
public struct LineString: Hashable, Sendable {
    public var coordinates: [Coordinate]
    public init(_ coordinates: [Coordinate]) { self.coordinates = coordinates }
}

/// A polygon: one exterior ring and zero or more holes. Each ring is closed (first == last position).
public struct Polygon: Hashable, Sendable {
    public var exterior: [Coordinate]
    public var holes: [[Coordinate]]

    public init(exterior: [Coordinate], holes: [[Coordinate]] = []) {
        self.exterior = exterior
        self.holes = holes
    }

    /// The exterior ring followed by the holes, the order GeoJSON, WKT and WKB use.
    public var rings: [[Coordinate]] { [exterior] + holes }

    /// Builds a polygon from rings in GeoJSON order (exterior first). Returns nil for an empty list.
    public init?(rings: [[Coordinate]]) {
        guard let first = rings.first else { return nil }
        self.init(exterior: first, holes: Array(rings.dropFirst()))
    }
}

public struct MultiPoint: Hashable, Sendable {
    public var points: [Coordinate]
    public init(_ points: [Coordinate]) { self.points = points }
}

public struct MultiLineString: Hashable, Sendable {
    public var lineStrings: [LineString]
    public init(_ lineStrings: [LineString]) { self.lineStrings = lineStrings }
}

public struct MultiPolygon: Hashable, Sendable {
    public var polygons: [Polygon]
    public init(_ polygons: [Polygon]) { self.polygons = polygons }
}

public struct GeometryCollection: Hashable, Sendable {
    public var geometries: [Geometry]
    public init(_ geometries: [Geometry]) { self.geometries = geometries }
}

/// Any of the seven OGC simple-feature geometry types.
public indirect enum Geometry: Hashable, Sendable {
    case point(Point)
    case lineString(LineString)
    case polygon(Polygon)
    case multiPoint(MultiPoint)
    case multiLineString(MultiLineString)
    case multiPolygon(MultiPolygon)
    case geometryCollection(GeometryCollection)

    /// The geometry type, as named by GeoJSON, WKT and the layer catalogue.
    public var type: GeometryType {
        switch self {
        case .point: .point
        case .lineString: .lineString
        case .polygon: .polygon
        case .multiPoint: .multiPoint
        case .multiLineString: .multiLineString
        case .multiPolygon: .multiPolygon
        case .geometryCollection: .geometryCollection
        }
    }

    /// Calls `body` with every position of the geometry, in storage order.
    public func forEachCoordinate(_ body: (Coordinate) throws -> Void) rethrows {
        switch self {
        case .point(let p): try body(p.coordinate)
        case .lineString(let l): for c in l.coordinates { try body(c) }
        case .polygon(let p): for ring in p.rings { for c in ring { try body(c) } }
        case .multiPoint(let m): for c in m.points { try body(c) }
        case .multiLineString(let m): for l in m.lineStrings { for c in l.coordinates { try body(c) } }
        case .multiPolygon(let m): for p in m.polygons { for ring in p.rings { for c in ring { try body(c) } } }
        case .geometryCollection(let g): for child in g.geometries { try child.forEachCoordinate(body) }
        }
    }

    /// Number of positions (vertices) in the geometry.
    public var vertexCount: Int {
        var n = 0
        forEachCoordinate { _ in n += 1 }
        return n
    }

    /// Whether the geometry holds no position at all.
    public var isEmpty: Bool { vertexCount == 0 }

    /// The same geometry with every position passed through `transform`.
    public func mapCoordinates(_ transform: (Coordinate) throws -> Coordinate) rethrows -> Geometry {
        switch self {
        case .point(let p): return .point(Point(try transform(p.coordinate)))
        case .lineString(let l): return .lineString(LineString(try l.coordinates.map(transform)))
        case .polygon(let p): return .polygon(try p.mapCoordinates(transform))
        case .multiPoint(let m): return .multiPoint(MultiPoint(try m.points.map(transform)))
        case .multiLineString(let m):
            return .multiLineString(MultiLineString(try m.lineStrings.map { LineString(try $0.coordinates.map(transform)) }))
        case .multiPolygon(let m): return .multiPolygon(MultiPolygon(try m.polygons.map { try $0.mapCoordinates(transform) }))
        case .geometryCollection(let g):
            return .geometryCollection(GeometryCollection(try g.geometries.map { try $0.mapCoordinates(transform) }))
        }
    }
}

extension Polygon {
    /// The same polygon with every position passed through `transform`.
    public func mapCoordinates(_ transform: (Coordinate) throws -> Coordinate) rethrows -> Polygon {
        Polygon(exterior: try exterior.map(transform), holes: try holes.map { try $0.map(transform) })
    }
}

/// The geometry type names shared by GeoJSON, WKT, WKB and the layer catalogue.
public enum GeometryType: String, Sendable, Codable, CaseIterable {
    case point = "Point"
    case lineString = "LineString"
    case polygon = "Polygon"
    case multiPoint = "MultiPoint"
    case multiLineString = "MultiLineString"
    case multiPolygon = "MultiPolygon"
    case geometryCollection = "GeometryCollection"

    /// The OGC WKB type code (2D).
    public var wkbCode: UInt32 {
        switch self {
        case .point: 1
        case .lineString: 2
        case .polygon: 3
        case .multiPoint: 4
        case .multiLineString: 5
        case .multiPolygon: 6
        case .geometryCollection: 7
        }
    }
}

extension Geometry {
    /// The polygons of a Polygon, MultiPolygon or (recursively) GeometryCollection; empty for other types.
    public var polygons: [Polygon] {
        switch self {
        case .polygon(let p): [p]
        case .multiPolygon(let m): m.polygons
        case .geometryCollection(let c): c.geometries.flatMap(\.polygons)
        default: []
        }
    }
}
