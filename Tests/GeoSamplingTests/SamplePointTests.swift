import Foundation
import GeoCore
import GeoEngine
import GeoSampling
import Testing

/// Sample-point draws, inspector assignment and the plan record, on the committed demo city's 14 point types.
@Suite struct SamplePointTests {
    static let candidates: [SamplePointCandidate] = {
        try! EvaluationGridTests.features("GridData/sample_points.geojson").compactMap(SamplePointCandidate.init(feature:))
    }()

    @Test func countsPerTypeAreMetAndReproducible() throws {
        #expect(Set(Self.candidates.map(\.type)).count == 14)
        let rules = SamplePointRules(countsPerType: ["主次干道": 4, "背街小巷": 3, "公共厕所": 2, "农贸市场": 1])
        let first = try SamplePointDraw.draw(Self.candidates, rules: rules, seed: 11)
        let again = try SamplePointDraw.draw(Self.candidates, rules: rules, seed: 11)
        #expect(first == again)
        #expect(try SamplePointDraw.draw(Self.candidates, rules: rules, seed: 12) != first)
        let byType = Dictionary(grouping: first, by: \.type).mapValues(\.count)
        #expect(byType == ["主次干道": 4, "背街小巷": 3, "公共厕所": 2, "农贸市场": 1])
        #expect(Set(first.map(\.id)).count == first.count)
    }

    @Test func spacingExclusionsGridsAndStreetCoverageHold() throws {
        let streets = Set(Self.candidates.filter { $0.type == "公共厕所" }.map(\.streetCode))
        var rules = SamplePointRules(countsPerType: ["公共厕所": streets.count], minimumSpacingMetres: 300, coverEveryStreet: true)
        let drawn = try SamplePointDraw.draw(Self.candidates, rules: rules, seed: 3)
        #expect(Set(drawn.map(\.streetCode)) == streets)
        for a in drawn { for b in drawn where a.id < b.id { #expect(Geodesic.haversineDistance(from: a.position, to: b.position) >= 300) } }

        rules = SamplePointRules(countsPerType: ["主次干道": 5], excludedIDs: Set(drawn.map(\.id)))
        rules.withinGrids = Set(Self.candidates.filter { $0.type == "主次干道" }.prefix(40).compactMap(\.gridCode))
        let inside = try SamplePointDraw.draw(Self.candidates, rules: rules, seed: 3)
        #expect(inside.allSatisfy { rules.withinGrids!.contains($0.gridCode ?? "") })
    }

    @Test func aShortQuotaNamesTheTypeAndShortfall() {
        let markets = Self.candidates.filter { $0.type == "农贸市场" }.count
        #expect {
            _ = try SamplePointDraw.draw(Self.candidates, rules: SamplePointRules(countsPerType: ["农贸市场": markets + 3]), seed: 1)
        } throws: { error in
            (error as? GeoError)?.message
                == "the point draw cannot meet its quota: type 农贸市场 needs \(markets + 3) but only \(markets) eligible points satisfy the rules (short by 3)"
        }
    }

    @Test func proportionalCountsFollowTheStreetsShares() {
        let shares = SamplePointRules.proportional(total: 10, type: "主次干道", among: Self.candidates)
        #expect(shares.values.reduce(0, +) == 10)
        let pool = Self.candidates.filter { $0.type == "主次干道" }
        for (street, count) in shares {
            let exact = 10 * Double(pool.filter { $0.streetCode == street }.count) / Double(pool.count)
            #expect(abs(Double(count) - exact) < 1, "\(street): \(count) vs \(exact)")
        }
    }

    @Test func inspectorGroupsAreBalancedAndCompact() throws {
        let points = try SamplePointDraw.draw(Self.candidates, rules: SamplePointRules(countsPerType: ["主次干道": 20, "背街小巷": 10, "社区": 7]), seed: 5)
        let groups = try InspectorAssignment.assign(points, groups: 4)
        #expect(groups.map(\.points.count) == [10, 9, 9, 9])
        #expect(Set(groups.flatMap(\.points).map(\.id)) == Set(points.map(\.id)))
        // Sectors beat a random split: the total route is shorter than with groups dealt round-robin.
        let dealt = (0..<4).map { g in points.enumerated().filter { $0.offset % 4 == g }.map(\.element) }
        let dealtRoutes = try dealt.map { try InspectorAssignment.assign($0, groups: 1)[0].routeMetres }.reduce(0, +)
        #expect(groups.map(\.routeMetres).reduce(0, +) < dealtRoutes)
        // The chosen cut has the shortest longest route of every rotation, in particular of the unrotated cut.
        let ordered = points.sorted { a, b in
            let box = BoundingBox(coordinates: points.map(\.position))!
            let x = atan2(a.position.y - box.center.y, a.position.x - box.center.x), y = atan2(b.position.y - box.center.y, b.position.x - box.center.x)
            return x != y ? x < y : a.id < b.id
        }
        let unrotated = [ordered[0..<10], ordered[10..<19], ordered[19..<28], ordered[28..<37]].map { try! InspectorAssignment.assign(Array($0), groups: 1)[0].routeMetres }
        #expect(groups.map(\.routeMetres).max()! <= unrotated.max()!)
        #expect(throws: GeoError.self) { _ = try InspectorAssignment.assign(points, groups: 0) }
    }

    /// With points drawn inside the drawn grids, a type none of those grids holds (the railway station lies
    /// outside the A/B/C grids' members or not) is filled from the whole city instead of failing.
    @Test func typesMissingFromTheDrawnGridsAreFilledFromTheCity() throws {
        let plan = try SamplingPlan.make(
            evaluationGrids: EvaluationGridTests.built.grids, candidates: Self.candidates, cityClass: 3,
            pointRules: SamplePointRules(countsPerType: ["主次干道": 3, "河道湖泊": 1]), pointsWithinDrawnGrids: true, inspectorGroups: 1,
            seed: 4, inputChecksums: [:])
        let members = Set(plan.grids.flatMap(\.memberCodes))
        let points = plan.groups.flatMap(\.points)
        // Rivers run outside the urban grids, so the river point comes from outside the drawn grids.
        #expect(points.filter { $0.type == "河道湖泊" }.count == 1)
        #expect(points.filter { $0.type == "河道湖泊" }.allSatisfy { !members.contains($0.gridCode ?? "") })
        #expect(points.filter { $0.type == "主次干道" }.allSatisfy { members.contains($0.gridCode ?? "") })
    }

    @Test func customQuotaTablesParseAndApply() throws {
        #expect(try DrawQuota.parse("A=4, B=0,C=2").counts == ["A": 4, "B": 0, "C": 2])
        #expect { _ = try DrawQuota.parse("A=4,B") } throws: { ($0 as? GeoError)?.location == "B" }
        let plan = try SamplingPlan.make(
            evaluationGrids: EvaluationGridTests.built.grids, candidates: Self.candidates, cityClass: 1,
            pointRules: SamplePointRules(countsPerType: [:]), pointsWithinDrawnGrids: false, inspectorGroups: 1, seed: 4,
            inputChecksums: [:], quota: try DrawQuota.parse("A=4,C=1"))
        #expect(plan.grids.map { $0.areaClass ?? "" }.sorted() == ["A", "A", "A", "A", "C"])
    }

    @Test func thePlanRecordsSeedRulesAndChecksums() throws {
        let checksum = SamplingPlan.checksum(Array("abc".utf8))
        #expect(checksum == "e71fa2190541574b")  // FNV-1a 64 of "abc"
        let plan = try SamplingPlan.make(
            evaluationGrids: EvaluationGridTests.built.grids, candidates: Self.candidates, cityClass: 1,
            pointRules: SamplePointRules(countsPerType: ["主次干道": 6, "背街小巷": 2]), pointsWithinDrawnGrids: true, inspectorGroups: 2,
            seed: 2026, inputChecksums: ["unit_grids": checksum])
        #expect(plan.grids.count == 8)
        let members = Set(plan.grids.flatMap(\.memberCodes))
        #expect(plan.groups.flatMap(\.points).allSatisfy { members.contains($0.gridCode ?? "") })
        let features = plan.geoJSON().features
        #expect(features.count == 8 + 8)
        #expect(features.allSatisfy { $0.properties["plan_seed"] == "2026" && $0.properties["plan_inputs"] == .string("unit_grids:\(checksum)") })
        let csv = plan.csv().split(separator: "\n")
        #expect(csv.count == 1 + 16)
        #expect(csv[0] == "role,code,class_or_type,street_code,group,lon,lat")
    }
}

/// Evaluation grids from a mapping file, and per-street proportional point quotas.
@Suite struct MappingAndProportionTests {
    @Test func evaluationGridsFromAMappingFile() throws {
        let unitGrids = EvaluationGridTests.built.unitGrids
        let codes = unitGrids.compactMap { $0.properties["code"]?.stringValue }.filter { $0.hasPrefix("320904001001") }.sorted()
        var csv = "unit_grid_code,eval_grid_code,type,first_division_date,change_date,remarks\n"
        for (k, code) in codes.enumerated() { csv += "\(code),\(k < 40 ? "320904001901" : "320904001902"),\(k < 40 ? "A" : "B"),2020-01-01,,test\n" }
        let grids = try EvaluationGridBuilder().build(mapping: csv, unitGrids: unitGrids, engine: try GeometryEngine())
        #expect(grids.map(\.code) == ["320904001901", "320904001902"])
        #expect(grids.map(\.memberCodes.count) == [40, codes.count - 40])
        #expect(grids.map { $0.areaClass ?? "" } == ["A", "B"])
        #expect(grids[0].firstDivisionDate == "2020-01-01" && grids[0].changeDate == nil && grids[0].remarks == "test")
        #expect(abs(grids[0].areaSquareMetres - 40 * 10_231) < 40 * 1_500)
    }

