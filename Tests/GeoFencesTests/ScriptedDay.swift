import Foundation
import GeoCore
import GeoFences

/// Positions are written in metres east/north of a point in the demo city and turned into lon/lat here, so
/// that the scripts read like a plan of the site.
enum Site {
    static let frame = LocalFrame(origin: Coordinate(x: 120.46, y: 33.20))

    static func ll(_ x: Double, _ y: Double) -> Coordinate {
        Coordinate(x: frame.origin.x + x / frame.metresPerDegreeX, y: frame.origin.y + y / frame.metresPerDegreeY)
    }

    static func square(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> [[[Coordinate]]] {
        [[[ll(x0, y0), ll(x1, y0), ll(x1, y1), ll(x0, y1), ll(x0, y0)]]]
    }

    /// 2026-11-23 (a Monday) 08:00 China Standard Time.
    static let t0: Double = 1_795_392_000  // 2026-11-23T00:00:00Z
}

/// A trajectory written as legs: straight moves at constant pace (or stays), sampled every 10 s.
struct Script {
    let vehicle: String
    var positions: [TrackPoint] = []
    var time: Double
    var at: (Double, Double)

    init(vehicle: String, start: Double, at: (Double, Double)) {
        self.vehicle = vehicle
        self.time = start
        self.at = at
    }

    /// Moves to `to` in `seconds`, sampling at the leg's start and every 10 s (not at its end, which is the next
    /// leg's start). `speed` is the device speed reported, km/h.
    mutating func move(to: (Double, Double), seconds: Double, speed: Double = 18) {
        var s = 0.0
        while s < seconds {
            let f = s / seconds
            let x = at.0 + (to.0 - at.0) * f, y = at.1 + (to.1 - at.1) * f
            positions.append(
                TrackPoint(vehicle: vehicle, time: Site.t0 + time + s, coordinate: Site.ll(x, y), speed: speed))
            s += 10
        }
        time += seconds
        at = to
    }

    mutating func stay(seconds: Double) { move(to: at, seconds: seconds, speed: 0) }

    /// One last sample at the current place and time.
    mutating func end(speed: Double = 18) {
        positions.append(TrackPoint(vehicle: vehicle, time: Site.t0 + time, coordinate: Site.ll(at.0, at.1), speed: speed))
    }
}

/// The muck truck's day (see ScriptedDayTests for the plan).
enum MuckTruckDay {
    static let fences: [Fence] = [
        Fence(
            id: "area-A", name: "作业区域 A", kind: .area, role: .allowedArea, polygons: Site.square(0, 0, 2000, 2000),
            speedLimitKmh: 40, appliesTo: VehicleSelector(vehicles: ["T1"])),
        Fence(id: "forbid-1", name: "禁区 1", kind: .area, role: .forbiddenZone, polygons: Site.square(1300, 2400, 1500, 2600)),
        Fence(id: "dump-1", name: "消纳场 1", kind: .area, role: .disposalSite, polygons: Site.square(1300, 3000, 1500, 3200)),
        Fence(
            id: "route-1", name: "收运路线 1", kind: .corridor, line: [Site.ll(100, 1000), Site.ll(1900, 1000)],
            corridorWidthMetres: 40, schedule: TimeWindow(weekdays: [1, 2, 3, 4, 5], startMinute: 480, endMinute: 485),
            appliesTo: VehicleSelector(groups: ["fleet-north"])),
        Fence(
            id: "cp-1", name: "收运点 1", kind: .collectionPoint, center: Site.ll(500, 1500), radiusMetres: 30,
            schedule: TimeWindow(weekdays: [1, 2, 3, 4, 5], startMinute: 540, endMinute: 600),
            appliesTo: VehicleSelector(classes: ["muck"])),
    ]

    static let registry = VehicleRegistry([Vehicle(id: "T1", vehicleClass: "muck", group: "fleet-north")])

    static let settings = FenceRuleSettings(
        hysteresisMetres: 10, hysteresisSeconds: 30, reorderWindowSeconds: 30, overSpeedSeconds: 30,
        offRouteSeconds: 60, offRouteMetres: 200, stopRadiusMetres: 30, dumpingStopSeconds: 600, dumpingClasses: ["muck"])

    static var truck: [TrackPoint] {
        var s = Script(vehicle: "T1", start: 0, at: (100, 1000))
        s.move(to: (600, 1000), seconds: 100)  // on route
        s.move(to: (600, 1100), seconds: 20)  // deviates 100 m north of the route
        s.move(to: (1200, 1100), seconds: 120)
        s.move(to: (1200, 1000), seconds: 20)  // back on route at t = 260
        s.move(to: (1400, 1000), seconds: 40)
        s.move(to: (1400, 1150), seconds: 50, speed: 60)  // 60 km/h reported for t = 300...340 in a 40 km/h area
        s.move(to: (1400, 1900), seconds: 130)
        s.move(to: (1400, 2300), seconds: 80)  // leaves area A: 50 m out at t = 510
        s.move(to: (1400, 2500), seconds: 40)  // 50 m into the forbidden zone at t = 590
        s.move(to: (1400, 2800), seconds: 60)  // 50 m out of it at t = 630
        s.move(to: (1400, 3100), seconds: 60)  // into the disposal site
        s.stay(seconds: 900)  // 15 min unloading at the disposal site: allowed
        s.move(to: (1400, 3500), seconds: 80)
        s.stay(seconds: 1200)  // 20 min stop outside any disposal site from t = 1700
        s.move(to: (1700, 3500), seconds: 60)  // moves off at t = 2900, around the forbidden zone
        s.move(to: (1700, 1500), seconds: 400)  // back in area A: 50 m in at t = 3270
        s.move(to: (1700, 500), seconds: 200)  // never near the collection point
        s.time = 7300  // silent until after the collection window (09:00-10:00) closed
        s.at = (1700, 600)
        s.end()
        return s.positions
    }

    static var stranger: [TrackPoint] {
        var s = Script(vehicle: "X9", start: 100, at: (5000, 5000))
        s.move(to: (5100, 5000), seconds: 30)
        s.end()
        return s.positions
    }

    /// Every fix of the day in time order (the stranger's interleaved).
    static var day: [TrackPoint] {
        (truck + stranger).sorted { ($0.time, $0.vehicle) < ($1.time, $1.vehicle) }
    }
}

/// What a test compares: kind, fence, start and end relative to 08:00.
struct EventLine: Hashable, CustomStringConvertible {
    var vehicle: String
    var kind: FenceRuleKind
    var fence: String?
    var start: Double
    var end: Double?

    init(_ vehicle: String, _ kind: FenceRuleKind, _ fence: String?, _ start: Double, _ end: Double?) {
        self.vehicle = vehicle
        self.kind = kind
        self.fence = fence
        self.start = start
        self.end = end
    }

    init(_ e: FenceEvent) {
        self.init(e.vehicleId, e.kind, e.fenceId, e.start - Site.t0, e.end.map { $0 - Site.t0 })
    }

    var description: String { "\(vehicle) \(kind) \(fence ?? "-") \(start)...\(end.map { "\($0)" } ?? "open")" }
}
