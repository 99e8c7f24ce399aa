import Foundation

/// A strict RFC 8259 JSON reader and a compact writer over UTF-8 bytes, producing and consuming ``JSONValue``.
///
/// Reading:
/// - Integers that fit `Int64` become `.int`; every other number (fraction, exponent or too large) becomes `.double`.
/// - Strings must be valid UTF-8; escapes include `\uXXXX` with surrogate pairs, and a lone surrogate is an error.
/// - No trailing commas, comments, single quotes, `NaN` or leading zeros. A leading byte-order mark is skipped
///   (RFC 8259 §8.1 allows a parser to ignore one). Duplicate object keys: the last one wins.
/// - Nesting deeper than ``maximumDepth`` is rejected so that hostile input cannot exhaust the stack.
/// - Errors are ``GeoError`` with code `invalid_json` and `location` `"line L, column C"` (1-based; columns count
///   Unicode scalars). Invalid UTF-8 messages also name the byte offset.
///
/// Writing: compact (no whitespace), object keys sorted so output is reproducible byte for byte, non-ASCII text
/// written as UTF-8 and only `"`, `\` and control characters escaped. Doubles are written shortest round-trip,
/// integral ones with `.0` so they read back as doubles. NaN and infinities have no JSON form: the writer throws
/// (code `invalid_json`) rather than silently writing `null`, because losing a number is data loss.
public enum JSON {
    /// The deepest nesting of arrays and objects the reader accepts.
    public static let maximumDepth = 512

    /// Parses one JSON text.
    public static func decode(_ bytes: [UInt8]) throws(GeoError) -> JSONValue {
        do {
            return try bytes.withUnsafeBufferPointer { buffer throws(GeoError) in
                var reader = JSONReader(buffer)
                return try reader.readDocument()
            }
        } catch {
            throw error
        }
    }

    /// Parses one JSON text.
    public static func decode(_ data: Data) throws(GeoError) -> JSONValue {
        try decode([UInt8](data))
    }

    /// Parses one JSON text.
    public static func decode(_ text: String) throws(GeoError) -> JSONValue {
        try decode(Array(text.utf8))
    }

    /// The compact UTF-8 encoding of `value`, keys sorted.
    public static func encodeBytes(_ value: JSONValue) throws(GeoError) -> [UInt8] {
        var out: [UInt8] = []
        try JSONWriter.append(value, to: &out, path: "$")
        return out
    }

    /// The compact encoding of `value`, keys sorted.
    public static func encode(_ value: JSONValue) throws(GeoError) -> String {
        String(decoding: try encodeBytes(value), as: UTF8.self)
    }
}

// MARK: - Reader

