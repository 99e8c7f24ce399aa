import Foundation
import GeoCore

/// Binary spatial weights between areal units, given by their representative points in planar metres: unit `i`
/// neighbours each unit of `neighbours[i]` with weight 1 (never itself; Gi* adds the self-weight).
///
/// The two kinds PySAL's `libpysal.weights` calls `DistanceBand(binary=True)` and `KNN`, built on a uniform cell
/// grid instead of a k-d tree, with the same neighbour sets.
public struct SpatialWeights: Hashable, Sendable {
    /// Neighbours of each unit, ascending.
    public let neighbours: [[Int]]

    public init(neighbours: [[Int]]) { self.neighbours = neighbours }

    /// Units whose points lie within `threshold` metres (inclusive) of each other.
    public static func distanceBand(_ points: [Coordinate], threshold: Double) throws(GeoError) -> SpatialWeights {
        guard threshold > 0, threshold.isFinite else {
            throw GeoError(code: .invalidArgument, message: "the distance band \(threshold) m must be a positive number", location: "distance_m")
        }
        let cells = PointCells(points, cellSize: threshold)
        var neighbours: [[Int]] = []
        neighbours.reserveCapacity(points.count)
        for (i, p) in points.enumerated() {
            if i % 4_096 == 0 { try GeoError.throwIfCancelled() }
            var row: [Int] = []
            cells.forEachPoint(near: p, rings: 1) { j in
                if j != i, Planar.distance(p, points[j]) <= threshold { row.append(j) }
            }
            neighbours.append(row.sorted())
        }
        return SpatialWeights(neighbours: neighbours)
    }

    /// Each unit's `k` nearest other units (ties by index).
    public static func kNearest(_ points: [Coordinate], k: Int) throws(GeoError) -> SpatialWeights {
        guard k >= 1, k < points.count else {
            throw GeoError(code: .invalidArgument, message: "k = \(k) must be at least 1 and below the number of units (\(points.count))", location: "k")
        }
        guard let box = BoundingBox(coordinates: points) else { return SpatialWeights(neighbours: []) }
        // Cells holding about k points each on average, so a few rings usually suffice.
        let area = max(box.width * box.height, 1e-6)
        let cells = PointCells(points, cellSize: max((area * Double(k) / Double(points.count)).squareRoot(), 1e-3))
        var neighbours: [[Int]] = []
        neighbours.reserveCapacity(points.count)
        for (i, p) in points.enumerated() {
            if i % 4_096 == 0 { try GeoError.throwIfCancelled() }
            // The k best so far, nearest first (ties by index), kept by insertion: k is small, the scans are not.
            var best: [(Double, Int)] = []
            var seen = 0
            var rings = 1
            while true {
                best.removeAll(keepingCapacity: true)
                seen = 0
                cells.forEachPoint(near: p, rings: rings) { j in
                    guard j != i else { return }
                    seen += 1
                    let candidate = (Planar.distance(p, points[j]), j)
                    if best.count == k, let last = best.last, candidate >= last { return }
                    best.insert(candidate, at: best.firstIndex { candidate < $0 } ?? best.count)
                    if best.count > k { best.removeLast() }
                }
                // Everything outside the searched square is farther than `rings` cells.
                if best.count == k, best[k - 1].0 <= Double(rings) * cells.cellSize { break }
                if seen == points.count - 1 { break }
                rings *= 2
            }
            neighbours.append(best.map(\.1).sorted())
        }
        return SpatialWeights(neighbours: neighbours)
    }
}

/// Planar points in the cells of a sparse ``BucketGrid`` (any threshold over any extent) for neighbourhood scans.
struct PointCells {
    private let grid: BucketGrid
    private var cells: [Int64: [Int]] = [:]

    var cellSize: Double { grid.cellSize }

    init(_ points: [Coordinate], cellSize: Double) {
        grid = BucketGrid(cellSize: cellSize)
        for (i, p) in points.enumerated() {
            let cell = grid.cell(of: p)
            cells[BucketGrid.sparseKey(column: cell.column, row: cell.row), default: []].append(i)
        }
    }

    /// Every point in the cells within `rings` cells of the one holding `p`.
    func forEachPoint(near p: Coordinate, rings: Int, _ body: (Int) -> Void) {
        let cell = grid.cell(of: p)
        for dc in -rings...rings {
            for dr in -rings...rings {
                for j in cells[BucketGrid.sparseKey(column: cell.column + dc, row: cell.row + dr)] ?? [] { body(j) }
            }
        }
    }
}
