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
    private let grid: BucketGrid
    /// The segment ids of each bucket; segment id s is segment segmentOffset[s] of line segmentLine[s].
    private let buckets: BucketLists
    private let segmentLine: [Int32]
    private let segmentOffset: [Int32]

    /// Indexes every segment of `lines` (frame metres) in buckets of `cellSize` metres; a size near the usual query
    /// radius or segment length works well. The grid is capped at 2,048 cells a side, so a large extent gets larger
    /// cells rather than a huge table.
    public init(lines: [[Coordinate]], cellSize: Double) {
        self.lines = lines
        let bounds = BoundingBox(coordinates: lines.joined()) ?? BoundingBox(minX: 0, minY: 0, maxX: 0, maxY: 0)
        grid = BucketGrid(covering: bounds, cellSize: max(cellSize, bounds.width / 2_048, bounds.height / 2_048, 1e-6))
        var segmentLine: [Int32] = [], segmentOffset: [Int32] = [], boxes: [BoundingBox] = []
        for (l, line) in lines.enumerated() where line.count > 1 {
            for k in 0..<(line.count - 1) {
                segmentLine.append(Int32(l))
                segmentOffset.append(Int32(k))
                boxes.append(BoundingBox(coordinates: [line[k], line[k + 1]])!)
            }
        }
        buckets = BucketLists(grid: grid, boxes: boxes)
        self.segmentLine = segmentLine
        self.segmentOffset = segmentOffset
    }

    /// The side of the index's cells in metres.
    public var cellSize: Double { grid.cellSize }

    /// The number of segments indexed.
    public var segmentCount: Int { segmentLine.count }

    /// Line and first vertex of segment id `s`.
    @inline(__always)
    func segment(_ s: Int) -> (line: Int, offset: Int) { (Int(segmentLine[s]), Int(segmentOffset[s])) }

    /// Calls `body` with the id of every segment listed in a bucket that the box [p - r, p + r] touches; a segment
    /// crossing several such buckets is reported once per bucket.
    func forEachCandidate(near p: Coordinate, within r: Double, _ body: (Int) -> Void) {
        grid.forEachBucket(overlapping: BoundingBox(minX: p.x - r, minY: p.y - r, maxX: p.x + r, maxY: p.y + r)) { bucket in
            for k in Int(buckets.starts[bucket])..<Int(buckets.starts[bucket + 1]) { body(Int(buckets.items[k])) }
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
