import GeoCore

/// A rectilinear lattice in projected metres: vertical lines at `xLines`, horizontal lines at `yLines`.
/// Cells are the rectangles between consecutive lines. Every unit grid of the demo city is one cell, so
/// neighbouring grids share their corner vertices exactly: the tiling has no gap, no overlap and no
/// T-junction, before and after projection to longitude/latitude (the same input gives the same output).
struct CellLattice {
    /// Ascending x positions (metres).
    var xLines: [Double]
    /// Ascending y positions (metres).
    var yLines: [Double]

    var columnCount: Int { xLines.count - 1 }
    var rowCount: Int { yLines.count - 1 }

    /// The lattice vertex at line indices (i, j).
    func vertex(_ i: Int, _ j: Int) -> Coordinate { Coordinate(x: xLines[i], y: yLines[j]) }

    /// The cell holding `p`, or nil when outside the lattice. Points on a line belong to the cell above/right,
    /// so every point has exactly one cell.
    func cell(containing p: Coordinate) -> LatticeCell? {
        guard let i = Self.interval(of: p.x, in: xLines), let j = Self.interval(of: p.y, in: yLines) else { return nil }
        return LatticeCell(column: i, row: j)
    }

    /// The centre of a cell.
    func centre(of cell: LatticeCell) -> Coordinate {
        Coordinate(x: (xLines[cell.column] + xLines[cell.column + 1]) / 2, y: (yLines[cell.row] + yLines[cell.row + 1]) / 2)
    }

    /// The area of a cell in square metres.
    func area(of cell: LatticeCell) -> Double {
        (xLines[cell.column + 1] - xLines[cell.column]) * (yLines[cell.row + 1] - yLines[cell.row])
    }

    /// The cell as a closed counter-clockwise ring (RFC 7946's right-hand rule).
    func ring(of cell: LatticeCell) -> [Coordinate] {
        let (i, j) = (cell.column, cell.row)
        return [vertex(i, j), vertex(i + 1, j), vertex(i + 1, j + 1), vertex(i, j + 1), vertex(i, j)]
    }

    /// Index k such that lines[k] <= value < lines[k+1] (the last line closes the last interval).
    static func interval(of value: Double, in lines: [Double]) -> Int? {
        guard let first = lines.first, let last = lines.last, value >= first, value <= last else { return nil }
        var low = 0
        var high = lines.count - 1
        while high - low > 1 {
            let mid = (low + high) / 2
            if lines[mid] <= value { low = mid } else { high = mid }
        }
        return low
    }

    /// Splits `length` into `count` parts with the lines at exact multiples, so shared lines are bit-identical.
    static func subdivide(from start: Double, length: Double, parts: Int) -> [Double] {
        (0..<parts).map { start + length * Double($0) / Double(parts) }
    }

    /// The outline of a set of cells as polygons (exteriors counter-clockwise, holes clockwise) with every
    /// lattice vertex on the outline kept, so that the outline shares vertices with its cells exactly.
    func outline(of cells: Set<LatticeCell>) -> [Polygon] {
        // Directed unit edges of every cell, counter-clockwise; an edge whose reverse is also present is interior.
        struct Edge: Hashable { let from: LatticeVertex; let to: LatticeVertex }
        var edges = Set<Edge>()
        for cell in cells {
            let (i, j) = (cell.column, cell.row)
            let corners = [LatticeVertex(i, j), LatticeVertex(i + 1, j), LatticeVertex(i + 1, j + 1), LatticeVertex(i, j + 1)]
            for k in 0..<4 {
                let edge = Edge(from: corners[k], to: corners[(k + 1) % 4])
                let reverse = Edge(from: edge.to, to: edge.from)
                if edges.contains(reverse) { edges.remove(reverse) } else { edges.insert(edge) }
            }
        }
        var outgoing: [LatticeVertex: [LatticeVertex]] = [:]
        for edge in edges { outgoing[edge.from, default: []].append(edge.to) }
        for key in outgoing.keys { outgoing[key]!.sort() }

        var rings: [[LatticeVertex]] = []
        // Start rings at the lowest vertex so the output is deterministic.
        while let start = outgoing.keys.min() {
            var ring = [start]
            var previous = start
            var current = outgoing[start]!.first!
            remove(from: &outgoing, start, current)
            while current != start {
                ring.append(current)
                // At a pinch vertex (two cells touching at a corner) turn as far left as possible, which keeps
                // each ring simple.
                let candidates = outgoing[current]!
                let next = candidates.count == 1 ? candidates[0] : leftmostTurn(from: previous, at: current, among: candidates)
                remove(from: &outgoing, current, next)
                previous = current
                current = next
            }
            ring.append(start)
            rings.append(ring)
        }
        let coordinateRings = rings.map { $0.map { vertex($0.i, $0.j) } }
        let exteriors = coordinateRings.filter { Planar.signedArea(of: $0) > 0 }
        let holes = coordinateRings.filter { Planar.signedArea(of: $0) < 0 }
        var polygons = exteriors.map { Polygon(exterior: $0) }
        for hole in holes {
            let probe = hole[0]
            if let owner = polygons.indices.first(where: { Planar.ring(polygons[$0].exterior, contains: probe) }) {
                polygons[owner].holes.append(hole)
            }
        }
        return polygons
    }

    private func remove(from outgoing: inout [LatticeVertex: [LatticeVertex]], _ from: LatticeVertex, _ to: LatticeVertex) {
        outgoing[from]!.removeAll { $0 == to }
        if outgoing[from]!.isEmpty { outgoing[from] = nil }
    }

    private func leftmostTurn(from previous: LatticeVertex, at current: LatticeVertex, among candidates: [LatticeVertex]) -> LatticeVertex {
        let inDirection = (current.i - previous.i, current.j - previous.j)
        let left = (-inDirection.1, inDirection.0)
        return candidates.first { ($0.i - current.i, $0.j - current.j) == left } ?? candidates[0]
    }

}

/// A cell of a `CellLattice`, by column (x) and row (y) index; row 0 is the southernmost.
struct LatticeCell: Hashable, Comparable {
    let column: Int
    let row: Int
    /// North to south, then west to east: the order unit-grid sequence numbers follow.
    static func < (a: LatticeCell, b: LatticeCell) -> Bool {
        a.row != b.row ? a.row > b.row : a.column < b.column
    }
}

/// A lattice vertex by line indices.
struct LatticeVertex: Hashable, Comparable {
    let i: Int
    let j: Int
    init(_ i: Int, _ j: Int) {
        self.i = i
        self.j = j
    }
    static func < (a: LatticeVertex, b: LatticeVertex) -> Bool { a.j != b.j ? a.j < b.j : a.i < b.i }
}
