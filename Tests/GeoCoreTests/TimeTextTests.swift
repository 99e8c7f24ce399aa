import Testing

@testable import GeoCore

/// The one time reader of the API and the CLI: every accepted form, what it refuses, and what it writes.
@Suite struct TimeTextTests {
    @Test(arguments: [
        ("2026-11-23T09:00:00+08:00", 1_795_395_600.0),
        ("2026-11-23T01:00:00Z", 1_795_395_600.0),
        ("2026-11-23T01:00:00z", 1_795_395_600.0),
        ("2026-11-23 09:00:00", 1_795_395_600.0),  // no offset: China Standard Time
        ("2026-11-23T09:00", 1_795_395_600.0),  // seconds left out (was refused by /v1/events)
        ("2026-11-23T09:00:00.5+0800", 1_795_395_600.5),
        ("2026-11-23T09:00:00,25+08", 1_795_395_600.25),
        ("2026-11-23T02:00:00+01:00", 1_795_395_600.0),
        ("2026-11-22T20:00:00-05:00", 1_795_395_600.0),
        ("2026-11-23", 1_795_363_200.0),  // a date: midnight starting it, +08:00
        ("1795395600", 1_795_395_600.0),
        ("1795395600.5", 1_795_395_600.5),
        ("1795395600500", 1_795_395_600.5),  // milliseconds
        (" 1795395600 ", 1_795_395_600.0),
        ("2000-03-01T00:00:00Z", 951_868_800.0),
        ("2024-02-29T00:00:00Z", 1_709_164_800.0),
        ("1900-01-01T00:00:00Z", -2_208_988_800.0),
    ])
    func acceptedForms(text: String, seconds: Double) throws {
        #expect(try TimeText.seconds(text) == seconds)
    }

    @Test(arguments: [
        "2026-13-01T00:00:00Z", "2026-11-23T25:00:00Z", "2026-11-23T09:60", "2026-02-30", "2025-02-29", "yesterday", "",
        "2026-11-23T09:00:00+08:00x", "2026-11-23T09", "2026-11-23T09:00:00.", "2026/11/23", "1e300", "nan", "-inf",
        "1899-12-31T23:59:59Z", "2200-01-01T00:00:01Z",
    ])
    func refused(text: String) {
        let error = #expect(throws: GeoError.self) { try TimeText.seconds(text, field: "from") }
        #expect(error?.code == .invalidTime)
        #expect(error?.location == "from")
        #expect(error?.message.hasPrefix("from ") == true)
    }

    @Test func jsonValuesAndLocations() throws {
        #expect(try TimeText.seconds(JSONValue.int(1_795_395_600)) == 1_795_395_600)
        #expect(try TimeText.seconds(JSONValue.int(1_795_395_600_500)) == 1_795_395_600.5)
        #expect(try TimeText.seconds(JSONValue.double(1_795_395_600.25)) == 1_795_395_600.25)
        #expect(try TimeText.seconds(JSONValue.string("2026-11-23 09:00")) == 1_795_395_600)
        let error = #expect(throws: GeoError.self) { try TimeText.seconds(JSONValue.bool(true), field: "time", location: "positions[2].time") }
        #expect(error?.location == "positions[2].time")
    }

    @Test(arguments: [
        (1_795_395_600.0, 8 * 3600, 0, "2026-11-23T09:00:00+08:00"),
        (1_795_395_600.0, 0, 0, "2026-11-23T01:00:00Z"),
        (1_795_395_600.0, -5 * 3600, 0, "2026-11-22T20:00:00-05:00"),
        (1_795_395_600.25, 0, 3, "2026-11-23T01:00:00.250Z"),
        (1_795_395_600.999, 8 * 3600, 0, "2026-11-23T09:00:00+08:00"),  // truncated, never rounded into the next second
        (-1.5, 0, 1, "1969-12-31T23:59:58.5Z"),
        (951_868_800.0, 0, 0, "2000-03-01T00:00:00Z"),
    ])
    func written(seconds: Double, offset: Int, digits: Int, text: String) throws {
        #expect(TimeText.format(seconds, utcOffset: offset, fractionalDigits: digits) == text)
        #expect(abs(try TimeText.seconds(text) - seconds) < 1)
    }

    @Test func daysAtChinaStandardTime() {
        #expect(TimeText.day(of: 1_795_395_600) == "2026-11-23")
        #expect(TimeText.day(of: 1_795_363_200) == "2026-11-23")  // 00:00 +08:00
        #expect(TimeText.day(of: 1_795_363_199) == "2026-11-22")
        #expect(TimeText.day(of: 1_795_363_199, utcOffset: 0) == "2026-11-22")
        #expect(TimeText.startOfDay("2026-11-23") == 1_795_363_200)
        #expect(TimeText.startOfDay("2026-11-23", utcOffset: 0) == 1_795_392_000)
        #expect(TimeText.startOfDay("2026-11-23T00:00") == nil)
        #expect(TimeText.startOfDay("23/11/2026") == nil)
    }
}
