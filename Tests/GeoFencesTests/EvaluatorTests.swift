import Foundation
import GeoCore
import Testing

@testable import GeoFences

/// Runs `positions` through a fresh evaluator and flushes; returns every emitted snapshot and the evaluator.
func evaluate(
    _ positions: [TrackPoint], fences: [Fence] = MuckTruckDay.fences,
    registry: VehicleRegistry? = MuckTruckDay.registry, settings: FenceRuleSettings = MuckTruckDay.settings
) -> (emitted: [FenceEvent], evaluator: FenceEvaluator) {
    var evaluator = FenceEvaluator(fences: fences, registry: registry, settings: settings)
    var emitted = evaluator.ingest(positions)
    emitted += evaluator.flush()
    return (emitted, evaluator)
}

/// The last snapshot of each event, ordered by start then id.
func finalEvents(_ emitted: [FenceEvent]) -> [FenceEvent] {
    var last: [String: FenceEvent] = [:]
    for e in emitted { last[e.id] = e }
    return last.values.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
}

@Suite struct ScriptedDayTests {
    /// The plan of the day (times in seconds after 08:00 local):
    /// 0-100 on route; 110-250 100 m off route (opens after 60 s); 260 back; 300-340 60 km/h in a 40 km/h area;
    /// 510 out of area A; 590-620 inside the forbidden zone; 710-1640 in the disposal site, stopped 720-1610
    /// (allowed);
    /// 1700-2890 stop outside any site (suspected dumping); 3270 back in area A; collection point 09:00-10:00
    /// never visited; the unregistered X9 shows up at 100.
    static let expected = [
        EventLine("X9", .unknownVehicle, nil, 100, 100),
        EventLine("T1", .offRoute, "route-1", 110, 260),
        EventLine("T1", .overSpeed, "area-A", 300, 350),
        EventLine("T1", .leftAssignedArea, "area-A", 510, 3270),
        EventLine("T1", .enteredForbiddenZone, "forbid-1", 590, 630),
        EventLine("T1", .disposalSiteVisit, "dump-1", 710, 1650),
        EventLine("T1", .suspectedDumping, nil, 1700, 2900),
        EventLine("T1", .missedCollection, "cp-1", 3600, 7200),
    ]

    @Test func theMuckTrucksDayYieldsExactlyTheExpectedEvents() {
        let (emitted, evaluator) = evaluate(MuckTruckDay.day)
        let events = finalEvents(emitted)
        #expect(events.map(EventLine.init) == Self.expected)
        #expect(evaluator.state.openEvents.isEmpty)
        #expect(evaluator.state.counters.accepted == MuckTruckDay.day.count)
        #expect(evaluator.state.counters.duplicates == 0 && evaluator.state.counters.late == 0 && evaluator.state.counters.jumps == 0)

        let byKind = Dictionary(grouping: events, by: \.kind).mapValues { $0[0] }
        #expect(byKind[.overSpeed]?.maxSpeedKmh == 60)
        // 100 m north of the line, corridor half width 20 m.
        #expect(abs((byKind[.offRoute]?.maxDistanceMetres ?? 0) - 80) < 0.1)
        // Deepest point in the 200 m forbidden square: its centre, 100 m from every edge.
        #expect(abs((byKind[.enteredForbiddenZone]?.maxDistanceMetres ?? 0) - 100) < 0.1)
        #expect(byKind[.suspectedDumping]?.dwellSeconds == 1200)
        // Farthest out of area A: (1400, 3500), 1,500 m north of its edge.
        #expect(abs((byKind[.leftAssignedArea]?.maxDistanceMetres ?? 0) - 1500) < 0.5)
        let outside = byKind[.leftAssignedArea]?.dwellSeconds ?? 0
        #expect(outside == 2760, "\(outside - 2760)")
        #expect(byKind[.offRoute]?.fenceVersion == 1)
        let dumpAt = byKind[.suspectedDumping]?.startPosition
        #expect(dumpAt.map { Site.frame.distance($0, Site.ll(1400, 3500)) < 0.01 } == true)
    }

