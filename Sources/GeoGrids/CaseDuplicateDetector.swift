import Foundation
import GeoCore

/// Where a case is in its handling, as the similar and repeat rules read its `status`.
public enum CaseStatus: String, CaseIterable, Sendable {
    /// 受理: reported and accepted (the default of a case without a status).
    case accepted
    /// 处置: being handled.
    case handling
    /// 结案: closed.
    case closed
    /// 作废: voided.
    case voided
    /// Any other status a platform writes.
    case other

    /// Reads a status in English or Chinese: accepted/受理/已受理/立案, handling/handled/处置/处置中/办理中,
    /// closed/结案/已结案/办结, voided/void/作废/已作废; anything else is `other`.
    public init(text: String) {
        switch text.lowercased() {
        case "accepted", "受理", "已受理", "立案", "": self = .accepted
        case "handling", "handled", "处置", "处置中", "办理中": self = .handling
        case "closed", "结案", "已结案", "办结": self = .closed
        case "voided", "void", "作废", "已作废": self = .voided
        default: self = .other
        }
    }
}

/// A reported case (事件/部件问题) as the similar and repeat rules see it.
public struct CaseRecord: Hashable, Sendable {
    public let id: String
    public let category: String
    public let time: Date
    public let position: Coordinate
    /// The unit grid the case lies in, when known.
    public let gridCode: String?
    /// The status as the layer writes it (accepted, handling, closed, voided, or their Chinese names).
    public let status: String
    /// When the case was closed; for a closed case without one, its own time.
    public let closedTime: Date?

    public init(
        id: String, category: String, time: Date, position: Coordinate, gridCode: String?, status: String = "accepted",
        closedTime: Date? = nil
    ) {
        self.id = id
        self.category = category
        self.time = time
        self.position = position
        self.gridCode = gridCode
        self.status = status
        self.closedTime = closedTime ?? (CaseStatus(text: status) == .closed ? time : nil)
    }

    /// The status as the rules read it.
    public var state: CaseStatus { CaseStatus(text: status) }
}

/// 类似案件 (seed 001 §5.2.3.1): another case of the same category within `distanceMetres` and `window` of the case,
/// among cases being accepted, handled or voided.
public struct SimilarCaseRule: Hashable, Sendable {
    public var distanceMetres: Double
    public var window: TimeInterval
    public var statuses: Set<CaseStatus>

    /// The specification's defaults: 10 m, 1 day, cases accepted, being handled or voided.
    public init(distanceMetres: Double = 10, window: TimeInterval = 86_400, statuses: Set<CaseStatus> = [.accepted, .handling, .voided]) {
        self.distanceMetres = distanceMetres
        self.window = window
        self.statuses = statuses
    }
}

/// 重复案件 (seed 001 §5.2.4): a case of the same category at the same point (within `distanceMetres`) or in the same
/// unit grid (when `sameGrid`) filed within `window` after an earlier one was closed.
public struct RepeatCaseRule: Hashable, Sendable {
    public var distanceMetres: Double
    public var sameGrid: Bool
    public var window: TimeInterval

    /// Defaults: the same point is within 10 m, the same unit grid counts, a window of 30 days.
    public init(distanceMetres: Double = 10, sameGrid: Bool = true, window: TimeInterval = 30 * 86_400) {
        self.distanceMetres = distanceMetres
        self.sameGrid = sameGrid
        self.window = window
    }
}

/// A case similar to another, with how far apart they are.
public struct SimilarCase: Hashable, Sendable {
    public let record: CaseRecord
    public let distanceMetres: Double
    /// The case's time minus this one's: positive when this one came earlier.
    public let secondsApart: TimeInterval
}

/// A closed case that a new one repeats, with how far apart they are and how long after the closing.
public struct RepeatCase: Hashable, Sendable {
    public let record: CaseRecord
    public let distanceMetres: Double
    public let sameGrid: Bool
    public let secondsSinceClosed: TimeInterval
}

/// Finds, for a case, its similar cases and the closed cases it repeats, under rules per category.
///
/// Boundaries are inclusive: a case exactly at the distance or the window matches.
public struct CaseDuplicateDetector: Sendable {
    public var similarRule = SimilarCaseRule()
    public var repeatRule = RepeatCaseRule()
    /// Rules by category, overriding the defaults.
    public var similarRules: [String: SimilarCaseRule] = [:]
    public var repeatRules: [String: RepeatCaseRule] = [:]

