import Foundation
import GeoCore
import Testing

@testable import GeoTrajectories

/// Analyses of generated days on the demo city's roads (DemoCity's VehicleDayGenerator) against the generator's truth.
@Suite struct GeneratedDayTests {
    @Test func theRoadNetworkIsConnectedAtCrossings() {
        let network = DemoRoads.network
        // 100 roads crossing in a grid: far more nodes than road ends alone, and one large connected part.
        #expect(network.edges.count > 150)
        let largest = network.nodes.indices.map { network.reachable(from: $0).count }.max() ?? 0
        #expect(largest * 10 >= network.nodes.count * 8)
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6])
    func stopsTripsMileageAndCleaningMatchTheTruth(seed: UInt64) throws {
        let day = DemoRoads.day(seed)
        let truth = day.truth
        // The depot as a designated site: a 100 m square around it.
        let d = LocalFrame(origin: day.depot)
        let square = [(-50.0, -50.0), (50, -50), (50, 50), (-50, 50), (-50, -50)].map { d.unproject(Coordinate(x: $0.0, y: $0.1)) }
        let analyzer = TrajectoryAnalyzer(detector: StopTripDetector(sites: [DesignatedSite(id: "depot", polygon: Polygon(exterior: square))]))
        let reports = analyzer.dailyReports(day.points)
        try #require(reports.count == 1)
        let report = reports[0]
        #expect(report.vehicle == day.vehicle && report.day == "2026-11-23")

        #expect(report.cleaning.jumps == truth.injectedJumps && truth.injectedJumps == 3)
        #expect(report.cleaning.duplicates == truth.injectedDuplicates && truth.injectedDuplicates == 4)
        #expect(report.cleaning.invalid == truth.injectedInvalid && truth.injectedInvalid == 2)
        #expect(report.cleaning.sameTime == 0)

        try #require(report.stops.count == truth.stops.count, "stops \(report.stops.map { ($0.start, $0.end) }) truth \(truth.stops.map { ($0.start, $0.end) })")
        for (found, real) in zip(report.stops, truth.stops) {
            #expect(abs(found.start - real.start) <= 10, "stop start \(found.start) vs \(real.start)")
            #expect(abs(found.end - real.end) <= 10, "stop end \(found.end) vs \(real.end)")
            #expect(Geodesic.distance(from: found.centroid, to: real.coordinate) < 5)
        }
        #expect(report.stops.first?.siteID == "depot" && report.stops.last?.siteID == "depot")
        #expect(report.siteStopCount == 2)

        try #require(report.tripCount == truth.trips.count)
        for (found, real) in zip(report.trips, truth.trips) {
            #expect(abs(found.start - real.start) <= 10, "trip start \(found.start) vs \(real.start)")
            #expect(abs(found.end - real.end) <= 10, "trip end \(found.end) vs \(real.end)")
            #expect(abs(found.distance - real.distance) <= 0.01 * real.distance + 10, "trip \(found.distance) vs \(real.distance)")
        }
        let error = abs(report.mileage - truth.mileage) / truth.mileage
        #expect(error <= 0.005, "mileage \(report.mileage) vs truth \(truth.mileage)")

        // Moving + stopped time covers the day (trips run from a stop's last fix to the next stop's first fix).
        let span = truth.stops.last!.end - truth.stops.first!.start
        #expect(abs(report.movingSeconds + report.stoppedSeconds - span) < 1)
        // Speeds: reported speeds never exceed the fastest road (50 km/h); p85 lies between mean and max.
        #expect(report.speed.maximum <= 50.01 && report.speed.mean > 5)
        #expect(report.speed.p85 >= report.speed.mean && report.speed.p85 <= report.speed.maximum)
    }

    @Test func reportsAreSplitByLocalDay() {
        // The same vehicle on two mornings: one report per day, each with its own trips (作业趟数).
        let first = DemoRoads.day(21), second = DemoRoads.day(22, start: DemoRoads.morning + 86400)
        var points = first.points
        points += second.points.map { p in
            var q = p
            q.vehicle = first.vehicle
            return q
        }
        let reports = TrajectoryAnalyzer().dailyReports(points)
        #expect(reports.map(\.day) == ["2026-11-23", "2026-11-24"])
        #expect(reports.map(\.tripCount) == [first.truth.trips.count, second.truth.trips.count])
        #expect(reports.map(\.stops.count) == [first.truth.stops.count, second.truth.stops.count])
        #expect(abs(reports[1].mileage - second.truth.mileage) <= 0.005 * second.truth.mileage)
    }

    @Test func gapsSplitTrips() {
        // Drive 30 fixes, lose the signal for 15 minutes while still driving, drive 30 more.
        var points = (0..<30).map { Metres.point(Double($0) * 100, 0, t: Double($0) * 10, speed: 36) }
        points += (0..<30).map { Metres.point(20_000 + Double($0) * 100, 0, t: 1190 + Double($0) * 10, speed: 36) }
        let detector = StopTripDetector()
        let stops = detector.stops(in: points)
        let trips = detector.trips(in: points, stops: stops)
        #expect(stops.isEmpty)
        #expect(trips.map(\.start) == [0, 1190] && trips.map(\.end) == [290, 1480])
        #expect(abs(trips[0].distance - 2900) < 3)
    }
}

/// Planned-versus-actual on generated days: the route a trip really took against its own fixes, and against
/// another trip's route.
@Suite struct GeneratedRouteComparisonTests {
    @Test(arguments: [UInt64(1), 2, 3])
    func aTripFollowsItsOwnRouteAndNotAnother(seed: UInt64) throws {
        let day = DemoRoads.day(seed)
        let report = try #require(TrajectoryAnalyzer().dailyReports(day.points).first)
        try #require(report.trips.count == day.truth.trips.count && report.trips.count >= 2)
        let trip = report.trips[1]
        let actual = report.points[trip.firstIndex...trip.lastIndex].map(\.coordinate)
        let own = RouteComparison(planned: LineString(day.truth.trips[1].path), actual: actual)
        // Fixes are 3 m off the road and cut corners by a few metres: all of the route lies in the 30 m corridor.
        #expect(own.coverage > 0.99, "coverage \(own.coverage)")
        #expect(own.offCorridorLength < 0.01 * own.actualLength, "off \(own.offCorridorLength)")
        #expect(own.hausdorff < 30, "hausdorff \(own.hausdorff)")
        #expect(own.frechet < 60, "frechet \(own.frechet)")
        // Trip 0 leaves the depot for the first stop; trip 1 goes elsewhere: the plan of one is not the drive of the other.
        let other = RouteComparison(planned: LineString(day.truth.trips[0].path), actual: actual)
        #expect(other.coverage < 0.9 && other.hausdorff > 100, "coverage \(other.coverage) hausdorff \(other.hausdorff)")
    }
}
