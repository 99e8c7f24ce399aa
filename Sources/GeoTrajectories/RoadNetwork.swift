import Foundation
import GeoCore

/// A drivable graph built from road centre lines: nodes at road ends and crossings, edges along the roads
/// between them. Used by the vehicle-day generator to drive on real streets.
///
/// Roads rarely share vertices where they cross, so crossings are computed: every pair of segments that
/// intersect makes a node, and a road end within ``snapDistance`` of another road (a T junction drawn a little
/// short or long) is joined to it. Geometry is handled in a ``LocalFrame`` in metres.
public struct RoadNetwork: Sendable {
    /// A road between two nodes; drivable both ways.
    public struct Edge: Hashable, Sendable {
        public var from: Int
        public var to: Int
        /// Frame coordinates (metres) from `from` to `to`.
        public var path: [Coordinate]
        public var length: Double
        /// Index of the road the edge lies on.
        public var road: Int
        /// Driving speed in km/h.
        public var speed: Double
    }

    /// A road end within this many metres of another road is joined to it [10].
    public static let snapDistance = 10.0

    public let frame: LocalFrame
    /// Node positions in frame metres.
    public private(set) var nodes: [Coordinate] = []
    public private(set) var edges: [Edge] = []
    /// For each node, the edges touching it.
    public private(set) var adjacency: [[Int]] = []

    /// Driving speeds (km/h) of a sanitation truck by road kind, as in AddressBooks/roads.geojson; other
    /// kinds drive at 30.
    public static let speedByKind: [String: Double] = [
        "主干道": 40, "次干道": 35, "县道": 50, "镇区道路": 30, "背街小巷": 20, "商业步行街": 10,
    ]

    /// A network from road features (LineStrings or MultiLineStrings; the `kind` property sets the speed).
    public init(features: [Feature]) {
        var lines: [([Coordinate], Double)] = []
        for feature in features {
            let speed = feature.properties["kind"]?.stringValue.flatMap { RoadNetwork.speedByKind[$0] } ?? 30
            switch feature.geometry {
            case .lineString(let l)?: lines.append((l.coordinates, speed))
            case .multiLineString(let m)?: for l in m.lineStrings { lines.append((l.coordinates, speed)) }
            default: continue
            }
        }
        self.init(lines: lines)
    }

    /// A network from lon/lat polylines with their speeds in km/h.
    public init(lines: [([Coordinate], Double)]) {
        frame = LocalFrame(around: lines.flatMap(\.0))
        let roads = lines.map { ($0.0.map(frame.project), $0.1) }.filter { $0.0.count > 1 }
        let cumulative = roads.map { road -> [Double] in
            var c = [0.0]
            for k in 1..<road.0.count { c.append(c[k - 1] + Planar.distance(road.0[k - 1], road.0[k])) }
            return c
        }
        // Stations along each road (distance from its start) where a node sits.
        var stations: [[(Double, Coordinate)]] = roads.indices.map { r in
            [(0, roads[r].0[0]), (cumulative[r].last!, roads[r].0.last!)]
        }
        for r in roads.indices {
            for q in roads.indices where q > r {
                for i in 1..<roads[r].0.count {
                    for j in 1..<roads[q].0.count {
                        let a = roads[r].0[i - 1], b = roads[r].0[i], c = roads[q].0[j - 1], d = roads[q].0[j]
                        if let (t, u) = RoadNetwork.intersection(a, b, c, d) {
                            let p = Coordinate(x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t)
                            stations[r].append((cumulative[r][i - 1] + t * Planar.distance(a, b), p))
                            stations[q].append((cumulative[q][j - 1] + u * Planar.distance(c, d), p))
                        }
                    }
                }
            }
        }
        // T junctions: a road end close to another road joins it there.
        for r in roads.indices {
            for end in [roads[r].0[0], roads[r].0.last!] {
                for q in roads.indices where q != r {
                    for j in 1..<roads[q].0.count {
                        let c = roads[q].0[j - 1], d = roads[q].0[j]
                        let (distance, t) = Planar.segmentDistance(end, c, d)
                        if distance <= RoadNetwork.snapDistance {
                            stations[q].append((cumulative[q][j - 1] + t * Planar.distance(c, d), end))
                        }
                    }
                }
            }
        }
        // Nodes: station positions merged within a few metres (a crossing found from both roads, a snapped end).
        var nodes: [Coordinate] = []
        func node(for p: Coordinate) -> Int {
            if let k = nodes.firstIndex(where: { Planar.distance($0, p) <= RoadNetwork.snapDistance }) { return k }
            nodes.append(p)
            return nodes.count - 1
        }
        var edges: [Edge] = []
        for r in roads.indices {
            let sorted = stations[r].sorted { $0.0 < $1.0 }
            var previous: (Double, Int)? = nil
            for (s, p) in sorted {
                let id = node(for: p)
                if let (s0, id0) = previous {
                    if id0 != id && s - s0 > 1 {
                        var path = RoadNetwork.slice(roads[r].0, cumulative[r], s0, s)
                        path[0] = nodes[id0]
                        path[path.count - 1] = nodes[id]
                        edges.append(Edge(from: id0, to: id, path: path, length: Planar.length(of: path), road: r, speed: roads[r].1))
                        previous = (s, id)
                    }
                } else {
                    previous = (s, id)
                }
            }
        }
        self.nodes = nodes
        self.edges = edges
        var adjacency = [[Int]](repeating: [], count: nodes.count)
        for (e, edge) in edges.enumerated() {
            adjacency[edge.from].append(e)
            adjacency[edge.to].append(e)
        }
        self.adjacency = adjacency
    }

    /// Parameters (t on a–b, u on c–d) of the crossing of two segments, nil when they do not cross.
    static func intersection(_ a: Coordinate, _ b: Coordinate, _ c: Coordinate, _ d: Coordinate) -> (Double, Double)? {
        let rx = b.x - a.x, ry = b.y - a.y, sx = d.x - c.x, sy = d.y - c.y
        let denominator = rx * sy - ry * sx
        guard abs(denominator) > 1e-9 else { return nil }
        let t = ((c.x - a.x) * sy - (c.y - a.y) * sx) / denominator
        let u = ((c.x - a.x) * ry - (c.y - a.y) * rx) / denominator
        guard t >= 0, t <= 1, u >= 0, u <= 1 else { return nil }
        return (t, u)
    }

    /// The part of a polyline between stations s0 < s1.
    static func slice(_ line: [Coordinate], _ cumulative: [Double], _ s0: Double, _ s1: Double) -> [Coordinate] {
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
