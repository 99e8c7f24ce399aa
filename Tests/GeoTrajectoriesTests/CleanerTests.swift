import Foundation
import GeoCore
import Testing

@testable import GeoTrajectories

@Suite struct CleanerTests {
    /// A vehicle driving east at 36 km/h (100 m every 10 s).
    func drive(_ count: Int, from x0: Double = 0, t0: Double = 0) -> [TrackPoint] {
        (0..<count).map { Metres.point(x0 + Double($0) * 100, 0, t: t0 + Double($0) * 10, speed: 36) }
    }

    @Test func duplicatesInvalidAndSameTime() {
        var points = drive(6)
        points.append(points[2])  // exact duplicate
        points.append(points[4])
        var elsewhere = points[3]
        elsewhere.longitude += 0.0001  // same time, another place
        points.append(elsewhere)
        points.append(TrackPoint(vehicle: "V1", time: 25, longitude: 0, latitude: 0))
        points.append(TrackPoint(vehicle: "V1", time: 26, longitude: 200, latitude: 33))
        let (clean, report) = TrackCleaner().clean(points)
        #expect(report.input == 11)
        #expect(report.duplicates == 2)
        #expect(report.sameTime == 1)
        #expect(report.invalid == 2)
        #expect(report.jumps == 0)
        #expect(report.kept == 6)
        #expect(clean.map(\.time) == [0, 10, 20, 30, 40, 50])
        #expect(clean[3] == drive(6)[3])  // the first of the two fixes at t = 30 is kept
    }

    @Test func jumpInTheMiddleDropsTheOutlierNotItsNeighbours() {
        var points = drive(8)
        points[4].longitude += 0.03  // ~2.8 km east in 10 s
        let (clean, report) = TrackCleaner().clean(points)
        #expect(report.jumps == 1)
        #expect(clean.map(\.time) == [0, 10, 20, 30, 50, 60, 70])
    }

    @Test func twoConsecutiveOutliersAndAFirstFixOutlier() {
        var points = drive(10)
        points[5].latitude += 0.02
        points[6].latitude += 0.02
        points[0].latitude -= 0.05  // the very first fix is the outlier
        let (clean, report) = TrackCleaner().clean(points)
        #expect(report.jumps == 3)
        #expect(clean.map(\.time) == [10, 20, 30, 40, 70, 80, 90])
    }

    @Test func aLastFixOutlierIsDropped() {
        var points = drive(6)
        points[5].latitude += 0.04
        let (clean, report) = TrackCleaner().clean(points)
        #expect(report.jumps == 1 && clean.map(\.time) == [0, 10, 20, 30, 40])
    }

    @Test func aFastButPossibleDriveIsKept() {
        // 140 km/h: below the default 150 km/h limit.
        let points = (0..<5).map { Metres.point(Double($0) * 388.9, 0, t: Double($0) * 10) }
        #expect(TrackCleaner().clean(points).report.jumps == 0)
        #expect(TrackCleaner(options: .init(maximumSpeed: 120)).clean(points).report.jumps > 0)
    }

    @Test func stationaryDriftCollapsesToFirstAndLastAtTheMean() {
        // Drive in, wander within 6 m for 10 fixes at speed 0, drive out.
        var points = drive(3)
        let wander: [(Double, Double)] = [(-3, 2), (4, -1), (2, 5), (-5, -4), (1, 1), (6, 0), (-2, 3), (0, -6), (3, 3), (-6, -3)]
        for (k, (dx, dy)) in wander.enumerated() {
            points.append(Metres.point(300 + dx, dy, t: 30 + Double(k) * 10, speed: 0))
        }
        points += drive(3, from: 400, t0: 130)
        let (clean, report) = TrackCleaner().clean(points)
        #expect(report.drift == 8)
        #expect(clean.count == 3 + 2 + 3)
        #expect(clean[3].time == 30 && clean[4].time == 120)
        let mean = Metres.c(300, 0)  // the wander offsets sum to zero
        #expect(abs(clean[3].longitude - mean.longitude) < 1e-9 && abs(clean[4].latitude - mean.latitude) < 1e-9)
        #expect(TrackCleaner(options: .init(collapsesDrift: false)).clean(points).report.drift == 0)
    }

    @Test func outsideChinaIsOptional() {
        let tokyo = TrackPoint(vehicle: "V1", time: 0, longitude: 139.69, latitude: 35.69)
        let yancheng = TrackPoint(vehicle: "V1", time: 3600, longitude: 120.46, latitude: 33.19)
        #expect(TrackCleaner().clean([tokyo, yancheng]).report.outsideChina == 0)
        let strict = TrackCleaner(options: .init(requiresChina: true)).clean([tokyo, yancheng])
        #expect(strict.report.outsideChina == 1 && strict.points == [yancheng])
    }
}
