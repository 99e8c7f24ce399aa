import Foundation
import GeoCore

/// The segments of many polylines in planar metres (a ``LocalFrame``), bucketed on a uniform grid of square
/// cells, answering "which segment is nearest to this point" and "which segments pass within r of it" by reading
/// a few cells instead of every segment.
///
/// Used wherever positions meet road centre lines: noding the road network (crossings and T junctions), snapping
/// a route's ends or a case onto the nearest road.
public struct SegmentIndex: Sendable {
    /// A segment found near a point: `segment` runs from vertex `segment` to `segment + 1` of line `line`; `t` in
    /// [0, 1] places the closest point on it, `distance` is in metres.
    public struct Hit: Hashable, Sendable {
        public var line: Int
        public var segment: Int
        public var t: Double
        public var distance: Double
    }

    /// The indexed polylines, in frame metres.
    public let lines: [[Coordinate]]
    public let cellSize: Double
    private let origin: Coordinate
    private let columns: Int
    private let rows: Int
    /// Cell c lists segment ids cellItems[cellStart[c] ..< cellStart[c + 1]]; segment id s is segment
    /// segmentOffset[s] of line segmentLine[s].
    private let cellStart: [Int32]
    private let cellItems: [Int32]
    private let segmentLine: [Int32]
    private let segmentOffset: [Int32]

    /// Indexes every segment of `lines` (frame metres) on cells of `cellSize` metres; a size near the usual query
    /// radius or segment length works well. The grid is capped at 2,048 cells a side, so a large extent gets larger
    /// cells rather than a huge table.
    public init(lines: [[Coordinate]], cellSize: Double) {
        self.lines = lines
        var box: BoundingBox? = nil
        for line in lines {
            for c in line {
                if box == nil { box = BoundingBox(minX: c.x, minY: c.y, maxX: c.x, maxY: c.y) } else { box!.expand(toInclude: c) }
            }
        }
        let bounds = box ?? BoundingBox(minX: 0, minY: 0, maxX: 0, maxY: 0)
        let size = max(cellSize, bounds.width / 2_048, bounds.height / 2_048, 1e-6)
        let columns = max(1, Int((bounds.width / size).rounded(.down)) + 1)
        let rows = max(1, Int((bounds.height / size).rounded(.down)) + 1)
        var segmentLine: [Int32] = []
        var segmentOffset: [Int32] = []
        for (l, line) in lines.enumerated() where line.count > 1 {
            for k in 0..<(line.count - 1) {
                segmentLine.append(Int32(l))
                segmentOffset.append(Int32(k))
            }
        }
        func cellRange(_ a: Coordinate, _ b: Coordinate) -> (ClosedRange<Int>, ClosedRange<Int>) {
            let c0 = Int((min(a.x, b.x) - bounds.minX) / size), c1 = Int((max(a.x, b.x) - bounds.minX) / size)
            let r0 = Int((min(a.y, b.y) - bounds.minY) / size), r1 = Int((max(a.y, b.y) - bounds.minY) / size)
            return (min(c0, columns - 1)...min(c1, columns - 1), min(r0, rows - 1)...min(r1, rows - 1))
        }
        // Two passes (count, then fill) build the compressed cell lists.
        var counts = [Int32](repeating: 0, count: columns * rows + 1)
        for s in segmentLine.indices {
            let line = lines[Int(segmentLine[s])], k = Int(segmentOffset[s])
            let (cs, rs) = cellRange(line[k], line[k + 1])
            for r in rs { for c in cs { counts[r * columns + c + 1] += 1 } }
        }
        for c in 1..<counts.count { counts[c] += counts[c - 1] }
        var fill = counts
        var items = [Int32](repeating: 0, count: Int(counts.last!))
        for s in segmentLine.indices {
            let line = lines[Int(segmentLine[s])], k = Int(segmentOffset[s])
            let (cs, rs) = cellRange(line[k], line[k + 1])
            for r in rs {
                for c in cs {
                    items[Int(fill[r * columns + c])] = Int32(s)
                    fill[r * columns + c] += 1
                }
            }
        }
        self.cellSize = size
        self.origin = Coordinate(x: bounds.minX, y: bounds.minY)
        self.columns = columns
        self.rows = rows
        self.cellStart = counts
        self.cellItems = items
        self.segmentLine = segmentLine
        self.segmentOffset = segmentOffset
    }

    /// The number of segments indexed.
    public var segmentCount: Int { segmentLine.count }

    /// Line and first vertex of segment id `s`.
    @inline(__always)
    func segment(_ s: Int) -> (line: Int, offset: Int) { (Int(segmentLine[s]), Int(segmentOffset[s])) }

    /// Calls `body` with the id of every segment registered in a cell that the box [p - r, p + r] touches; a
    /// segment crossing several such cells is reported once per cell.
    func forEachCandidate(near p: Coordinate, within r: Double, _ body: (Int) -> Void) {
        let c0 = Int(((p.x - r - origin.x) / cellSize).rounded(.down)), c1 = Int(((p.x + r - origin.x) / cellSize).rounded(.down))
        let r0 = Int(((p.y - r - origin.y) / cellSize).rounded(.down)), r1 = Int(((p.y + r - origin.y) / cellSize).rounded(.down))
        guard c1 >= 0, r1 >= 0, c0 < columns, r0 < rows else { return }
        for row in max(r0, 0)...min(r1, rows - 1) {
            for column in max(c0, 0)...min(c1, columns - 1) {
                let cell = row * columns + column
                for k in Int(cellStart[cell])..<Int(cellStart[cell + 1]) { body(Int(cellItems[k])) }
            }
        }
    }

    /// Every segment passing within `radius` metres of `p`, nearest first (ties by line, then segment).
    public func segments(within radius: Double, of p: Coordinate) -> [Hit] {
        guard radius >= 0, p.isFinite else { return [] }
        var seen = Set<Int>()
        var hits: [Hit] = []
        forEachCandidate(near: p, within: radius) { s in
            guard seen.insert(s).inserted else { return }
            let (l, k) = segment(s)
            let (distance, t) = Planar.segmentDistance(p, lines[l][k], lines[l][k + 1])
            if distance <= radius { hits.append(Hit(line: l, segment: k, t: t, distance: distance)) }
        }
        return hits.sorted { ($0.distance, $0.line, $0.segment) < ($1.distance, $1.line, $1.segment) }
    }

    /// The segment nearest to `p` within `maximumDistance` metres (ties by line, then segment), nil when none is.
    /// Searches squares of growing size around `p`, so a point far from every line costs more than one on a road.
    public func nearest(to p: Coordinate, within maximumDistance: Double) -> Hit? {
        guard maximumDistance >= 0, p.isFinite else { return nil }
        var reach = min(cellSize, maximumDistance)
        while true {
            var best: Hit? = nil
            forEachCandidate(near: p, within: reach) { s in
                let (l, k) = segment(s)
                let (distance, t) = Planar.segmentDistance(p, lines[l][k], lines[l][k + 1])
                guard distance <= maximumDistance else { return }
                let hit = Hit(line: l, segment: k, t: t, distance: distance)
                if let current = best, (current.distance, current.line, current.segment) <= (distance, l, k) { return }
                best = hit
            }
            // A segment outside the searched square is farther than `reach`, so a hit within it is final.
            if let best, best.distance <= reach { return best }
            if reach >= maximumDistance { return best }
            reach = min(reach * 2, maximumDistance)
        }
    }
}
