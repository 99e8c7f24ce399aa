import Foundation

/// A Web Mercator (EPSG:3857) map tile in the XYZ scheme: x grows east, y grows south, zoom 0 is one tile.
public struct TileID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let z: Int
    public let x: Int
    public let y: Int

    /// The deepest zoom supported (tile counts stay within Int on every platform).
    public static let maximumZoom = 30

    /// A validated tile: z in 0...30, x and y in 0..<2^z; otherwise `invalid_tile` naming the bad part.
    public init(z: Int, x: Int, y: Int) throws(GeoError) {
        guard (0...Self.maximumZoom).contains(z) else {
            throw GeoError(code: .invalidTile, message: "zoom \(z) is outside 0...\(Self.maximumZoom)", location: "z")
        }
        let count = 1 << z
        guard (0..<count).contains(x) else {
            throw GeoError(code: .invalidTile, message: "x \(x) is outside 0...\(count - 1) at zoom \(z)", location: "x")
        }
        guard (0..<count).contains(y) else {
            throw GeoError(code: .invalidTile, message: "y \(y) is outside 0...\(count - 1) at zoom \(z)", location: "y")
        }
        self.init(unchecked: z, x, y)
    }

    init(unchecked z: Int, _ x: Int, _ y: Int) {
        self.z = z
        self.x = x
        self.y = y
    }

    public var description: String { "\(z)/\(x)/\(y)" }

    /// The y of the same tile in the TMS scheme (y grows north), as MBTiles stores it.
    public var tmsY: Int { (1 << z) - 1 - y }

    /// The Bing-style quadkey: one base-4 digit per zoom level, "" at zoom 0.
    public var quadkey: String {
        var key = ""
        for level in stride(from: z, to: 0, by: -1) {
            let mask = 1 << (level - 1)
            key.append(Character(String((x & mask != 0 ? 1 : 0) + (y & mask != 0 ? 2 : 0))))
        }
        return key
    }

    /// The tile one zoom up holding this one; nil at zoom 0.
    public var parent: TileID? { z == 0 ? nil : TileID(unchecked: z - 1, x >> 1, y >> 1) }

    /// The four tiles one zoom down, in the order NW, NE, SW, SE; empty at the maximum zoom.
    public var children: [TileID] {
        guard z < Self.maximumZoom else { return [] }
        return [(0, 0), (1, 0), (0, 1), (1, 1)].map { TileID(unchecked: z + 1, 2 * x + $0.0, 2 * y + $0.1) }
    }

    /// The tile's extent in longitude/latitude degrees.
    public var bounds: BoundingBox {
        let n = Double(1 << z)
        return BoundingBox(
            minX: Double(x) / n * 360 - 180, minY: WebMercator.latitude(ofTileY: Double(y + 1), zoom: z),
            maxX: Double(x + 1) / n * 360 - 180, maxY: WebMercator.latitude(ofTileY: Double(y), zoom: z))
    }

    /// The tile's extent in EPSG:3857 metres.
    public var mercatorBounds: BoundingBox {
        let size = 2 * WebMercator.originShift / Double(1 << z)
        return BoundingBox(
            minX: -WebMercator.originShift + Double(x) * size, minY: WebMercator.originShift - Double(y + 1) * size,
            maxX: -WebMercator.originShift + Double(x + 1) * size, maxY: WebMercator.originShift - Double(y) * size)
    }

    public static func < (a: TileID, b: TileID) -> Bool { (a.z, a.x, a.y) < (b.z, b.x, b.y) }
}

/// The spherical Mercator of web maps (EPSG:3857) and its XYZ tile pyramid.
public enum WebMercator {
    /// Half the projected world's width in metres: π times the WGS 84 semi-major axis.
    public static let originShift = Double.pi * 6_378_137.0
    /// The latitude at which the square world ends: atan(sinh(π)).
    public static let maximumLatitude = 85.051_128_779_806_59

    /// Longitude/latitude to metres; latitudes are clamped to ±``maximumLatitude``.
    public static func project(_ c: Coordinate) -> Coordinate {
        let latitude = min(max(c.y, -maximumLatitude), maximumLatitude)
        let x = c.x * originShift / 180
        let y = log(tan((90 + latitude) * .pi / 360)) * 6_378_137.0
        return Coordinate(x: x, y: y)
    }

    /// Metres to longitude/latitude.
    public static func unproject(_ m: Coordinate) -> Coordinate {
        let longitude = m.x / originShift * 180
        let latitude = (2 * atan(exp(m.y / 6_378_137.0)) - .pi / 2) * 180 / .pi
        return Coordinate(x: longitude, y: latitude)
    }

    /// The tile holding a position at a zoom (positions on a tile edge belong to the tile east/south of it;
    /// the world's east and south edges belong to the last tile).
    public static func tile(containing c: Coordinate, zoom: Int) throws(GeoError) -> TileID {
        guard c.isValidGeographic else {
            throw GeoError(code: .outOfRange, message: "(\(c.x), \(c.y)) is not a valid longitude/latitude")
        }
        let (fx, fy) = fractionalTile(c, zoom: zoom)
        let last = (1 << zoom) - 1
        return try TileID(z: zoom, x: min(max(Int(fx.rounded(.down)), 0), last), y: min(max(Int(fy.rounded(.down)), 0), last))
    }

    /// Fractional tile coordinates (x east, y south) of a position at a zoom.
    public static func fractionalTile(_ c: Coordinate, zoom: Int) -> (x: Double, y: Double) {
        let n = Double(1 << zoom)
        let latitude = min(max(c.y, -maximumLatitude), maximumLatitude) * .pi / 180
        let x = (c.x + 180) / 360 * n
        let y = (1 - log(tan(latitude) + 1 / cos(latitude)) / .pi) / 2 * n
        return (x, y)
    }

    /// The latitude of the northern edge of tile row `y` (fractional rows allowed).
    static func latitude(ofTileY y: Double, zoom: Int) -> Double {
        let n = Double.pi - 2 * Double.pi * y / Double(1 << zoom)
        return atan(sinh(n)) * 180 / .pi
    }

    /// Every tile at `zoom` that a bounding box touches, row by row from the north-west; throws
    /// `too_many_tiles` when there would be more than `limit`.
    public static func tiles(covering box: BoundingBox, zoom: Int, limit: Int = 1_000_000) throws(GeoError) -> [TileID] {
        let northWest = try tile(containing: Coordinate(x: box.minX, y: box.maxY), zoom: zoom)
        let southEast = try tile(containing: Coordinate(x: box.maxX, y: box.minY), zoom: zoom)
        let count = (southEast.x - northWest.x + 1) * (southEast.y - northWest.y + 1)
        guard count <= limit else {
            throw GeoError(code: .tooManyTiles, message: "the box covers \(count) tiles at zoom \(zoom); the limit is \(limit)")
        }
        var result: [TileID] = []
        result.reserveCapacity(count)
        for y in northWest.y...southEast.y {
            for x in northWest.x...southEast.x { result.append(TileID(unchecked: zoom, x, y)) }
        }
        return result
    }
}
