/// Well-Known Text reader and writer (OGC Simple Features), with PostGIS EWKT's `SRID=n;` prefix.
///
/// Reading: all seven types and their `EMPTY` forms, keywords in any case, `Z`/`M`/`ZM` tags (separate or
/// attached, as in `POINTZ`) with the extra ordinates dropped; positions of 2 to 4 numbers; MultiPoint members
/// with or without parentheses. Rings must be closed with at least 4 positions and line strings need 2
/// positions, as in GEOS. Errors are ``GeoError`` with code `invalid_wkt`, `location` `"offset N"` (0-based
/// UTF-8 offset) and a message saying what was expected.
///
/// Writing: canonical OGC text as GEOS prints it (`POINT (1 2)`, `MULTIPOINT ((1 2), (3 4))`, `POLYGON EMPTY`),
/// numbers shortest round-trip without a trailing `.0` and without exponent for ordinary magnitudes.
public enum WKT {
    /// Collections nested deeper than this are rejected, to bound recursion on hostile input.
    public static let maximumDepth = 256

    /// Reads a geometry, ignoring any `SRID=n;` prefix.
    public static func decode(_ text: String) throws(GeoError) -> Geometry {
        try decodeWithSRID(text).geometry
    }

    /// Reads a geometry and the SRID of an EWKT `SRID=n;` prefix, if present.
    public static func decodeWithSRID(_ text: String) throws(GeoError) -> GeometryWithSRID {
        var reader = WKTReader(Array(text.utf8))
        return try reader.readDocument()
    }

