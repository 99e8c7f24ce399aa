import Foundation
import GeoCore
import GeoEngine
import GeoTrajectories
import Testing

@testable import GeoAnalysis

/// A hand-drawn block, metres east and north of the origin:
///
///     (0,400) ──R1 60 km/h──(500,400)──R1──(1000,400)
///        │                     │              ↑ R3 one-way north, 30 km/h
///     R2 30 km/h          R4 10 km/h          │
///        │                     │              │
///     (0,0) ───R0 20 km/h──(500,0)───R0───(1000,0)
///
/// Lengths are ellipsoidal and the frame equirectangular, so hand figures hold to a few centimetres per km.
enum Block {
    static let roads: [Feature] = [
        Feature(geometry: Metres.line([(0, 0), (1000, 0)]), properties: ["name": "南路", "kind": "背街小巷"]),
        Feature(geometry: Metres.line([(0, 400), (1000, 400)]), properties: ["name": "北路", "speed_kmh": 60]),
        Feature(geometry: Metres.line([(0, 0), (0, 400)]), properties: ["name": "西路", "maxspeed": "30"]),
        Feature(geometry: Metres.line([(1000, 0), (1000, 400)]), properties: ["name": "东路", "speed_kmh": 30, "oneway": "yes"]),
        Feature(geometry: Metres.line([(500, 0), (500, 400)]), properties: ["name": "中路", "speed_kmh": 10]),
    ]
    static let router = RoadRouter(roads: roads)

    static func snap(_ x: Double, _ y: Double) -> RoadRouter.Position { router.snap(Metres.c(x, y), within: 50)! }
}

@Suite struct RoutingTests {
    @Test func theBlockHasNodesAtItsCornersAndCrossingsAndRoadAttributes() {
        let network = Block.router.network
        #expect(network.nodes.count == 6)
        #expect(network.edges.count == 7)
        let byName = Dictionary(grouping: network.edges) { network.roads[$0.road].name }
        #expect(byName["南路"]?.map(\.speed) == [20, 20])
        #expect(byName["北路"]?.map(\.speed) == [60, 60])
        #expect(byName["西路"]?.map(\.speed) == [30])
        #expect(byName["东路"]?.map(\.direction) == [.forward])
        #expect(byName["中路"]?.map(\.direction) == [.both])
        #expect(RoadNetwork.direction(of: "-1") == .backward && RoadNetwork.direction(of: .bool(true)) == .forward)
        #expect(RoadNetwork.direction(of: "no") == .both && RoadNetwork.direction(of: nil) == .both)
    }

    @Test func snappingFindsTheNearestSegmentAndItsShare() throws {
        let start = Block.snap(250, 10)
        let edge = Block.router.network.edges[start.edge]
        #expect(Block.router.network.roads[edge.road].name == "南路")
        #expect(abs(start.snapDistance - 10) < 0.01)
        // The edge runs (0,0)→(500,0) or back: the share is a half either way.
        #expect(abs(start.fraction - 0.5) < 1e-6)
        #expect(Block.router.snap(Metres.c(250, 60), within: 50) == nil)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var from: (Double, Double)
        var to: (Double, Double)
        var cost: RoadRouter.Cost
        var metres: Double
        var seconds: Double
        var names: [String]
        var testDescription: String { "\(from) → \(to) by \(cost)" }
    }

    static let cases: [Case] = [
        // Shortest by distance: along 南路 then up 中路 and east on 北路: 250 + 400 + 400 m in 45 + 144 + 24 s.
        Case(from: (250, 10), to: (900, 410), cost: .distance, metres: 1_050, seconds: 213, names: ["南路", "中路", "北路"]),
        // Quickest: 中路 crawls at 10 km/h, so west and round by 北路 at 60: 250 + 400 + 900 m in 45 + 48 + 54 s.
        Case(from: (250, 10), to: (900, 410), cost: .time, metres: 1_550, seconds: 147, names: ["南路", "西路", "北路"]),
        // 东路 is one-way north: north is 200 m, south means the whole block round (12 + 30 + 144 + 90 + 12 s).
        Case(from: (1010, 100), to: (990, 300), cost: .distance, metres: 200, seconds: 24, names: ["东路"]),
        Case(from: (1010, 300), to: (990, 100), cost: .distance, metres: 1_600, seconds: 288, names: ["东路", "北路", "中路", "南路", "东路"]),
    ]

    @Test(arguments: cases)
    func shortestPathsByDistanceAndTimeRespectOneWayRoads(_ c: Case) throws {
        let (from, to, cost, metres, seconds, names) = (c.from, c.to, c.cost, c.metres, c.seconds, c.names)
        let router = Block.router
        let start = Block.snap(from.0, from.1), end = Block.snap(to.0, to.1)
        let route = try #require(router.route(from: start, to: end, by: cost))
        #expect(abs(route.metres - metres) < 0.2, "\(route.metres)")
        #expect(abs(route.seconds - seconds) < 0.05, "\(route.seconds)")
        var driven: [String] = []
        for e in route.edges where driven.last != router.network.roads[router.network.edges[e].road].name {
            driven.append(router.network.roads[router.network.edges[e].road].name)
        }
        #expect(driven == names)
        // The line runs from the snapped start to the snapped end and is as long as the route.
        #expect(route.coordinates.first == start.coordinate && route.coordinates.last == end.coordinate)
        #expect(abs(EllipsoidalMeasure.length(of: .lineString(LineString(route.coordinates))) - route.metres) < 0.01)
    }

