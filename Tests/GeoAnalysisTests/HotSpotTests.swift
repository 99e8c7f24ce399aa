import Foundation
import GeoCore
import GeoGrids
import Testing

@testable import GeoAnalysis

@Suite struct HotSpotTests {
    struct GiStarCase: Decodable {
        var name: String
        var points: [[Double]]
        var values: [Double]
        var neighbours: [[Int]]
        var g: [Double]
        var z: [Double]
        var p: [Double]
    }

    /// Gi* of PySAL (esda 2.9, written by tools/analysis/gistar_fixture.py) on a lattice with a distance band and on
    /// scattered points with k nearest neighbours: the same neighbours and the same G, z and p to 1e-9.
    @Test(arguments: ["distance_band", "knn"])
    func giStarEqualsPySAL(_ name: String) throws {
        struct File: Decodable { var cases: [GiStarCase] }
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: Fixtures.url("gistar.json")))
        let fixture = try #require(file.cases.first { $0.name == name })
        let points = fixture.points.map { Coordinate(x: $0[0], y: $0[1]) }
        let weights = name == "knn" ? try SpatialWeights.kNearest(points, k: 4) : try SpatialWeights.distanceBand(points, threshold: 150)
        #expect(weights.neighbours == fixture.neighbours)
        let results = try GetisOrd.giStar(fixture.values, weights: weights)
        var worst = 0.0
        for (k, result) in results.enumerated() {
            worst = max(worst, abs(result.g - fixture.g[k]), abs(result.z! - fixture.z[k]), abs(result.p! - fixture.p[k]))
        }
        #expect(worst < 1e-9, "largest difference \(worst)")
    }

    @Test func giStarRefusesValuesWithoutVariance() {
        let weights = SpatialWeights(neighbours: [[1], [0, 2], [1]])
        #expect(throws: GeoError.self) { try GetisOrd.giStar([2, 2, 2], weights: weights) }
        #expect(throws: GeoError.self) { try GetisOrd.giStar([0, 0, 0], weights: weights) }
    }

    @Test func confidenceBinsFollowTheTwoSidedNormalQuantiles() {
        let bins = [3.0, 2.0, 1.7, 1.0, -1.7, -2.0, -2.6].map { GetisOrd.Result(g: 0, expected: 0, z: $0, p: nil).confidenceBin }
        #expect(bins == [3, 2, 1, 0, -1, -2, -3])
        #expect(abs(GetisOrd.normalTail(1.959963984540054) - 0.025) < 1e-15)
    }

    /// A 1,000 m road cut in 200 m sections; cases at known stations, one too far from the road.
    @Test func casesAreCountedOnTheSectionOfTheNearestSegment() throws {
        let roads = [
            Feature(geometry: Metres.line([(0, 0), (600, 0), (1000, 0)]), properties: ["name": "人民路"]),
            Feature(geometry: Metres.line([(0, 500), (0, 900)]), properties: ["name": "新村路"]),
        ]
        let monday9 = Date(timeIntervalSince1970: 1_795_395_600)  // 2026-11-23T09:00+08:00, a Monday
        let cases: [RoadSectionHotSpots.Case] = [
            (Metres.c(50, 10), monday9), (Metres.c(150, -20), monday9.addingTimeInterval(3_600)),
            (Metres.c(650, 5), monday9.addingTimeInterval(6 * 86_400)),  // Sunday 09:00
            (Metres.c(990, 3), nil), (Metres.c(1001, 0), monday9),
            (Metres.c(5, 700), monday9), (Metres.c(300, 60), monday9),  // 60 m off: not counted
        ]
        let hotSpots = try RoadSectionHotSpots(roads: roads, cases: cases, sectionMetres: 200, maximumSnapMetres: 50)
        #expect(hotSpots.snapped == 6 && hotSpots.unsnapped == 1)
        let summary = hotSpots.sections.map { "\($0.name) \(Int($0.from.rounded()))-\(Int($0.to.rounded())): \($0.count)" }
        #expect(summary == ["人民路 0-200: 2", "人民路 800-1000: 2", "人民路 600-800: 1", "新村路 200-400: 1"])
        #expect(hotSpots.profile.byHour[9] == 4 && hotSpots.profile.byHour[10] == 1 && hotSpots.profile.timed == 5)
        #expect(hotSpots.profile.byWeekday == [4, 0, 0, 0, 0, 0, 1])
        let first = hotSpots.sections[0]
        #expect(first.profile.weekHours[0][9] == 1 && first.profile.weekHours[0][10] == 1)
        // The section's line runs along the road from 0 to 200 m.
        #expect(abs(Planar.distance(Metres.frame.project(first.line.last!), Coordinate(x: 200, y: 0))) < 0.01)
    }

    @Test func casesAreReadInTheirTimeRange() {
        let features = [
            Metres.point(0, 0, ["time": "2026-11-23T09:00:00+08:00"]), Metres.point(10, 0, ["time": "2026-11-24"]),
            Metres.point(20, 0, ["time": "not a time"]), Metres.point(30, 0), Feature(geometry: Metres.line([(0, 0), (5, 5)])),
        ]
        let monday = Date(timeIntervalSince1970: 1_795_363_200)  // 2026-11-23T00:00+08:00
        #expect(RoadSectionHotSpots.cases(features, timeField: "time", from: nil, to: nil, withTimes: false).map { $0.time == nil } == [true, true, true, true])
        let timed = RoadSectionHotSpots.cases(features, timeField: "time", from: nil, to: nil, withTimes: true)
        #expect(timed.map { $0.time?.timeIntervalSince1970 } == [1_795_395_600, 1_795_449_600, nil, nil])
        let firstDay = RoadSectionHotSpots.cases(features, timeField: "time", from: monday, to: monday.addingTimeInterval(86_400), withTimes: false)
        #expect(firstDay.count == 1 && firstDay[0].position == Metres.c(0, 0))
    }

    @Test func quarticDensityIsTheKernelAtEachCellCentre() throws {
        // 25 x 25 cells of 10 m; a point at the centre of cell (12, 12), bandwidth 100 m.
        let box = BoundingBox(coordinates: [Metres.c(0, 0), Metres.c(245, 245)])!
        let empty = try KernelDensity.quartic([], bounds: box, cellMetres: 10, bandwidthMetres: 100, maximumCells: 10_000)
        #expect(empty.columns == 25 && empty.rows == 25 && empty.maximum == 0)
        let origin = empty.frame.project(empty.origin)
        let point = empty.frame.unproject(Coordinate(x: origin.x + 125, y: origin.y + 125))
        let grid = try KernelDensity.quartic([point], bounds: box, cellMetres: 10, bandwidthMetres: 100, maximumCells: 10_000)
        let peak: Double = 3 / (Double.pi * 100 * 100) * 1e6
        #expect(abs(grid.values[12 * 25 + 12] - peak) < 1e-9 * peak)
        // 50 m east: (1 - 0.5²)² of the peak; 100 m away (the bandwidth, to rounding) and beyond: nothing.
        let east: Double = grid.values[12 * 25 + 17]
        #expect(abs(east - peak * 0.5625) < 1e-9 * peak)
        #expect(grid.values[12 * 25 + 22] < 1e-12 * peak && grid.values[12 * 25 + 23] == 0)
        // The kernel integrates to one point: the cells' values times their area sum to 1.
        let integral: Double = grid.values.reduce(0, +) * 100 / 1e6
        #expect(abs(integral - 1) < 0.01)
        #expect(throws: GeoError.self) { try KernelDensity.quartic([], bounds: box, cellMetres: 0.01, bandwidthMetres: 100, maximumCells: 10_000) }
    }

    @Test func hexagonsTileTheBoxAndCountPoints() throws {
        let box = BoundingBox(coordinates: [Metres.c(0, 0), Metres.c(1000, 1000)])!
        let units = try HotSpotUnits(hexagonsOver: box, cellMetres: 200, maximumCount: 1_000)
        // Each hexagon's area is √3/2 · 200² m² and centres are 200 m from their neighbours.
        let area: Double = Planar.area(of: Polygon(exterior: units.polygons[0].exterior.map(units.frame.project)))
        let expected: Double = 3.0.squareRoot() / 2 * 40_000
        #expect(abs(area - expected) < 0.01)
        let weights = try SpatialWeights.distanceBand(units.centroids, threshold: 201)
        #expect(weights.neighbours.map(\.count).max() == 6)
        // A point goes to the hexagon whose centre is nearest.
        let counts = units.counts(of: [Metres.c(500, 500), Metres.c(501, 499), Metres.c(-5_000, 0)])
        #expect(counts.reduce(0, +) == 2)
        let holder = units.unit(at: Metres.c(500, 500))!
        let centre = units.frame.unproject(units.centroids[holder])
        let nearest = units.centroids.map { Planar.distance($0, units.frame.project(Metres.c(500, 500))) }.min()!
        #expect(abs(Planar.distance(units.frame.project(centre), units.frame.project(Metres.c(500, 500))) - nearest) < 1e-9)
        #expect(throws: GeoError.self) { try HotSpotUnits(hexagonsOver: box, cellMetres: 1, maximumCount: 1_000) }
    }
}
