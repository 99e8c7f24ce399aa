import Foundation
import GeoCore

/// A drivable graph built from road centre lines: nodes at road ends and crossings, edges along the roads
/// between them. The vehicle-day generator drives on it; GeoAnalysis routes on it (shortest paths, nearest
/// resources by road, isochrones).
///
/// Roads rarely share vertices where they cross, so crossings are computed: every pair of segments that
/// intersect makes a node, and a road end within ``snapDistance`` of another road (a T junction drawn a little
/// short or long) is joined to it. Geometry is handled in a ``LocalFrame`` in metres; candidate segments and
/// nearby nodes come from cell indexes, so building the network of a large city takes seconds, not hours.
public struct RoadNetwork: Sendable {
    /// Which ways a road may be driven, relative to the order of its vertices.
    public enum Direction: String, Hashable, Sendable {
        case both
        /// Only from the first vertex towards the last (OSM `oneway=yes`).
        case forward
        /// Only from the last vertex towards the first (OSM `oneway=-1`).
        case backward
    }

    /// A road as drawn: its lon/lat centre line, driving speed, allowed directions and name.
    @MemberwiseInit
    public struct Road: Hashable, Sendable {
        public var coordinates: [Coordinate]
        /// Driving speed in km/h.
        public var speed: Double
        public var direction: Direction = .both
        public var name: String = ""
    }

    /// A road between two nodes, drawn from `from` to `to`.
    public struct Edge: Hashable, Sendable {
        public var from: Int
        public var to: Int
        /// Frame coordinates (metres) from `from` to `to`.
        public var path: [Coordinate]
        public var length: Double
        /// Index of the road the edge lies on (in ``roads``).
        public var road: Int
        /// Driving speed in km/h.
        public var speed: Double
        /// The ways the edge may be driven: `forward` is from `from` to `to`.
        public var direction: Direction = .both
    }

    /// A road end within this many metres of another road is joined to it [10].
    public static let snapDistance = 10.0

    public let frame: LocalFrame
    /// Node positions in frame metres.
    public private(set) var nodes: [Coordinate] = []
    public private(set) var edges: [Edge] = []
    /// For each node, the edges touching it.
    public private(set) var adjacency: [[Int]] = []
    /// The roads with at least two vertices, in the order given; ``Edge/road`` indexes this array.
    public let roads: [Road]

    /// Driving speeds (km/h) of a sanitation truck by road kind, as in AddressBooks/roads.geojson; other
    /// kinds drive at 30.
    public static let speedByKind: [String: Double] = [
        "主干道": 40, "次干道": 35, "县道": 50, "镇区道路": 30, "背街小巷": 20, "商业步行街": 10,
    ]

    /// A network from road features (LineStrings or MultiLineStrings). Speed: the `speed_kmh` or `maxspeed`
    /// property when it is a positive number, else by `kind` (``speedByKind``), else 30 km/h. Direction: the
    /// `oneway` property (``direction(of:)``). Name: the `name` property.
    public init(features: [Feature]) {
        var roads: [Road] = []
        for feature in features {
            let properties = feature.properties
            let given = (properties["speed_kmh"] ?? properties["maxspeed"]).flatMap { $0.doubleValue ?? $0.stringValue.flatMap(Double.init) }
            let speed = given.flatMap { $0 > 0 && $0.isFinite ? $0 : nil }
                ?? properties["kind"]?.stringValue.flatMap { RoadNetwork.speedByKind[$0] } ?? 30
            let direction = RoadNetwork.direction(of: properties["oneway"])
            let name = properties["name"]?.stringValue ?? ""
            switch feature.geometry {
            case .lineString(let l)?: roads.append(Road(coordinates: l.coordinates, speed: speed, direction: direction, name: name))
            case .multiLineString(let m)?:
                for l in m.lineStrings { roads.append(Road(coordinates: l.coordinates, speed: speed, direction: direction, name: name)) }
            default: continue
            }
        }
        self.init(roads: roads)
    }

    /// The direction a `oneway` property allows: `yes`, `true`, `1`, `forward` (or JSON true / 1) → forward;
    /// `-1`, `reverse`, `backward` → backward; anything else, or none, → both.
    public static func direction(of oneway: JSONValue?) -> Direction {
        switch oneway {
        case .bool(true)?: return .forward
        case .int(1)?: return .forward
        case .int(-1)?: return .backward
        case .string(let text)?:
            switch text.lowercased() {
            case "yes", "true", "1", "forward": return .forward
            case "-1", "reverse", "backward": return .backward
            default: return .both
            }
        default: return .both
        }
    }

    /// A network from lon/lat polylines with their speeds in km/h, drivable both ways.
    public init(lines: [([Coordinate], Double)]) {
        self.init(roads: lines.map { Road(coordinates: $0.0, speed: $0.1) })
    }

