/// The calendar periods statistics are counted in (日/周/月/季/年), in China Standard Time unless told otherwise.
///
/// A period is named by the epoch second at which it starts (local midnight of its first day): weeks start on
/// Monday (ISO 8601), quarters in January, April, July and October. The arithmetic is ``TimeText``'s calendar, so
/// the days a period holds are the days ``TimeText/day(of:utcOffset:)`` writes.
public enum CalendarPeriod: String, CaseIterable, Sendable {
    case day, week, month, quarter, year

    /// The start of the period holding `seconds`.
    public func start(containing seconds: Double, utcOffset: Int = TimeText.defaultUTCOffset) -> Double {
        let day = Self.localDay(of: seconds, utcOffset: utcOffset)
        let first: Int
        switch self {
        case .day: first = day
        case .week: first = day - Self.weekdayFromMonday(day)
        case .month, .quarter, .year:
            let (year, month, _) = TimeText.civil(daysSince1970: day)
            let firstMonth: Int =
                switch self {
                case .month: month
                case .quarter: (month - 1) / 3 * 3 + 1
                default: 1
                }
            first = TimeText.daysFromCivil(year: year, month: firstMonth, day: 1)
        }
        return Self.seconds(ofLocalDay: first, utcOffset: utcOffset)
    }

    /// The start of the period after the one starting at `start`.
    public func start(after start: Double, utcOffset: Int = TimeText.defaultUTCOffset) -> Double {
        shifted(start, by: 1, utcOffset: utcOffset)
    }

    /// The start of the period `count` periods after (or, negative, before) the one starting at `start`.
    public func shifted(_ start: Double, by count: Int, utcOffset: Int = TimeText.defaultUTCOffset) -> Double {
        let day = Self.localDay(of: start, utcOffset: utcOffset)
        switch self {
        case .day: return Self.seconds(ofLocalDay: day + count, utcOffset: utcOffset)
        case .week: return Self.seconds(ofLocalDay: day + 7 * count, utcOffset: utcOffset)
        case .month, .quarter, .year:
            let months = self == .month ? count : self == .quarter ? 3 * count : 12 * count
            return Self.addingMonths(months, toLocalDay: day, utcOffset: utcOffset)
        }
    }

    /// The start of the period holding the same day one year before `start` (同比): the same month, quarter or
    /// year number; for a day the same date (28 February for 29 February); for a week the week holding that date.
    public func sameLastYear(_ start: Double, utcOffset: Int = TimeText.defaultUTCOffset) -> Double {
        let day = Self.localDay(of: start, utcOffset: utcOffset)
        let yearBefore = Self.addingMonths(-12, toLocalDay: day, utcOffset: utcOffset)
        return self.start(containing: yearBefore, utcOffset: utcOffset)
    }

    /// How the period starting at `start` is written: `2026-11-23`, `2026-W48` (ISO week-numbering year and
    /// week), `2026-11`, `2026-Q4`, `2026`.
    public func label(of start: Double, utcOffset: Int = TimeText.defaultUTCOffset) -> String {
        let day = Self.localDay(of: start, utcOffset: utcOffset)
        let (year, month, _) = TimeText.civil(daysSince1970: day)
        switch self {
        case .day: return TimeText.date(daysSince1970: day)
        case .week:
            // The ISO week belongs to the year of its Thursday.
            let thursday = day - Self.weekdayFromMonday(day) + 3
            let weekYear = TimeText.civil(daysSince1970: thursday).year
            let week = (thursday - TimeText.daysFromCivil(year: weekYear, month: 1, day: 1)) / 7 + 1
            return TimeText.fourDigits(weekYear) + "-W" + TimeText.twoDigits(week)
        case .month: return TimeText.fourDigits(year) + "-" + TimeText.twoDigits(month)
        case .quarter: return TimeText.fourDigits(year) + "-Q" + String((month - 1) / 3 + 1)
        case .year: return TimeText.fourDigits(year)
        }
    }

    /// The starts of every period that overlaps [from, to), in order, and the end of the last one.
    public func starts(from: Double, to: Double, utcOffset: Int = TimeText.defaultUTCOffset) -> (starts: [Double], end: Double) {
        var starts: [Double] = []
        var next = start(containing: from, utcOffset: utcOffset)
        while next < to {
            starts.append(next)
            next = start(after: next, utcOffset: utcOffset)
        }
        return (starts, next)
    }

    // MARK: days

    static func localDay(of seconds: Double, utcOffset: Int) -> Int {
        TimeText.floorDivide(Int(seconds.rounded(.down)) + utcOffset, 86_400)
    }

    static func seconds(ofLocalDay day: Int, utcOffset: Int) -> Double { Double(day * 86_400 - utcOffset) }

    /// 0 for Monday … 6 for Sunday (1970-01-01 was a Thursday).
    static func weekdayFromMonday(_ day: Int) -> Int { ((day + 3) % 7 + 7) % 7 }

    /// The local midnight `months` calendar months after `day`, the day of the month kept where the month has it
    /// and else its last day.
    static func addingMonths(_ months: Int, toLocalDay day: Int, utcOffset: Int) -> Double {
        let (year, month, dayOfMonth) = TimeText.civil(daysSince1970: day)
        let total = year * 12 + (month - 1) + months
        let newYear = TimeText.floorDivide(total, 12), newMonth = total - newYear * 12 + 1
        let newDay = min(dayOfMonth, TimeText.daysIn(month: newMonth, year: newYear))
        return seconds(ofLocalDay: TimeText.daysFromCivil(year: newYear, month: newMonth, day: newDay), utcOffset: utcOffset)
    }
}
