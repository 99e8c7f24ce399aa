import GeoCore
import GeoTrajectories
import Testing

@Suite("Road coverage")
struct RoadCoverageTests {
    @Test func sharesOfHandDrawnRoads() {
        // Road A: 1,000 m east along y = 0. Road B: 500 m north along x = 3000. Road C: 400 m along y = 200.
        let roads: [(id: String, name: String, line: [Coordinate])] = [
            ("A", "甲路", [Metres.c(0, 0), Metres.c(1000, 0)]), ("B", "乙路", [Metres.c(3000, 0), Metres.c(3000, 500)]),
            ("C", "丙路", [Metres.c(0, 200), Metres.c(400, 200)]),
        ]
        // V1 drives y = 5 from x = 0 to 600 at 10 m/s; V2 drives y = -15 from x = 300 to 700; V3 drives y = 60, too far.
        let v1 = (0...60).map { Metres.point(Double($0) * 10, 5, t: Double($0), vehicle: "V1") }
        let v2 = (0...40).map { Metres.point(300 + Double($0) * 10, -15, t: Double($0), vehicle: "V2") }
        let v3 = (0...100).map { Metres.point(Double($0) * 10, 60, t: Double($0), vehicle: "V3") }
        let coverage = RoadCoverage(roads: roads, tracks: [v1, v2, v3], corridor: 20, step: 10)
        let a = coverage.roads[0]
        // Within 20 m: V1 covers x 0-619.4 (√(20² - 5²) past its end), V2 x 286.8-713.2 (√(20² - 15²)): 0-713.2,
        // exact to one 10 m sample.
        #expect(abs(a.length - 1000) < 0.1)
        #expect(abs(a.coveredLength - 713.2) <= 10)
        #expect(a.vehicles == ["V1", "V2"])
        #expect(coverage.roads[1].coveredLength == 0 && coverage.roads[1].vehicles.isEmpty)
        #expect(coverage.roads[2].coveredLength == 0)
        #expect(abs(coverage.coverage - 713.2 / 1900) < 0.006)
    }

    @Test func aSignalGapDrawsNoLine() {
        // Two fixes an hour apart at either end of the road: not driven in between.
        let roads: [(id: String, name: String, line: [Coordinate])] = [("A", "甲路", [Metres.c(0, 0), Metres.c(1000, 0)])]
        let track = [Metres.point(-100, 0, t: 0), Metres.point(1100, 0, t: 3600)]
        #expect(RoadCoverage(roads: roads, tracks: [track]).roads[0].coveredLength == 0)
        #expect(RoadCoverage(roads: roads, tracks: [track], maximumGap: 7200).roads[0].coverage > 0.9999)
    }
}
