import Foundation
import GeoCore
import GeoTrajectories

/// Hot spots by road section (高发地段): road centre lines cut into sections of a fixed length, cases snapped to
/// the nearest centre-line segment and counted per section, per hour of day and per day of week.
public struct RoadSectionHotSpots: Sendable {
    /// A piece of one road.
    public struct Section: Hashable, Sendable {
        /// Index of the road feature and of its line (a MultiLineString has several).
        public var road: Int
        public var part: Int
        public var name: String
        /// Metres along the line where the section starts and ends.
        public var from: Double
        public var to: Double
        /// Lon/lat centre line of the section.
        public var line: [Coordinate]
        public var profile: TimeProfile
        public var count: Int { profile.total }
    }

    /// Sections that received at least one case, most cases first (ties by road, part, start).
    public var sections: [Section]
    /// Cases within the snap distance of a road, and those farther.
    public var snapped: Int
    public var unsnapped: Int
    /// All snapped cases by hour and weekday.
    public var profile: TimeProfile

    /// A case: where and, when known, when.
    public typealias Case = (position: Coordinate, time: Date?)

    /// The cases of a point layer within [from, to) by their `timeField` (all when neither bound is given). Times
    /// (``TimeText``'s forms) are read only when a bound is given or `withTimes` asks for them; points with invalid
    /// positions, and other geometries, are left out.
    public static func cases(_ features: [Feature], timeField: String, from: Date?, to: Date?, withTimes: Bool) -> [Case] {
        let readTimes = withTimes || from != nil || to != nil
        return features.compactMap { feature in
            guard case .point(let p)? = feature.geometry, p.coordinate.isValidGeographic else { return nil }
            let time = readTimes
                ? feature.properties[timeField]?.stringValue.flatMap { try? TimeText.seconds($0) }.map { Date(timeIntervalSince1970: $0) } : nil
            if from != nil || to != nil {
                guard let time else { return nil }
                if let from, time < from { return nil }
                if let to, time >= to { return nil }
            }
            return (p.coordinate, time)
        }
    }

    /// Counts `cases` on the sections of `roads` (LineString or MultiLineString features; the `name` property names
    /// them).
    /// - Parameters:
    ///   - sectionMetres: length of a section; the last section of a line is shorter.
    ///   - maximumSnapMetres: cases farther from every road are not counted (reported as unsnapped).
    ///   - utcOffsetSeconds: the local time of the hours and weekdays (China: +8 h).
    public init(
        roads: [Feature], cases: [Case], sectionMetres: Double, maximumSnapMetres: Double, utcOffsetSeconds: Double = 8 * 3_600
    ) throws(GeoError) {
        guard sectionMetres > 0, sectionMetres.isFinite else {
            throw GeoError(code: .invalidArgument, message: "section length \(sectionMetres) m must be a positive number", location: "section_m")
        }
        var lines: [(road: Int, part: Int, name: String, coordinates: [Coordinate])] = []
        for (r, feature) in roads.enumerated() {
            let name = feature.properties["name"]?.stringValue ?? ""
            switch feature.geometry {
            case .lineString(let l)?: lines.append((r, 0, name, l.coordinates))
            case .multiLineString(let m)?: for (k, l) in m.lineStrings.enumerated() { lines.append((r, k, name, l.coordinates)) }
            default: continue
            }
        }
        lines = lines.filter { $0.coordinates.count > 1 }
        let frame = LocalFrame(around: lines.flatMap(\.coordinates))
        let projected = lines.map { $0.coordinates.map(frame.project) }
        let cumulative = projected.map(RoadNetwork.stations(along:))
        let index = SegmentIndex(lines: projected, cellSize: max(maximumSnapMetres, 50))
        var profiles: [Int: TimeProfile] = [:]
        var profile = TimeProfile()
        var snapped = 0
        for (k, item) in cases.enumerated() {
            if k % 4_096 == 0 { try GeoError.throwIfCancelled() }
            guard item.position.isValidGeographic,
                let hit = index.nearest(to: frame.project(item.position), within: maximumSnapMetres)
            else { continue }
            let line = projected[hit.line]
            let station = cumulative[hit.line][hit.segment] + hit.t * Planar.distance(line[hit.segment], line[hit.segment + 1])
            let sectionCount = max(1, Int((cumulative[hit.line].last! / sectionMetres).rounded(.up)))
            let section = min(sectionCount - 1, Int(station / sectionMetres))
            // One key per (line, section): sections of a line follow each other.
            profiles[hit.line << 24 | section, default: TimeProfile()].add(item.time, utcOffsetSeconds: utcOffsetSeconds)
            profile.add(item.time, utcOffsetSeconds: utcOffsetSeconds)
            snapped += 1
        }
        self.sections = profiles.map { key, counts -> Section in
            let l = key >> 24, s = key & 0xFF_FFFF
            let from = Double(s) * sectionMetres, to = min(Double(s + 1) * sectionMetres, cumulative[l].last!)
            let piece = RoadNetwork.slice(projected[l], cumulative[l], from, to).map(frame.unproject)
            return Section(road: lines[l].road, part: lines[l].part, name: lines[l].name, from: from, to: to, line: piece, profile: counts)
        }.sorted { ($1.count, $0.road, $0.part, $0.from) < ($0.count, $1.road, $1.part, $1.from) }
        self.snapped = snapped
        self.unsnapped = cases.count - snapped
        self.profile = profile
    }
}

/// Counts of events by hour of day and day of week in local time (高发时段).
public struct TimeProfile: Hashable, Sendable {
    /// `weekHours[d][h]`: events on weekday d (0 Monday … 6 Sunday) at hour h (0–23).
    public var weekHours: [[Int]] = Array(repeating: Array(repeating: 0, count: 24), count: 7)
    /// Events with a time, and all events.
    public var timed = 0
    public var total = 0

    public init() {}

    /// Events per hour of day, over all weekdays.
    public var byHour: [Int] { (0..<24).map { h in weekHours.reduce(0) { $0 + $1[h] } } }
    /// Events per weekday, Monday first.
    public var byWeekday: [Int] { weekHours.map { $0.reduce(0, +) } }

    /// Adds an event at `time` (counted in the total only when nil).
    public mutating func add(_ time: Date?, utcOffsetSeconds: Double) {
        total += 1
        guard let time else { return }
        let local = time.timeIntervalSince1970 + utcOffsetSeconds
        guard local.isFinite, abs(local) < 1e14 else { return }
        let day = (local / 86_400).rounded(.down)
        // 1970-01-01 was a Thursday (weekday 3 counted from Monday).
        let weekday = ((Int(day) + 3) % 7 + 7) % 7
        let hour = min(23, Int((local - day * 86_400) / 3_600))
        weekHours[weekday][hour] += 1
        timed += 1
    }
}