/// A recursive-descent reader over a byte buffer. Line and column are computed only when an error is raised,
/// so the hot path tracks nothing but an index.
struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    var depth = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func readDocument() throws(GeoError) -> JSONValue {
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { index = 3 }
        skipWhitespace()
        let value = try readValue()
        skipWhitespace()
        if index < bytes.count { throw error("unexpected \(describeByte(at: index)) after the JSON value", at: index) }
        return value
    }

    // MARK: errors

    func error(_ message: String, at offset: Int) -> GeoError {
        var line = 1
        var column = 1
        var i = 0
        let end = min(offset, bytes.count)
        while i < end {
            let b = bytes[i]
            if b == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {  // continuation bytes do not start a new character
                column += 1
            }
            i += 1
        }
        return GeoError(code: .invalidJSON, message: message, location: "line \(line), column \(column)")
    }

    func describeByte(at offset: Int) -> String {
        guard offset < bytes.count else { return "end of input" }
        let b = bytes[offset]
        if b >= 0x20 && b < 0x7F { return "character '\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x\(String(b, radix: 16, uppercase: true))"
    }

    // MARK: structure

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func readValue() throws(GeoError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of input, expected a value", at: index) }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try readObject()
        case UInt8(ascii: "["): return try readArray()
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try readNumber()
        default: throw error("unexpected \(describeByte(at: index)), expected a value", at: index)
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(GeoError) {
        let start = index
        let utf8 = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for expected in utf8 {
            guard index < bytes.count, bytes[index] == expected else {
                throw error("invalid literal, expected '\(literal)'", at: start)
            }
            index += 1
        }
    }

    mutating func enter() throws(GeoError) {
        depth += 1
        if depth > JSON.maximumDepth {
            throw error("nesting deeper than \(JSON.maximumDepth) levels", at: index)
        }
    }

    /// Past the opening bracket of an array or object, one level deeper; true (and back up a level, past the
    /// `closing` bracket) when the container is empty.
    mutating func enter(closing: Unicode.Scalar) throws(GeoError) -> Bool {
        try enter()
        index += 1
        skipWhitespace()
        guard index < bytes.count && bytes[index] == UInt8(ascii: closing) else { return false }
        index += 1
        depth -= 1
        return true
    }

    /// After an element of an array or a member of an object: true past a `,` (another must follow), false past
    /// the `closing` bracket; anything else, and a trailing comma, is an error naming the byte.
    mutating func readSeparator(closing: Unicode.Scalar) throws(GeoError) -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end of input, expected ',' or '\(closing)'", at: index) }
        let b = bytes[index]
        index += 1
        if b == UInt8(ascii: ",") {
            skipWhitespace()
            if index < bytes.count && bytes[index] == UInt8(ascii: closing) {
                throw error("trailing comma before '\(closing)'", at: index - 1)
            }
            return true
        }
        if b == UInt8(ascii: closing) { return false }
        throw error("unexpected \(describeByte(at: index - 1)), expected ',' or '\(closing)'", at: index - 1)
    }

    mutating func readArray() throws(GeoError) -> JSONValue {
        var elements: [JSONValue] = []
        if try enter(closing: "]") { return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try readValue())
            if try !readSeparator(closing: "]") { break }
        }
        depth -= 1
        return .array(elements)
    }

    mutating func readObject() throws(GeoError) -> JSONValue {
        var members: [String: JSONValue] = [:]
        if try enter(closing: "}") { return .object(members) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error("unexpected \(describeByte(at: index)), expected a string key", at: index)
            }
            let key = try readString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error("unexpected \(describeByte(at: index)), expected ':'", at: index)
            }
            index += 1
            skipWhitespace()
            members[key] = try readValue()
            if try !readSeparator(closing: "}") { break }
        }
        depth -= 1
        return .object(members)
    }

    // MARK: strings

    mutating func readString() throws(GeoError) -> String {
        let quote = index
        index += 1
        let start = index
        // Fast path: plain ASCII without escapes becomes a String straight from the buffer.
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return s
            }
            if b == UInt8(ascii: "\\") || b >= 0x80 || b < 0x20 { break }
            index += 1
        }
        var scratch = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while true {
            guard index < bytes.count else { throw error("unterminated string", at: quote) }
            let b = bytes[index]
            switch b {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: scratch, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try readEscape(into: &scratch)
            case 0..<0x20:
                throw error("control character 0x\(String(b, radix: 16, uppercase: true)) must be escaped in a string", at: index)
            case 0x80...:
                let length = try validatedUTF8SequenceLength(at: index)
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<(index + length)]))
                index += length
            default:
                scratch.append(b)
                index += 1
            }
        }
    }

    mutating func readEscape(into scratch: inout [UInt8]) throws(GeoError) {
        let escapeStart = index
        index += 1
        guard index < bytes.count else { throw error("unterminated string", at: escapeStart) }
        let c = bytes[index]
        index += 1
        switch c {
        case UInt8(ascii: "\""): scratch.append(0x22)
        case UInt8(ascii: "\\"): scratch.append(0x5C)
        case UInt8(ascii: "/"): scratch.append(0x2F)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try readHex4(escapeStart: escapeStart)
            if (0xD800...0xDBFF).contains(scalar) {
                // A high surrogate must be followed by an escaped low surrogate; together they name one scalar.
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw error("high surrogate \\u\(hex4(scalar)) is not followed by a low surrogate", at: escapeStart)
                }
                let lowStart = index
                index += 2
                let low = try readHex4(escapeStart: lowStart)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error("high surrogate \\u\(hex4(scalar)) is followed by \\u\(hex4(low)), not a low surrogate", at: lowStart)
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw error("lone low surrogate \\u\(hex4(scalar))", at: escapeStart)
            }
            // Every remaining value is a valid scalar: surrogates were handled above.
            scratch.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
        default:
            throw error("invalid escape '\\\(Character(Unicode.Scalar(c)))'", at: escapeStart)
        }
    }

    func hex4(_ v: UInt32) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    mutating func readHex4(escapeStart: Int) throws(GeoError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count else { throw error("incomplete \\u escape", at: escapeStart) }
            let b = bytes[index]
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: throw error("\\u escape needs 4 hex digits", at: escapeStart)
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// The length of the well-formed UTF-8 sequence starting at `offset` (RFC 3629: no overlongs, no surrogates,
    /// nothing above U+10FFFF), or an error naming the offending byte offset.
    func validatedUTF8SequenceLength(at offset: Int) throws(GeoError) -> Int {
        let lead = bytes[offset]
        let length: Int
        var lowerBound: UInt8 = 0x80
        var upperBound: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lowerBound = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upperBound = 0x9F
        case 0xF0: length = 4; lowerBound = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upperBound = 0x8F
        default:
            throw error("invalid UTF-8 byte 0x\(String(lead, radix: 16, uppercase: true)) at byte offset \(offset)", at: offset)
        }
        for k in 1..<length {
            let position = offset + k
            guard position < bytes.count else {
                throw error("truncated UTF-8 sequence at byte offset \(offset)", at: offset)
            }
            let b = bytes[position]
            let low = k == 1 ? lowerBound : 0x80
            let high = k == 1 ? upperBound : 0xBF
            guard b >= low && b <= high else {
                throw error("invalid UTF-8 byte 0x\(String(b, radix: 16, uppercase: true)) at byte offset \(position)", at: position)
            }
        }
        return length
    }

    // MARK: numbers

    mutating func readNumber() throws(GeoError) -> JSONValue {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard index < bytes.count, isDigit(bytes[index]) else {
            throw error("invalid number: '-' must be followed by a digit", at: start)
        }
        // Accumulate up to 19 significant digits exactly; anything beyond decides only the Double path.
        var mantissa: UInt64 = 0
        var digitCount = 0
        var overflowed = false
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count && isDigit(bytes[index]) {
                throw error("invalid number: leading zeros are not allowed", at: start)
            }
        } else {
            while index < bytes.count && isDigit(bytes[index]) {
                let d = UInt64(bytes[index] - UInt8(ascii: "0"))
                let (m1, o1) = mantissa.multipliedReportingOverflow(by: 10)
                let (m2, o2) = m1.addingReportingOverflow(d)
                if o1 || o2 { overflowed = true } else { mantissa = m2 }
                digitCount += 1
                index += 1
            }
        }
        var isInteger = true
        var fractionDigits = 0
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw error("invalid number: a digit must follow the decimal point", at: start)
            }
            while index < bytes.count && isDigit(bytes[index]) {
                let d = UInt64(bytes[index] - UInt8(ascii: "0"))
                if !overflowed && digitCount < 19 {
                    mantissa = mantissa * 10 + d
                    fractionDigits += 1
                    if mantissa != 0 { digitCount += 1 }
                } else {
                    overflowed = true
                }
                index += 1
            }
        }
        var exponent = 0
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            isInteger = false
            index += 1
            var exponentNegative = false
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw error("invalid number: the exponent needs digits", at: start)
            }
            while index < bytes.count && isDigit(bytes[index]) {
                if exponent < 100_000 { exponent = exponent * 10 + Int(bytes[index] - UInt8(ascii: "0")) }
                index += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        if isInteger && !overflowed {
            if negative {
                if mantissa <= UInt64(Int64.max) + 1 {
                    return mantissa == 0 ? .double(-0.0) : .int(Int64(truncatingIfNeeded: 0 &- mantissa))
                }
            } else if mantissa <= UInt64(Int64.max) {
                return .int(Int64(mantissa))
            }
        }
        // Clinger's fast path: with at most 15 significant digits and a power of ten that is exact in a Double,
        // one multiplication or division is correctly rounded. Everything else goes to the C library's strtod.
        let scale = exponent - fractionDigits
        if !overflowed && mantissa < (1 << 53) && abs(scale) <= 22 {
            var value = Double(mantissa)
            let power = NumberText.pow10(abs(scale))
            value = scale < 0 ? value / power : value * power
            return .double(negative ? -value : value)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text) else { throw error("invalid number '\(text)'", at: start) }
        // Overflow to infinity would turn a number into something JSON cannot write back.
        guard value.isFinite else { throw error("number \(text) is out of the range of a double", at: start) }
        return .double(value)
    }

    @inline(__always) func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
}

