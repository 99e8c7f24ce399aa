import GeoCore

/// What a polygon fence means to the vehicles it applies to.
public enum FenceRole: String, Codable, Sendable, Hashable, CaseIterable {
    /// 作业区域: the area a vehicle is assigned to; being outside it is 越区.
    case allowedArea
    /// 禁区: entering it is 闯禁.
    case forbiddenZone
    /// 消纳场: a designated dump site; a long stop inside one is not suspected dumping.
    case disposalSite
}

/// The shape family of a fence, which decides the rules it takes part in.
public enum FenceKind: String, Codable, Sendable, Hashable, CaseIterable {
    /// A polygon (with holes, possibly several parts) with a ``FenceRole``.
    case area
    /// A planned route: a line with a corridor width; leaving the corridor is 路线偏离.
    case corridor
    /// A scheduled collection point: a centre and radius that must be visited in its time window (漏收).
    case collectionPoint
}

/// Which vehicles a fence applies to. Empty lists everywhere mean every vehicle, including unknown ones;
/// otherwise a vehicle matches when its id, its group or its class is listed.
public struct VehicleSelector: Codable, Sendable, Hashable {
    public var vehicles: [String]
    public var groups: [String]
    public var classes: [String]

    /// A selector of these vehicles, groups and classes (all empty: everybody).
    public init(vehicles: [String] = [], groups: [String] = [], classes: [String] = []) {
        self.vehicles = vehicles
        self.groups = groups
        self.classes = classes
    }

    /// Every vehicle.
    public static let all = VehicleSelector()

    private enum CodingKeys: String, CodingKey { case vehicles, groups, classes }

    /// Lenient: a missing list is empty, so `{"classes": ["muck"]}` is a whole selector.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vehicles = try c.decodeIfPresent([String].self, forKey: .vehicles) ?? []
        groups = try c.decodeIfPresent([String].self, forKey: .groups) ?? []
        classes = try c.decodeIfPresent([String].self, forKey: .classes) ?? []
    }

    /// Whether the selector names nobody in particular, so applies to every vehicle.
    public var isAll: Bool { vehicles.isEmpty && groups.isEmpty && classes.isEmpty }

    /// Whether the fence applies to `vehicle` (an unknown vehicle, nil, only matches ``all``).
    public func matches(id: String, vehicle: Vehicle?) -> Bool {
        if isAll { return true }
        if vehicles.contains(id) { return true }
        guard let vehicle else { return false }
        if let group = vehicle.group, groups.contains(group) { return true }
        return classes.contains(vehicle.vehicleClass)
    }
}

/// A weekly recurring window of local time, e.g. Monday to Friday 06:00-09:00 in China Standard Time.
///
/// Times are seconds since 1970 (UTC); the window is read in a fixed UTC offset (default +8 h) because the
/// cities served keep no daylight saving time and a fixed offset keeps evaluation deterministic.
public struct TimeWindow: Codable, Sendable, Hashable {
    /// ISO weekdays on which a window starts: 1 = Monday ... 7 = Sunday. Empty means every day.
    public var weekdays: [Int]
    /// Start and end as minutes after local midnight; an end at or before the start runs past midnight.
    public var startMinute: Int
    public var endMinute: Int
    public var utcOffsetSeconds: Int

    /// A window on `weekdays` (empty: every day) from `startMinute` to `endMinute` local time.
    public init(weekdays: [Int] = [], startMinute: Int, endMinute: Int, utcOffsetSeconds: Int = 8 * 3600) {
        self.weekdays = weekdays
        self.startMinute = startMinute
        self.endMinute = endMinute
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    private enum CodingKeys: String, CodingKey { case weekdays, startMinute, endMinute, utcOffsetSeconds }

    /// Lenient: missing weekdays mean every day, a missing offset China Standard Time.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        weekdays = try c.decodeIfPresent([Int].self, forKey: .weekdays) ?? []
        startMinute = try c.decode(Int.self, forKey: .startMinute)
        endMinute = try c.decode(Int.self, forKey: .endMinute)
        utcOffsetSeconds = try c.decodeIfPresent(Int.self, forKey: .utcOffsetSeconds) ?? 8 * 3600
    }

    /// One occurrence of the window: [start, end) in seconds since 1970.
    public struct Occurrence: Hashable, Sendable {
        public var start: Double
        public var end: Double
    }

