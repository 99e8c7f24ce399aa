import Foundation
import GeoCore
import GeoEngine
import GeoTrajectories

/// Shortest paths on a ``RoadNetwork`` for dispatch: by distance or by driving time, one-way roads respected,
/// start and end snapped onto the nearest road segment.
///
/// The network's edges become directed arcs in compressed arrays (one list of outgoing and one of incoming arcs
/// per node). Arc lengths are ellipsoidal (CGCS2000), so a path's length agrees with PostGIS and pgRouting to
/// centimetres, not with the network's planar frame. Point-to-point searches are A* with the straight-line
/// distance as the bound, made admissible for the frame's scale error; the answer is the one Dijkstra gives.
public struct RoadRouter: Sendable {
    /// What a shortest path minimises.
    public enum Cost: String, Hashable, Sendable, CaseIterable {
        /// Metres along the roads.
        case distance
        /// Seconds at each road's speed.
        case time
    }

    /// A place on the network: a position along an edge.
    public struct Position: Hashable, Sendable {
        /// The edge of ``RoadNetwork/edges``.
        public var edge: Int
        /// Share of the edge's length from its `from` node, 0–1.
        public var fraction: Double
        /// The position in lon/lat.
        public var coordinate: Coordinate
        /// Metres from the point that was snapped to the position (0 for a node).
        public var snapDistance: Double
    }

    /// A path between two positions.
    public struct Route: Hashable, Sendable {
        /// Lon/lat from start to end, along the roads.
        public var coordinates: [Coordinate]
        /// Ellipsoidal metres along the path.
        public var metres: Double
        /// Driving seconds at each road's speed.
        public var seconds: Double
        /// The edges driven, in order (a partly driven first and last edge included).
        public var edges: [Int]
    }

    public let network: RoadNetwork
    /// Ellipsoidal length in metres of each edge.
    public let edgeMetres: [Double]
    /// Outgoing arcs of node n: arcs outStart[n] ..< outStart[n + 1] of outHead/outEdge; incoming the same with in*.
    let outStart: [Int32]
    let outHead: [Int32]
    let outEdge: [Int32]
    let inStart: [Int32]
    let inTail: [Int32]
    let inEdge: [Int32]
    /// Edge paths (frame metres) for snapping.
    let segments: SegmentIndex
    /// Cumulative frame length along each edge path, for the share of an edge a snapped point leaves behind.
    let cumulative: [[Double]]
    /// The fastest speed of the network in m/s, for the time bound of A*.
    let fastest: Double
    /// Frame metres times this never exceed ellipsoidal metres anywhere in the network (the frame's east-west
    /// scale is exact at its origin and too large towards the pole).
    let boundScale: Double

    public init(network: RoadNetwork) {
        self.network = network
        let frame = network.frame
        edgeMetres = network.edges.map { EllipsoidalMeasure.length(of: .lineString(LineString($0.path.map(frame.unproject)))) }
        cumulative = network.edges.map { RoadNetwork.stations(along: $0.path) }
        segments = SegmentIndex(lines: network.edges.map(\.path), cellSize: 100)
        fastest = (network.edges.map(\.speed).max() ?? 30) / 3.6
        let latitudes = network.nodes.map { frame.unproject($0).latitude }
        let poleward = latitudes.map(abs).max() ?? frame.origin.latitude
        boundScale = 0.995 * min(1, cos(poleward * .pi / 180) / cos(frame.origin.latitude * .pi / 180))

        var outgoing = [[(head: Int32, edge: Int32)]](repeating: [], count: network.nodes.count)
        var incoming = [[(tail: Int32, edge: Int32)]](repeating: [], count: network.nodes.count)
        for (e, edge) in network.edges.enumerated() {
            if edge.direction != .backward {
                outgoing[edge.from].append((Int32(edge.to), Int32(e)))
                incoming[edge.to].append((Int32(edge.from), Int32(e)))
            }
            if edge.direction != .forward {
                outgoing[edge.to].append((Int32(edge.from), Int32(e)))
                incoming[edge.from].append((Int32(edge.to), Int32(e)))
            }
        }
        func compress<T>(_ lists: [[T]]) -> ([Int32], [T]) {
            var start: [Int32] = [0]
            var items: [T] = []
            for list in lists {
                items.append(contentsOf: list)
                start.append(Int32(items.count))
            }
            return (start, items)
        }
        let (outStart, outArcs) = compress(outgoing)
        let (inStart, inArcs) = compress(incoming)
        self.outStart = outStart
        self.outHead = outArcs.map(\.head)
        self.outEdge = outArcs.map(\.edge)
        self.inStart = inStart
        self.inTail = inArcs.map(\.tail)
        self.inEdge = inArcs.map(\.edge)
    }