// MARK: - Writer

enum JSONWriter {
    /// What the fast writer raises: it keeps no path while writing (building one per member cost more than
    /// the writing), so the error's location is found afterwards by ``pathOfNonFinite(in:path:)``.
    struct NonFiniteNumber: Error {
        let value: Double
    }

    static func append(_ value: JSONValue, to out: inout [UInt8], path: String) throws(GeoError) {
        do {
            try write(value, to: &out)
        } catch {
            throw nonFiniteError(error.value, location: pathOfNonFinite(in: value, path: path) ?? path)
        }
    }

    /// Writes an object with its keys in sorted order, so the same value always gives the same bytes.
    static func appendObject(_ members: [String: JSONValue], to out: inout [UInt8], path: String) throws(GeoError) {
        do {
            try writeObject(members, to: &out)
        } catch {
            throw nonFiniteError(error.value, location: pathOfNonFinite(in: .object(members), path: path) ?? path)
        }
    }

    static func nonFiniteError(_ value: Double, location: String?) -> GeoError {
        GeoError(code: .invalidJSON, message: "JSON cannot represent the number \(value)", location: location)
    }

    /// A number as JSON writes it; NaN and infinities have no JSON form.
    static func appendNumber(_ d: Double, to out: inout [UInt8]) throws(NonFiniteNumber) {
        guard d.isFinite else { throw NonFiniteNumber(value: d) }
        NumberText.appendShortest(d, to: &out, pointZero: true)
    }

