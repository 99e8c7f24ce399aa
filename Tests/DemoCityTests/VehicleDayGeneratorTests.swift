import DemoCity
import GeoCore
import GeoTrajectories
import Testing

/// The synthetic vehicle days on the demo roads: reproducible, and their truth describes the fixes delivered.
/// (GeoTrajectoriesTests checks the analyses against this truth.)
@Suite struct VehicleDayGeneratorTests {
    static let generator: VehicleDayGenerator = {
        VehicleDayGenerator(network: RoadNetwork(features: try! DemoCityFiles.features("AddressBooks/roads.geojson")))
    }()

    /// 2026-11-23T06:00:00+08:00.
    static let morning = 1_795_384_800.0

    static func day(_ seed: UInt64) -> VehicleDay {
        generator.generate(vehicle: "苏J\(10_000 + seed)", seed: seed, start: morning)
    }

    @Test func generationIsReproducible() {
        let a = Self.day(7), b = Self.day(7), c = Self.day(8)
        #expect(a.points == b.points && a.truth == b.truth)
        #expect(a.points != c.points)
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func theTruthDescribesTheDeliveredFixes(seed: UInt64) throws {
        let day = Self.day(seed)
        let truth = day.truth
        let options = VehicleDayGenerator.Options()
        // Stops and trips alternate: depot, collection stops, depot; each trip runs from one stop's end to the next's start.
        try #require(truth.stops.count == truth.trips.count + 1)
        #expect((options.collectionStops.lowerBound + 2...options.collectionStops.upperBound + 2).contains(truth.stops.count))
        for (k, trip) in truth.trips.enumerated() {
            #expect(trip.start == truth.stops[k].end && trip.end == truth.stops[k + 1].start)
            #expect(trip.path.first == truth.stops[k].coordinate && trip.path.last == truth.stops[k + 1].coordinate)
        }
        #expect(truth.stops.first?.coordinate == day.depot && truth.stops.last?.coordinate == day.depot)
        #expect(truth.stops.first?.start == Self.morning)
        #expect(abs(truth.mileage - truth.trips.reduce(0) { $0 + $1.distance }) < 1e-6)

        // A fix every interval from the first stop's start to the last stop's end, plus the injected faults.
        let span = truth.stops.last!.end - truth.stops.first!.start
        let regular = Int((span / options.interval).rounded()) + 1
        #expect(day.points.count == regular + truth.injectedJumps + truth.injectedDuplicates + truth.injectedInvalid)
        #expect(truth.injectedJumps == 3 && truth.injectedDuplicates == 4 && truth.injectedInvalid == 2)
        #expect(day.points.filter { $0.longitude == 0 && $0.latitude == 0 }.count == truth.injectedInvalid)
        #expect(day.points.count - Set(day.points).count == truth.injectedDuplicates)
        // Delivered out of order, as platforms do.
        #expect(day.points.map(\.time) != day.points.map(\.time).sorted())
        // The noise-free path is sampled every second while driving, never faster than the fastest road (50 km/h).
        #expect(truth.truePath.allSatisfy { ($0.speed ?? 0) <= 50.01 })
        #expect(truth.truePath.count >= Int(truth.trips.reduce(0) { $0 + $1.end - $1.start }))
    }
}