    /// A network from roads.
    public init(roads given: [Road]) {
        frame = LocalFrame(around: given.flatMap(\.coordinates))
        roads = given.filter { $0.coordinates.count > 1 }
        let lines = roads.map { $0.coordinates.map(frame.project) }
        let cumulative = lines.map(RoadNetwork.stations(along:))
        let segments = SegmentIndex(lines: lines, cellSize: 100)
        var stations = RoadNetwork.crossingStations(lines, cumulative, segments)
        RoadNetwork.addJunctionStations(&stations, lines, cumulative, segments)
        // Nodes: station positions merged within a few metres (a crossing found from both roads, a snapped end).
        var nodes = NodeMerger(radius: RoadNetwork.snapDistance)
        var edges: [Edge] = []
        for r in lines.indices {
            let sorted = stations[r].sorted { $0.0 < $1.0 }
            var previous: (Double, Int)? = nil
            for (s, p) in sorted {
                let id = nodes.node(for: p)
                if let (s0, id0) = previous {
                    if id0 != id && s - s0 > 1 {
                        var path = RoadNetwork.slice(lines[r], cumulative[r], s0, s)
                        path[0] = nodes.positions[id0]
                        path[path.count - 1] = nodes.positions[id]
                        edges.append(
                            Edge(from: id0, to: id, path: path, length: Planar.length(of: path), road: r, speed: roads[r].speed,
                                direction: roads[r].direction))
                        previous = (s, id)
                    }
                } else {
                    previous = (s, id)
                }
            }
        }
        self.nodes = nodes.positions
        self.edges = edges
        var adjacency = [[Int]](repeating: [], count: nodes.positions.count)
        for (e, edge) in edges.enumerated() {
            adjacency[edge.from].append(e)
            adjacency[edge.to].append(e)
        }
        self.adjacency = adjacency
    }

    /// Stations along each road (distance from its start, position) where a node sits: its two ends and every
    /// crossing with another road. Crossings are appended in the order of (road, other road, segment, other
    /// segment), so that equal stations keep one order whatever the index's cells.
    private static func crossingStations(_ lines: [[Coordinate]], _ cumulative: [[Double]], _ segments: SegmentIndex) -> [[(Double, Coordinate)]] {
        var stations: [[(Double, Coordinate)]] = lines.indices.map { r in [(0, lines[r][0]), (cumulative[r].last!, lines[r].last!)] }
        var crossings: [(r: Int, q: Int, i: Int, j: Int, t: Double, u: Double)] = []
        var seen = Set<Int64>()
        for r in lines.indices {
            for i in 1..<lines[r].count {
                let a = lines[r][i - 1], b = lines[r][i]
                let centre = Coordinate(x: (a.x + b.x) / 2, y: (a.y + b.y) / 2)
                seen.removeAll(keepingCapacity: true)
                segments.forEachCandidate(near: centre, within: max(abs(b.x - a.x), abs(b.y - a.y)) / 2) { s in
                    let (q, offset) = segments.segment(s)
                    guard q > r, seen.insert(Int64(s)).inserted else { return }
                    let j = offset + 1
                    if let (t, u) = RoadNetwork.intersection(a, b, lines[q][j - 1], lines[q][j]) { crossings.append((r, q, i, j, t, u)) }
                }
            }
        }
        crossings.sort { ($0.r, $0.q, $0.i, $0.j) < ($1.r, $1.q, $1.i, $1.j) }
        for x in crossings {
            let a = lines[x.r][x.i - 1], b = lines[x.r][x.i], c = lines[x.q][x.j - 1], d = lines[x.q][x.j]
            let p = Coordinate(x: a.x + (b.x - a.x) * x.t, y: a.y + (b.y - a.y) * x.t)
            stations[x.r].append((cumulative[x.r][x.i - 1] + x.t * Planar.distance(a, b), p))
            stations[x.q].append((cumulative[x.q][x.j - 1] + x.u * Planar.distance(c, d), p))
        }
        return stations
    }

    /// T junctions: a road end close to another road joins it there (in the order of road, end, other road,
    /// segment).
    private static func addJunctionStations(
        _ stations: inout [[(Double, Coordinate)]], _ lines: [[Coordinate]], _ cumulative: [[Double]], _ segments: SegmentIndex
    ) {
        for r in lines.indices {
            for end in [lines[r][0], lines[r].last!] {
                let near = segments.segments(within: snapDistance, of: end)
                    .filter { $0.line != r }
                    .sorted { ($0.line, $0.segment) < ($1.line, $1.segment) }
                for hit in near {
                    let c = lines[hit.line][hit.segment], d = lines[hit.line][hit.segment + 1]
                    stations[hit.line].append((cumulative[hit.line][hit.segment] + hit.t * Planar.distance(c, d), end))
                }
            }
        }
    }

    /// Positions merged within `radius`: a new position takes the lowest-numbered node within the radius, else
    /// becomes a node of its own. Nodes sit in the cells of a sparse ``BucketGrid`` of `radius`, so a lookup reads
    /// 3x3 cells.
    private struct NodeMerger {
        let grid: BucketGrid
        var positions: [Coordinate] = []
        var cells: [Int64: [Int]] = [:]

        init(radius: Double) { grid = BucketGrid(cellSize: radius) }

