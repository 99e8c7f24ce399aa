import Foundation
import GeoCore
import GeoEngine
import GeoSampling
import Testing

/// Evaluation grids built from the committed demo city, and the stratified draw over them.
@Suite struct EvaluationGridTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func features(_ path: String) throws -> [Feature] {
        try GeoJSON.decodeFeatureCollection(Array(Data(contentsOf: root.appendingPathComponent(path)))).features
    }

    static let built: (grids: [EvaluationGrid], unitGrids: [Feature]) = {
        let unitGrids = try! features("GridData/unit_grids.geojson")
        let builder = EvaluationGridBuilder()
        var grids = try! builder.build(unitGrids: unitGrids, engine: try! GeometryEngine())
        builder.assignClasses(&grids, unitGrids: unitGrids, classes: try! features("GridData/eval_area_types.geojson"))
        return (grids, unitGrids)
    }()

    @Test func everyUnitGridIsInExactlyOneEvaluationGrid() {
        let members = Self.built.grids.flatMap(\.memberCodes)
        #expect(members.count == Self.built.unitGrids.count)
        #expect(Set(members).count == members.count)
        for grid in Self.built.grids {
            #expect(grid.memberCodes.allSatisfy { $0.hasPrefix(grid.streetCode) }, "\(grid.code) crosses its street")
            #expect(grid.code.hasPrefix(grid.streetCode) && grid.code.count == 12)
        }
    }

    @Test func gridsFollowTheAreaRulesAndAreContiguous() {
        let problems = EvaluationGridBuilder().validate(Self.built.grids)
        #expect(problems.isEmpty, "\(problems.map(\.message))")
        let areas = Self.built.grids.map(\.areaSquareMetres)
        let mean = areas.reduce(0, +) / Double(areas.count)
        #expect(mean > 800_000 && mean < 1_300_000, "mean evaluation grid \(mean) m²")
        #expect(Self.built.grids.allSatisfy { $0.areaClass != nil })
        #expect(Set(Self.built.grids.compactMap(\.areaClass)) == ["A", "B", "C"])
    }

    @Test func gridsCarryTheirRecordAttributes() {
        var grid = Self.built.grids[0]
        grid.firstDivisionDate = "2026-11-23"
        grid.remarks = "demo"
        let properties = grid.feature.properties
        #expect(properties["code"] == .string(grid.code))
        #expect(properties["first_division_date"] == "2026-11-23")
        #expect(properties["change_date"] == .null)
        #expect(properties["remarks"] == "demo")
        #expect(properties["unit_grid_count"] == .int(Int64(grid.memberCodes.count)))
        #expect(properties["type"] == grid.areaClass.map(JSONValue.string))
    }

    @Test func validationNamesGridsOutsideTheRules() throws {
        let square = Geometry.polygon(BoundingBox(minX: 120, minY: 33, maxX: 120.001, maxY: 33.001).polygon)
        let split = Geometry.multiPolygon(MultiPolygon([
            BoundingBox(minX: 120, minY: 33, maxX: 120.01, maxY: 33.01).polygon, BoundingBox(minX: 120.02, minY: 33, maxX: 120.03, maxY: 33.01).polygon,
        ]))
        let grids = [
            EvaluationGrid(code: "320904001001", streetCode: "320904001", memberCodes: [], areaSquareMetres: 10_000, areaClass: "A", geometry: square),
            EvaluationGrid(code: "320904001002", streetCode: "320904001", memberCodes: [], areaSquareMetres: 3_500_000, areaClass: "A", geometry: split),
        ]
        let messages = EvaluationGridBuilder().validate(grids).map(\.message)
        #expect(messages == [
            "evaluation grid 320904001001 covers 0.01 km², under the 0.5 km² floor",
            "evaluation grid 320904001002 covers 3.5 km², over the 3 km² ceiling",
            "evaluation grid 320904001002 falls apart into 2 pieces",
        ])
    }

    @Test func aClassOneDrawIsReproducibleAndMeetsItsQuota() throws {
        let quota = try DrawQuota.cityClass(1)
        let first = try StratifiedDraw.draw(Self.built.grids, quota: quota, seed: 2026)
        let again = try StratifiedDraw.draw(Self.built.grids, quota: quota, seed: 2026)
        let other = try StratifiedDraw.draw(Self.built.grids, quota: quota, seed: 2027)
        #expect(first.map(\.code) == again.map(\.code))
        #expect(first.map(\.code) != other.map(\.code))
        #expect(first.filter { $0.areaClass == "A" }.count == 3)
        #expect(first.filter { $0.areaClass == "B" }.count == 2)
        #expect(first.filter { $0.areaClass == "C" }.count == 3)
        // No repeat of the last round: a class-3 draw (2 + 1 + 2) twice, the second excluding the first.
        let classThree = try DrawQuota.cityClass(3)
        let lastRound = Set(try StratifiedDraw.draw(Self.built.grids, quota: classThree, seed: 7).map(\.code))
        let next = try StratifiedDraw.draw(Self.built.grids, quota: classThree, seed: 7, excluded: lastRound)
        #expect(next.count == 5)
        #expect(lastRound.isDisjoint(with: next.map(\.code)))
    }

    @Test func aShortQuotaNamesTheClassAndTheShortfall() throws {
        let countA = Self.built.grids.filter { $0.areaClass == "A" }.count
        #expect {
            _ = try StratifiedDraw.draw(Self.built.grids, quota: DrawQuota(["A": countA + 2, "B": 1]), seed: 1)
        } throws: { error in
            (error as? GeoError)?.message == "the draw cannot meet its quota: class A needs \(countA + 2) but has \(countA) eligible (short by 2)"
        }
        #expect(throws: GeoError.self) { _ = try DrawQuota.cityClass(4) }
        #expect(try DrawQuota.cityClass(2).counts == ["A": 2, "B": 2, "C": 2])
        #expect(try DrawQuota.cityClass(3).counts == ["A": 2, "B": 1, "C": 2])
    }

    /// Over 10,000 seeded draws each eligible grid of a class is chosen with probability quota / pool size:
    /// Pearson's chi-square over the grids of each class stays under the critical value at α = 0.001.
    @Test func selectionFrequenciesMatchTheirProbabilities() throws {
        let quota = try DrawQuota.cityClass(1)
        var chosen: [String: Int] = [:]
        let rounds = 10_000
        for seed in 0..<UInt64(rounds) {
            for grid in try StratifiedDraw.draw(Self.built.grids, quota: quota, seed: seed) { chosen[grid.code, default: 0] += 1 }
        }
        for (areaClass, wanted) in quota.counts {
            let pool = Self.built.grids.filter { $0.areaClass == areaClass }
            let expected = Double(rounds * wanted) / Double(pool.count)
            let chiSquare = pool.reduce(0.0) { sum, grid in
                let observed = Double(chosen[grid.code] ?? 0)
                return sum + (observed - expected) * (observed - expected) / expected
            }
            // Wilson-Hilferty approximation of the chi-square quantile, z = 3.09 for α = 0.001.
            let df = Double(pool.count - 1)
            let critical = df * pow(1 - 2 / (9 * df) + 3.09 * (2 / (9 * df)).squareRoot(), 3)
            #expect(chiSquare < critical, "class \(areaClass): chi-square \(chiSquare) with \(Int(df)) degrees of freedom, critical \(critical)")
        }
    }
}
