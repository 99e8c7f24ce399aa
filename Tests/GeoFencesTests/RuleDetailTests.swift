import Foundation
import GeoCore
import Testing

@testable import GeoFences

/// Single rules in isolation, with numbers chosen so that each threshold decides the outcome.
@Suite struct RuleDetailTests {
    static let registry = VehicleRegistry([Vehicle(id: "T1", vehicleClass: "muck", group: "north")])
    static let settings = FenceRuleSettings(reorderWindowSeconds: 0, overSpeedSeconds: 30, offRouteSeconds: 60, offRouteMetres: 200)

    @Test func overSpeedUsesDerivedSpeedWhenTheDeviceSendsNone() {
        let zone = [Fence(id: "slow", kind: .area, role: .allowedArea, polygons: Site.square(-5000, -5000, 5000, 5000), speedLimitKmh: 40, appliesTo: VehicleSelector(vehicles: ["T1"]))]
        // 200 m per 10 s (72 km/h) for 60 s, then 50 m per 10 s (18 km/h); no device speed at all.
        var positions: [TrackPoint] = []
        var x = 0.0
        for k in 0...20 {
            positions.append(TrackPoint(vehicle: "T1", time: Site.t0 + Double(10 * k), coordinate: Site.ll(x, 0)))
            x += k < 6 ? 200 : 50
        }
        let (emitted, _) = evaluate(positions, fences: zone, registry: Self.registry, settings: Self.settings)
        let events = finalEvents(emitted)
        // The first fix has no speed; 72 km/h from the second (10 s) to the sixth (60 s), 18 km/h from 70 s.
        #expect(events.map(EventLine.init) == [EventLine("T1", .overSpeed, "slow", 10, 70)])
        #expect(abs((events.first?.maxSpeedKmh ?? 0) - 72) < 0.05)
    }

    @Test(arguments: [(300.0, 1), (100.0, 0)])
    func aFarDeviationOpensAtOnceAShortNearOneNever(offset: Double, expected: Int) {
        let route = [Fence(id: "r", kind: .corridor, line: [Site.ll(0, 0), Site.ll(5000, 0)], corridorWidthMetres: 40, appliesTo: VehicleSelector(vehicles: ["T1"]))]
        // On the line, then `offset` m north for 20 s (three fixes), then back: shorter than offRouteSeconds.
        var s = Script(vehicle: "T1", start: 0, at: (0, 0))
        s.move(to: (500, 0), seconds: 100)
        s.move(to: (500, offset), seconds: 10)
        s.move(to: (600, offset), seconds: 20)
        s.move(to: (600, 0), seconds: 10)
        s.move(to: (1500, 0), seconds: 180)
        s.end()
        let (emitted, _) = evaluate(s.positions, fences: route, registry: Self.registry, settings: Self.settings)
        let events = finalEvents(emitted)
        #expect(events.count == expected)
        if expected == 1 {
            // 300 m off is 280 m beyond the corridor edge, past the 200 m that opens at once.
            #expect(events.map(EventLine.init) == [EventLine("T1", .offRoute, "r", 110, 140)])
            #expect(abs((events[0].maxDistanceMetres ?? 0) - 280) < 0.1)
        }
    }

    @Test func aStopInsideADisposalSiteIsNotDumpingButTheSameStopOutsideIs() {
        let site = [Fence(id: "site", kind: .area, role: .disposalSite, polygons: Site.square(0, 0, 200, 200))]
        func stop(at x: Double) -> [TrackPoint] {
            var s = Script(vehicle: "T1", start: 0, at: (x - 300, 100))
            s.move(to: (x, 100), seconds: 60)
            s.stay(seconds: 700)
            s.move(to: (x + 300, 100), seconds: 60)
            s.end()
            return s.positions
        }
        let inside = finalEvents(evaluate(stop(at: 100), fences: site, registry: Self.registry, settings: Self.settings).emitted)
        #expect(inside.map(\.kind) == [.disposalSiteVisit])
        let outside = finalEvents(evaluate(stop(at: 1000), fences: site, registry: Self.registry, settings: Self.settings).emitted)
        #expect(outside.map(EventLine.init) == [EventLine("T1", .suspectedDumping, nil, 60, 760)])
    }

    @Test func theFeedsClockReleasesTheFixesOfAQuietVehicle() {
        var evaluator = FenceEvaluator(fences: [], registry: VehicleRegistry(), settings: FenceRuleSettings(reorderWindowSeconds: 30))
        #expect(evaluator.ingest(TrackPoint(vehicle: "A", time: Site.t0, coordinate: Site.ll(0, 0))).isEmpty)
        #expect(evaluator.advance(to: Site.t0 + 29).isEmpty)
        #expect(evaluator.advance(to: Site.t0 + 30).map(EventLine.init) == [EventLine("A", .unknownVehicle, nil, 0, 0)])
        #expect(evaluator.advance(to: Site.t0 + 60).isEmpty)
        #expect(evaluator.flush().isEmpty)
    }
}