    /// A network from road features (``RoadNetwork/init(features:)``) and its router.
    public init(roads: [Feature]) { self.init(network: RoadNetwork(features: roads)) }

    // MARK: Costs

    /// The cost of driving a whole edge.
    @inline(__always)
    public func cost(of edge: Int, _ cost: Cost) -> Double {
        switch cost {
        case .distance: edgeMetres[edge]
        case .time: edgeMetres[edge] / (network.edges[edge].speed / 3.6)
        }
    }

    /// Whether an edge may be driven from its `from` node towards its `to` node (`forward`) or back.
    @inline(__always)
    func allows(_ edge: Int, forward: Bool) -> Bool {
        switch network.edges[edge].direction {
        case .both: true
        case .forward: forward
        case .backward: !forward
        }
    }

    // MARK: Snapping

    /// The position on the network nearest to a lon/lat point, nil when no road passes within `maximumDistance`
    /// metres.
    public func snap(_ point: Coordinate, within maximumDistance: Double) -> Position? {
        let p = network.frame.project(point)
        guard let hit = segments.nearest(to: p, within: maximumDistance) else { return nil }
        let edge = network.edges[hit.line]
        let along = cumulative[hit.line][hit.segment] + hit.t * Planar.distance(edge.path[hit.segment], edge.path[hit.segment + 1])
        let fraction = edge.length > 0 ? min(1, max(0, along / edge.length)) : 0
        let a = edge.path[hit.segment], b = edge.path[hit.segment + 1]
        let onRoad = Coordinate(x: a.x + (b.x - a.x) * hit.t, y: a.y + (b.y - a.y) * hit.t)
        return Position(edge: hit.line, fraction: fraction, coordinate: network.frame.unproject(onRoad), snapDistance: hit.distance)
    }

    /// The position of a node (on one of its edges), nil for a node without edges.
    public func position(ofNode node: Int) -> Position? {
        guard let e = network.adjacency[node].first else { return nil }
        let edge = network.edges[e]
        return Position(edge: e, fraction: edge.from == node ? 0 : 1, coordinate: network.frame.unproject(network.nodes[node]), snapDistance: 0)
    }

    // MARK: Searches

    /// One-to-one or one-to-many search state: best costs, the arc each node was reached by, and the metres and
    /// seconds along that tree (whatever the cost minimised).
    struct Tree {
        var cost: [Double]
        var metres: [Double]
        var seconds: [Double]
        /// The edge each node was reached by, -1 for seeds and unreached nodes.
        var via: [Int32]
        var settled: [Bool]

        init(nodes: Int) {
            cost = [Double](repeating: .infinity, count: nodes)
            metres = [Double](repeating: 0, count: nodes)
            seconds = [Double](repeating: 0, count: nodes)
            via = [Int32](repeating: -1, count: nodes)
            settled = [Bool](repeating: false, count: nodes)
        }
    }

    /// A node entered at a cost (with the metres and seconds that cost stands for).
    struct Seed {
        var node: Int
        var cost: Double
        var metres: Double
        var seconds: Double
    }

