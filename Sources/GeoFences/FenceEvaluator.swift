import GeoCore

/// Thresholds of the rules. Every rule that opens and closes applies both hysteresis bands, so a vehicle
/// wobbling on a fence edge does not raise a stream of events.
@MemberwiseInit
public struct FenceRuleSettings: Codable, Sendable, Hashable {
    /// A vehicle must be this many metres beyond an edge (in or out) for its side to change; inside the band
    /// the last side holds.
    public var hysteresisMetres: Double = 10
    /// A changed side must persist this many seconds before an event opens or closes.
    public var hysteresisSeconds: Double = 30
    /// Positions are held back this many seconds (of the vehicle's own clock) and released in time order, so
    /// fixes arriving out of order within the window give the same events as in order. Older ones are dropped
    /// and counted.
    public var reorderWindowSeconds: Double = 30
    /// A fix implying a faster move from the last accepted one is a GPS jump: dropped and counted.
    public var maxPlausibleSpeedKmh: Double = 150
    /// Over-speed opens after the speed stayed above the limit this long.
    public var overSpeedSeconds: Double = 30
    /// Speed above the limit tolerated before over-speed counts, km/h.
    public var speedToleranceKmh: Double = 0
    /// Off-route opens after this long outside the corridor ...
    public var offRouteSeconds: Double = 60
    /// ... or at once when this many metres beyond the corridor edge.
    public var offRouteMetres: Double = 200
    /// A stop is a run of fixes within this radius of its first fix (with device speed, if any, below ``stopSpeedKmh``).
    public var stopRadiusMetres: Double = 30
    public var stopSpeedKmh: Double = 3
    /// A stop outside disposal sites longer than this is suspected dumping.
    public var dumpingStopSeconds: Double = 600
    /// Vehicle classes the dumping rule watches; nil for every class (unknown vehicles included).
    public var dumpingClasses: [String]?
    /// Whether ids missing from the registry raise unknown-vehicle events.
    public var reportsUnknownVehicles: Bool = true
}

/// Counts of fixes the evaluator did not use, for monitoring the feed.
public struct FenceEvaluatorCounters: Codable, Sendable, Hashable {
    /// Fixes evaluated.
    public var accepted = 0
    /// Same vehicle and time as a fix already seen.
    public var duplicates = 0
    /// Older than the last fix released for the vehicle (arrived after the reorder window).
    public var late = 0
    /// Implausible jumps.
    public var jumps = 0
    /// Non-finite times or positions off the globe.
    public var invalid = 0
    public init() {}
}

/// The evaluator's whole mutable state: enough to resume after a restart without repeating or losing events.
public struct FenceEvaluatorState: Codable, Sendable, Hashable {
    var vehicles: [String: VehicleTrack] = [:]
    /// Fixes used and dropped, by reason.
    public var counters = FenceEvaluatorCounters()
    public init() {}

    /// Events currently open, ordered by start time and id.
    public var openEvents: [FenceEvent] {
        vehicles.values.flatMap { track in
            track.trackers.values.compactMap(\.open) + (track.stop?.open.map { [$0] } ?? [])
        }.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
    }
}

/// One rule's state for one vehicle and fence: the last definite side (after the metres band) since when, and
/// the open event if any.
struct ConditionTracker: Codable, Sendable, Hashable {
    var active = false
    var since: Double
    var sincePosition: Coordinate
    var runMaxSpeed: Double?
    var runMaxDistance: Double?
    var open: FenceEvent?

    init(time: Double, position: Coordinate) {
        since = time
        sincePosition = position
    }

    var isIdle: Bool { !active && open == nil }
}

/// A stop in progress.
struct StopTrack: Codable, Sendable, Hashable {
    var anchor: Coordinate
    var start: Double
    /// Decided once the stop is long enough: inside a disposal site, so never dumping.
    var exempt = false
    var open: FenceEvent?
}

/// Per-vehicle state.
struct VehicleTrack: Codable, Sendable, Hashable {
    /// Fixes held for reordering, sorted by time.
    var pending: [TrackPoint] = []
    var maxSeen = -Double.infinity
    var lastReleased: Double?
    var last: TrackPoint?
    var flaggedUnknown = false
    /// Keyed `rule|fenceId`.
    var trackers: [String: ConditionTracker] = [:]
    var stop: StopTrack?
    /// Collection fence id → start of the last window occurrence in which it was visited.
    var visits: [String: Double] = [:]
}