    @Test(arguments: [
        ("unit_grid_code,eval_grid_code\n320904001001001,3209040019\n", "is not 12 digits"),
        ("unit_grid_code,eval_grid_code\n999904001001001,320904001901\n", "is not in the unit-grid layer"),
        ("unit_grid_code,eval_grid_code\n320904001001001,320904002901\n", "starting with its unit grid's street 320904001"),
        ("code,eval\n", "needs columns unit_grid_code and eval_grid_code"),
    ])
    func badMappingsNameTheLine(csv: String, reason: String) {
        #expect {
            _ = try EvaluationGridBuilder().build(mapping: csv, unitGrids: EvaluationGridTests.built.unitGrids, engine: try GeometryEngine())
        } throws: { ($0 as? GeoError)?.message.contains(reason) == true }
    }

    @Test func perStreetQuotasDrawInProportion() throws {
        var rules = SamplePointRules(countsPerType: [:])
        let shares = SamplePointRules.proportional(total: 12, type: "主次干道", among: SamplePointTests.candidates)
        rules.countsPerTypeAndStreet["主次干道"] = shares
        let drawn = try SamplePointDraw.draw(SamplePointTests.candidates, rules: rules, seed: 8)
        #expect(drawn.count == 12)
        let perStreet = Dictionary(grouping: drawn, by: \.streetCode).mapValues(\.count)
        #expect(perStreet == shares.filter { $0.value > 0 })
    }
}