    /// The seeds of a search leaving `position` (outgoing) or arriving at it (`towards`): the nodes of its edge
    /// that can be reached from it, or that reach it, along the allowed directions.
    func seeds(_ position: Position, cost: Cost, towards: Bool = false) -> [Seed] {
        let edge = network.edges[position.edge]
        let f = position.fraction
        var seeds: [Seed] = []
        // Leaving forward (or arriving from `from`) drives the part of the edge after (before) the position.
        let forwardShare = towards ? f : 1 - f
        let backwardShare = towards ? 1 - f : f
        if allows(position.edge, forward: true) {
            seeds.append(part(of: position.edge, share: forwardShare, node: towards ? edge.from : edge.to, cost: cost))
        }
        if allows(position.edge, forward: false) {
            seeds.append(part(of: position.edge, share: backwardShare, node: towards ? edge.to : edge.from, cost: cost))
        }
        return seeds
    }

    private func part(of edge: Int, share: Double, node: Int, cost: Cost) -> Seed {
        let metres = edgeMetres[edge] * share
        let seconds = metres / (network.edges[edge].speed / 3.6)
        return Seed(node: node, cost: cost == .distance ? metres : seconds, metres: metres, seconds: seconds)
    }

    /// The direct drive between two positions on the same edge, when the edge's direction allows it.
    func sameEdge(_ from: Position, _ to: Position, cost: Cost) -> Seed? {
        guard from.edge == to.edge else { return nil }
        let forward = to.fraction >= from.fraction
        guard allows(from.edge, forward: forward) else { return nil }
        return part(of: from.edge, share: abs(to.fraction - from.fraction), node: -1, cost: cost)
    }

    /// The shortest path from one position to another, nil when the end cannot be reached (one-way roads, a
    /// separate piece of network).
    public func route(from start: Position, to end: Position, by cost: Cost = .distance) -> Route? {
        let target = network.frame.project(end.coordinate)
        // Arriving at `end` from each node of its edge, as an extra cost at that node.
        let arrivals = seeds(end, cost: cost, towards: true)
        var best = sameEdge(start, end, cost: cost)
        var bestNode = -1
        let perMetre = cost == .distance ? boundScale : boundScale / fastest
        var tree = Tree(nodes: network.nodes.count)
        var heap = MinHeap(capacity: 64)
        for seed in seeds(start, cost: cost) where seed.cost < tree.cost[seed.node] {
            tree.cost[seed.node] = seed.cost
            tree.metres[seed.node] = seed.metres
            tree.seconds[seed.node] = seed.seconds
            heap.push(seed.cost + perMetre * Planar.distance(network.nodes[seed.node], target), seed.node)
        }
        while let (key, node) = heap.pop() {
            if key >= (best?.cost ?? .infinity) { break }
            if tree.settled[node] { continue }
            tree.settled[node] = true
            for arrival in arrivals where arrival.node == node && tree.cost[node] + arrival.cost < (best?.cost ?? .infinity) {
                best = Seed(node: node, cost: tree.cost[node] + arrival.cost, metres: tree.metres[node] + arrival.metres, seconds: tree.seconds[node] + arrival.seconds)
                bestNode = node
            }
            relax(node, in: &tree, heap: &heap, cost: cost) { head in perMetre * Planar.distance(network.nodes[head], target) }
        }
        guard let best else { return nil }
        return assemble(start: start, end: end, through: bestNode, tree: tree, metres: best.metres, seconds: best.seconds)
    }

