import Foundation
import GeoCore

/// A reported case (事件/部件问题) as duplicate detection sees it.
public struct CaseRecord: Hashable, Sendable {
    public let id: String
    public let category: String
    public let time: Date
    public let position: Coordinate
    /// The unit grid the case lies in, when known.
    public let gridCode: String?
    /// e.g. accepted, handling, closed, voided.
    public let status: String

    public init(id: String, category: String, time: Date, position: Coordinate, gridCode: String?, status: String = "accepted") {
        self.id = id
        self.category = category
        self.time = time
        self.position = position
        self.gridCode = gridCode
        self.status = status
    }
}

/// An earlier case that may duplicate a new one, and why.
public struct DuplicateMatch: Hashable, Sendable {
    public enum Reason: String, Sendable {
        /// Same category in the same unit grid.
        case sameGrid = "same_grid"
        /// Same category within the distance.
        case withinDistance = "within_distance"
    }

    public let record: CaseRecord
    public let reasons: [Reason]
    public let distanceMetres: Double
}

/// Finds earlier cases of the same category in the same unit grid or within a distance, inside a time window
/// (defaults: 50 m and 30 days; per category overrides such as the standard's 10 m and 1 day).
///
/// Boundaries are inclusive: a case exactly `distanceMetres` away or exactly `window` earlier matches.
/// Cases later than the new one are not "earlier" and never match.
public struct CaseDuplicateDetector: Sendable {
    public struct Rule: Hashable, Sendable {
        public var distanceMetres: Double
        public var window: TimeInterval
        /// Whether a case in the same unit grid matches whatever its distance.
        public var sameGridMatches: Bool

        public init(distanceMetres: Double = 50, window: TimeInterval = 30 * 86_400, sameGridMatches: Bool = true) {
            self.distanceMetres = distanceMetres
            self.window = window
            self.sameGridMatches = sameGridMatches
        }
    }

    public var defaultRule = Rule()
    /// Rules by category, overriding the default.
    public var categoryRules: [String: Rule] = [:]
    /// Statuses never compared against (e.g. voided cases).
    public var excludedStatuses: Set<String> = ["voided"]

    /// Per category, cases sorted by time.
    private var byCategory: [String: [CaseRecord]] = [:]

    public init(cases: [CaseRecord] = []) {
        for record in cases { add(record) }
    }

    /// The number of cases held.
    public var count: Int { byCategory.values.reduce(0) { $0 + $1.count } }

    /// Adds a case, keeping its category's list in time order (binary insertion: O(log n) search).
    public mutating func add(_ record: CaseRecord) {
        var list = byCategory[record.category, default: []]
        let position = Self.firstIndex(in: list) { $0.time > record.time }
        list.insert(record, at: position)
        byCategory[record.category] = list
    }

    /// Earlier cases matching `record` under its category's rule, nearest first then most recent first.
    public func duplicates(of record: CaseRecord) -> [DuplicateMatch] {
        let rule = categoryRules[record.category] ?? defaultRule
        guard let list = byCategory[record.category] else { return [] }
        let start = Self.firstIndex(in: list) { $0.time >= record.time.addingTimeInterval(-rule.window) }
        var matches: [DuplicateMatch] = []
        for earlier in list[start...] {
            guard earlier.time <= record.time else { break }
            guard earlier.id != record.id, !excludedStatuses.contains(earlier.status) else { continue }
            let distance = Geodesic.haversineDistance(from: record.position, to: earlier.position)
            var reasons: [DuplicateMatch.Reason] = []
            if rule.sameGridMatches, let grid = record.gridCode, grid == earlier.gridCode { reasons.append(.sameGrid) }
            if distance <= rule.distanceMetres { reasons.append(.withinDistance) }
            if !reasons.isEmpty { matches.append(DuplicateMatch(record: earlier, reasons: reasons, distanceMetres: distance)) }
        }
        return matches.sorted {
            $0.distanceMetres != $1.distanceMetres ? $0.distanceMetres < $1.distanceMetres : $0.record.time > $1.record.time
        }
    }

    /// The first index whose element satisfies a predicate that is false then true along the list.
    private static func firstIndex(in list: [CaseRecord], where predicate: (CaseRecord) -> Bool) -> Int {
        var low = 0
        var high = list.count
        while low < high {
            let mid = (low + high) / 2
            if predicate(list[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