    /// The WKT of `geometry`, prefixed with `SRID=n;` (EWKT) when `srid` is given.
    public static func encode(_ geometry: Geometry, srid: Int32? = nil) -> String {
        var out: [UInt8] = []
        if let srid { out.append(contentsOf: "SRID=\(srid);".utf8) }
        WKTWriter.append(geometry, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

// MARK: - Reader

struct WKTReader {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    func error(_ message: String, at offset: Int) -> GeoError {
        GeoError(code: .invalidWKT, message: message, location: "offset \(offset)")
    }

    /// What is at `offset`, for messages: a word, a character or the end.
    func found(at offset: Int) -> String {
        guard offset < bytes.count else { return "end of input" }
        if isLetter(bytes[offset]) {
            var end = offset
            while end < bytes.count && isLetter(bytes[end]) { end += 1 }
            return "'\(String(decoding: bytes[offset..<end], as: UTF8.self))'"
        }
        let b = bytes[offset]
        if b >= 0x20 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x\(String(b, radix: 16, uppercase: true))"
    }

    mutating func readDocument() throws(GeoError) -> GeometryWithSRID {
        skipSpace()
        var srid: Int32?
        let wordStart = index
        if let word = peekWord(), word == "SRID" {
            index += 4
            skipSpace()
            try expect(UInt8(ascii: "="), "'=' after SRID")
            skipSpace()
            let numberStart = index
            var negative = false
            if index < bytes.count && bytes[index] == UInt8(ascii: "-") { negative = true; index += 1 }
            var value: Int64 = 0
            var digits = 0
            while index < bytes.count && isDigit(bytes[index]) && value <= Int64(Int32.max) {
                value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
                digits += 1
                index += 1
            }
            if negative { value = -value }
            guard digits > 0, let srid32 = Int32(exactly: value) else {
                throw error("expected an SRID integer, found \(found(at: numberStart))", at: numberStart)
            }
            srid = srid32
            skipSpace()
            try expect(UInt8(ascii: ";"), "';' after the SRID")
            skipSpace()
        } else {
            index = wordStart
        }
        let geometry = try readGeometry(depth: 0)
        skipSpace()
        guard index == bytes.count else {
            throw error("expected end of input, found \(found(at: index))", at: index)
        }
        return GeometryWithSRID(geometry: geometry, srid: srid)
    }

    // MARK: tokens

    func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") }
    func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    mutating func skipSpace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D {
            index += 1
        }
    }

    /// The uppercased word at the current index, without consuming it.
    func peekWord() -> String? {
        var end = index
        while end < bytes.count && isLetter(bytes[end]) { end += 1 }
        guard end > index else { return nil }
        return String(decoding: bytes[index..<end].map { $0 & ~0x20 }, as: UTF8.self)
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(GeoError) {
        guard index < bytes.count, bytes[index] == byte else {
            throw error("expected \(what), found \(found(at: index))", at: index)
        }
        index += 1
    }

    /// Consumes `EMPTY` if it comes next.
    mutating func readEmpty() -> Bool {
        skipSpace()
        if peekWord() == "EMPTY" {
            index += 5
            return true
        }
        return false
    }

    /// Consumes `(` or reports what was expected instead.
    mutating func open(_ what: String) throws(GeoError) {
        skipSpace()
        try expect(UInt8(ascii: "("), "'(' or EMPTY to start \(what)")
    }

    /// After an element: true when a `,` follows (another element), false at `)`.
    mutating func more(_ what: String) throws(GeoError) -> Bool {
        skipSpace()
        guard index < bytes.count else { throw error("expected ',' or ')' in \(what), found end of input", at: index) }
        switch bytes[index] {
        case UInt8(ascii: ","): index += 1; return true
        case UInt8(ascii: ")"): index += 1; return false
        default: throw error("expected ',' or ')' in \(what), found \(found(at: index))", at: index)
        }
    }

    // MARK: grammar

    static let typeNames: [String: GeometryType] = [
        "POINT": .point, "LINESTRING": .lineString, "POLYGON": .polygon, "MULTIPOINT": .multiPoint,
        "MULTILINESTRING": .multiLineString, "MULTIPOLYGON": .multiPolygon, "GEOMETRYCOLLECTION": .geometryCollection,
    ]

    /// Reads a type keyword with an optional dimension tag, separate (`POINT Z`) or attached (`POINTZ`).
    mutating func readType() throws(GeoError) -> GeometryType {
        skipSpace()
        let start = index
        guard let word = peekWord() else { throw error("expected a geometry type, found \(found(at: index))", at: index) }
        var type = Self.typeNames[word]
        if type == nil {
            for tag in ["ZM", "Z", "M"] where word.hasSuffix(tag) {
                if let t = Self.typeNames[String(word.dropLast(tag.count))] {
                    type = t
                    break
                }
            }
        }
        guard let type else { throw error("unknown geometry type '\(String(decoding: bytes[start..<(start + word.utf8.count)], as: UTF8.self))'", at: start) }
        index += word.utf8.count
        skipSpace()
        if let tag = peekWord(), tag == "Z" || tag == "M" || tag == "ZM" { index += tag.utf8.count }
        return type
    }

    mutating func readGeometry(depth: Int) throws(GeoError) -> Geometry {
        guard depth <= WKT.maximumDepth else {
            throw error("geometry collections nested deeper than \(WKT.maximumDepth) levels", at: index)
        }
        let type = try readType()
        switch type {
        case .point:
            if readEmpty() { return .point(.empty) }
            try open("a point")
            let c = try readPosition()
            skipSpace()
            try expect(UInt8(ascii: ")"), "')' after the point's position")
            return .point(Point(c))
        case .lineString:
            return .lineString(LineString(try readLine()))
        case .polygon:
            return .polygon(try readPolygon())
        case .multiPoint:
            if readEmpty() { return .multiPoint(MultiPoint([])) }
            try open("a multipoint")
            var points: [Coordinate] = []
            repeat {
                // Members are `(x y)` in OGC 1.2 and bare `x y` in older writers; EMPTY is also allowed.
                skipSpace()
                if readEmpty() {
                    points.append(Point.empty.coordinate)
                } else if index < bytes.count && bytes[index] == UInt8(ascii: "(") {
                    index += 1
                    points.append(try readPosition())
                    skipSpace()
                    try expect(UInt8(ascii: ")"), "')' after a multipoint member")
                } else {
                    points.append(try readPosition())
                }
            } while try more("a multipoint")
            return .multiPoint(MultiPoint(points))
        case .multiLineString:
            if readEmpty() { return .multiLineString(MultiLineString([])) }
            try open("a multilinestring")
            var lines: [LineString] = []
            repeat { lines.append(LineString(try readLine())) } while try more("a multilinestring")
            return .multiLineString(MultiLineString(lines))
        case .multiPolygon:
            if readEmpty() { return .multiPolygon(MultiPolygon([])) }
            try open("a multipolygon")
            var polygons: [Polygon] = []
            repeat { polygons.append(try readPolygon()) } while try more("a multipolygon")
            return .multiPolygon(MultiPolygon(polygons))
        case .geometryCollection:
            if readEmpty() { return .geometryCollection(GeometryCollection([])) }
            try open("a geometry collection")
            var children: [Geometry] = []
            repeat { children.append(try readGeometry(depth: depth + 1)) } while try more("a geometry collection")
            return .geometryCollection(GeometryCollection(children))
        }
    }

    mutating func readPolygon() throws(GeoError) -> Polygon {
        if readEmpty() { return Polygon(exterior: []) }
        try open("a polygon")
        var rings: [[Coordinate]] = []
        repeat {
            skipSpace()
            let ringStart = index
            try open("a linear ring")
            let ring = try readPositions("a linear ring")
            if let problem = GeometryRules.ringProblem(ring) { throw error(problem, at: ringStart) }
            rings.append(ring)
        } while try more("a polygon")
        return Polygon(rings: rings) ?? Polygon(exterior: [])
    }

    mutating func readLine() throws(GeoError) -> [Coordinate] {
        if readEmpty() { return [] }
        skipSpace()
        let start = index
        try open("a line string")
        let line = try readPositions("a line string")
        if let problem = GeometryRules.lineProblem(line) { throw error(problem, at: start) }
        return line
    }

    /// Positions separated by commas up to and including the closing `)`.
    mutating func readPositions(_ what: String) throws(GeoError) -> [Coordinate] {
        var positions: [Coordinate] = []
        repeat { positions.append(try readPosition()) } while try more(what)
        return positions
    }

    /// 2 to 4 numbers; only the first two are kept.
    mutating func readPosition() throws(GeoError) -> Coordinate {
        skipSpace()
        let x = try readNumber()
        skipSpace()
        let y = try readNumber()
        for _ in 0..<2 {
            skipSpace()
            guard index < bytes.count, startsNumber(bytes[index]) else { break }
            _ = try readNumber()
        }
        return Coordinate(x: x, y: y)
    }

    func startsNumber(_ b: UInt8) -> Bool {
        isDigit(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") || b == UInt8(ascii: ".")
    }

    mutating func readNumber() throws(GeoError) -> Double {
        let start = index
        if index < bytes.count && (bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+")) { index += 1 }
        var digits = 0
        while index < bytes.count && isDigit(bytes[index]) { index += 1; digits += 1 }
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count && isDigit(bytes[index]) { index += 1; digits += 1 }
        }
        guard digits > 0 else {
            index = start
            throw error("expected a number, found \(found(at: start))", at: start)
        }
        if index < bytes.count && (bytes[index] | 0x20) == UInt8(ascii: "e") {
            let exponentStart = index
            index += 1
            if index < bytes.count && (bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+")) { index += 1 }
            var exponentDigits = 0
            while index < bytes.count && isDigit(bytes[index]) { index += 1; exponentDigits += 1 }
            guard exponentDigits > 0 else { throw error("expected exponent digits in a number", at: exponentStart) }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw error("number \(text) is out of the range of a double", at: start)
        }
        return value
    }
}

// MARK: - Writer

enum WKTWriter {
    static func append(_ geometry: Geometry, to out: inout [UInt8]) {
        out.append(contentsOf: keyword(geometry.type).utf8)
        switch geometry {
        case .point(let p):
            if p.isEmpty { return empty(&out) }
            out.append(contentsOf: " (".utf8)
            position(p.coordinate, &out)
            out.append(UInt8(ascii: ")"))
        case .lineString(let l):
            if l.coordinates.isEmpty { return empty(&out) }
            out.append(UInt8(ascii: " "))
            positions(l.coordinates, &out)
        case .polygon(let p):
            if p.exterior.isEmpty && p.holes.isEmpty { return empty(&out) }
            out.append(UInt8(ascii: " "))
            polygonBody(p, &out)
        case .multiPoint(let m):
            members(m.points, &out) { c, out in
                guard !Point(c).isEmpty else { return false }
                out.append(UInt8(ascii: "("))
                position(c, &out)
                out.append(UInt8(ascii: ")"))
                return true
            }
        case .multiLineString(let m):
            members(m.lineStrings, &out) { l, out in
                guard !l.coordinates.isEmpty else { return false }
                positions(l.coordinates, &out)
                return true
            }
        case .multiPolygon(let m):
            members(m.polygons, &out) { p, out in
                guard !(p.exterior.isEmpty && p.holes.isEmpty) else { return false }
                polygonBody(p, &out)
                return true
            }
        case .geometryCollection(let g):
            members(g.geometries, &out) { child, out in
                // A child writes its own EMPTY after its keyword.
                append(child, to: &out)
                return true
            }
        }
    }

    /// ` (a, b, …)` of a multi-geometry or collection, or ` EMPTY` without members; `write` writes one member and
    /// returns false, writing nothing, for an empty one, which is written `EMPTY`.
    static func members<Member>(_ list: [Member], _ out: inout [UInt8], _ write: (Member, inout [UInt8]) -> Bool) {
        if list.isEmpty { return empty(&out) }
        out.append(contentsOf: " (".utf8)
        for (i, member) in list.enumerated() {
            if i > 0 { out.append(contentsOf: ", ".utf8) }
            if !write(member, &out) { out.append(contentsOf: "EMPTY".utf8) }
        }
        out.append(UInt8(ascii: ")"))
    }

    static func keyword(_ type: GeometryType) -> String { type.rawValue.uppercased() }

    static func empty(_ out: inout [UInt8]) { out.append(contentsOf: " EMPTY".utf8) }

    static func polygonBody(_ p: Polygon, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "("))
        for (i, ring) in p.rings.enumerated() {
            if i > 0 { out.append(contentsOf: ", ".utf8) }
            positions(ring, &out)
        }
        out.append(UInt8(ascii: ")"))
    }

    static func positions(_ list: [Coordinate], _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "("))
        for (i, c) in list.enumerated() {
            if i > 0 { out.append(contentsOf: ", ".utf8) }
            position(c, &out)
        }
        out.append(UInt8(ascii: ")"))
    }

    static func position(_ c: Coordinate, _ out: inout [UInt8]) {
        number(c.x, &out)
        out.append(UInt8(ascii: " "))
        number(c.y, &out)
    }

    static func number(_ d: Double, _ out: inout [UInt8]) {
        // WKT has no spelling for non-finite numbers; GEOS writes these words, and so do we.
        if d.isNaN { out.append(contentsOf: "NaN".utf8); return }
        if d.isInfinite { out.append(contentsOf: (d < 0 ? "-Inf" : "Inf").utf8); return }
        // GEOS prints negative zero as 0; matching it keeps our text identical to PostGIS and shapely output.
        NumberText.appendShortest(d == 0 ? 0 : d, to: &out, pointZero: false)
    }
}
