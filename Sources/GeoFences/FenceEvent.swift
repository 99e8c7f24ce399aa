import GeoCore

/// The kinds of events the evaluator raises.
public enum FenceRuleKind: String, Codable, Sendable, Hashable, CaseIterable {
    /// 越区: outside every assigned area (an interval: start when it left, end when it came back).
    case leftAssignedArea
    /// 闯禁: inside a forbidden zone (an interval from entry to exit).
    case enteredForbiddenZone
    /// 进出消纳场: inside a designated disposal site (an interval from entry to exit: the trips a truck made).
    case disposalSiteVisit
    /// 超速: above a fence's speed limit for longer than the configured time.
    case overSpeed
    /// 路线偏离: outside a route corridor for longer than the configured time or farther than the configured distance.
    case offRoute
    /// 非法倾倒: a long stop outside every designated disposal site.
    case suspectedDumping
    /// 漏收: a scheduled collection point not visited in its window (start and end are the window's).
    case missedCollection
    /// 外来车辆: a vehicle id not in the registry (an instant, at its first position).
    case unknownVehicle
}

/// An event: opened once (``end`` nil), closed once (``end`` set), always under the same ``id``.
public struct FenceEvent: Codable, Sendable, Hashable, Identifiable {
    /// Deterministic: vehicle, kind, fence and start time, so that re-evaluating the same positions (after a
    /// restart, or a replay) produces the same id and a store upserting by id keeps one row.
    public var id: String
    public var vehicleId: String
    public var kind: FenceRuleKind
    /// The fence, nil for rules that are not about one (suspected dumping, unknown vehicle).
    public var fenceId: String?
    /// The fence definition's version when the event opened.
    public var fenceVersion: Int?
    /// Seconds since 1970: the first position of the condition (see docs/fences.md for the hysteresis).
    public var start: Double
    /// The first position after the condition ended; nil while the event is open.
    public var end: Double?
    public var startPosition: Coordinate?
    public var endPosition: Coordinate?
    /// Highest speed seen during the event, km/h (over-speed).
    public var maxSpeedKmh: Double?
    /// Farthest distance beyond the fence edge or corridor, metres (off route, forbidden zone depth, area).
    public var maxDistanceMetres: Double?
    /// end − start once closed.
    public var dwellSeconds: Double?

    /// An open event whose id is derived from vehicle, kind, fence and start.
    public init(
        vehicleId: String, kind: FenceRuleKind, fenceId: String?, fenceVersion: Int?, start: Double,
        startPosition: Coordinate?
    ) {
        self.id = FenceEvent.makeId(vehicleId: vehicleId, kind: kind, fenceId: fenceId, start: start)
        self.vehicleId = vehicleId
        self.kind = kind
        self.fenceId = fenceId
        self.fenceVersion = fenceVersion
        self.start = start
        self.startPosition = startPosition
    }

    /// Whether the event is still open.
    public var isOpen: Bool { end == nil }

    /// `vehicle/kind/fence/start-in-milliseconds`.
    public static func makeId(vehicleId: String, kind: FenceRuleKind, fenceId: String?, start: Double) -> String {
        "\(vehicleId)/\(kind.rawValue)/\(fenceId ?? "-")/\(Int64((start * 1000).rounded()))"
    }

    /// Closes the event at `time`.
    mutating func close(at time: Double, position: Coordinate?) {
        end = time
        endPosition = position
        dwellSeconds = time - start
    }
}