/// Evaluates streams of vehicle positions against fences, raising events once on open and once on close.
///
/// A value type with no locks: one task owns it (the server wraps it in an actor). All decisions use the
/// positions' own times, never the wall clock, so replaying a trajectory gives the same events, and the state
/// (``state``) is Codable so that a saved evaluator resumes exactly where it stopped.
public struct FenceEvaluator: Sendable {
    /// The fences and their index.
    public let index: LiveFenceIndex
    /// Known vehicles; nil turns the unknown-vehicle rule off and leaves every vehicle classless.
    public let registry: VehicleRegistry?
    /// The rules' thresholds.
    public let settings: FenceRuleSettings
    /// The mutable part: save it, and pass it back to ``init(index:registry:settings:state:)`` to resume.
    public private(set) var state: FenceEvaluatorState

    private var scratch: LiveFenceIndex.Scratch
    private var hits: [FenceHit] = []
    /// Fences assigned to each vehicle (allowed areas, corridors, collection points): derived, not saved.
    private var assignments: [String: Assignment] = [:]
    /// Fences that can be assigned (allowed areas, corridors, collection points naming somebody), so that a
    /// vehicle's assignment is worked out over these few rather than every fence.
    private let assignable: [Int]

    private struct Assignment: Sendable {
        var areas: [Int]
        var corridors: [Int]
        var points: [Int]
    }

    /// - Parameters:
    ///   - registry: the known vehicles; nil switches the unknown-vehicle rule off and treats every vehicle as
    ///     classless.
    public init(
        index: LiveFenceIndex, registry: VehicleRegistry?, settings: FenceRuleSettings = .init(),
        state: FenceEvaluatorState = .init()
    ) {
        self.index = index
        self.registry = registry
        self.settings = settings
        self.state = state
        scratch = index.makeScratch()
        // An all-vehicles allowed area or route would make every vehicle in the city "assigned" to it, which
        // only reads sensibly for forbidden zones and limits: assignment needs a named selection.
        assignable = index.livePositions.filter { f in
            let fence = index.fences[f]
            guard !fence.appliesTo.isAll else { return false }
            return (fence.kind == .area && fence.role == .allowedArea) || fence.kind == .corridor || fence.kind == .collectionPoint
        }
    }

    /// An evaluator over a built index.
    public init(
        index: FenceIndex, registry: VehicleRegistry?, settings: FenceRuleSettings = .init(),
        state: FenceEvaluatorState = .init()
    ) {
        self.init(index: LiveFenceIndex(base: index), registry: registry, settings: settings, state: state)
    }

    /// Convenience: builds the index with a reach covering the settings' bands (``reach(for:)``).
    public init(
        fences: [Fence], registry: VehicleRegistry?, settings: FenceRuleSettings = .init(),
        state: FenceEvaluatorState = .init()
    ) {
        self.init(index: FenceIndex(fences, reach: Self.reach(for: settings)), registry: registry, settings: settings, state: state)
    }

    /// The index reach the rules of `settings` need: their widest band plus a metre.
    public static func reach(for settings: FenceRuleSettings) -> Double {
        max(settings.hysteresisMetres, settings.offRouteMetres, 1) + 1
    }

    /// Takes one fix; returns the events it opened or closed (closed ones carry their end), in a deterministic order.
    public mutating func ingest(_ position: TrackPoint) -> [FenceEvent] {
        guard position.isPlausible else {
            state.counters.invalid += 1
            return []
        }
        // Taken out of the dictionary while it is worked on, so that its arrays and dictionaries are uniquely
        // referenced and mutate in place instead of being copied on every fix.
        var track = state.vehicles.removeValue(forKey: position.vehicle) ?? VehicleTrack()
        defer { state.vehicles[position.vehicle] = track }
        if let lastReleased = track.lastReleased, position.time <= lastReleased {
            if position.time == lastReleased { state.counters.duplicates += 1 } else { state.counters.late += 1 }
            return []
        }
        if track.pending.contains(where: { $0.time == position.time }) {
            state.counters.duplicates += 1
            return []
        }
        let at = track.pending.firstIndex { $0.time > position.time } ?? track.pending.count
        track.pending.insert(position, at: at)
        track.maxSeen = max(track.maxSeen, position.time)
        var events: [FenceEvent] = []
        while let first = track.pending.first, first.time <= track.maxSeen - settings.reorderWindowSeconds {
            track.pending.removeFirst()
            release(first, track: &track, events: &events)
        }
        return events
    }

    /// Takes many fixes in arrival order.
    public mutating func ingest<S: Sequence>(_ positions: S) -> [FenceEvent] where S.Element == TrackPoint {
        var events: [FenceEvent] = []
        for p in positions { events += ingest(p) }
        return events
    }