    /// Per category, cases by time, and closed cases by closing time.
    private var byCategory: [String: [CaseRecord]] = [:]
    private var closedByCategory: [String: [CaseRecord]] = [:]

    /// Holds `cases`, sorted once per category (equal times keep their given order).
    public init(cases: [CaseRecord] = []) {
        for record in cases {
            byCategory[record.category, default: []].append(record)
            if record.state == .closed { closedByCategory[record.category, default: []].append(record) }
        }
        for category in byCategory.keys { byCategory[category] = Self.sorted(byCategory[category]!, by: \.time) }
        for category in closedByCategory.keys { closedByCategory[category] = Self.sorted(closedByCategory[category]!, by: Self.closingTime) }
    }

    /// The number of cases held.
    public var count: Int { byCategory.values.reduce(0) { $0 + $1.count } }

    /// Adds one case, keeping its category's lists in order (after cases of the same time).
    public mutating func add(_ record: CaseRecord) {
        Self.insert(record, into: &byCategory[record.category, default: []], by: \.time)
        if record.state == .closed { Self.insert(record, into: &closedByCategory[record.category, default: []], by: Self.closingTime) }
    }

    private static func closingTime(_ record: CaseRecord) -> Date { record.closedTime ?? record.time }

    /// The rules `record` is judged by.
    public func rules(for category: String) -> (similar: SimilarCaseRule, repeat: RepeatCaseRule) {
        (similarRules[category] ?? similarRule, repeatRules[category] ?? repeatRule)
    }

    /// Cases of the same category within the similar rule's distance and window (before or after) whose status the
    /// rule names, nearest first, then closest in time.
    public func similar(to record: CaseRecord) -> [SimilarCase] {
        let rule = rules(for: record.category).similar
        guard let list = byCategory[record.category] else { return [] }
        let earliest = record.time.addingTimeInterval(-rule.window), latest = record.time.addingTimeInterval(rule.window)
        var found: [SimilarCase] = []
        for other in list[Self.firstIndex(in: list) { $0.time >= earliest }...] {
            guard other.time <= latest else { break }
            guard other.id != record.id, rule.statuses.contains(other.state) else { continue }
            let distance = Geodesic.haversineDistance(from: record.position, to: other.position)
            if distance <= rule.distanceMetres {
                found.append(SimilarCase(record: other, distanceMetres: distance, secondsApart: record.time.timeIntervalSince(other.time)))
            }
        }
        return found.sorted {
            ($0.distanceMetres, abs($0.secondsApart), $0.record.id) < ($1.distanceMetres, abs($1.secondsApart), $1.record.id)
        }
    }

    /// Closed cases of the same category that `record` repeats: closed no later than it was filed and at most the
    /// repeat rule's window before, in the same unit grid or within its distance; most recently closed first.
    public func repeats(of record: CaseRecord) -> [RepeatCase] {
        let rule = rules(for: record.category).repeat
        guard let list = closedByCategory[record.category] else { return [] }
        let earliest = record.time.addingTimeInterval(-rule.window)
        var found: [RepeatCase] = []
        for other in list[Self.firstIndex(in: list) { Self.closingTime($0) >= earliest }...] {
            guard let closed = other.closedTime, closed <= record.time else { break }
            guard other.id != record.id else { continue }
            let distance = Geodesic.haversineDistance(from: record.position, to: other.position)
            let sameGrid = rule.sameGrid && record.gridCode != nil && record.gridCode == other.gridCode
            if sameGrid || distance <= rule.distanceMetres {
                found.append(RepeatCase(record: other, distanceMetres: distance, sameGrid: sameGrid, secondsSinceClosed: record.time.timeIntervalSince(closed)))
            }
        }
        return found.sorted { ($0.secondsSinceClosed, $0.distanceMetres, $0.record.id) < ($1.secondsSinceClosed, $1.distanceMetres, $1.record.id) }
    }

    private static func insert(_ record: CaseRecord, into list: inout [CaseRecord], by key: (CaseRecord) -> Date) {
        let time = key(record)
        list.insert(record, at: firstIndex(in: list) { key($0) > time })
    }

    /// `records` by `key`, equal keys in their given order.
    private static func sorted(_ records: [CaseRecord], by key: (CaseRecord) -> Date) -> [CaseRecord] {
        records.enumerated().sorted { (key($0.element), $0.offset) < (key($1.element), $1.offset) }.map(\.element)
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
