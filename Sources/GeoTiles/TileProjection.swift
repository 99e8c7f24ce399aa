import Foundation
import GeoCore
import GeoEngine

/// How tiles are cut: the grid size, the margin kept around each tile, simplification and density budgets.
@MemberwiseInit
public struct TileOptions: Hashable, Sendable {
    /// Grid units across a tile (the layer `extent`).
    public var extent: Int = 4096
    /// Grid units kept beyond each tile edge, so that line joins and polygon outlines do not show seams.
    public var buffer: Int = 64
    /// Douglas-Peucker tolerance (topology-preserving) in grid units; 0 turns simplification off. One unit is
    /// 1/extent of the tile, so the tolerance on the ground halves at every zoom.
    public var simplification: Double = 1
    /// Most features of one layer in one tile below the source's maximum zoom; beyond it the smallest
    /// (area for polygons, length for lines) are dropped, ties by id.
    public var featureBudget: Int = 20_000
    /// Largest tile below the source's maximum zoom, in bytes before gzip; beyond it more of the smallest
    /// features are dropped.
    public var byteBudget: Int = 500_000
}

/// Web Mercator "world" coordinates: the square world as [0, 1] x [0, 1], x east and y **south** (the tile
/// scheme's orientation), so that a tile at zoom z is a 1/2^z square of it.
public enum WorldCoordinates {
    /// A longitude/latitude (WGS 84 or CGCS2000, which differ by centimetres) in world coordinates;
    /// latitudes are clamped to Web Mercator's ±85.05°.
    public static func project(_ c: Coordinate) -> Coordinate {
        let (x, y) = WebMercator.fractionalTile(c, zoom: 0)
        return Coordinate(x: x, y: y)
    }

    /// A tile's square in world coordinates.
    public static func bounds(of tile: TileID) -> BoundingBox {
        let size = 1 / Double(1 << tile.z)
        return BoundingBox(minX: Double(tile.x) * size, minY: Double(tile.y) * size, maxX: Double(tile.x + 1) * size, maxY: Double(tile.y + 1) * size)
    }
}

/// Cuts world-coordinate geometries for one tile: to grid coordinates, clipped to the tile plus its buffer with
/// GEOS, simplified, rounded, with degenerate parts dropped and rings wound as the specification wants.
///
/// Holds a ``GeometryEngine``, so it is not Sendable: make one per task (or per tile) and never share it.
public final class TileClipper {
    public let tile: TileID
    public let options: TileOptions
    private let engine: GeometryEngine
    private let scale: Double
    private let originX: Double
    private let originY: Double
    /// The clip rectangle in grid units.
    public let clipBox: BoundingBox
    /// The clip rectangle in world coordinates (for index queries).
    public let worldClipBox: BoundingBox

    public init(tile: TileID, options: TileOptions) throws {
        self.tile = tile
        self.options = options
        engine = try GeometryEngine()
        let n = Double(1 << tile.z)
        scale = n * Double(options.extent)
        originX = Double(tile.x) * Double(options.extent)
        originY = Double(tile.y) * Double(options.extent)
        let b = Double(options.buffer)
        clipBox = BoundingBox(minX: -b, minY: -b, maxX: Double(options.extent) + b, maxY: Double(options.extent) + b)
        worldClipBox = BoundingBox(
            minX: (originX - b) / scale, minY: (originY - b) / scale,
            maxX: (originX + Double(options.extent) + b) / scale, maxY: (originY + Double(options.extent) + b) / scale)
    }

    /// A world coordinate in (unrounded) grid units of this tile.
    public func toGrid(_ c: Coordinate) -> Coordinate {
        Coordinate(x: c.x * scale - originX, y: c.y * scale - originY)
    }

    /// The geometry (world coordinates) as it appears in this tile, or nil when nothing of it is left. Points
    /// stay points, lines lines and polygons polygons; a collection keeps its parts of the highest dimension.
    public func cut(_ worldGeometry: Geometry, worldBox: BoundingBox? = nil) throws -> TileGeometry? {
        guard let box = worldBox ?? worldGeometry.boundingBox, box.intersects(worldClipBox) else { return nil }
        let dimension = Self.dimension(of: worldGeometry)
        var grid = worldGeometry.mapCoordinates(toGrid)
        if !worldClipBox.contains(box) {
            do {
                grid = try engine.clip(grid, to: clipBox)
            } catch {
                // GEOS refuses some invalid input (e.g. a self-crossing ring): repair it and clip again, so
                // that one bad feature cannot fail a whole tile. What cannot be repaired is left out.
                guard let repaired = try? engine.makeValid(grid), let clipped = try? engine.clip(repaired, to: clipBox) else { return nil }
                grid = clipped
            }
        }
        if options.simplification > 0, dimension > 0, grid.vertexCount > 4 {
            // Simplification is an optimisation: where GEOS fails, the unsimplified geometry is still right.
            if let simplified = try? engine.simplifyPreservingTopology(grid, tolerance: options.simplification) { grid = simplified }
        }
        return Self.tileGeometry(grid, dimension: dimension)
    }

    /// 0 for points, 1 for lines, 2 for polygons; for collections the highest of their parts.
    static func dimension(of geometry: Geometry) -> Int {
        switch geometry {
        case .point, .multiPoint: 0
        case .lineString, .multiLineString: 1
        case .polygon, .multiPolygon: 2
        case .geometryCollection(let c): c.geometries.map(dimension(of:)).max() ?? 0
        }
    }

    static func tileGeometry(_ geometry: Geometry, dimension: Int) -> TileGeometry? {
        switch dimension {
        case 0:
            var points: [(Double, Double)] = []
            collect(geometry) { if case .point(let p) = $0 { points.append((p.coordinate.x, p.coordinate.y)) } }
            return TileGeometry.points(rounding: points)
        case 1:
            var lines: [[(Double, Double)]] = []
            collect(geometry) { if case .lineString(let l) = $0 { lines.append(l.coordinates.map { ($0.x, $0.y) }) } }
            return TileGeometry.lineStrings(rounding: lines)
        default:
            var polygons: [[[(Double, Double)]]] = []
            collect(geometry) { if case .polygon(let p) = $0 { polygons.append(p.rings.map { $0.map { ($0.x, $0.y) } }) } }
            return TileGeometry.polygons(rounding: polygons)
        }
    }

    /// Calls `body` with every single (non-multi) part.
    private static func collect(_ geometry: Geometry, _ body: (Geometry) -> Void) {
        switch geometry {
        case .point, .lineString, .polygon: body(geometry)
        case .multiPoint(let m): for c in m.points { body(.point(Point(c))) }
        case .multiLineString(let m): for l in m.lineStrings { body(.lineString(l)) }
        case .multiPolygon(let m): for p in m.polygons { body(.polygon(p)) }
        case .geometryCollection(let c): for g in c.geometries { collect(g, body) }
        }
    }
}