        mutating func node(for p: Coordinate) -> Int {
            let cell = grid.cell(of: p)
            var best = Int.max
            for dc in -1...1 {
                for dr in -1...1 {
                    for k in cells[BucketGrid.sparseKey(column: cell.column + dc, row: cell.row + dr)] ?? []
                    where k < best && Planar.distance(positions[k], p) <= grid.cellSize {
                        best = k
                    }
                }
            }
            if best != .max { return best }
            positions.append(p)
            cells[BucketGrid.sparseKey(column: cell.column, row: cell.row), default: []].append(positions.count - 1)
            return positions.count - 1
        }
    }

    /// Parameters (t on a–b, u on c–d) of the crossing of two planar segments, nil when they do not cross or are
    /// parallel.
    public static func intersection(_ a: Coordinate, _ b: Coordinate, _ c: Coordinate, _ d: Coordinate) -> (Double, Double)? {
        let rx = b.x - a.x, ry = b.y - a.y, sx = d.x - c.x, sy = d.y - c.y
        let denominator = rx * sy - ry * sx
        guard abs(denominator) > 1e-9 else { return nil }
        let t = ((c.x - a.x) * sy - (c.y - a.y) * sx) / denominator
        let u = ((c.x - a.x) * ry - (c.y - a.y) * rx) / denominator
        guard t >= 0, t <= 1, u >= 0, u <= 1 else { return nil }
        return (t, u)
    }

    /// Distance along a planar polyline at each of its vertices, 0 at the first.
    public static func stations(along line: [Coordinate]) -> [Double] {
        var stations = [0.0]
        stations.reserveCapacity(line.count)
        for k in line.indices.dropFirst() { stations.append(stations[k - 1] + Planar.distance(line[k - 1], line[k])) }
        return stations
    }

    /// The part of a planar polyline between stations s0 < s1 (`cumulative` from ``stations(along:)``).
    public static func slice(_ line: [Coordinate], _ cumulative: [Double], _ s0: Double, _ s1: Double) -> [Coordinate] {
        func at(_ s: Double) -> Coordinate {
            var k = 1
            while k < line.count - 1 && cumulative[k] < s { k += 1 }
            let span = cumulative[k] - cumulative[k - 1]
            let t = span > 0 ? (s - cumulative[k - 1]) / span : 0
            return Coordinate(x: line[k - 1].x + (line[k].x - line[k - 1].x) * t, y: line[k - 1].y + (line[k].y - line[k - 1].y) * t)
        }
        var out = [at(s0)]
        for k in line.indices where cumulative[k] > s0 && cumulative[k] < s1 { out.append(line[k]) }
        out.append(at(s1))
        return out
    }

    /// The node at the other end of `edge` from `node`.
    public func other(_ edge: Int, from node: Int) -> Int { edges[edge].from == node ? edges[edge].to : edges[edge].from }

    /// Nodes reachable from `start`.
    public func reachable(from start: Int) -> Set<Int> {
        var seen: Set<Int> = [start]
        var queue = [start]
        while let n = queue.popLast() {
            for e in adjacency[n] {
                let m = other(e, from: n)
                if seen.insert(m).inserted { queue.append(m) }
            }
        }
        return seen
    }

    /// The quickest route from `start` to `target` as a list of (edge, forward) steps, with `turnPenalty`
    /// seconds [30] added for every change of road, so that generated routes turn as few times as drivers do.
    /// Nil when the target cannot be reached.
    public func route(from start: Int, to target: Int, turnPenalty: Double = 30) -> [(edge: Int, forward: Bool)]? {
        guard start != target else { return [] }
        // Dijkstra over directed edges (2e forward, 2e+1 backward): the road changes are what need the state.
        let count = edges.count * 2
        var cost = [Double](repeating: .infinity, count: count)
        var parent = [Int](repeating: -1, count: count)
        var done = [Bool](repeating: false, count: count)
        func seconds(_ e: Int) -> Double { edges[e].length / (edges[e].speed / 3.6) }
        func head(_ d: Int) -> Int { d % 2 == 0 ? edges[d / 2].to : edges[d / 2].from }
        for e in adjacency[start] {
            let d = edges[e].from == start ? 2 * e : 2 * e + 1
            cost[d] = seconds(e)
        }
        var best: Int? = nil
        while true {
            var current = -1
            var lowest = Double.infinity
            for d in 0..<count where !done[d] && cost[d] < lowest { lowest = cost[d]; current = d }
            guard current >= 0 else { break }
            done[current] = true
            let node = head(current)
            if node == target { best = current; break }
            for e in adjacency[node] where e != current / 2 {
                let d = edges[e].from == node ? 2 * e : 2 * e + 1
                let c = cost[current] + seconds(e) + (edges[e].road == edges[current / 2].road ? 0 : turnPenalty)
                if c < cost[d] { cost[d] = c; parent[d] = current }
            }
        }
        guard var d = best else { return nil }
        var steps: [(edge: Int, forward: Bool)] = []
        while d >= 0 {
            steps.append((d / 2, d % 2 == 0))
            d = parent[d]
        }
        return steps.reversed()
    }
}