    private static func write(_ value: JSONValue, to out: inout [UInt8]) throws(NonFiniteNumber) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): try appendNumber(d, to: &out)
        case .string(let s): appendString(s, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                try write(element, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            try writeObject(members, to: &out)
        }
    }

    private static func writeObject(_ members: [String: JSONValue], to out: inout [UInt8]) throws(NonFiniteNumber) {
        out.append(UInt8(ascii: "{"))
        var first = true
        for (key, value) in members.sorted(by: { $0.key < $1.key }) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            appendString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            try write(value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Where the first non-finite number lies in writing order (`$.features[0].geometry`), found only after the
    /// fast writer failed.
    static func pathOfNonFinite(in value: JSONValue, path: String) -> String? {
        switch value {
        case .double(let d): return d.isFinite ? nil : path
        case .array(let elements):
            for (i, element) in elements.enumerated() {
                if let found = pathOfNonFinite(in: element, path: "\(path)[\(i)]") { return found }
            }
            return nil
        case .object(let members):
            for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                if let found = pathOfNonFinite(in: member, path: "\(path).\(key)") { return found }
            }
            return nil
        case .null, .bool, .int, .string: return nil
        }
    }

    /// Writes `s` quoted, escaping what RFC 8259 requires; runs without escapes are copied whole.
    static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var runStart = 0
            for i in 0..<bytes.count {
                let b = bytes[i]
                guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                appendEscape(b, to: &out)
                runStart = i + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func appendEscape(_ b: UInt8, to out: inout [UInt8]) {
        out.append(0x5C)
        switch b {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(b)
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "t"))
        case 0x08: out.append(UInt8(ascii: "b"))
        case 0x0C: out.append(UInt8(ascii: "f"))
        default:
            let hex: StaticString = "0123456789abcdef"
            out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex.utf8Start[Int(b >> 4)], hex.utf8Start[Int(b & 0xF)]])
        }
    }
}

// MARK: - Streaming writer

/// Writes JSON straight to bytes, for answers made on a hot path without building a ``JSONValue`` tree (whose
/// dictionaries cost an allocation and a hash per member, then a sort). Members must be written in sorted key
/// order, as ``JSON/encodeBytes(_:)`` writes them, so both give the same bytes for the same document.
public struct JSONStreamWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// Per open object or array: whether it has a member yet (a comma goes before the next).
    private var hasMember: [Bool] = []
    /// A key was just written: its value takes no comma.
    private var afterKey = false

    public init(reservingCapacity capacity: Int = 1024) {
        bytes.reserveCapacity(capacity)
    }

    private mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        if let last = hasMember.indices.last {
            if hasMember[last] { bytes.append(UInt8(ascii: ",")) }
            hasMember[last] = true
        }
    }

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        hasMember.append(false)
    }

    public mutating func endObject() {
        hasMember.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        hasMember.append(false)
    }

    public mutating func endArray() {
        hasMember.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    /// The key of the next member of the open object.
    public mutating func key(_ key: String) {
        separate()
        JSONWriter.appendString(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    public mutating func string(_ s: String) {
        separate()
        JSONWriter.appendString(s, to: &bytes)
    }

    /// A finite number; NaN and infinities are refused as ``JSON/encodeBytes(_:)`` refuses them.
    public mutating func double(_ d: Double) throws(GeoError) {
        separate()
        do { try JSONWriter.appendNumber(d, to: &bytes) } catch { throw JSONWriter.nonFiniteError(error.value, location: nil) }
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
    }

    /// Any value, written as ``JSON/encodeBytes(_:)`` writes it.
    public mutating func value(_ value: JSONValue) throws(GeoError) {
        separate()
        try JSONWriter.append(value, to: &bytes, path: "$")
    }
}
