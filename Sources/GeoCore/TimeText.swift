/// The one reader and writer of times for the whole API, the CLI and the stores.
///
/// Accepted forms (docs/api.md, "Times"):
/// - ISO 8601 date and time: `2026-11-23T09:00:00+08:00`, `…Z`, `…+0800`, `…+08`, fractional seconds
///   (`09:00:00.250`), seconds left out (`2026-11-23T09:00`), a space instead of `T` (`2026-11-23 09:00:00`);
/// - a date alone, `2026-11-23`: midnight starting that day;
/// - seconds since 1970 as a number (`1795392000`, `1795392000.5`); a number above 10¹¹ is read as milliseconds,
///   since devices send both and 10¹¹ seconds lies in the year 5138.
///
/// A time without an offset is read in China Standard Time (+08:00, ``defaultUTCOffset``): that is what Chinese
/// platforms and their users write. Every time must lie in the years 1900-2200 (``plausibleSeconds``), so that days
/// and milliseconds of it stay within integer range.
///
/// Hand-written rather than `ISO8601DateFormatter`, which costs about 110 µs to build and accepts fewer forms; this
/// parser takes well under a microsecond, which matters on every posted fix and every aggregated feature.
public enum TimeText {
    /// Offset applied to times that carry none, and in which times are written: +08:00 (28,800 s).
    public static let defaultUTCOffset = 8 * 3600

    /// Times CityGeo accepts: 1900-01-01 to 2200-01-01, in seconds since 1970.
    public static let plausibleSeconds: ClosedRange<Double> = -2_208_988_800 ... 7_258_118_400

    /// The accepted forms, for error messages.
    public static let acceptedForms = "ISO 8601 (2026-11-23T09:00:00+08:00, 2026-11-23 09:00, a date 2026-11-23) or seconds since 1970"

    /// Seconds since 1970 of `text` in one of the accepted forms; otherwise `invalid_time` whose message names
    /// `field` and whose location is `location` (a CSV line and column, a JSON path), `field` by default.
    public static func seconds(_ text: some StringProtocol, field: String = "time", location: String? = nil) throws(GeoError) -> Double {
        let trimmed = Substring(text).trimmingASCIISpaces()
        if let number = Double(trimmed), number.isFinite {
            return try plausible(epochSeconds(number), field: field, location: location)
        }
        guard let seconds = iso8601(trimmed.utf8) else {
            throw GeoError(
                code: .invalidTime, message: "\(field) \"\(text)\" is not a time: use \(acceptedForms)", location: location ?? field)
        }
        return try plausible(seconds, field: field, location: location)
    }

    /// Seconds since 1970 of a JSON value: a string in an accepted form, or a number of seconds (or milliseconds).
    public static func seconds(_ value: JSONValue, field: String = "time", location: String? = nil) throws(GeoError) -> Double {
        switch value {
        case .string(let text): return try seconds(text, field: field, location: location)
        case .int(let number): return try plausible(epochSeconds(Double(number)), field: field, location: location)
        case .double(let number) where number.isFinite: return try plausible(epochSeconds(number), field: field, location: location)
        default:
            throw GeoError(
                code: .invalidTime, message: "\(field) must be a string or a number: use \(acceptedForms)", location: location ?? field)
        }
    }

    /// `seconds` when within ``plausibleSeconds``, else `invalid_time` naming `field`.
    public static func plausible(_ seconds: Double, field: String = "time", location: String? = nil) throws(GeoError) -> Double {
        guard plausibleSeconds.contains(seconds) else {
            throw GeoError(
                code: .invalidTime, message: "\(field) \(seconds) s since 1970 is outside the years 1900-2200", location: location ?? field)
        }
        return seconds
    }

    /// Seconds from a number of seconds or, above 10¹¹ (the year 5138 in seconds), of milliseconds.
    static func epochSeconds(_ number: Double) -> Double { number > 1e11 ? number / 1000 : number }

