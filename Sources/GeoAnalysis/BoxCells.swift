import GeoCore

/// Boxes bucketed by the square cells they touch, answering "which boxes meet this one" by reading a few cells: the
/// spatial lookup of coverage (disks, target polygons) and overlay (the other layer's features).
struct BoxCells: Sendable {
    let cellSize: Double
    let boxes: [BoundingBox]
    private var cells: [Int64: [Int32]] = [:]

    /// Buckets `boxes` (nil: never found) in cells of `cellSize` (the boxes' usual size works well).
    init(_ boxes: [BoundingBox?], cellSize: Double) {
        self.cellSize = cellSize
        self.boxes = boxes.map { $0 ?? BoundingBox(minX: .nan, minY: .nan, maxX: .nan, maxY: .nan) }
        for (i, box) in boxes.enumerated() {
            guard let box, let (columns, rows) = range(box), columns.count * rows.count <= 4_096 else { continue }
            for c in columns { for r in rows { cells[key(c, r), default: []].append(Int32(i)) } }
        }
        // Boxes spanning more cells than that are few and huge: they are tested on every query instead.
        huge = boxes.indices.filter { i in boxes[i].flatMap { range($0) }.map { $0.0.count * $0.1.count > 4_096 } ?? false }
    }

    private var huge: [Int] = []

    private func key(_ c: Int, _ r: Int) -> Int64 { Int64(c) << 32 | Int64(UInt32(truncatingIfNeeded: r)) }

    private func range(_ box: BoundingBox) -> (ClosedRange<Int>, ClosedRange<Int>)? {
        let values = [box.minX, box.maxX, box.minY, box.maxY].map { ($0 / cellSize).rounded(.down) }
        guard values.allSatisfy({ $0.isFinite && abs($0) < 1e9 }) else { return nil }
        let (c0, c1, r0, r1) = (Int(values[0]), Int(values[1]), Int(values[2]), Int(values[3]))
        return (c0...max(c0, c1), r0...max(r0, r1))
    }

    /// Indexes of the boxes that meet `box`, ascending.
    func indices(near box: BoundingBox) -> [Int] {
        guard let (columns, rows) = range(box) else { return [] }
        // A query wider than there are boxes (a district as one target): test every box instead.
        guard Double(columns.count) * Double(rows.count) <= Double(max(boxes.count, 64)) else {
            return boxes.indices.filter { boxes[$0].intersects(box) }
        }
        var found = Set<Int>()
        for c in columns {
            for r in rows {
                for i in cells[key(c, r)] ?? [] where boxes[Int(i)].intersects(box) { found.insert(Int(i)) }
            }
        }
        for i in huge where boxes[i].intersects(box) { found.insert(i) }
        return found.sorted()
    }
}
