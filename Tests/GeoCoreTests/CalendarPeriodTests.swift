import Testing

@testable import GeoCore

/// Calendar periods in China Standard Time: where each starts, how it is written, the period before and the same
/// period a year before (expected values from Python's datetime and isocalendar).
@Suite struct CalendarPeriodTests {
    static func at(_ text: String) throws -> Double { try TimeText.seconds(text) }

    @Test(arguments: [
        ("2026-11-23T09:00:00+08:00", CalendarPeriod.day, "2026-11-23", "2026-11-23"),
        ("2026-11-23T09:00:00+08:00", .week, "2026-11-23", "2026-W48"),
        ("2026-11-23T09:00:00+08:00", .month, "2026-11-01", "2026-11"),
        ("2026-11-23T09:00:00+08:00", .quarter, "2026-10-01", "2026-Q4"),
        ("2026-11-23T09:00:00+08:00", .year, "2026-01-01", "2026"),
        ("2026-01-01T00:30:00+08:00", .week, "2025-12-29", "2026-W01"),
        ("2025-12-31T23:59:59+08:00", .week, "2025-12-29", "2026-W01"),
        ("2025-12-31T23:59:59+08:00", .quarter, "2025-10-01", "2025-Q4"),
        ("2024-02-29T12:00:00+08:00", .week, "2024-02-26", "2024-W09"),
        ("2024-02-29T12:00:00+08:00", .month, "2024-02-01", "2024-02"),
        // 16:30 UTC on New Year's Eve is already the new year in China.
        ("2026-12-31T16:30:00Z", .day, "2027-01-01", "2027-01-01"),
        ("2026-12-31T16:30:00Z", .week, "2026-12-28", "2026-W53"),
        ("2026-12-31T16:30:00Z", .year, "2027-01-01", "2027"),
        ("2021-01-03T10:00:00+08:00", .week, "2020-12-28", "2020-W53"),
    ])
    func startsAndLabels(time: String, period: CalendarPeriod, start: String, label: String) throws {
        let first = period.start(containing: try Self.at(time))
        #expect(first == (try Self.at(start)))
        #expect(period.label(of: first) == label)
    }

    @Test(arguments: [
        (CalendarPeriod.day, "2026-03-01", "2026-03-02", "2026-02-28", "2025-03-01"),
        (.week, "2026-11-23", "2026-11-30", "2026-11-16", "2025-11-17"),
        (.month, "2026-01-01", "2026-02-01", "2025-12-01", "2025-01-01"),
        (.quarter, "2026-01-01", "2026-04-01", "2025-10-01", "2025-01-01"),
        (.year, "2026-01-01", "2027-01-01", "2025-01-01", "2025-01-01"),
        (.day, "2024-02-29", "2024-03-01", "2024-02-28", "2023-02-28"),
    ])
    func neighbours(period: CalendarPeriod, start: String, next: String, previous: String, lastYear: String) throws {
        let first = try Self.at(start)
        #expect(period.start(after: first) == (try Self.at(next)))
        #expect(period.shifted(first, by: -1) == (try Self.at(previous)))
        #expect(period.sameLastYear(first) == (try Self.at(lastYear)))
    }

    @Test func startsCoverTheRangeInOrder() throws {
        let (starts, end) = CalendarPeriod.quarter.starts(from: try Self.at("2026-02-10"), to: try Self.at("2026-07-01"))
        #expect(try starts == ["2026-01-01", "2026-04-01"].map(Self.at))
        #expect(end == (try Self.at("2026-07-01")))
        let (months, monthEnd) = CalendarPeriod.month.starts(from: try Self.at("2026-02-10"), to: try Self.at("2026-02-10T00:00:01"))
        #expect(try months == [Self.at("2026-02-01")])
        #expect(monthEnd == (try Self.at("2026-03-01")))
    }
}
