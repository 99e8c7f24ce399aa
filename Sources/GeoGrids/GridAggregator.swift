import Foundation
import GeoCore

/// Counts and sums of point records per unit grid, community or street over a time range: the data behind
/// choropleths; and counts on a regular cell grid for heat maps.
public enum GridAggregator {
    /// One point record: its unit grid, time and optional value to sum.
    public struct Record: Sendable, Hashable {
        public let gridCode: String
        public let time: Date
        public let value: Double?

        public init(gridCode: String, time: Date, value: Double? = nil) {
            self.gridCode = gridCode
            self.time = time
            self.value = value
        }
    }

    public struct Row: Sendable, Hashable {
        public let code: String
        public let count: Int
        /// The sum of the records' values; nil when no value was given.
        public let sum: Double?
    }

    /// Rows for every region with at least one record in [from, to), sorted by code; the level decides how many
    /// leading digits of the grid code name the region (15 grid, 12 community, 9 street, 6 district).
    public static func aggregate(_ records: [Record], level: RegionLevel, from: Date, to: Date) throws(GeoError) -> [Row] {
        guard from < to else {
            throw GeoError(code: .invalidArgument, message: "the time range is empty: from \(from) is not before to \(to)", location: "from")
        }
        var counts: [String: (count: Int, sum: Double?)] = [:]
        for record in records where record.time >= from && record.time < to {
            guard record.gridCode.count >= level.rawValue else { continue }
            let code = String(record.gridCode.prefix(level.rawValue))
            var entry = counts[code] ?? (0, nil)
            entry.count += 1
            if let value = record.value { entry.sum = (entry.sum ?? 0) + value }
            counts[code] = entry
        }
        return counts.keys.sorted().map { Row(code: $0, count: counts[$0]!.count, sum: counts[$0]!.sum) }
    }

    /// A heat-map cell: its south-west corner, size in degrees and count.
    public struct HeatCell: Sendable, Hashable {
        public let column: Int
        public let row: Int
        public let bounds: BoundingBox
        public let count: Int
    }

    /// Counts of positions on square cells of about `cellMetres` over `box` (cells are equal in degrees:
    /// `cellMetres` is converted at the box's middle latitude). Only non-empty cells are returned, west to east
    /// within rows from the south.
    public static func heat(_ positions: [Coordinate], box: BoundingBox, cellMetres: Double) throws(GeoError) -> [HeatCell] {
        guard cellMetres > 0, cellMetres.isFinite else {
            throw GeoError(code: .invalidArgument, message: "cell size \(cellMetres) m must be a positive number", location: "cell_m")
        }
        let height = cellMetres / 110_574
        let width = cellMetres / (111_320 * cos(box.center.y * .pi / 180))
        let columns = Int((box.width / width).rounded(.up))
        let rows = Int((box.height / height).rounded(.up))
        guard columns * rows <= 4_000_000 else {
            throw GeoError(code: .invalidArgument, message: "\(columns) x \(rows) heat cells are too many; use a larger cell", location: "cell_m")
        }
        var counts: [Int: Int] = [:]
        for p in positions where box.contains(p) {
            let column = min(columns - 1, Int((p.x - box.minX) / width))
            let row = min(rows - 1, Int((p.y - box.minY) / height))
            counts[row * columns + column, default: 0] += 1
        }
        return counts.keys.sorted().map { key in
            let (row, column) = (key / columns, key % columns)
            let west = box.minX + Double(column) * width
            let south = box.minY + Double(row) * height
            return HeatCell(
                column: column, row: row, bounds: BoundingBox(minX: west, minY: south, maxX: west + width, maxY: south + height),
                count: counts[key]!)
        }
    }
}
