import GeoGrids

/// A measure summed per region of one level of the code tree (district, street, community, unit grid).
public struct RegionTotal: Hashable, Sendable {
    /// The region's code, nil for the rows no region of the level holds.
    public var code: String?
    /// How many rows fell in it.
    public var count: Int
    /// The whole and the part of it that is measured (covered, overlapping): m², people, cases.
    public var total: Double
    public var part: Double
    /// part / total, 0 when the total is 0.
    public var share: Double { total > 0 ? part / total : 0 }

    /// Sums `rows` by the first `level.rawValue` digits of their region code, ascending by code; rows without a
    /// code that deep are summed in one row with a nil code, last.
    public static func sum(_ rows: [(code: String?, total: Double, part: Double)], level: RegionLevel) -> [RegionTotal] {
        var sums: [String?: RegionTotal] = [:]
        for row in rows {
            let code = row.code.flatMap { $0.count >= level.rawValue ? String($0.prefix(level.rawValue)) : nil }
            var entry = sums[code] ?? RegionTotal(code: code, count: 0, total: 0, part: 0)
            entry.count += 1
            entry.total += row.total
            entry.part += row.part
            sums[code] = entry
        }
        return sums.values.sorted { ($0.code ?? "\u{10FFFF}") < ($1.code ?? "\u{10FFFF}") }
    }
}