    @Test func intervalEventsOpenOnceAndCloseOnceInstantsAreEmittedOnce() {
        let (emitted, _) = evaluate(MuckTruckDay.day)
        let grouped = Dictionary(grouping: emitted, by: \.id)
        for (id, snapshots) in grouped {
            let kind = snapshots[0].kind
            if kind == .unknownVehicle || kind == .missedCollection {
                #expect(snapshots.map(\.isOpen) == [false], "\(id)")
            } else {
                #expect(snapshots.map(\.isOpen) == [true, false], "\(id)")
            }
        }
        #expect(grouped.count == Self.expected.count)
        // Opened when confirmed: off route after 60 s off (at 170), over-speed after 30 s (at 330).
        let openings = emitted.filter(\.isOpen)
        #expect(openings.map(\.kind) == [.offRoute, .overSpeed, .leftAssignedArea, .enteredForbiddenZone, .disposalSiteVisit, .suspectedDumping])
    }

    @Test func eventIdsAreDeterministic() {
        let (emitted, _) = evaluate(MuckTruckDay.day)
        let ids = Set(finalEvents(emitted).map(\.id))
        #expect(ids.contains("T1/offRoute/route-1/\(Int64((Site.t0 + 110) * 1000))"))
        #expect(ids.contains("T1/suspectedDumping/-/\(Int64((Site.t0 + 1700) * 1000))"))
        #expect(ids == Set(finalEvents(evaluate(MuckTruckDay.day).emitted).map(\.id)))
    }

    @Test func withoutARegistryOnlyFencesNamingTheVehicleByIdApply() {
        // Without a registry no class or group is known: the route (by group) and the collection point (by
        // class) no longer apply and nobody is unknown; area A names the truck by id, so it still applies.
        let (emitted, _) = evaluate(MuckTruckDay.day, registry: nil, settings: {
            var s = MuckTruckDay.settings
            s.dumpingClasses = nil
            return s
        }())
        let lines = finalEvents(emitted).map(EventLine.init).filter { $0.vehicle == "T1" }
        #expect(lines.map(\.kind) == [.overSpeed, .leftAssignedArea, .enteredForbiddenZone, .disposalSiteVisit, .suspectedDumping])
        #expect(!finalEvents(emitted).contains { $0.vehicleId == "X9" })
    }
}

@Suite struct StreamDisciplineTests {
    @Test func outOfOrderAndDuplicatedInputGivesTheSameEvents() {
        let inOrder = MuckTruckDay.day
        // Swap every other pair of neighbours (10 s apart, well inside the 30 s window) and send every fifth fix twice.
        var shuffled: [TrackPoint] = []
        var k = 0
        while k < inOrder.count {
            if k + 1 < inOrder.count, (k / 2) % 2 == 0 {
                shuffled += [inOrder[k + 1], inOrder[k]]
                k += 2
            } else {
                shuffled.append(inOrder[k])
                k += 1
            }
        }
        var withDuplicates: [TrackPoint] = []
        for (i, p) in shuffled.enumerated() {
            withDuplicates.append(p)
            if i % 5 == 0 { withDuplicates.append(p) }
        }
        #expect(withDuplicates != inOrder)
        let reference = evaluate(inOrder)
        let messy = evaluate(withDuplicates)
        #expect(messy.emitted == reference.emitted)
        #expect(messy.evaluator.state.counters.duplicates == (shuffled.count + 4) / 5)
        #expect(messy.evaluator.state.counters.accepted == inOrder.count)
    }

