import Foundation
import GeoCore
import GeoEngine
import GeoTrajectories

extension RoadRouter {
    /// A resource's way to an incident by road.
    public struct Reach: Hashable, Sendable {
        /// Index of the resource in the array given.
        public var resource: Int
        /// The minimised cost (metres or seconds).
        public var cost: Double
        public var metres: Double
        public var seconds: Double
    }

    /// Settled nodes between two checks for cancellation of the calling task.
    static let nodesPerCheck = 4_096

    /// The `k` resources that reach `incident` soonest by road, driving towards it (one-way roads respected),
    /// cheapest first (ties by index). Resources without a position (too far from every road) and those that
    /// cannot reach the incident are left out.
    ///
    /// One search backwards from the incident over incoming arcs gives every node's cost to the incident. Each
    /// resource is offered as the search settles the node(s) it leaves its edge by; offers wait in a heap, and one
    /// is final once the search has passed its cost (nothing unsettled can beat it), so the search stops at the k-th
    /// final resource, with cost O(log) per offer whatever the number of resources.
    public func nearest(
        _ resources: [Position?], to incident: Position, k: Int, by cost: Cost
    ) throws(GeoError) -> [Reach] {
        guard k > 0 else { return [] }
        // Each resource leaves its edge by one or two nodes: index them by node.
        var departures: [Int: [(resource: Int, seed: Seed)]] = [:]
        var best: [Int: Reach] = [:]
        var offers = MinHeap(capacity: 64)
        func offer(_ reach: Reach) {
            if let current = best[reach.resource], current.cost <= reach.cost { return }
            best[reach.resource] = reach
            offers.push(reach.cost, reach.resource)
        }
        var found: [Reach] = []
        var finished = Set<Int>()
        // Offers up to `limit` are final: their resources' best costs, in order.
        func finalize(upTo limit: Double) {
            while found.count < k, offers.minimumKey <= limit, let (_, r) = offers.pop() {
                if finished.insert(r).inserted { found.append(best[r]!) }
            }
        }
        for (r, position) in resources.enumerated() {
            guard let position else { continue }
            for seed in seeds(position, cost: cost) { departures[seed.node, default: []].append((r, seed)) }
            if let direct = sameEdge(position, incident, cost: cost) {
                offer(Reach(resource: r, cost: direct.cost, metres: direct.metres, seconds: direct.seconds))
            }
        }
        var tree = Tree(nodes: network.nodes.count)
        var heap = MinHeap(capacity: 256)
        for seed in seeds(incident, cost: cost, towards: true) where seed.cost < tree.cost[seed.node] {
            tree.cost[seed.node] = seed.cost
            tree.metres[seed.node] = seed.metres
            tree.seconds[seed.node] = seed.seconds
            heap.push(seed.cost, seed.node)
        }
        var settledCount = 0
        while found.count < k, let (key, node) = heap.pop() {
            finalize(upTo: key)
            if tree.settled[node] { continue }
            tree.settled[node] = true
            settledCount += 1
            if settledCount % Self.nodesPerCheck == 0 { try GeoError.throwIfCancelled() }
            for (r, seed) in departures[node] ?? [] {
                offer(Reach(resource: r, cost: seed.cost + tree.cost[node], metres: seed.metres + tree.metres[node], seconds: seed.seconds + tree.seconds[node]))
            }
            relax(node, backward: true, in: &tree, heap: &heap, cost: cost)
        }
        finalize(upTo: .infinity)
        return found
    }

    /// The roads reachable from `start` within `limit` (seconds for `time`, metres for `distance`): every edge
    /// or the parts of it that can be driven in time, as lon/lat lines, one per reachable stretch of an edge.
    public func reachableRoads(from start: Position, within limit: Double, by cost: Cost) throws(GeoError) -> [[Coordinate]] {
        var tree = Tree(nodes: network.nodes.count)
        var heap = MinHeap(capacity: 256)
        // Reachable shares of each edge, from either end or from the start: merged before drawing.
        var reached: [Int: ParameterIntervals.List] = [:]
        func reach(_ edge: Int, _ a: Double, _ b: Double) {
            reached[edge] = ParameterIntervals.union(reached[edge] ?? [], [(min(a, b), max(a, b))])
        }
        let startEdge = network.edges[start.edge]
        for seed in seeds(start, cost: cost) {
            let towardsEnd = seed.node == startEdge.to
            let share = seed.cost > 0 ? min(1, limit / seed.cost) : 1
            let length = (towardsEnd ? 1 - start.fraction : start.fraction) * share
            reach(start.edge, start.fraction, towardsEnd ? start.fraction + length : start.fraction - length)
            if seed.cost <= limit, seed.cost < tree.cost[seed.node] {
                tree.cost[seed.node] = seed.cost
                heap.push(seed.cost, seed.node)
            }
        }
        var settledCount = 0
        while let (_, node) = heap.pop() {
            if tree.settled[node] { continue }
            tree.settled[node] = true
            settledCount += 1
            if settledCount % Self.nodesPerCheck == 0 { try GeoError.throwIfCancelled() }
            let remaining = limit - tree.cost[node]
            for arc in Int(outStart[node])..<Int(outStart[node + 1]) {
                let head = Int(outHead[arc]), edge = Int(outEdge[arc])
                let whole = self.cost(of: edge, cost)
                let share = whole > 0 ? min(1, remaining / whole) : 1
                if network.edges[edge].from == node { reach(edge, 0, share) } else { reach(edge, 1 - share, 1) }
                let candidate = tree.cost[node] + whole
                if candidate <= limit, candidate < tree.cost[head], !tree.settled[head] {
                    tree.cost[head] = candidate
                    heap.push(candidate, head)
                }
            }
        }
        var lines: [[Coordinate]] = []
        for edge in reached.keys.sorted() {
            for (a, b) in reached[edge]! where b > a {
                lines.append(piece(of: edge, from: a, to: b).map(network.frame.unproject))
            }
        }
        return lines
    }

    /// The area reachable from `start` within `limit`: the reachable roads widened by `corridorMetres` on each
    /// side (a GEOS buffer in metres), as a lon/lat polygon or multipolygon; nil when nothing is reachable.
    public func isochrone(
        from start: Position, within limit: Double, by cost: Cost, corridorMetres: Double, engine: GeometryEngine
    ) throws(GeoError) -> (area: Geometry, roads: [[Coordinate]])? {
        let roads = try reachableRoads(from: start, within: limit, by: cost)
        guard !roads.isEmpty else { return nil }
        try GeoError.throwIfCancelled()
        do {
            let area = try engine.bufferMetres(.multiLineString(MultiLineString(roads.map(LineString.init))), metres: corridorMetres, quadrantSegments: 4)
            return (area, roads)
        } catch let error as GeoError {
            throw error
        } catch {
            throw GeoError(code: .geosError, message: "the isochrone's buffer failed: \(error)")
        }
    }
}
