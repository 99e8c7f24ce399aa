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

    @Test func theHTMLPageShowsEveryGridPointAndTheRecord() throws {
        let plan = try Self.plan(seed: 9)
        let html = plan.html()
        #expect(html.components(separatedBy: "<polygon").count - 1 == plan.grids.reduce(0) { $0 + $1.geometry.polygons.count })
        #expect(html.components(separatedBy: "<circle").count - 1 == 7)
        #expect(html.contains("随机种子 9") && html.contains("unit_grids 0123456789abcdef"))
        for grid in plan.grids { #expect(html.contains(grid.code)) }
    }

    @Test func pointCountsParseWithNamedErrors() throws {
        #expect(try SamplingInputs.parseCounts("主次干道=6, 背街小巷=4") == ["主次干道": 6, "背街小巷": 4])
        #expect {
            _ = try SamplingInputs.parseCounts("主次干道=6,公厕")
        } throws: { ($0 as? GeoError)?.location == "公厕" }
        #expect(throws: GeoError.self) { _ = try SamplingInputs.parseCounts("主次干道=-1") }
    }
}