    private var lengthSeconds: Double {
        let minutes = endMinute > startMinute ? endMinute - startMinute : endMinute + 1440 - startMinute
        return Double(minutes) * 60
    }

    /// The occurrence that starts on local day `day` (days since 1970-01-01 local), if the window runs that day.
    func occurrence(onLocalDay day: Int) -> Occurrence? {
        // 1970-01-01 was a Thursday (ISO 4).
        let weekday = ((day + 3) % 7 + 7) % 7 + 1
        guard weekdays.isEmpty || weekdays.contains(weekday) else { return nil }
        let start = Double(day) * 86_400 + Double(startMinute) * 60 - Double(utcOffsetSeconds)
        return Occurrence(start: start, end: start + lengthSeconds)
    }

    private func localDay(_ time: Double) -> Int {
        Int(((time + Double(utcOffsetSeconds)) / 86_400).rounded(.down))
    }

    /// The occurrence holding `time`, if any.
    public func occurrence(containing time: Double) -> Occurrence? {
        let day = localDay(time)
        // A window past midnight may have started the day before.
        for d in [day, day - 1] {
            if let o = occurrence(onLocalDay: d), o.start <= time, time < o.end { return o }
        }
        return nil
    }

    /// Whether `time` falls in an occurrence of the window.
    public func contains(_ time: Double) -> Bool { occurrence(containing: time) != nil }

    /// Occurrences whose end lies in (after, upTo], oldest first.
    public func occurrences(endingAfter after: Double, upTo: Double) -> [Occurrence] {
        guard upTo > after else { return [] }
        var result: [Occurrence] = []
        var day = localDay(after) - 1
        let lastDay = localDay(upTo)
        while day <= lastDay {
            if let o = occurrence(onLocalDay: day), o.end > after, o.end <= upTo { result.append(o) }
            day += 1
        }
        return result
    }
}

/// An electronic fence (电子围栏): a shape, what it means, when and to whom it applies, and its limits.
///
/// One flat value for every kind so that it encodes as one plain JSON object; fields a kind does not use stay
/// empty. `version` grows on every change so that events can name the definition they were raised under.
public struct Fence: Codable, Sendable, Hashable, Identifiable {
    public var id: String
    public var name: String
    public var version: Int
    public var kind: FenceKind
    /// For ``FenceKind/area`` fences.
    public var role: FenceRole?
    /// Area parts, each exterior ring first then holes, lon/lat. For ``FenceKind/area``.
    public var polygons: [[[Coordinate]]]
    /// The planned route, lon/lat. For ``FenceKind/corridor``.
    public var line: [Coordinate]
    /// Full corridor width in metres: a vehicle within half of it from the line is on route.
    public var corridorWidthMetres: Double
    /// Centre of a collection point.
    public var center: Coordinate?
    /// How close a vehicle must come to a collection point to count as a visit, metres.
    public var radiusMetres: Double
    /// Speed limit inside the fence (areas) or on the corridor, km/h; nil for none.
    public var speedLimitKmh: Double?
    /// Per vehicle class limits, overriding ``speedLimitKmh`` for that class.
    public var speedLimitsByClass: [String: Double]
    /// When the fence is in force; for a collection point, the window in which it must be visited.
    /// Nil means always (a collection point without a window is never missed).
    public var schedule: TimeWindow?
    /// Whom the fence applies to.
    public var appliesTo: VehicleSelector

    /// A fence; fields its kind does not use may stay at their defaults. See ``validate()``.
    public init(
        id: String, name: String = "", version: Int = 1, kind: FenceKind, role: FenceRole? = nil,
        polygons: [[[Coordinate]]] = [], line: [Coordinate] = [], corridorWidthMetres: Double = 0,
        center: Coordinate? = nil, radiusMetres: Double = 0, speedLimitKmh: Double? = nil,
        speedLimitsByClass: [String: Double] = [:], schedule: TimeWindow? = nil, appliesTo: VehicleSelector = .all
    ) {
        self.id = id
        self.name = name
        self.version = version
        self.kind = kind
        self.role = role
        self.polygons = polygons
        self.line = line
        self.corridorWidthMetres = corridorWidthMetres
        self.center = center
        self.radiusMetres = radiusMetres
        self.speedLimitKmh = speedLimitKmh
        self.speedLimitsByClass = speedLimitsByClass
        self.schedule = schedule
        self.appliesTo = appliesTo
    }