    /// Releases, for every vehicle, the held fixes older than `time` minus the reorder window: the feed's clock
    /// moving on releases the last fixes of a vehicle that went quiet, which its own clock never would.
    /// Vehicles in id order.
    public mutating func advance(to time: Double) -> [FenceEvent] {
        var events: [FenceEvent] = []
        let limit = time - settings.reorderWindowSeconds
        let due = state.vehicles.compactMap { id, track in (track.pending.first?.time ?? .infinity) <= limit ? id : nil }
        for id in due.sorted() {
            guard var track = state.vehicles.removeValue(forKey: id) else { continue }
            while let first = track.pending.first, first.time <= limit {
                track.pending.removeFirst()
                release(first, track: &track, events: &events)
            }
            state.vehicles[id] = track
        }
        return events
    }

    /// Releases every held fix (end of a replay, or a quiet feed), vehicles in id order.
    public mutating func flush() -> [FenceEvent] {
        var events: [FenceEvent] = []
        for id in state.vehicles.keys.sorted() {
            guard var track = state.vehicles.removeValue(forKey: id) else { continue }
            let pending = track.pending
            track.pending = []
            for p in pending { release(p, track: &track, events: &events) }
            state.vehicles[id] = track
        }
        return events
    }

    // MARK: evaluation of one released fix