    @Test func aFixOlderThanTheReorderWindowIsDroppedAndCounted() {
        var positions = MuckTruckDay.truck
        let stale = positions[20]  // t = 200
        positions.insert(TrackPoint(vehicle: "T1", time: stale.time - 5, coordinate: stale.coordinate), at: 40)  // arrives at t ≈ 400
        let (emitted, evaluator) = evaluate(positions)
        #expect(evaluator.state.counters.late == 1)
        #expect(finalEvents(emitted) == finalEvents(evaluate(MuckTruckDay.truck).emitted))
    }

    @Test func invalidFixesAreDroppedAndCounted() {
        var positions = MuckTruckDay.truck
        positions.insert(TrackPoint(vehicle: "T1", time: .nan, coordinate: Site.ll(0, 0)), at: 5)
        positions.insert(TrackPoint(vehicle: "T1", time: positions[8].time + 1, coordinate: Coordinate(x: 200, y: 33)), at: 9)
        // A finite but absurd time: its event id (milliseconds as Int64) overflowed and trapped.
        positions.insert(TrackPoint(vehicle: "T1", time: 1.7976931348623157e308, coordinate: positions[12].coordinate), at: 13)
        let (emitted, evaluator) = evaluate(positions)
        #expect(evaluator.state.counters.invalid == 3)
        #expect(finalEvents(emitted) == finalEvents(evaluate(MuckTruckDay.truck).emitted))
    }

    @Test func aGPSJumpIsDroppedAndChangesNothing() {
        var positions = MuckTruckDay.truck
        // 5 km away within 5 s of the previous fix: 3,600 km/h.
        let p = positions[60]
        positions.insert(TrackPoint(vehicle: "T1", time: p.time + 5, coordinate: Site.ll(6000, 6000), speed: 18), at: 61)
        let (emitted, evaluator) = evaluate(positions)
        #expect(evaluator.state.counters.jumps == 1)
        #expect(finalEvents(emitted) == finalEvents(evaluate(MuckTruckDay.truck).emitted))
    }
}

@Suite struct DurabilityTests {
    @Test(arguments: [40, 150, 250, 340])
    func savingAndRestoringMidDayGivesTheUninterruptedEvents(cut: Int) throws {
        let day = MuckTruckDay.day
        let reference = evaluate(day).emitted

        var first = FenceEvaluator(fences: MuckTruckDay.fences, registry: MuckTruckDay.registry, settings: MuckTruckDay.settings)
        var emitted = first.ingest(day[..<cut])
        let saved = try JSONEncoder().encode(first.state)

        let restoredState = try JSONDecoder().decode(FenceEvaluatorState.self, from: saved)
        #expect(restoredState == first.state)
        var second = FenceEvaluator(
            fences: MuckTruckDay.fences, registry: MuckTruckDay.registry, settings: MuckTruckDay.settings, state: restoredState)
        // After a restart the feed re-sends the last 20 fixes before the cut: none may raise anything again.
        emitted += second.ingest(day[(cut - 20)...])
        emitted += second.flush()
        #expect(emitted == reference)
        #expect(second.state.counters.duplicates + second.state.counters.late == 20)
    }

    /// Fences change while the server runs: an event open on a fence that is gone closes like any other
    /// (its condition is false from the first fix evaluated without the fence), never stays open forever.
    @Test func eventsOfRemovedFencesClose() {
        let day = MuckTruckDay.truck
        let cut = day.firstIndex { $0.time >= Site.t0 + 210 }!
        var before = FenceEvaluator(fences: MuckTruckDay.fences, registry: MuckTruckDay.registry, settings: MuckTruckDay.settings)
        var emitted = before.ingest(day[..<cut])
        #expect(before.state.openEvents.map(EventLine.init) == [EventLine("T1", .offRoute, "route-1", 110, nil)])
        let withoutRoute = MuckTruckDay.fences.filter { $0.id != "route-1" }
        var after = FenceEvaluator(fences: withoutRoute, registry: MuckTruckDay.registry, settings: MuckTruckDay.settings, state: before.state)
        emitted += after.ingest(day[cut...])
        emitted += after.flush()
        // Released so far: fixes up to 170 (the window holds 180-200); 180 is the first evaluated without the route.
        #expect(finalEvents(emitted).first { $0.kind == .offRoute }.map(EventLine.init) == EventLine("T1", .offRoute, "route-1", 110, 180))
        #expect(after.state.openEvents.isEmpty)
    }