    /// An area fence from a GeoCore polygon or multipolygon.
    public static func area(
        id: String, name: String = "", role: FenceRole, geometry: Geometry, version: Int = 1,
        speedLimitKmh: Double? = nil, schedule: TimeWindow? = nil, appliesTo: VehicleSelector = .all
    ) throws(GeoError) -> Fence {
        let parts = geometry.polygons
        guard !parts.isEmpty, parts.allSatisfy({ $0.exterior.count >= 4 }) else {
            throw GeoError(
                code: .invalidFence, message: "fence \(id): an area fence needs a Polygon or MultiPolygon with closed rings",
                location: "geometry")
        }
        return Fence(
            id: id, name: name, version: version, kind: .area, role: role, polygons: parts.map(\.rings),
            speedLimitKmh: speedLimitKmh, schedule: schedule, appliesTo: appliesTo)
    }

    /// The limit for a vehicle of `vehicleClass` (nil class: the general limit).
    public func speedLimit(for vehicleClass: String?) -> Double? {
        if let vehicleClass, let limit = speedLimitsByClass[vehicleClass] { return limit }
        return speedLimitKmh
    }

    /// Whether the fence is in force at `time`.
    public func isActive(at time: Double) -> Bool { schedule?.contains(time) ?? true }

    /// The fence's shape as a GeoCore geometry (for GeoJSON output).
    public var geometry: Geometry {
        switch kind {
        case .area:
            let parts = polygons.compactMap { Polygon(rings: $0) }
            return parts.count == 1 ? .polygon(parts[0]) : .multiPolygon(MultiPolygon(parts))
        case .corridor:
            return .lineString(LineString(line))
        case .collectionPoint:
            return .point(Point(center ?? Coordinate(x: 0, y: 0)))
        }
    }

    /// Checks the definition, naming the first bad field.
    public func validate() throws(GeoError) {
        func fail(_ field: String, _ message: String) -> GeoError {
            GeoError(code: .invalidFence, message: "fence \(id): \(message)", location: field)
        }
        if id.isEmpty { throw fail("id", "the id is empty") }
        if version < 1 { throw fail("version", "the version must be at least 1") }
        if let limit = speedLimitKmh, !(limit > 0) { throw fail("speedLimitKmh", "a speed limit must be positive") }
        if let s = schedule {
            if !(0..<1440).contains(s.startMinute) || !(0...1440).contains(s.endMinute) {
                throw fail("schedule", "window minutes must lie in 0...1440")
            }
            if s.weekdays.contains(where: { !(1...7).contains($0) }) { throw fail("schedule.weekdays", "weekdays are 1 (Monday) to 7") }
        }
        switch kind {
        case .area:
            if role == nil { throw fail("role", "an area fence needs a role") }
            if polygons.isEmpty || polygons.contains(where: { $0.isEmpty || $0.contains { $0.count < 4 } }) {
                throw fail("polygons", "an area fence needs polygons of closed rings with at least 4 positions")
            }
        case .corridor:
            if line.count < 2 { throw fail("line", "a corridor needs a line of at least 2 positions") }
            if !(corridorWidthMetres > 0) { throw fail("corridorWidthMetres", "a corridor needs a positive width") }
        case .collectionPoint:
            if center == nil { throw fail("center", "a collection point needs a centre") }
            if !(radiusMetres > 0) { throw fail("radiusMetres", "a collection point needs a positive radius") }
        }
    }
}

/// A registered vehicle.
public struct Vehicle: Codable, Sendable, Hashable {
    public var id: String
    /// e.g. 渣土车 muck, 餐厨 kitchenWaste, 环卫 sanitation.
    public var vehicleClass: String
    public var group: String?

    /// A vehicle of a class (e.g. `muck`), optionally in a group (a fleet, a company).
    public init(id: String, vehicleClass: String, group: String? = nil) {
        self.id = id
        self.vehicleClass = vehicleClass
        self.group = group
    }
}

/// The known vehicles; a position from an id not in it raises 外来车辆 (unknown vehicle).
public struct VehicleRegistry: Codable, Sendable, Hashable {
    /// Vehicles by id.
    public var vehicles: [String: Vehicle]

    /// A registry of `vehicles` (a repeated id: the last wins).
    public init(_ vehicles: [Vehicle] = []) {
        self.vehicles = Dictionary(vehicles.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// The vehicle with this id, nil for an unknown one.
    public subscript(id: String) -> Vehicle? { vehicles[id] }
}