    private mutating func release(_ p: TrackPoint, track: inout VehicleTrack, events: inout [FenceEvent]) {
        track.lastReleased = p.time
        var derivedSpeed: Double?
        if let last = track.last {
            let dt = p.time - last.time
            let kmh = index.frame.distance(last.coordinate, p.coordinate) / dt * 3.6
            if kmh > settings.maxPlausibleSpeedKmh {
                state.counters.jumps += 1
                return
            }
            derivedSpeed = kmh
        }
        state.counters.accepted += 1
        let previousTime = track.last?.time
        track.last = p
        let vehicle = registry?[p.vehicle]
        let speed = p.speed ?? derivedSpeed

        if let registry, settings.reportsUnknownVehicles, registry[p.vehicle] == nil, !track.flaggedUnknown {
            track.flaggedUnknown = true
            var event = FenceEvent(
                vehicleId: p.vehicle, kind: .unknownVehicle, fenceId: nil, fenceVersion: nil, start: p.time,
                startPosition: p.coordinate)
            event.close(at: p.time, position: p.coordinate)
            events.append(event)
        }

        let assignment = assignment(for: p.vehicle, vehicle: vehicle)
        index.query(p.coordinate, into: &hits, scratch: &scratch)
        hits.sort { $0.fence < $1.fence }
        let h = settings.hysteresisMetres
        let fences = index.fences

        // 越区: outside every assigned area (that is in force) by more than the band.
        if assignment.areas.isEmpty {
            // No area any more (fences replaced since the state was saved): an open event must still close.
            stepAbsent(&track, rule: .leftAssignedArea, seen: [], p: p, events: &events)
        } else {
            var nearest: (fence: Int, outsideBy: Double)?
            for f in assignment.areas where fences[f].isActive(at: p.time) {
                // Not near the edge: measure exactly (a few assigned areas), so the event's distance is true.
                let outsideBy = hits.first { $0.fence == f }?.outsideBy ?? index.outsideBy(fence: f, position: p.coordinate)
                if nearest == nil || outsideBy < nearest!.outsideBy { nearest = (f, outsideBy) }
            }
            let side: Bool? =
                if let nearest { nearest.outsideBy >= h ? true : (nearest.outsideBy <= -h ? false : nil) } else { false }
            // One tracker for the rule: with several assigned areas, being in any of them is in.
            let fence = nearest.map { fences[$0.fence] } ?? fences[assignment.areas[0]]
            step(
                &track, key: "leftAssignedArea|", kind: .leftAssignedArea, fence: fence, side: side, p: p,
                distance: nearest.map { max($0.outsideBy, 0) }, speed: nil, openAfter: settings.hysteresisSeconds,
                events: &events)
        }

        // 闯禁 and disposal-site visits: inside the zone by more than the band.
        var forbiddenSeen: [String] = []
        var disposalSeen: [String] = []
        for hit in hits {
            let fence = fences[hit.fence]
            guard fence.kind == .area, fence.role == .forbiddenZone || fence.role == .disposalSite,
                fence.appliesTo.matches(id: p.vehicle, vehicle: vehicle)
            else { continue }
            let kind: FenceRuleKind = fence.role == .forbiddenZone ? .enteredForbiddenZone : .disposalSiteVisit
            if kind == .enteredForbiddenZone { forbiddenSeen.append(fence.id) } else { disposalSeen.append(fence.id) }
            let side: Bool? =
                !fence.isActive(at: p.time) ? false : (hit.outsideBy <= -h ? true : (hit.outsideBy >= h ? false : nil))
            step(
                &track, key: "\(kind.rawValue)|\(fence.id)", kind: kind, fence: fence, side: side,
                p: p, distance: max(-hit.outsideBy, 0), speed: nil, openAfter: settings.hysteresisSeconds, events: &events)
        }
        stepAbsent(&track, rule: .enteredForbiddenZone, seen: forbiddenSeen, p: p, events: &events)
        stepAbsent(&track, rule: .disposalSiteVisit, seen: disposalSeen, p: p, events: &events)

        // 超速: above the limit of a fence the vehicle is in.
        var speedSeen: [String] = []
        for hit in hits where hit.inside {
            let fence = fences[hit.fence]
            guard fence.kind != .collectionPoint, fence.isActive(at: p.time),
                let limit = fence.speedLimit(for: vehicle?.vehicleClass),
                fence.appliesTo.matches(id: p.vehicle, vehicle: vehicle)
            else { continue }
            speedSeen.append(fence.id)
            let side: Bool? = speed.map { $0 > limit + settings.speedToleranceKmh }
            step(
                &track, key: "overSpeed|\(fence.id)", kind: .overSpeed, fence: fence, side: side, p: p, distance: nil,
                speed: speed, openAfter: settings.overSpeedSeconds, events: &events)
        }
        stepAbsent(&track, rule: .overSpeed, seen: speedSeen, p: p, events: &events)

        // 路线偏离: beyond an assigned corridor (in force) by more than the band.
        for f in assignment.corridors {
            let fence = fences[f]
            let outsideBy = hits.first { $0.fence == f }?.outsideBy ?? index.outsideBy(fence: f, position: p.coordinate)
            let side: Bool? =
                !fence.isActive(at: p.time) ? false : (outsideBy >= h ? true : (outsideBy <= -h ? false : nil))
            step(
                &track, key: "offRoute|\(fence.id)", kind: .offRoute, fence: fence, side: side, p: p,
                distance: max(outsideBy, 0), speed: nil, openAfter: settings.offRouteSeconds,
                openNow: outsideBy >= settings.offRouteMetres, events: &events)
        }

        stepAbsent(&track, rule: .offRoute, seen: assignment.corridors.map { fences[$0].id }, p: p, events: &events)

        // 漏收: windows that closed since the previous fix, then visits by this one.
        for f in assignment.points {
            let fence = fences[f]
            guard let window = fence.schedule else { continue }
            if let previousTime {
                for o in window.occurrences(endingAfter: previousTime, upTo: p.time) where track.visits[fence.id] != o.start {
                    var event = FenceEvent(
                        vehicleId: p.vehicle, kind: .missedCollection, fenceId: fence.id, fenceVersion: fence.version,
                        start: o.start, startPosition: fence.center)
                    event.close(at: o.end, position: fence.center)
                    events.append(event)
                }
            }
            if let o = window.occurrence(containing: p.time), hits.contains(where: { $0.fence == f && $0.inside }) {
                track.visits[fence.id] = o.start
            }
        }

        // 非法倾倒: a long stop outside disposal sites.
        if settings.dumpingClasses.map({ classes in vehicle.map { classes.contains($0.vehicleClass) } ?? false }) ?? true {
            stepStop(&track, p: p, vehicle: vehicle, events: &events)
        }
    }

