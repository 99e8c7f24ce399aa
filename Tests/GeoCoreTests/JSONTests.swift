import Testing

@testable import GeoCore

@Suite("JSON reader and writer")
struct JSONTests {
    @Test("reads values of every kind", arguments: [
        ("null", JSONValue.null),
        ("true", .bool(true)),
        (" false ", .bool(false)),
        ("0", .int(0)),
        ("-12", .int(-12)),
        ("9223372036854775807", .int(Int64.max)),
        ("-9223372036854775808", .int(Int64.min)),
        ("9223372036854775808", .double(9223372036854775808.0)),
        ("123456789012345678901234", .double(1.2345678901234568e23)),
        ("1.5", .double(1.5)),
        ("-0.25e2", .double(-25)),
        ("1E-7", .double(1e-7)),
        ("0.1", .double(0.1)),
        ("3.141592653589793238462643", .double(3.141592653589793)),
        ("2.2250738585072014e-308", .double(2.2250738585072014e-308)),
        (#""a\"b\\c\/d\b\f\n\r\t""#, .string("a\"b\\c/d\u{8}\u{C}\n\r\t")),
        (#""\u00e9\u4E2D\ud83d\ude00""#, .string("é中😀")),
        ("\"大丰区\"", .string("大丰区")),
        ("[]", .array([])),
        ("[1, [2, {}], \"x\"]", .array([.int(1), .array([.int(2), .object([:])]), .string("x")])),
        ("{\"a\": 1, \"b\": [true, null], \"a\": 2}", .object(["a": .int(2), "b": .array([.bool(true), .null])])),
        ("\u{FEFF}{}", .object([:])),
    ])
    func reads(text: String, expected: JSONValue) throws {
        #expect(try JSON.decode(text) == expected)
    }

    @Test("rejects malformed JSON at the right line and column", arguments: [
        ("[1,2,]", "trailing comma before ']'", "line 1, column 5"),
        ("{\"a\":1,}", "trailing comma before '}'", "line 1, column 7"),
        ("{\n  \"a\": tru\n}", "invalid literal, expected 'true'", "line 2, column 8"),
        ("[1 2]", "unexpected character '2', expected ',' or ']'", "line 1, column 4"),
        ("{\"a\" 1}", "unexpected character '1', expected ':'", "line 1, column 6"),
        ("{a:1}", "unexpected character 'a', expected a string key", "line 1, column 2"),
        ("[01]", "invalid number: leading zeros are not allowed", "line 1, column 2"),
        ("[1.]", "invalid number: a digit must follow the decimal point", "line 1, column 2"),
        ("[-]", "invalid number: '-' must be followed by a digit", "line 1, column 2"),
        ("[1e]", "invalid number: the exponent needs digits", "line 1, column 2"),
        ("1e400", "number 1e400 is out of the range of a double", "line 1, column 1"),
        ("\"abc", "unterminated string", "line 1, column 1"),
        ("\"a\u{1}\"", "control character 0x1 must be escaped in a string", "line 1, column 3"),
        (#""\x""#, "invalid escape '\\x'", "line 1, column 2"),
        (#""\u12G4""#, "\\u escape needs 4 hex digits", "line 1, column 2"),
        (#""\ud83d""#, "high surrogate \\uD83D is not followed by a low surrogate", "line 1, column 2"),
        (#""\ud83d\u0041""#, "high surrogate \\uD83D is followed by \\u0041, not a low surrogate", "line 1, column 8"),
        (#""\ude00""#, "lone low surrogate \\uDE00", "line 1, column 2"),
        ("", "unexpected end of input, expected a value", "line 1, column 1"),
        ("[1", "unexpected end of input, expected ',' or ']'", "line 1, column 3"),
        ("{} x", "unexpected character 'x' after the JSON value", "line 1, column 4"),
        ("NaN", "unexpected character 'N', expected a value", "line 1, column 1"),
        ("\"中\"\n\n  [", "unexpected character '[' after the JSON value", "line 3, column 3"),
        ("[\"中文\", x]", "unexpected character 'x', expected a value", "line 1, column 8"),
    ])
    func rejects(text: String, message: String, location: String) {
        let error = expectGeoError { _ = try JSON.decode(text) }
        #expect(error?.code == .invalidJSON)
        #expect(error?.message == message)
        #expect(error?.location == location)
    }

    @Test("rejects invalid UTF-8 naming the byte offset", arguments: [
        ([0x22, 0x61, 0xFF, 0x22], "invalid UTF-8 byte 0xFF at byte offset 2", "line 1, column 3"),
        ([0x22, 0xC0, 0xAF, 0x22], "invalid UTF-8 byte 0xC0 at byte offset 1", "line 1, column 2"),  // overlong '/'
        ([0x22, 0xED, 0xA0, 0x80, 0x22], "invalid UTF-8 byte 0xA0 at byte offset 2", "line 1, column 3"),  // surrogate
        ([0x22, 0xE4, 0xB8], "truncated UTF-8 sequence at byte offset 1", "line 1, column 2"),
        ([0x0A, 0x22, 0xE4, 0x41, 0x22], "invalid UTF-8 byte 0x41 at byte offset 3", "line 2, column 3"),
    ] as [([UInt8], String, String)])
    func rejectsInvalidUTF8(bytes: [UInt8], message: String, location: String) {
        let error = expectGeoError { _ = try JSON.decode(bytes) }
        #expect(error?.code == .invalidJSON)
        #expect(error?.message == message)
        #expect(error?.location == location)
    }

    @Test("limits nesting depth")
    func depthLimit() throws {
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        var value = try JSON.decode(ok)
        var depth = 0
        while case .array(let inner) = value {
            depth += 1
            value = inner.first ?? .null
        }
        #expect(depth == 512)

        let deep = String(repeating: "[", count: 100_000)
        let error = expectGeoError { _ = try JSON.decode(deep) }
        #expect(error?.message == "nesting deeper than 512 levels")
        #expect(error?.location == "line 1, column 513")
    }

    @Test("writes compact JSON with sorted keys and escapes", arguments: [
        (JSONValue.null, "null"),
        (.bool(false), "false"),
        (.int(-42), "-42"),
        (.int(Int64.min), "-9223372036854775808"),
        (.double(1), "1.0"),
        (.double(-0.0), "-0.0"),
        (.double(0.1), "0.1"),
        (.double(1e-7), "0.0000001"),
        (.double(1.5e-8), "1.5e-8"),
        (.double(1e16), "10000000000000000.0"),
        (.double(123456789012.25), "123456789012.25"),
        (.double(1e21), "1e+21"),
        (.double(1.7976931348623157e308), "1.7976931348623157e+308"),
        (.string("a\"b\\c\n\t\u{1}é中"), #""a\"b\\c\n\t\u0001é中""#),
        (.string("\"\r\u{8}\u{C}中\u{1F}"), #""\"\r\b\f中\u001f""#),
        (.array([.int(1), .string("x"), .null]), #"[1,"x",null]"#),
        (.object(["b": .int(1), "a": .object(["d": .bool(true), "c": .array([])])]), #"{"a":{"c":[],"d":true},"b":1}"#),
    ])
    func writes(value: JSONValue, expected: String) throws {
        #expect(try JSON.encode(value) == expected)
        #expect(try JSON.decode(expected) == value)
    }

    @Test("the streaming writer separates members and nests as the tree writer does")
    func streamingWriter() throws {
        var json = JSONStreamWriter()
        json.beginObject()
        json.key("a")
        json.beginArray()
        try json.double(1.5)
        json.null()
        json.string("x\n")
        json.beginObject()
        json.endObject()
        json.endArray()
        json.key("b")
        try json.value(.object(["d": .bool(true), "c": .int(-2)]))
        json.endObject()
        #expect(String(decoding: json.bytes, as: UTF8.self) == #"{"a":[1.5,null,"x\n",{}],"b":{"c":-2,"d":true}}"#)
        #expect(throws: GeoError.self) { try json.double(.nan) }
    }

    @Test("refuses to write non-finite numbers", arguments: [Double.nan, .infinity, -.infinity])
    func nonFinite(value: Double) {
        let error = expectGeoError { _ = try JSON.encode(.object(["list": .array([.int(1), .double(value)])])) }
        #expect(error?.code == .invalidJSON)
        #expect(error?.location == "$.list[1]")
        let nested = expectGeoError { _ = try JSON.encode(.object(["a": .int(1), "b": .object(["c": .array([.double(value)])])])) }
        #expect(nested?.location == "$.b.c[0]")
    }

    @Test("doubles survive a write and read bit for bit")
    func doubleRoundTrip() throws {
        var generator = SplitMix64(seed: 320904)
        for _ in 0..<2000 {
            let d = Double(bitPattern: generator.next())
            guard d.isFinite else { continue }
            let text = try JSON.encode(.double(d))
            guard case .double(let back) = try JSON.decode(text) else {
                Issue.record("\(text) did not read back as a double")
                continue
            }
            #expect(back.bitPattern == d.bitPattern, "\(text)")
        }
    }
}

/// A tiny deterministic generator so the round-trip test is reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
