import GeoCore
import GeoGrids

/// The rules of `/v1/cases/duplicates` as a body gives them: `similar` {distance_m, window_hours, statuses},
/// `repeat` {distance_m, window_days, same_grid}, and `category_rules` {category: {similar_distance_m,
/// similar_window_hours, repeat_distance_m, repeat_window_days}}; every bad member is a 400 naming its path.
enum CaseRulesParsing {
    static let maximumDistanceMetres = 50_000.0
    static let maximumWindowDays = 3_650.0

    /// Sets the detector's default and per-category rules from the body.
    static func apply(_ body: [String: JSONValue], to detector: inout CaseDuplicateDetector) throws {
        let similar = try object(body["similar"], "similar")
        let repeated = try object(body["repeat"], "repeat")
        detector.similarRule = try similarRule(similar, base: SimilarCaseRule(), prefix: "similar.", keys: ("distance_m", "window_hours"))
        detector.repeatRule = try repeatRule(repeated, base: RepeatCaseRule(), prefix: "repeat.", keys: ("distance_m", "window_days"))
        for (category, value) in try object(body["category_rules"], "category_rules") {
            let rules = try object(value, "category_rules.\(category)")
            let prefix = "category_rules.\(category)."
            detector.similarRules[category] = try similarRule(
                rules, base: detector.similarRule, prefix: prefix, keys: ("similar_distance_m", "similar_window_hours"))
            detector.repeatRules[category] = try repeatRule(
                rules, base: detector.repeatRule, prefix: prefix, keys: ("repeat_distance_m", "repeat_window_days"))
        }
    }

    private static func object(_ value: JSONValue?, _ field: String) throws -> [String: JSONValue] {
        switch value {
        case nil, .null?: return [:]
        case .object(let members)?: return members
        default: throw APIError(code: .invalidArgument, message: "\(field) must be an object", details: ["field": .string(field)])
        }
    }

    private static func number(_ value: JSONValue?, _ field: String, _ range: ClosedRange<Double>) throws -> Double? {
        guard let value, value != .null else { return nil }
        return try RequestParsing.number(JoinController.text(value), field, range)
    }

    private static func similarRule(
        _ members: [String: JSONValue], base: SimilarCaseRule, prefix: String, keys: (distance: String, window: String)
    ) throws -> SimilarCaseRule {
        var rule = base
        if let metres = try number(members[keys.distance], prefix + keys.distance, 0...maximumDistanceMetres) { rule.distanceMetres = metres }
        if let hours = try number(members[keys.window], prefix + keys.window, 0...(maximumWindowDays * 24)) { rule.window = hours * 3_600 }
        if let statuses = members["statuses"], prefix == "similar." {
            guard case .array(let items) = statuses, !items.isEmpty else {
                throw APIError(code: .invalidArgument, message: "similar.statuses must be a list of statuses", details: ["field": "similar.statuses"])
            }
            rule.statuses = Set(try items.map { item in
                guard let text = item.stringValue, CaseStatus(text: text) != .other || text == CaseStatus.other.rawValue else {
                    throw APIError(
                        code: .invalidArgument, message: "similar.statuses holds \(item), not accepted, handling, closed, voided or other",
                        details: ["field": "similar.statuses"])
                }
                return CaseStatus(text: text)
            })
        }
        return rule
    }

    private static func repeatRule(
        _ members: [String: JSONValue], base: RepeatCaseRule, prefix: String, keys: (distance: String, window: String)
    ) throws -> RepeatCaseRule {
        var rule = base
        if let metres = try number(members[keys.distance], prefix + keys.distance, 0...maximumDistanceMetres) { rule.distanceMetres = metres }
        if let days = try number(members[keys.window], prefix + keys.window, 0...maximumWindowDays) { rule.window = days * 86_400 }
        if let sameGrid = members["same_grid"], prefix == "repeat." {
            guard case .bool(let value) = sameGrid else {
                throw APIError(code: .invalidArgument, message: "repeat.same_grid must be true or false", details: ["field": "repeat.same_grid"])
            }
            rule.sameGrid = value
        }
        return rule
    }

    /// The rules applied, as the answer reports them.
    static func describe(_ similar: SimilarCaseRule, _ repeated: RepeatCaseRule) -> JSONValue {
        .object([
            "similar": .object([
                "distance_m": .double(similar.distanceMetres), "window_hours": .double(similar.window / 3_600),
                "statuses": .array(CaseStatus.allCases.filter(similar.statuses.contains).map { .string($0.rawValue) }),
            ]),
            "repeat": .object([
                "distance_m": .double(repeated.distanceMetres), "window_days": .double(repeated.window / 86_400), "same_grid": .bool(repeated.sameGrid),
            ]),
        ])
    }
}