    /// Applies one observation to a tracker. `side` is the definite side (true: the rule's condition holds),
    /// nil inside the metres band (keep the last side).
    private func step(
        _ track: inout VehicleTrack, key: String, kind: FenceRuleKind, fence: Fence?, side: Bool?, p: TrackPoint,
        distance: Double?, speed: Double?, openAfter: Double, openNow: Bool = false, events: inout [FenceEvent]
    ) {
        var t = track.trackers[key] ?? ConditionTracker(time: p.time, position: p.coordinate)
        if let side, side != t.active {
            t.active = side
            t.since = p.time
            t.sincePosition = p.coordinate
            t.runMaxSpeed = nil
            t.runMaxDistance = nil
        }
        if t.active {
            if let speed { t.runMaxSpeed = max(t.runMaxSpeed ?? speed, speed) }
            if let distance { t.runMaxDistance = max(t.runMaxDistance ?? distance, distance) }
        }
        if t.active, var open = t.open {
            if let s = t.runMaxSpeed { open.maxSpeedKmh = max(open.maxSpeedKmh ?? s, s) }
            if let d = t.runMaxDistance { open.maxDistanceMetres = max(open.maxDistanceMetres ?? d, d) }
            t.open = open
        }
        if t.active, t.open == nil, openNow || p.time - t.since >= openAfter {
            var event = FenceEvent(
                vehicleId: p.vehicle, kind: kind, fenceId: fence?.id, fenceVersion: fence?.version, start: t.since,
                startPosition: t.sincePosition)
            event.maxSpeedKmh = t.runMaxSpeed
            event.maxDistanceMetres = t.runMaxDistance
            t.open = event
            events.append(event)
        } else if !t.active, var open = t.open, p.time - t.since >= settings.hysteresisSeconds {
            open.close(at: t.since, position: t.sincePosition)
            t.open = nil
            events.append(open)
        }
        if t.isIdle { track.trackers[key] = nil } else { track.trackers[key] = t }
    }

    /// Trackers of `rule` for fences no longer near the vehicle: the condition is plainly false there.
    private func stepAbsent(
        _ track: inout VehicleTrack, rule: FenceRuleKind, seen: [String], p: TrackPoint, events: inout [FenceEvent]
    ) {
        // Most fixes have no live tracker of the rule: find out without building or sorting anything.
        guard !track.trackers.isEmpty else { return }
        let prefix = rule.rawValue + "|"
        var absent: [String] = []
        for key in track.trackers.keys where key.hasPrefix(prefix) && !seen.contains(String(key.dropFirst(prefix.count))) {
            absent.append(key)
        }
        guard !absent.isEmpty else { return }
        // Sorted so that events closing on the same fix come out in the same order on every run.
        for key in absent.sorted() {
            let fenceId = String(key.dropFirst(prefix.count))
            let fence = index.positionById[fenceId].map { index.fences[$0] }
            step(&track, key: key, kind: rule, fence: fence, side: false, p: p, distance: nil, speed: nil,
                 openAfter: .infinity, events: &events)
        }
    }

    private mutating func stepStop(
        _ track: inout VehicleTrack, p: TrackPoint, vehicle: Vehicle?, events: inout [FenceEvent]
    ) {
        let moving = (p.speed ?? 0) > settings.stopSpeedKmh
        if var stop = track.stop {
            if !moving, index.frame.distance(stop.anchor, p.coordinate) <= settings.stopRadiusMetres {
                if stop.open == nil, !stop.exempt, p.time - stop.start >= settings.dumpingStopSeconds {
                    if atDisposalSite(stop.anchor, vehicleId: p.vehicle, vehicle: vehicle, time: p.time) {
                        stop.exempt = true
                    } else {
                        let event = FenceEvent(
                            vehicleId: p.vehicle, kind: .suspectedDumping, fenceId: nil, fenceVersion: nil,
                            start: stop.start, startPosition: stop.anchor)
                        stop.open = event
                        events.append(event)
                    }
                }
                if var open = stop.open {
                    open.dwellSeconds = p.time - stop.start
                    stop.open = open
                }
                track.stop = stop
                return
            }
            if var open = stop.open {
                open.close(at: p.time, position: p.coordinate)
                events.append(open)
            }
            track.stop = nil
        }
        if !moving { track.stop = StopTrack(anchor: p.coordinate, start: p.time) }
    }

    private mutating func atDisposalSite(_ c: Coordinate, vehicleId: String, vehicle: Vehicle?, time: Double) -> Bool {
        index.query(c, into: &hits, scratch: &scratch)
        return hits.contains { hit in
            let fence = index.fences[hit.fence]
            return hit.inside && fence.kind == .area && fence.role == .disposalSite && fence.isActive(at: time)
                && fence.appliesTo.matches(id: vehicleId, vehicle: vehicle)
        }
    }

    private mutating func assignment(for id: String, vehicle: Vehicle?) -> Assignment {
        if let cached = assignments[id] { return cached }
        var a = Assignment(areas: [], corridors: [], points: [])
        for f in assignable where index.fences[f].appliesTo.matches(id: id, vehicle: vehicle) {
            switch index.fences[f].kind {
            case .area: a.areas.append(f)
            case .corridor: a.corridors.append(f)
            case .collectionPoint: a.points.append(f)
            }
        }
        assignments[id] = a
        return a
    }
}
