import Foundation
import GeoCore
import GeoSampling
import GeoStore
import Testing

/// The same seed and data give the same plan, byte for byte, across versions: a field-inspection plan is checked
/// by redrawing it, so a change in the draw is a change in what inspectors were sent to. The committed plan was
/// drawn from the committed demo city; rerun with CITYGEO_UPDATE_GOLDEN=1 only for a change of the draw that is
/// meant, and say so in the commit.
@Suite struct GoldenPlanTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// A class-1 plan over the demo city: 3 A + 2 B + 3 C evaluation grids, 6 main roads and 4 back lanes inside them
    /// at least 200 m apart, in 3 inspector groups, seed 2026.
    static func plan() async throws -> SamplingPlan {
        let store = try SpatialStore.temporary()
        for (layer, file) in [("unit_grids", "unit_grids"), ("eval_area_types", "eval_area_types"), ("sample_points", "sample_points")] {
            _ = try await store.importFile(at: EvaluationGridTests.root.appendingPathComponent("GridData/\(file).geojson"), as: layer)
        }
        let inputs = try await SamplingInputs.load(from: store)
        let rules = SamplePointRules(countsPerType: ["主次干道": 6, "背街小巷": 4], minimumSpacingMetres: 200)
        return try SamplingPlan.make(
            evaluationGrids: inputs.evaluationGrids, candidates: inputs.candidates, cityClass: 1, pointRules: rules,
            pointsWithinDrawnGrids: true, inspectorGroups: 3, seed: 2026, inputChecksums: inputs.checksums)
    }

    @Test func theDemoCityPlanOfSeed2026IsUnchanged() async throws {
        let plan = try await Self.plan()
        let outputs: [(file: String, bytes: [UInt8])] = [
            ("plan-2026.csv", Array(plan.csv().utf8)), ("plan-2026.geojson", try GeoJSON.encodeBytes(plan.geoJSON())),
        ]
        #expect(plan.grids.count == 8)
        #expect(plan.groups.flatMap(\.points).count == 10)
        for (file, bytes) in outputs {
            let url = Self.fixtures.appendingPathComponent(file)
            if ProcessInfo.processInfo.environment["CITYGEO_UPDATE_GOLDEN"] == "1" {
                try Data(bytes).write(to: url)
            }
            let committed = try Array(Data(contentsOf: url))
            #expect(bytes == committed, "\(file) differs from the committed plan")
        }
    }
}
