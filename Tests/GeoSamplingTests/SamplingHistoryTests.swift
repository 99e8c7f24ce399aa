import Foundation
import GeoCore
import GeoSampling
import GeoStore
import Testing

/// Rounds recorded in the store, exclusion of the last N rounds, and the HTML record of a plan.
@Suite struct SamplingHistoryTests {
    static func plan(seed: UInt64, excluded: Set<String> = []) throws -> SamplingPlan {
        try SamplingPlan.make(
            evaluationGrids: EvaluationGridTests.built.grids, candidates: SamplePointTests.candidates, cityClass: 3,
            pointRules: SamplePointRules(countsPerType: ["主次干道": 5, "社区": 2], excludedIDs: excluded), pointsWithinDrawnGrids: false,
            inspectorGroups: 2, seed: seed, excludedGrids: excluded, inputChecksums: ["unit_grids": "0123456789abcdef"])
    }

    @Test func roundsAreRecordedAndExcludedFromTheNextDraw() async throws {
        let store = try SpatialStore.temporary()
        #expect(try await SamplingHistory.rounds(in: store).isEmpty)
        let first = try Self.plan(seed: 1)
        #expect(try await SamplingHistory.record(first, in: store) == 1)
        let drawnFirst = Set(first.grids.map(\.code) + first.groups.flatMap(\.points).map(\.id))
        let recent = try await SamplingHistory.recent(1, in: store)
        #expect(recent == drawnFirst)
        let second = try Self.plan(seed: 1, excluded: recent)
        #expect(Set(second.grids.map(\.code)).isDisjoint(with: drawnFirst))
        #expect(Set(second.groups.flatMap(\.points).map(\.id)).isDisjoint(with: drawnFirst))
        #expect(try await SamplingHistory.record(second, in: store) == 2)
        let rounds = try await SamplingHistory.rounds(in: store)
        #expect(rounds.map(\.round) == [1, 2])
        #expect(rounds.map(\.items.count) == [5 + 7, 5 + 7])
        #expect(try await SamplingHistory.recent(2, in: store).count == 24)
        #expect(try await SamplingHistory.recent(0, in: store).isEmpty)
    }

    /// The printed plan: an overview with the drawn grids, then one page per inspector group listing its stops in
    /// the order its route visits them; every site is drawn once on the overview and once on its group's page.
    @Test func thePrintedPlanHasAPagePerGroupWithItsRouteInVisitingOrder() throws {
        let plan = try Self.plan(seed: 9)
        let near = plan.groups[0].points[0].position
        let roads = [
            Feature(geometry: .lineString(LineString([near, Coordinate(x: near.x + 0.001, y: near.y)])), properties: ["name": "近路"]),
            Feature(geometry: .lineString(LineString([Coordinate(x: 100, y: 20), Coordinate(x: 100.1, y: 20)])), properties: ["name": "远路"]),
        ]
        let html = plan.html(roads: roads)
        let sections = html.components(separatedBy: "<section class=").dropFirst()
        #expect(sections.count == 1 + plan.groups.count)
        let sites = plan.groups.reduce(0) { $0 + $1.points.count }
        #expect(sites == 7)
        #expect(html.components(separatedBy: "<circle").count - 1 == 2 * sites)
        #expect(html.components(separatedBy: "class=\"route\"").count - 1 == 2 * plan.groups.count)
        #expect(html.components(separatedBy: "fill=\"#ffe08a\"").count - 1 == plan.grids.reduce(0) { $0 + $1.geometry.polygons.count })
        #expect(html.contains("<title>近路</title>") && !html.contains("远路"))
        #expect(html.contains("随机种子 9") && html.contains("unit_grids 0123456789abcdef"))
        for grid in plan.grids { #expect(html.contains(grid.code)) }
        for (group, page) in zip(plan.groups, sections.dropFirst()) {
            #expect(page.hasPrefix("\"page\"><h2>第\(group.number)组 · \(group.points.count) 个点位"))
            // The stops' table lists the route's order.
            let rows = page.components(separatedBy: "<tr><td>").dropFirst()
            #expect(rows.map { $0.components(separatedBy: "</td><td>")[1] } == group.visitOrder.map(\.id))
        }
    }

    /// The visiting order is the tour whose length the group reports, starting at its first point.
    @Test func visitingOrderIsTheMeasuredTour() throws {
        let plan = try Self.plan(seed: 9)
        for group in plan.groups {
            let stops = group.visitOrder
            #expect(stops.first == group.points.first)
            #expect(Set(stops) == Set(group.points))
            let length = zip(stops, stops.dropFirst()).reduce(0.0) { $0 + Geodesic.haversineDistance(from: $1.0.position, to: $1.1.position) }
            #expect(abs(length - group.routeMetres) < 1e-6)
        }
    }

    /// A printed map fits what it draws: the box around the sites with 8 % of the span on each side (at least 300 m
    /// across), and a height that keeps metres square at the middle latitude.
    @Test func theMapFrameFitsWhatWasDrawn() throws {
        let frame = try #require(PlanMapFrame(fitting: [Coordinate(x: 120.40, y: 33.00), Coordinate(x: 120.42, y: 33.03)]))
        #expect(abs(frame.box.minX - (120.41 - 0.02 * 0.58)) < 1e-12 && abs(frame.box.maxX - (120.41 + 0.02 * 0.58)) < 1e-12)
        #expect(abs(frame.box.minY - (33.015 - 0.03 * 0.58)) < 1e-12 && abs(frame.box.maxY - (33.015 + 0.03 * 0.58)) < 1e-12)
        #expect(frame.height == (900 * 0.03 / (0.02 * cos(33.015 * .pi / 180))).rounded())
        let corner = frame.position(of: Coordinate(x: 120.40, y: 33.03))
        #expect(abs(corner.x - 900 * 0.08 / 1.16) < 1e-9 && abs(corner.y - frame.height * 0.08 / 1.16) < 1e-9)
        let single = try #require(PlanMapFrame(fitting: [Coordinate(x: 120.4, y: 33.0)]))
        #expect(abs(single.box.height - 300 / 111_320 * 1.16) < 1e-12)
    }

    @Test func pointCountsParseWithNamedErrors() throws {
        #expect(try SamplingInputs.parseCounts("主次干道=6, 背街小巷=4") == ["主次干道": 6, "背街小巷": 4])
        #expect {
            _ = try SamplingInputs.parseCounts("主次干道=6,公厕")
        } throws: { ($0 as? GeoError)?.location == "公厕" }
        #expect(throws: GeoError.self) { _ = try SamplingInputs.parseCounts("主次干道=-1") }
    }
}
