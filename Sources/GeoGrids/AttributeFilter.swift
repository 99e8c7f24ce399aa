import GeoCore

/// A conjunction of conditions on feature properties, written compactly in query strings:
/// `category=渣土车,status=on_duty|idle,age>=3,floors<10`. Clauses are separated by commas; `|` lists
/// alternatives of an equality; comparisons (`>`, `>=`, `<`, `<=`) are numeric; `!=` negates an equality.
public struct AttributeFilter: Sendable, Hashable {
    public enum Clause: Sendable, Hashable {
        case equals(String, [JSONValue])
        case notEquals(String, [JSONValue])
        case compare(String, Comparison, Double)
    }

    public enum Comparison: String, Sendable, CaseIterable {
        case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    }

    public let clauses: [Clause]

    public init(_ clauses: [Clause]) { self.clauses = clauses }

    /// Parses the compact form; throws `invalid_filter` naming the clause that cannot be read.
    public init(parsing text: String) throws(GeoError) {
        var clauses: [Clause] = []
        for raw in text.split(separator: ",") {
            let clause = raw.trimmingCharacters(in: .whitespaces)
            // Longest operators first, so ">=" is not read as ">".
            guard let (key, op, value) = Self.split(clause), !key.isEmpty, !value.isEmpty else {
                throw GeoError(
                    code: .invalidFilter,
                    message: "filter clause \"\(clause)\" is not key=value, key!=value or key<op>number (op: <, <=, >, >=)",
                    location: clause)
            }
            switch op {
            case "=": clauses.append(.equals(key, value.split(separator: "|").map { Self.literal(String($0)) }))
            case "!=": clauses.append(.notEquals(key, value.split(separator: "|").map { Self.literal(String($0)) }))
            default:
                guard let number = Double(value), number.isFinite else {
                    throw GeoError(code: .invalidFilter, message: "filter clause \"\(clause)\" compares with \"\(value)\", which is not a number", location: clause)
                }
                clauses.append(.compare(key, Comparison(rawValue: op)!, number))
            }
        }
        guard !clauses.isEmpty else { throw GeoError(code: .invalidFilter, message: "the filter is empty") }
        self.clauses = clauses
    }

    private static func split(_ clause: String) -> (String, String, String)? {
        for op in ["!=", ">=", "<=", "=", ">", "<"] {
            if let range = clause.range(of: op) {
                let key = clause[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
                let value = clause[range.upperBound...].trimmingCharacters(in: .whitespaces)
                return (key, op, value)
            }
        }
        return nil
    }

    /// `true`/`false` become booleans, integers and reals numbers, anything else a string.
    private static func literal(_ text: String) -> JSONValue {
        if text == "true" { return .bool(true) }
        if text == "false" { return .bool(false) }
        if let i = Int64(text), !(text.hasPrefix("0") && text.count > 1) { return .int(i) }
        if let d = Double(text), d.isFinite, !(text.hasPrefix("0") && !text.hasPrefix("0.")) { return .double(d) }
        return .string(text)
    }

    /// Whether every clause holds for `properties`. A missing property fails every clause but `!=`.
    public func matches(_ properties: [String: JSONValue]) -> Bool {
        clauses.allSatisfy { clause in
            switch clause {
            case .equals(let key, let values):
                guard let value = properties[key] else { return false }
                return values.contains { Self.same(value, $0) }
            case .notEquals(let key, let values):
                guard let value = properties[key] else { return true }
                return !values.contains { Self.same(value, $0) }
            case .compare(let key, let comparison, let bound):
                guard let number = properties[key]?.doubleValue else { return false }
                switch comparison {
                case .less: return number < bound
                case .lessOrEqual: return number <= bound
                case .greater: return number > bound
                case .greaterOrEqual: return number >= bound
                }
            }
        }
    }

    /// Numbers compare by value (3 equals 3.0); a string property equals a number literal written the same way
    /// (codes stored as text).
    private static func same(_ value: JSONValue, _ literal: JSONValue) -> Bool {
        if value == literal { return true }
        if let a = value.doubleValue, let b = literal.doubleValue { return a == b }
        if case .string(let s) = value, let b = literal.doubleValue { return Double(s) == b }
        return false
    }
}
