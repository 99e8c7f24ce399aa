import GeoCore

/// A block of the urban core: the land between two consecutive north-south and east-west roads.
struct Block: Hashable, Comparable {
    let column: Int
    let row: Int
    static func < (a: Block, b: Block) -> Bool { a.row != b.row ? a.row > b.row : a.column < b.column }
}

/// The urban core (丰华街道 and 大中街道): a lattice of ~100 m cells; every `cellsPerBlock`-th line is a road.
struct UrbanCore {
    let lattice: CellLattice
    /// Lattice x-line indices that carry north-south roads (block edges), ascending, first and last included.
    let roadColumns: [Int]
    /// Lattice y-line indices that carry east-west roads, ascending.
    let roadRows: [Int]
    /// The blocks that are part of the city (corners are cut and blocks outside the district dropped).
    let blocks: Set<Block>
    let centre: Coordinate

    var blockColumnCount: Int { roadColumns.count - 1 }
    var blockRowCount: Int { roadRows.count - 1 }

    /// Lays out the core around `centre` (metres). Scale 1 gives about 12 x 9 blocks of 500-740 m, ~40 km²;
    /// `scale` multiplies the area.
    static func layout(
        centre: Coordinate, scale: Double, rng: inout SeededGenerator, isInsideDistrict: (Coordinate) -> Bool
    ) -> UrbanCore {
        let factor = scale.squareRoot()
        let columns = max(4, Int((12 * factor).rounded()))
        let rows = max(3, Int((9 * factor).rounded()))

        func lines(count: Int, around middle: Double) -> (lines: [Double], roads: [Int]) {
            let widths = (0..<count).map { _ in 500.0 + 20.0 * Double(rng.int(in: 0...12)) }
            var position = middle - widths.reduce(0, +) / 2
            var result: [Double] = []
            var roads: [Int] = []
            for width in widths {
                roads.append(result.count)
                let parts = Int((width / 100).rounded())
                result += CellLattice.subdivide(from: position, length: width, parts: parts)
                position += width
            }
            roads.append(result.count)
            result.append(position)
            return (result, roads)
        }
        let x = lines(count: columns, around: centre.x)
        let y = lines(count: rows, around: centre.y)
        let lattice = CellLattice(xLines: x.lines, yLines: y.lines)

        var blocks = Set<Block>()
        for column in 0..<columns {
            for row in 0..<rows {
                let corners = [
                    lattice.vertex(x.roads[column], y.roads[row]), lattice.vertex(x.roads[column + 1], y.roads[row]),
                    lattice.vertex(x.roads[column + 1], y.roads[row + 1]), lattice.vertex(x.roads[column], y.roads[row + 1]),
                ]
                if corners.allSatisfy(isInsideDistrict) { blocks.insert(Block(column: column, row: row)) }
            }
        }
        // Cut a staircase off each corner so the city outline is not a rectangle.
        for (cornerColumn, cornerRow, stepColumn, stepRow) in [
            (0, 0, 1, 1), (columns - 1, 0, -1, 1), (0, rows - 1, 1, -1), (columns - 1, rows - 1, -1, -1),
        ] {
            let depth = rng.int(in: 1...2)
            for k in 0..<depth {
                for m in 0..<(depth - k) {
                    blocks.remove(Block(column: cornerColumn + stepColumn * m, row: cornerRow + stepRow * k))
                }
            }
        }
        return UrbanCore(lattice: lattice, roadColumns: x.roads, roadRows: y.roads, blocks: blocks, centre: centre)
    }

    /// The cells of a block.
    func cells(of block: Block) -> [LatticeCell] {
        var result: [LatticeCell] = []
        for column in roadColumns[block.column]..<roadColumns[block.column + 1] {
            for row in roadRows[block.row]..<roadRows[block.row + 1] {
                result.append(LatticeCell(column: column, row: row))
            }
        }
        return result
    }

    /// The block's rectangle in metres: (west, south, east, north).
    func bounds(of block: Block) -> BoundingBox {
        BoundingBox(
            minX: lattice.xLines[roadColumns[block.column]], minY: lattice.yLines[roadRows[block.row]],
            maxX: lattice.xLines[roadColumns[block.column + 1]], maxY: lattice.yLines[roadRows[block.row + 1]])
    }

    /// The block holding a cell.
    func block(of cell: LatticeCell) -> Block {
        Block(
            column: roadColumns.lastIndex { $0 <= cell.column }!,
            row: roadRows.lastIndex { $0 <= cell.row }!)
    }

    /// Evaluation area class by distance from the centre: A (commercial core), B (residential), C (fringe).
    func areaClass(of block: Block, scale: Double) -> String {
        let distance = Planar.distance(bounds(of: block).center, centre) / scale.squareRoot()
        return distance < 1_400 ? "A" : distance < 2_800 ? "B" : "C"
    }

    /// Groups blocks into communities: rows are taken in pairs from the north, columns in runs of one or two.
    /// Returns the groups in code order (north to south, west to east), each with its blocks.
    func communityGroups(rng: inout SeededGenerator) -> [[Block]] {
        var groups: [[Block]] = []
        var top = blockRowCount - 1
        while top >= 0 {
            let rowsInGroup = top >= 1 ? [top, top - 1] : [top]
            var column = 0
            while column < blockColumnCount {
                let width = min(rng.chance(0.6) ? 2 : 1, blockColumnCount - column)
                var group: [Block] = []
                for c in column..<(column + width) {
                    for r in rowsInGroup where blocks.contains(Block(column: c, row: r)) {
                        group.append(Block(column: c, row: r))
                    }
                }
                if !group.isEmpty { groups.append(group.sorted()) }
                column += width
            }
            top -= 2
        }
        return groups
    }
}
