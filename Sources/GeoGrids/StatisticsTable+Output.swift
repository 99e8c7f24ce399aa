import GeoCore

extension StatisticsTable {
    /// A comparison of a count with an earlier one: the earlier count, the change and the rate of change (nil
    /// when the earlier count is 0).
    public struct Change: Hashable, Sendable {
        public let previous: Int
        public let change: Int
        public let rate: Double?

        init(_ count: Int, _ previous: Int) {
            self.previous = previous
            change = count - previous
            // Four decimals: a rate is read as a percentage with two.
            rate = previous == 0 ? nil : (Double(count - previous) / Double(previous) * 10_000).rounded() / 10_000
        }
    }

    /// One row of the answer: a group in a period.
    public struct Row: Hashable, Sendable {
        public let group: Group
        public let period: Period
        public let count: Int
        public let sum: Double?
        /// 环比 and 同比; nil for a table over one span.
        public let monthOnMonth: Change?
        public let yearOnYear: Change?
    }

    /// Every row, group by group, periods in order.
    public var rows: [Row] {
        groups.indices.flatMap { g in
            periods.indices.map { p in
                let cell = cells[g][p]
                return Row(
                    group: groups[g], period: periods[p], count: cell.count, sum: sumField == nil ? nil : cell.sum,
                    monthOnMonth: period == nil ? nil : Change(cell.count, cell.previousCount),
                    yearOnYear: period == nil ? nil : Change(cell.count, cell.lastYearCount))
            }
        }
    }

    /// The table as JSON: periods, totals and rows (`code`, `name`, `level`, `family`, `period`, `count`, `sum`,
    /// `mom` and `yoy` as {previous, change, rate}).
    public func json() -> JSONValue {
        func change(_ value: Change?) -> JSONValue {
            value.map { .object(["previous": .int(Int64($0.previous)), "change": .int(Int64($0.change)), "rate": $0.rate.map(JSONValue.double) ?? .null]) }
                ?? .null
        }
        return .object([
            "period": period.map { .string($0.rawValue) } ?? .null,
            "periods": .array(periods.map { .object(["label": .string($0.label), "start": .string(TimeText.format($0.start)), "end": .string(TimeText.format($0.end))]) }),
            "total": .int(Int64(total)), "unassigned": .int(Int64(unassigned)), "sum_field": sumField.map(JSONValue.string) ?? .null,
            "rows": .array(
                rows.map { row in
                    var object: [String: JSONValue] = [
                        "code": .string(row.group.code), "name": .string(row.group.name), "level": .string(row.group.level),
                        "family": row.group.family.map(JSONValue.string) ?? .null, "period": .string(row.period.label),
                        "count": .int(Int64(row.count)), "mom": change(row.monthOnMonth), "yoy": change(row.yearOnYear),
                    ]
                    if let sum = row.sum { object["sum"] = .double(sum) }
                    return .object(object)
                }),
        ])
    }

    /// The rows as CSV (RFC 4180): code, name, level, family, period, count, [sum,] then 环比 and 同比 as previous
    /// count, change and rate.
    public func csv() -> [UInt8] {
        var header = ["code", "name", "level", "family", "period", "count"]
        if sumField != nil { header.append("sum") }
        header += ["mom_previous", "mom_change", "mom_rate", "yoy_previous", "yoy_change", "yoy_rate"]
        func fields(_ change: Change?) -> [String] {
            guard let change else { return ["", "", ""] }
            return [String(change.previous), String(change.change), change.rate.map { String($0) } ?? ""]
        }
        let lines = rows.map { row -> [String] in
            var line = [row.group.code, row.group.name, row.group.level, row.group.family ?? "", row.period.label, String(row.count)]
            if let sum = row.sum { line.append(String(sum)) }
            return line + fields(row.monthOnMonth) + fields(row.yearOnYear)
        }
        return CSVWriter.encode([header] + lines)
    }
}