    @Test func nodeToNodeCostsAgreeWithPositionRoutes() throws {
        let router = Block.router
        let corner = router.network.nodes.firstIndex { Planar.distance(Metres.frame.project(router.network.frame.unproject($0)), Coordinate(x: 0, y: 0)) < 0.01 }!
        let farCorner = router.network.nodes.firstIndex { Planar.distance(Metres.frame.project(router.network.frame.unproject($0)), Coordinate(x: 1000, y: 400)) < 0.01 }!
        let there = try #require(router.cost(fromNode: corner, toNode: farCorner, by: .distance))
        #expect(abs(there.metres - 1_400) < 0.2)
        let back = try #require(router.cost(fromNode: farCorner, toNode: corner, by: .time))
        // Back by 北路 and 西路 (1,400 m in 60 + 48 s); 东路 cannot be driven south.
        #expect(abs(back.cost - 108) < 0.05 && abs(back.metres - 1_400) < 0.2)
    }

    @Test func theNearestResourcesByRoadDriveTowardsTheIncident() throws {
        let router = Block.router
        let incident = Block.snap(1005, 100)
        // Straight-line nearest first: the one 200 m north on the one-way road must drive round the block.
        let resources = [Metres.c(1005, 300), Metres.c(700, 5), Metres.c(5, 200), Metres.c(5_000, 5_000)].map { router.snap($0, within: 50) }
        #expect(resources[3] == nil)
        let two = try router.nearest(resources, to: incident, k: 2, by: .distance)
        #expect(two.map(\.resource) == [1, 2])
        #expect(abs(two[0].metres - 400) < 0.1 && abs(two[1].metres - 1_300) < 0.2)
        let all = try router.nearest(resources, to: incident, k: 5, by: .distance)
        #expect(all.map(\.resource) == [1, 2, 0])
        #expect(abs(all[2].metres - 1_600) < 0.2)
    }

    /// The backward search with its offer heap against one forward route per resource, on 300 seeded resources
    /// (some on the incident's own edge, some on the one-way road).
    @Test(arguments: [RoadRouter.Cost.distance, .time])
    func nearestResourcesAgreeWithOneRoutePerResource(cost: RoadRouter.Cost) throws {
        let router = Block.router
        var random = SeededGenerator(seed: 11)
        let incident = Block.snap(1_000, 150)
        let resources = (0..<300).map { _ -> RoadRouter.Position? in
            let onRoad = [(Double.random(in: 0...1_000, using: &random), 0.0), (Double.random(in: 0...1_000, using: &random), 400.0),
                (1_000.0, Double.random(in: 0...400, using: &random)), (500.0, Double.random(in: 0...400, using: &random))]
            let p = onRoad[Int.random(in: 0..<4, using: &random)]
            return router.snap(Metres.c(p.0, p.1), within: 5)
        }
        let expected = resources.enumerated().compactMap { r, position -> (Int, Double)? in
            guard let position, let route = router.route(from: position, to: incident, by: cost) else { return nil }
            return (r, cost == .distance ? route.metres : route.seconds)
        }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
        for k in [1, 7, 300] {
            let found = try router.nearest(resources, to: incident, k: k, by: cost)
            #expect(found.count == min(k, expected.count))
            for (reach, (r, value)) in zip(found, expected) {
                #expect(abs(reach.cost - value) < 1e-6, "resource \(reach.resource) vs \(r)")
            }
            // Equal costs may list either first; the sets of costs agree above, the order by cost here.
            #expect(found.map(\.cost) == found.map(\.cost).sorted())
        }
    }

    @Test func theIsochroneHoldsExactlyTheRoadsWithinTheLimit() throws {
        let router = Block.router
        let start = Block.snap(0, 0)
        // 600 m from the south-west corner: 南路 to 600 m, all of 西路, 200 m of 北路, 100 m of 中路.
        let roads = try router.reachableRoads(from: start, within: 600, by: .distance)
        let total = roads.reduce(0) { $0 + EllipsoidalMeasure.length(of: .lineString(LineString($1))) }
        #expect(abs(total - 1_300) < 0.2, "\(total)")
        let (area, _) = try #require(try router.isochrone(from: start, within: 600, by: .distance, corridorMetres: 20, engine: GeometryEngine()))
        let engine = try GeometryEngine()
        #expect(try engine.contains(area, .point(Point(Metres.c(300, 10)))))
        #expect(try !engine.contains(area, .point(Point(Metres.c(800, 0)))))
        // One minute: 333 m of 南路 at 20 km/h; all 400 m of 西路 at 30 km/h (48 s), then 200 m of 北路 at 60 km/h in
        // the 12 s left.
        let minute = try router.reachableRoads(from: start, within: 60, by: .time)
        let minuteTotal = minute.reduce(0) { $0 + EllipsoidalMeasure.length(of: .lineString(LineString($1))) }
        #expect(abs(minuteTotal - (1000.0 / 3 + 400 + 200)) < 0.2, "\(minuteTotal)")
    }

    @Test func anUnreachableEndHasNoRoute() {
        // Two roads that never meet.
        let router = RoadRouter(roads: [
            Feature(geometry: Metres.line([(0, 0), (100, 0)])), Feature(geometry: Metres.line([(0, 100), (100, 100)])),
        ])
        let a = router.snap(Metres.c(50, 0), within: 10)!, b = router.snap(Metres.c(50, 100), within: 10)!
        #expect(router.route(from: a, to: b) == nil)
    }
}