    /// `seconds` as ISO 8601 at a UTC offset, e.g. `2026-11-23T09:00:00+08:00` (`Z` at offset 0); whole seconds
    /// unless `fractionalDigits` asks for more.
    public static func format(_ seconds: Double, utcOffset: Int = defaultUTCOffset, fractionalDigits: Int = 0) -> String {
        let scale = Double(pow10(fractionalDigits))
        let ticks = (seconds * scale).rounded(.down)
        let whole = Int((ticks / scale).rounded(.down))
        let local = whole + utcOffset
        let day = floorDivide(local, 86_400)
        let secondOfDay = local - day * 86_400
        var text = date(daysSince1970: day)
        text += "T" + twoDigits(secondOfDay / 3600) + ":" + twoDigits(secondOfDay % 3600 / 60) + ":" + twoDigits(secondOfDay % 60)
        if fractionalDigits > 0 {
            let fraction = Int(ticks - Double(whole) * scale)
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: max(0, fractionalDigits - digits.count)) + digits
        }
        if utcOffset == 0 { return text + "Z" }
        let sign = utcOffset < 0 ? "-" : "+"
        let minutes = abs(utcOffset) / 60
        return text + sign + twoDigits(minutes / 60) + ":" + twoDigits(minutes % 60)
    }

    /// The local date `YYYY-MM-DD` of `seconds` at a UTC offset.
    public static func day(of seconds: Double, utcOffset: Int = defaultUTCOffset) -> String {
        date(daysSince1970: floorDivide(Int((seconds).rounded(.down)) + utcOffset, 86_400))
    }

    /// The epoch seconds of local midnight starting `day` (`YYYY-MM-DD`) at a UTC offset; nil for anything else.
    public static func startOfDay(_ day: some StringProtocol, utcOffset: Int = defaultUTCOffset) -> Double? {
        let bytes = Array(day.utf8)
        guard bytes.count == 10, let seconds = iso8601(bytes[...], defaultOffset: utcOffset) else { return nil }
        return seconds
    }

    // MARK: parsing

    /// `YYYY-MM-DD[(T| )hh:mm[:ss[(.|,)fff]]][Z|±hh[[:]mm]]`; nil for anything else.
    static func iso8601<Bytes: Collection<UInt8>>(_ text: Bytes, defaultOffset: Int = defaultUTCOffset) -> Double? {
        var cursor = ByteCursor(Array(text))
        guard let year = cursor.digits(4), cursor.take(UInt8(ascii: "-")), let month = cursor.digits(2),
            cursor.take(UInt8(ascii: "-")), let day = cursor.digits(2),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var seconds = 0.0
        if !cursor.atEnd, cursor.take(UInt8(ascii: "T")) || cursor.take(UInt8(ascii: " ")) {
            guard let hour = cursor.digits(2), cursor.take(UInt8(ascii: ":")), let minute = cursor.digits(2), hour < 24,
                minute < 60
            else { return nil }
            seconds = Double(hour * 3600 + minute * 60)
            if cursor.take(UInt8(ascii: ":")) {
                // 60 admits a leap second as written by devices that report one.
                guard let second = cursor.digits(2), second <= 60 else { return nil }
                seconds += Double(second)
                if cursor.take(UInt8(ascii: ".")) || cursor.take(UInt8(ascii: ",")) {
                    guard let fraction = cursor.fraction() else { return nil }
                    seconds += fraction
                }
            }
        }
        var offset = defaultOffset
        if !cursor.atEnd {
            if cursor.take(UInt8(ascii: "Z")) || cursor.take(UInt8(ascii: "z")) {
                offset = 0
            } else if let sign = cursor.sign() {
                guard let hours = cursor.digits(2), hours < 24 else { return nil }
                _ = cursor.take(UInt8(ascii: ":"))
                let minutes = cursor.atEnd ? 0 : cursor.digits(2)
                guard let minutes, minutes < 60 else { return nil }
                offset = sign * (hours * 3600 + minutes * 60)
            } else {
                return nil
            }
        }
        guard cursor.atEnd else { return nil }
        return Double(daysFromCivil(year: year, month: month, day: day)) * 86_400 + seconds - Double(offset)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// `YYYY-MM-DD` of a day number since 1970-01-01 (the inverse of ``daysFromCivil(year:month:day:)``).
    static func date(daysSince1970 days: Int) -> String {
        let (y, m, d) = civil(daysSince1970: days)
        return fourDigits(y) + "-" + twoDigits(m) + "-" + twoDigits(d)
    }

    /// Year, month and day of a day number since 1970-01-01 (Howard Hinnant's algorithm).
    static func civil(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func floorDivide(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
    private static func pow10(_ n: Int) -> Int { (0..<max(0, min(n, 9))).reduce(1) { r, _ in r * 10 } }
    static func twoDigits(_ n: Int) -> String { n < 10 ? "0" + String(n) : String(n) }
    static func fourDigits(_ n: Int) -> String { String(repeating: "0", count: max(0, 4 - String(n).count)) + String(n) }
}

/// A forward reader over ASCII bytes for ``TimeText``.
private struct ByteCursor {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { position == bytes.count }

    mutating func take(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    mutating func digits(_ count: Int) -> Int? {
        guard position + count <= bytes.count else { return nil }
        var value = 0
        for k in position..<(position + count) {
            guard (48...57).contains(bytes[k]) else { return nil }
            value = value * 10 + Int(bytes[k] - 48)
        }
        position += count
        return value
    }

    /// The digits after a decimal mark as a fraction of one; nil when there are none.
    mutating func fraction() -> Double? {
        var value = 0.0, scale = 0.1
        let start = position
        while position < bytes.count, (48...57).contains(bytes[position]) {
            value += Double(bytes[position] - 48) * scale
            scale /= 10
            position += 1
        }
        return position > start ? value : nil
    }

    mutating func sign() -> Int? {
        if take(UInt8(ascii: "+")) { return 1 }
        if take(UInt8(ascii: "-")) { return -1 }
        return nil
    }
}

extension Substring {
    /// Without leading and trailing ASCII spaces and tabs.
    fileprivate func trimmingASCIISpaces() -> Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
