import Foundation
import GeoCore
import GeoTrajectories

/// A kernel density surface on square cells, the data of a heat map.
public struct DensityGrid: Hashable, Sendable {
    /// South-west corner of the first cell (lon/lat) and the cell size in metres.
    public var origin: Coordinate
    public var cellMetres: Double
    public var columns: Int
    public var rows: Int
    /// Row-major from the south-west corner: points per km² at each cell's centre.
    public var values: [Double]
    /// The frame the cells are square in (centred on the requested box).
    public let frame: LocalFrame

    /// The lon/lat square of a cell.
    public func cellPolygon(column: Int, row: Int) -> Polygon {
        let o = frame.project(origin)
        let x0 = o.x + Double(column) * cellMetres, y0 = o.y + Double(row) * cellMetres
        let corners = [(x0, y0), (x0 + cellMetres, y0), (x0 + cellMetres, y0 + cellMetres), (x0, y0 + cellMetres), (x0, y0)]
        return Polygon(exterior: corners.map { frame.unproject(Coordinate(x: $0.0, y: $0.1)) })
    }

    /// The largest value, 0 for an empty grid.
    public var maximum: Double { values.max() ?? 0 }
}

/// Kernel density estimation with the quartic (biweight) kernel, as QGIS's heat map and ArcGIS's Kernel Density
/// use: a point at distance d < h adds 3 / (π h²) · (1 − d²/h²)² per m² (so each point's kernel integrates to 1),
/// nothing beyond the bandwidth h.
public enum KernelDensity {
    /// The density of `points` at the centres of square cells of `cellMetres` covering `bounds`.
    /// - Parameters:
    ///   - weights: a weight per point (1 each when nil).
    ///   - maximumCells: refuses (`invalid_argument`, field `cell_m`) a finer grid.
    public static func quartic(
        _ points: [Coordinate], weights: [Double]? = nil, bounds: BoundingBox, cellMetres: Double, bandwidthMetres: Double,
        maximumCells: Int
    ) throws(GeoError) -> DensityGrid {
        guard cellMetres > 0, cellMetres.isFinite else {
            throw GeoError(code: .invalidArgument, message: "cell size \(cellMetres) m must be a positive number", location: "cell_m")
        }
        guard bandwidthMetres > 0, bandwidthMetres.isFinite else {
            throw GeoError(code: .invalidArgument, message: "bandwidth \(bandwidthMetres) m must be a positive number", location: "bandwidth_m")
        }
        let frame = LocalFrame(origin: bounds.center)
        let low = frame.project(Coordinate(x: bounds.minX, y: bounds.minY)), high = frame.project(Coordinate(x: bounds.maxX, y: bounds.maxY))
        let columns = max(1, Int(((high.x - low.x) / cellMetres).rounded(.up)))
        let rows = max(1, Int(((high.y - low.y) / cellMetres).rounded(.up)))
        guard Double(columns) * Double(rows) <= Double(maximumCells) else {
            throw GeoError(code: .invalidArgument, message: "\(columns) x \(rows) cells of \(cellMetres) m are more than \(maximumCells); use larger cells", location: "cell_m")
        }
        var values = [Double](repeating: 0, count: columns * rows)
        let h2 = bandwidthMetres * bandwidthMetres
        let scale = 3 / (Double.pi * h2) * 1_000_000
        let reach = Int((bandwidthMetres / cellMetres).rounded(.up)) + 1
        for (k, point) in points.enumerated() {
            if k % 1_024 == 0 { try GeoError.throwIfCancelled() }
            guard point.isValidGeographic else { continue }
            let weight = weights?[k] ?? 1
            let p = frame.project(point)
            let column = Int(((p.x - low.x) / cellMetres).rounded(.down)), row = Int(((p.y - low.y) / cellMetres).rounded(.down))
            // Points outside the box still warm the cells within their bandwidth.
            let r0 = max(0, row - reach), r1 = min(rows - 1, row + reach), c0 = max(0, column - reach), c1 = min(columns - 1, column + reach)
            guard r0 <= r1, c0 <= c1 else { continue }
            for r in r0...r1 {
                let cy = low.y + (Double(r) + 0.5) * cellMetres - p.y
                for c in c0...c1 {
                    let cx = low.x + (Double(c) + 0.5) * cellMetres - p.x
                    let d2 = cx * cx + cy * cy
                    guard d2 < h2 else { continue }
                    let u = 1 - d2 / h2
                    values[r * columns + c] += weight * scale * u * u
                }
            }
        }
        return DensityGrid(origin: frame.unproject(low), cellMetres: cellMetres, columns: columns, rows: rows, values: values, frame: frame)
    }
}