    @Test func openEventsSurviveInTheSavedState() throws {
        let day = MuckTruckDay.day
        // Cut during the dumping stop: 越区 and 非法倾倒 are open.
        let cut = day.firstIndex { $0.time >= Site.t0 + 2400 }!
        var evaluator = FenceEvaluator(fences: MuckTruckDay.fences, registry: MuckTruckDay.registry, settings: MuckTruckDay.settings)
        _ = evaluator.ingest(day[..<cut])
        let restored = try JSONDecoder().decode(FenceEvaluatorState.self, from: try JSONEncoder().encode(evaluator.state))
        #expect(restored.openEvents.map(EventLine.init) == [
            EventLine("T1", .leftAssignedArea, "area-A", 510, nil),
            EventLine("T1", .suspectedDumping, nil, 1700, nil),
        ])
    }
}

@Suite struct HysteresisTests {
    /// A 1 km forbidden square whose west edge is x = 0.
    static let zone = [Fence(id: "zone", kind: .area, role: .forbiddenZone, polygons: Site.square(0, 0, 1000, 1000))]

    /// Approaches the west edge from 200 m out, zig-zags ±3 m across it every 10 s for 10 minutes, then either
    /// goes back out or drives 200 m in and stays a minute before leaving.
    static func jitter(thenEnter: Bool) -> [TrackPoint] {
        var s = Script(vehicle: "V", start: 0, at: (-200, 500))
        s.move(to: (-3, 500), seconds: 60)
        for k in 0..<60 { s.move(to: (k % 2 == 0 ? 3 : -3, 500), seconds: 10) }
        if thenEnter {
            s.move(to: (200, 500), seconds: 60)
            s.move(to: (200, 560), seconds: 60)
            s.move(to: (-200, 560), seconds: 120)
        } else {
            s.move(to: (-200, 500), seconds: 60)
        }
        s.end()
        return s.positions
    }

    static let settings = FenceRuleSettings(hysteresisMetres: 10, hysteresisSeconds: 30, reorderWindowSeconds: 0)

    @Test func jitterAcrossTheEdgeRaisesNothing() {
        let (emitted, _) = evaluate(Self.jitter(thenEnter: false), fences: Self.zone, registry: nil, settings: Self.settings)
        #expect(emitted.isEmpty)
    }

    @Test func jitterThenEnteringRaisesExactlyOnePair() {
        let (emitted, _) = evaluate(Self.jitter(thenEnter: true), fences: Self.zone, registry: nil, settings: Self.settings)
        // Jitter ends at 660 at x = 3; 60 s to x = 200 (3.28 m/s): 10 m in is passed at 670 (x ≈ 30.8).
        // Leaving: from (200, 560) at 780 west at 3.33 m/s: x ≤ -10 first at 850 (x ≈ -33.3).
        #expect(emitted.map { EventLine($0) } == [
            EventLine("V", .enteredForbiddenZone, "zone", 670, nil),
            EventLine("V", .enteredForbiddenZone, "zone", 670, 850),
        ])
    }

    @Test func withoutHysteresisTheSameJitterFlaps() {
        let noBands = FenceRuleSettings(hysteresisMetres: 0, hysteresisSeconds: 0, reorderWindowSeconds: 0)
        let (emitted, _) = evaluate(Self.jitter(thenEnter: false), fences: Self.zone, registry: nil, settings: noBands)
        // 30 visits to x = +3: each opens one event that the next fix (x = -3) closes.
        #expect(finalEvents(emitted).count == 30)
        #expect(emitted.count == 60)
    }
}
