import Foundation
import GeoCore
import GeoGrids
import GeoTrajectories

/// The areal units a hot-spot analysis counts cases in: given polygons (unit grids) or a hexagon grid, each with
/// its lon/lat polygon and its representative point in a planar frame (metres) for the spatial weights.
public struct HotSpotUnits: Sendable {
    /// Lon/lat polygons of the units.
    public let polygons: [Polygon]
    /// Each unit's centroid in ``frame`` metres.
    public let centroids: [Coordinate]
    public let frame: LocalFrame
    /// Which unit holds a lon/lat point.
    private let locateUnit: @Sendable (Coordinate) -> Int?

    /// Units from polygon features (unit grids, communities); the centroid of each is the area centroid of its
    /// largest part, in a frame around all of them. Features without a polygon are skipped, so the i-th unit is
    /// the i-th polygonal feature.
    public init(polygonFeatures features: [Feature]) {
        let polygons = features.compactMap { feature -> Polygon? in
            feature.geometry?.polygons.max { Planar.area(of: $0) < Planar.area(of: $1) }
        }
        let frame = LocalFrame(around: polygons.flatMap(\.exterior))
        self.polygons = polygons
        self.frame = frame
        self.centroids = polygons.map { HotSpotUnits.centroid(of: $0.exterior.map(frame.project)) }
        let index = PolygonIndex(polygons.map { Geometry.polygon($0) })
        self.locateUnit = { index.locate($0) }
    }

    /// A grid of pointy-top hexagons `cellMetres` apart (centre to neighbouring centre) over `bounds`: every
    /// hexagon whose centre lies within the box grown by half a cell. Throws `invalid_argument` (field
    /// `cell_m`) beyond `maximumCount` hexagons.
    public init(hexagonsOver bounds: BoundingBox, cellMetres: Double, maximumCount: Int) throws(GeoError) {
        guard cellMetres > 0, cellMetres.isFinite else {
            throw GeoError(code: .invalidArgument, message: "hexagon size \(cellMetres) m must be a positive number", location: "cell_m")
        }
        let frame = LocalFrame(origin: bounds.center)
        let low = frame.project(Coordinate(x: bounds.minX, y: bounds.minY)), high = frame.project(Coordinate(x: bounds.maxX, y: bounds.maxY))
        let lattice = HexLattice(spacing: cellMetres)
        let rowRange = Int(((low.y - cellMetres / 2) / lattice.rowStep).rounded(.down))...Int(((high.y + cellMetres / 2) / lattice.rowStep).rounded(.up))
        let columnRange = Int(((low.x - cellMetres) / cellMetres).rounded(.down))...Int(((high.x + cellMetres) / cellMetres).rounded(.up))
        let estimate = Double(rowRange.count) * Double(columnRange.count)
        guard estimate <= Double(maximumCount) * 1.5 else {
            throw GeoError(code: .invalidArgument, message: "about \(Int(estimate)) hexagons of \(cellMetres) m cover the area; the limit is \(maximumCount): use larger hexagons", location: "cell_m")
        }
        var centroids: [Coordinate] = []
        var cells: [HexLattice.Cell: Int] = [:]
        for row in rowRange {
            for column in columnRange {
                let cell = HexLattice.Cell(column: column, row: row)
                let c = lattice.centre(of: cell)
                guard c.x >= low.x - cellMetres / 2, c.x <= high.x + cellMetres / 2, c.y >= low.y - cellMetres / 2, c.y <= high.y + cellMetres / 2 else { continue }
                cells[cell] = centroids.count
                centroids.append(c)
            }
        }
        guard centroids.count <= maximumCount else {
            throw GeoError(code: .invalidArgument, message: "\(centroids.count) hexagons of \(cellMetres) m cover the area; the limit is \(maximumCount): use larger hexagons", location: "cell_m")
        }
        self.frame = frame
        self.centroids = centroids
        self.polygons = centroids.map { Polygon(exterior: lattice.corners(around: $0).map(frame.unproject)) }
        let lookup = cells
        self.locateUnit = { point in lookup[lattice.cell(holding: frame.project(point))] }
    }

    public var count: Int { polygons.count }

    /// The unit holding a lon/lat point, nil outside every unit.
    public func unit(at point: Coordinate) -> Int? { point.isValidGeographic ? locateUnit(point) : nil }

    /// How many of `points` fall in each unit.
    public func counts(of points: [Coordinate]) -> [Double] {
        var counts = [Double](repeating: 0, count: polygons.count)
        for p in points { if let u = unit(at: p) { counts[u] += 1 } }
        return counts
    }

    /// The area centroid of a planar ring (the vertex mean for a degenerate ring).
    static func centroid(of ring: [Coordinate]) -> Coordinate {
        var area = 0.0, cx = 0.0, cy = 0.0
        guard let origin = ring.first else { return Coordinate(x: 0, y: 0) }
        // Relative to the first vertex, so that large frame offsets do not cancel digits away.
        for k in 0..<(ring.count - 1) {
            let a = Coordinate(x: ring[k].x - origin.x, y: ring[k].y - origin.y)
            let b = Coordinate(x: ring[k + 1].x - origin.x, y: ring[k + 1].y - origin.y)
            let cross = a.x * b.y - b.x * a.y
            area += cross
            cx += (a.x + b.x) * cross
            cy += (a.y + b.y) * cross
        }
        guard abs(area) > 1e-12 else {
            let n = Double(ring.count)
            return Coordinate(x: ring.reduce(0) { $0 + $1.x } / n, y: ring.reduce(0) { $0 + $1.y } / n)
        }
        return Coordinate(x: origin.x + cx / (3 * area), y: origin.y + cy / (3 * area))
    }
}

/// Pointy-top hexagons with centres `spacing` apart: rows `spacing·√3/2` apart, odd rows shifted half a spacing
/// east.
struct HexLattice {
    struct Cell: Hashable { var column: Int; var row: Int }

    let spacing: Double
    var rowStep: Double { spacing * 3.0.squareRoot() / 2 }
    /// Centre to corner.
    var radius: Double { spacing / 3.0.squareRoot() }

    func centre(of cell: Cell) -> Coordinate {
        Coordinate(x: (Double(cell.column) + (cell.row & 1 == 1 ? 0.5 : 0)) * spacing, y: Double(cell.row) * rowStep)
    }

    func corners(around c: Coordinate) -> [Coordinate] {
        let ring = (0..<6).map { k -> Coordinate in
            let angle = Double.pi / 6 + Double(k) * Double.pi / 3
            return Coordinate(x: c.x + radius * cos(angle), y: c.y + radius * sin(angle))
        }
        return ring + [ring[0]]
    }

    /// The hexagon holding a point: the nearest centre among the candidates of the two nearest rows.
    func cell(holding p: Coordinate) -> Cell {
        let row = Int((p.y / rowStep).rounded(.down))
        var best = Cell(column: 0, row: row)
        var bestDistance = Double.infinity
        for r in row...(row + 1) {
            let shift = r & 1 == 1 ? 0.5 : 0
            let column = Int((p.x / spacing - shift).rounded())
            let cell = Cell(column: column, row: r)
            let d = Planar.distance(centre(of: cell), p)
            if d < bestDistance { (best, bestDistance) = (cell, d) }
        }
        return best
    }
}