    /// The cost of the shortest path between two nodes, nil when unreachable: the figure compared with
    /// pgRouting's `pgr_dijkstra` on the same edges.
    public func cost(fromNode start: Int, toNode end: Int, by cost: Cost = .distance) -> (cost: Double, metres: Double, seconds: Double)? {
        let target = network.nodes[end]
        let perMetre = cost == .distance ? boundScale : boundScale / fastest
        var tree = Tree(nodes: network.nodes.count)
        var heap = MinHeap(capacity: 64)
        tree.cost[start] = 0
        heap.push(perMetre * Planar.distance(network.nodes[start], target), start)
        while let (_, node) = heap.pop() {
            if tree.settled[node] { continue }
            if node == end { return (tree.cost[node], tree.metres[node], tree.seconds[node]) }
            tree.settled[node] = true
            relax(node, in: &tree, heap: &heap, cost: cost) { head in perMetre * Planar.distance(network.nodes[head], target) }
        }
        return nil
    }

    /// Relaxes the arcs of a settled node: outgoing ones, or incoming ones for a backward search (whose costs are
    /// to the search's origin); `bound` is the A* lower bound of a reached node (0 for Dijkstra).
    @inline(__always)
    func relax(_ node: Int, backward: Bool = false, in tree: inout Tree, heap: inout MinHeap, cost: Cost, bound: (Int) -> Double = { _ in 0 }) {
        let (start, neighbours, edges) = backward ? (inStart, inTail, inEdge) : (outStart, outHead, outEdge)
        for arc in Int(start[node])..<Int(start[node + 1]) {
            let next = Int(neighbours[arc]), edge = Int(edges[arc])
            if tree.settled[next] { continue }
            let candidate = tree.cost[node] + self.cost(of: edge, cost)
            guard candidate < tree.cost[next] else { continue }
            tree.cost[next] = candidate
            tree.metres[next] = tree.metres[node] + edgeMetres[edge]
            tree.seconds[next] = tree.seconds[node] + edgeMetres[edge] / (network.edges[edge].speed / 3.6)
            tree.via[next] = Int32(edge)
            heap.push(candidate + bound(next), next)
        }
    }

    /// The edges from a seed to `node` along the search tree, in driving order, and the seed they start at.
    func edges(to node: Int, in tree: Tree) -> (edges: [Int], seed: Int) {
        var path: [Int] = []
        var current = node
        while tree.via[current] >= 0 {
            let e = Int(tree.via[current])
            path.append(e)
            current = network.other(e, from: current)
        }
        return (path.reversed(), current)
    }

    /// The route's geometry: the start's partial edge to the seed, the tree's edges to `node`, the end's partial
    /// edge from `node` (node -1: start and end on one edge, driven directly).
    func assemble(start: Position, end: Position, through node: Int, tree: Tree, metres: Double, seconds: Double) -> Route {
        let frame = network.frame
        guard node >= 0 else {
            let line = piece(of: start.edge, from: start.fraction, to: end.fraction)
            return Route(coordinates: line.map(frame.unproject), metres: metres, seconds: seconds, edges: [start.edge])
        }
        let (middle, seed) = edges(to: node, in: tree)
        // Edges join distinct nodes, so the seed is exactly one end of the start's edge, the node one end of the end's.
        var line = piece(of: start.edge, from: start.fraction, to: network.edges[start.edge].to == seed ? 1 : 0)
        var current = seed
        for e in middle {
            let edge = network.edges[e]
            line.append(contentsOf: (edge.from == current ? edge.path : edge.path.reversed()).dropFirst())
            current = network.other(e, from: current)
        }
        line.append(contentsOf: piece(of: end.edge, from: network.edges[end.edge].to == node ? 1 : 0, to: end.fraction).dropFirst())
        return Route(coordinates: line.map(frame.unproject), metres: metres, seconds: seconds, edges: [start.edge] + middle + [end.edge])
    }

    /// The frame polyline of an edge between two shares of its length (from may exceed to: then it runs back).
    func piece(of edge: Int, from a: Double, to b: Double) -> [Coordinate] {
        let total = cumulative[edge].last ?? 0
        let line = RoadNetwork.slice(network.edges[edge].path, cumulative[edge], min(a, b) * total, max(a, b) * total)
        return a <= b ? line : line.reversed()
    }
}
