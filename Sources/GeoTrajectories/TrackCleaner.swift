import Foundation
import GeoCore

/// Cleans raw GPS fixes before any measure is taken, and says how many fixes it removed and why.
///
/// Order of the steps, each on one vehicle's points sorted by time:
/// 1. invalid fixes: non-finite or out-of-range positions, the (0, 0) "no fix" that receivers send before
///    they lock, and optionally positions outside China;
/// 2. exact duplicates (same vehicle, time and position; platforms re-send on reconnect), then fixes at a
///    time already taken by a different position (the later one is dropped: a device cannot be in two places);
/// 3. impossible jumps: a fix whose implied speed from the last kept fix exceeds ``Options/maximumSpeed``.
///    The outlier is dropped, not its neighbour: the fix is dropped when a later fix within
///    ``Options/jumpLookahead`` is reachable from the last kept one, and when the *first* fix is the outlier
///    (the fixes after it agree with each other but not with it) the first fix is dropped instead;
/// 4. drift while stationary: a run of at least three consecutive stationary fixes (reported speed at most
///    ``Options/stationarySpeed``, or no speed and) all within ``Options/driftRadius`` of the run's first fix
///    is collapsed to its first and last fix, both moved to the run's mean position, so that GPS wander
///    while parked adds no mileage but the stop keeps its start and end times.
public struct TrackCleaner: Sendable {
    /// Thresholds; defaults in brackets.
    @MemberwiseInit
    public struct Options: Hashable, Sendable {
        /// Fastest plausible speed in km/h [150]; faster implied speeds are jumps.
        public var maximumSpeed: Double = 150
        /// How many following fixes are tried when deciding which side of a jump is the outlier [5].
        public var jumpLookahead: Int = 5
        /// Reported speed (km/h) at or below which a fix counts as stationary [1].
        public var stationarySpeed: Double = 1
        /// Radius of stationary drift in metres [20].
        public var driftRadius: Double = 20
        /// Whether to collapse stationary drift [true].
        public var collapsesDrift: Bool = true
        /// Whether fixes outside China's boundary are dropped [false].
        public var requiresChina: Bool = false
    }

    /// Counts of fixes removed, per reason.
    public struct Report: Hashable, Sendable, Codable {
        public var input = 0
        public var kept = 0
        /// Non-finite, out of range, or (0, 0).
        public var invalid = 0
        public var outsideChina = 0
        /// Exact duplicates of a kept fix.
        public var duplicates = 0
        /// A second, different position at a time already taken.
        public var sameTime = 0
        public var jumps = 0
        /// Stationary fixes merged into their run's first and last fix.
        public var drift = 0

        public init() {}

        /// Adds another report's counts.
        public mutating func add(_ other: Report) {
            input += other.input; kept += other.kept; invalid += other.invalid; outsideChina += other.outsideChina
            duplicates += other.duplicates; sameTime += other.sameTime; jumps += other.jumps; drift += other.drift
        }
    }

    public var options: Options

    public init(options: Options = Options()) { self.options = options }

    /// Cleans `points` of any number of vehicles. The result is sorted by vehicle, then time.
    public func clean(_ points: [TrackPoint]) -> (points: [TrackPoint], report: Report) {
        var byVehicle: [String: [TrackPoint]] = [:]
        for p in points { byVehicle[p.vehicle, default: []].append(p) }
        var out: [TrackPoint] = []
        var report = Report()
        for vehicle in byVehicle.keys.sorted() {
            let (kept, r) = cleanVehicle(byVehicle[vehicle]!)
            out += kept
            report.add(r)
        }
        return (out, report)
    }

    /// Cleans the points of one vehicle.
    func cleanVehicle(_ input: [TrackPoint]) -> (points: [TrackPoint], report: Report) {
        var report = Report()
        report.input = input.count

        var valid: [TrackPoint] = []
        valid.reserveCapacity(input.count)
        for p in input {
            let c = p.coordinate
            if !TimeText.plausibleSeconds.contains(p.time) || !c.isValidGeographic || (abs(p.longitude) < 1e-9 && abs(p.latitude) < 1e-9) {
                report.invalid += 1
            } else if options.requiresChina && !ChinaBoundary.contains(c) {
                report.outsideChina += 1
            } else {
                valid.append(p)
            }
        }
        // Stable on time, so that of two fixes at one time the one received first is kept.
        let indexed = valid.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }

        var unique: [TrackPoint] = []
        unique.reserveCapacity(indexed.count)
        var positionsAtTime: [Coordinate] = []
        for (_, p) in indexed {
            if let last = unique.last, last.time == p.time {
                if positionsAtTime.contains(p.coordinate) || last.coordinate == p.coordinate {
                    report.duplicates += 1
                } else {
                    report.sameTime += 1
                }
                positionsAtTime.append(p.coordinate)
                continue
            }
            positionsAtTime = [p.coordinate]
            unique.append(p)
        }

        let withoutJumps = dropJumps(unique, report: &report)
        let result = options.collapsesDrift ? collapseDrift(withoutJumps, report: &report) : withoutJumps
        report.kept = result.count
        return (result, report)
    }

    /// Implied speed in km/h between two fixes (infinite when they share a time and differ in place).
    func impliedSpeed(_ a: TrackPoint, _ b: TrackPoint) -> Double {
        let metres = Geodesic.haversineDistance(from: a.coordinate, to: b.coordinate)
        let seconds = abs(b.time - a.time)
        if seconds == 0 { return metres == 0 ? 0 : .infinity }
        return metres / seconds * 3.6
    }

    func dropJumps(_ points: [TrackPoint], report: inout Report) -> [TrackPoint] {
        guard points.count > 2 else { return points }
        let limit = options.maximumSpeed
        var kept: [TrackPoint] = [points[0]]
        var i = 1
        while i < points.count {
            let anchor = kept[kept.count - 1]
            let p = points[i]
            if impliedSpeed(anchor, p) <= limit {
                kept.append(p)
                i += 1
                continue
            }
            // Is a later fix reachable from the anchor? Then p..(that fix) are outliers.
            var rejoin: Int? = nil
            var j = i + 1
            while j < points.count && j <= i + options.jumpLookahead {
                if impliedSpeed(anchor, points[j]) <= limit { rejoin = j; break }
                j += 1
            }
            if let rejoin {
                report.jumps += rejoin - i
                i = rejoin
                continue
            }
            // Nothing reachable: either the anchor is the outlier (it is the first fix and the following fixes
            // agree with each other) or the vehicle really moved that fast (a long gap makes any speed slow).
            if kept.count == 1 && i + 1 < points.count && impliedSpeed(p, points[i + 1]) <= limit {
                report.jumps += 1
                kept[0] = p
                i += 1
                continue
            }
            report.jumps += 1
            i += 1
        }
        return kept
    }

    func collapseDrift(_ points: [TrackPoint], report: inout Report) -> [TrackPoint] {
        func stationary(_ p: TrackPoint) -> Bool { (p.speed ?? 0) <= options.stationarySpeed }
        var out: [TrackPoint] = []
        out.reserveCapacity(points.count)
        var i = 0
        while i < points.count {
            guard stationary(points[i]) else { out.append(points[i]); i += 1; continue }
            let start = points[i].coordinate
            var j = i + 1
            while j < points.count && stationary(points[j])
                && Geodesic.haversineDistance(from: start, to: points[j].coordinate) <= options.driftRadius { j += 1 }
            let run = points[i..<j]
            if run.count >= 3 {
                let lon = run.reduce(0) { $0 + $1.longitude } / Double(run.count)
                let lat = run.reduce(0) { $0 + $1.latitude } / Double(run.count)
                var first = run.first!, last = run.last!
                first.longitude = lon; first.latitude = lat
                last.longitude = lon; last.latitude = lat
                out.append(first)
                out.append(last)
                report.drift += run.count - 2
            } else {
                out += run
            }
            i = j
        }
        return out
    }
}
