import GeoCore
import GeoEngine
import GeoGrids
import Testing

/// The census checks on a community of 0.001° cells (~93 m x 111 m at 33°N) with one defect of each kind.
@Suite struct GridQualityTests {
    static let size = 0.001

    static func cell(_ i: Int, _ j: Int, width: Double = size, height: Double = size) -> Geometry {
        let x = 120.4 + Double(i) * size
        let y = 33.2 + Double(j) * size
        return .polygon(
            Polygon(exterior: [
                Coordinate(x: x, y: y), Coordinate(x: x + width, y: y), Coordinate(x: x + width, y: y + height),
                Coordinate(x: x, y: y + height), Coordinate(x: x, y: y),
            ]))
    }

    static func grid(_ code: String, _ geometry: Geometry, community: String = "320904001001") -> Feature {
        Feature(geometry: geometry, properties: ["code": .string(code), "community_code": .string(community)])
    }

    /// Community 001: a 3 x 2 block of cells.
    static let community = Feature(
        geometry: .polygon(
            Polygon(exterior: [
                Coordinate(x: 120.4, y: 33.2), Coordinate(x: 120.403, y: 33.2), Coordinate(x: 120.403, y: 33.202),
                Coordinate(x: 120.4, y: 33.202), Coordinate(x: 120.4, y: 33.2),
            ])), properties: ["code": "320904001001"])

    @Test func aCleanTilingHasNoProblemAndExactStatistics() throws {
        let grids = (0..<3).flatMap { i in (0..<2).map { j in Self.grid("320904001001" + String(format3: 1 + i * 2 + j), Self.cell(i, j)) } }
        let engine = try GeometryEngine()
        let report = try GridQualityChecker().check(unitGrids: grids, communities: [Self.community], engine: engine)
        #expect(report.problems.isEmpty, "\(report.problems.map(\.message))")
        #expect(report.overall.count == 6)
        let cellArea = try engine.geodesicArea(Self.cell(0, 0))
        #expect(abs(report.overall.meanArea - cellArea) < 0.01 * cellArea)
        #expect(abs(report.overall.totalArea - (try engine.geodesicArea(Self.community.geometry!))) < 0.01)
        #expect(report.perCommunity.map(\.code) == ["320904001001"])
    }

    @Test func everyDefectIsReportedWithItsCodesAndArea() throws {
        let bowtie = Geometry.polygon(
            Polygon(exterior: [
                Coordinate(x: 120.402, y: 33.201), Coordinate(x: 120.403, y: 33.202), Coordinate(x: 120.403, y: 33.201),
                Coordinate(x: 120.402, y: 33.202), Coordinate(x: 120.402, y: 33.201),
            ]))
        let grids = [
            // (0,0) is widened by 20 %: it overlaps (1,0).
            Self.grid("320904001001001", Self.cell(0, 0, width: Self.size * 1.2)),
            Self.grid("320904001001002", Self.cell(0, 1)),
            Self.grid("320904001001003", Self.cell(1, 0)),
            // (1,1) is missing: a gap.
            // (2,0) is a sliver 0.00005° wide (~4.7 m) next to an uncovered strip.
            Self.grid("320904001001005", Self.cell(2, 0, width: Self.size * 0.05)),
            // (2,1) is a bow-tie.
            Self.grid("320904001001006", bowtie),
            // A grid with a bad code and a grid sticking out of the community to the north.
            Self.grid("32090400100100", Self.cell(5, 5)),
            Self.grid("320904001001008", Self.cell(0, 2), community: "320904001001"),
            Self.grid("320904001001009", Self.cell(7, 7), community: "320904001002"),
        ]
        let report = try GridQualityChecker().check(unitGrids: grids, communities: [Self.community], engine: try GeometryEngine())
        func problems(_ kind: GridQualityReport.Problem.Kind) -> [GridQualityReport.Problem] { report.problems.filter { $0.kind == kind } }

        #expect(problems(.overlap).map(\.codes) == [["320904001001001", "320904001001003"]])
        let overlapArea = try #require(problems(.overlap).first?.areaSquareMetres)
        let expectedOverlap = try GeometryEngine().geodesicArea(Self.cell(1, 0, width: Self.size * 0.2))
        #expect(abs(overlapArea - expectedOverlap) < 0.01 * expectedOverlap)

        #expect(problems(.invalidGeometry).map(\.codes) == [["320904001001006"]])
        #expect(problems(.invalidGeometry).first?.message.contains("Self-intersection") == true)

        #expect(problems(.sliver).map(\.codes) == [["320904001001005"]])

        let codeProblems = problems(.invalidCode)
        #expect(codeProblems.count == 2)
        #expect(codeProblems.contains { $0.codes == ["32090400100100"] && $0.message.contains("has 14") })
        #expect(codeProblems.contains { $0.codes == ["320904001001009"] && $0.message.contains("community_code 320904001002") })

        // 008 lies north of its community; 009's code puts it in community 001 (whatever it declares), far outside.
        #expect(problems(.crossesCommunity).map(\.codes) == [["320904001001008"], ["320904001001009"]])

        // The community's gaps: cell (1,1), most of cell (2,0) beside the sliver, and cell (2,1) where the bow-tie is invalid.
        let gaps = problems(.gap).filter { $0.codes == ["320904001001"] }
        let gapArea = gaps.compactMap(\.areaSquareMetres).reduce(0, +)
        let cellArea = try GeometryEngine().geodesicArea(Self.cell(0, 0))
        #expect(abs(gapArea - 2.95 * cellArea) < 0.02 * cellArea, "gap area \(gapArea) vs cell \(cellArea)")

        // Problems come out as map features with their kind.
        let features = report.problemFeatures.features
        #expect(features.count == report.problems.count)
        #expect(features.contains { $0.properties["kind"] == "overlap" && $0.properties["codes"] == "320904001001001/320904001001003" })
        #expect(report.problemCounts.first { $0.kind == .overlap }?.count == 1)
    }
}

extension String {
    init(format3 n: Int) { self = n < 10 ? "00\(n)" : n < 100 ? "0\(n)" : "\(n)" }
}
