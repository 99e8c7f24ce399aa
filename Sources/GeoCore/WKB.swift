import Foundation

/// Well-Known Binary reader and writer.
///
/// Reading accepts both byte orders, OGC/ISO type codes with dimension offsets (1001 Z, 2001 M, 3001 ZM …) and
/// PostGIS EWKB flags (0x80000000 Z, 0x40000000 M, 0x20000000 SRID). Extra ordinates are dropped; the SRID of the
/// outermost geometry is returned by `decodeWithSRID(_:)`. The empty point is NaN NaN (GEOS and PostGIS
/// write it so); any other NaN or infinite ordinate is an error, since no other codec can carry it. Counts are checked against the bytes left before anything is allocated, so a hostile count
/// cannot trigger a huge allocation. Trailing bytes after the geometry are an error. Errors are ``GeoError`` with
/// code `invalid_wkb` and `location` `"byte N"` (0-based offset of the offending field).
///
/// Writing produces little-endian ISO 2D WKB, or EWKB with the SRID flag when an SRID is given.
public enum WKB {
    /// Collections nested deeper than this are rejected, to bound recursion on hostile input.
    public static let maximumDepth = 256

    /// Reads a geometry, ignoring any EWKB SRID.
    public static func decode(_ bytes: [UInt8]) throws(GeoError) -> Geometry {
        try decodeWithSRID(bytes).geometry
    }

    /// Reads a geometry, ignoring any EWKB SRID.
    public static func decode(_ data: Data) throws(GeoError) -> Geometry {
        try decode([UInt8](data))
    }

    /// Reads a geometry and the EWKB SRID of the outermost geometry, if any.
    public static func decodeWithSRID(_ bytes: [UInt8]) throws(GeoError) -> GeometryWithSRID {
        var reader = WKBReader(bytes: bytes)
        let result = try reader.readGeometry(depth: 0)
        guard reader.offset == bytes.count else {
            throw WKBReader.error("\(bytes.count - reader.offset) unexpected bytes after the geometry", at: reader.offset)
        }
        return GeometryWithSRID(geometry: result.geometry, srid: result.srid)
    }

    /// Reads a geometry from hexadecimal WKB (either case), ignoring any SRID.
    public static func decode(hex: String) throws(GeoError) -> Geometry {
        try decodeWithSRID(hex: hex).geometry
    }

    /// Reads a geometry and its SRID from hexadecimal WKB/EWKB (either case), as PostGIS and shapely print it.
    public static func decodeWithSRID(hex: String) throws(GeoError) -> GeometryWithSRID {
        try decodeWithSRID(try bytes(fromHex: hex))
    }

    /// Little-endian WKB of `geometry`: ISO 2D when `srid` is nil, EWKB with the SRID flag otherwise.
    public static func encode(_ geometry: Geometry, srid: Int32? = nil) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(9 + 16 * geometry.vertexCount)
        WKBWriter.append(geometry, srid: srid, to: &out)
        return out
    }

    /// ``encode(_:srid:)`` as `Data`.
    public static func encodeData(_ geometry: Geometry, srid: Int32? = nil) -> Data {
        Data(encode(geometry, srid: srid))
    }

    /// ``encode(_:srid:)`` as hexadecimal text, uppercase by default like PostGIS and shapely.
    public static func encodeHex(_ geometry: Geometry, srid: Int32? = nil, uppercase: Bool = true) -> String {
        HexText.encode(encode(geometry, srid: srid), uppercase: uppercase)
    }

    static func bytes(fromHex hex: String) throws(GeoError) -> [UInt8] {
        let utf8 = Array(hex.utf8)
        guard utf8.count % 2 == 0 else {
            throw GeoError(code: .invalidWKB, message: "hex WKB has an odd number of digits (\(utf8.count))",
                           location: "hex digit \(utf8.count)")
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let high = HexText.digitValue(utf8[i]), let low = HexText.digitValue(utf8[i + 1]) else {
                let bad = HexText.digitValue(utf8[i]) == nil ? i : i + 1
                throw GeoError(code: .invalidWKB, message: "invalid hex digit '\(Character(Unicode.Scalar(utf8[bad])))'",
                               location: "hex digit \(bad)")
            }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }
}

// MARK: - Reader

struct WKBReader {
    let bytes: [UInt8]
    var offset = 0

    static func error(_ message: String, at offset: Int) -> GeoError {
        GeoError(code: .invalidWKB, message: message, location: "byte \(offset)")
    }

    /// The header of one geometry: its kind, how many ordinates each position has, and its SRID if flagged.
    struct Header {
        var type: GeometryType
        var dimensions: Int
        var srid: Int32?
        var littleEndian: Bool
        var offset: Int
    }

    mutating func readHeader() throws(GeoError) -> Header {
        let start = offset
        guard offset < bytes.count else { throw Self.error("unexpected end of input, expected a byte-order byte", at: offset) }
        let order = bytes[offset]
        guard order <= 1 else { throw Self.error("invalid byte-order byte \(order), expected 0 or 1", at: offset) }
        offset += 1
        let littleEndian = order == 1
        let typeOffset = offset
        let code = try readUInt32(littleEndian, what: "geometry type")
        var hasZ = code & 0x8000_0000 != 0
        var hasM = code & 0x4000_0000 != 0
        let hasSRID = code & 0x2000_0000 != 0
        var base = code & 0x0FFF_FFFF
        switch base / 1000 {
        case 0: break
        case 1: hasZ = true
        case 2: hasM = true
        case 3: hasZ = true; hasM = true
        default: throw Self.error("unknown geometry type code \(code)", at: typeOffset)
        }
        base %= 1000
        guard let type = GeometryType.allCases.first(where: { $0.wkbCode == base }) else {
            throw Self.error("unknown geometry type code \(code)", at: typeOffset)
        }
        var srid: Int32?
        if hasSRID { srid = Int32(bitPattern: try readUInt32(littleEndian, what: "SRID")) }
        return Header(type: type, dimensions: 2 + (hasZ ? 1 : 0) + (hasM ? 1 : 0), srid: srid,
                      littleEndian: littleEndian, offset: start)
    }

    mutating func readGeometry(depth: Int) throws(GeoError) -> (geometry: Geometry, srid: Int32?) {
        guard depth <= WKB.maximumDepth else {
            throw Self.error("geometry collections nested deeper than \(WKB.maximumDepth) levels", at: offset)
        }
        let header = try readHeader()
        let le = header.littleEndian
        let dims = header.dimensions
        let geometry: Geometry
        switch header.type {
        case .point:
            geometry = .point(Point(try readPosition(le, dims, allowsEmpty: true)))
        case .lineString:
            geometry = .lineString(LineString(try readLine(le, dims)))
        case .polygon:
            geometry = .polygon(try readPolygonBody(le, dims))
        case .multiPoint:
            let points = try readMembers(le, minimumElementSize: 5 + 16, expected: .point, what: "point", depth: depth) { member -> Coordinate? in
                if case .point(let p) = member { p.coordinate } else { nil }
            }
            geometry = .multiPoint(MultiPoint(points))
        case .multiLineString:
            let lines = try readMembers(le, minimumElementSize: 9, expected: .lineString, what: "line string", depth: depth) { member -> LineString? in
                if case .lineString(let l) = member { l } else { nil }
            }
            geometry = .multiLineString(MultiLineString(lines))
        case .multiPolygon:
            let polygons = try readMembers(le, minimumElementSize: 9, expected: .polygon, what: "polygon", depth: depth) { member -> Polygon? in
                if case .polygon(let p) = member { p } else { nil }
            }
            geometry = .multiPolygon(MultiPolygon(polygons))
        case .geometryCollection:
            let count = try readCount(le, minimumElementSize: 9, what: "geometry")
            var children: [Geometry] = []
            children.reserveCapacity(count)
            for _ in 0..<count { children.append(try readGeometry(depth: depth + 1).geometry) }
            geometry = .geometryCollection(GeometryCollection(children))
        }
        return (geometry, header.srid)
    }

    /// The members of a multi-geometry: a count (of `what`), then that many geometries of type `expected`, each unwrapped
    /// by `part` (which ``readMember(expected:depth:)`` has made sure succeeds).
    mutating func readMembers<Part>(
        _ le: Bool, minimumElementSize: Int, expected: GeometryType, what: String, depth: Int, _ part: (Geometry) -> Part?
    ) throws(GeoError) -> [Part] {
        let count = try readCount(le, minimumElementSize: minimumElementSize, what: what)
        var parts: [Part] = []
        parts.reserveCapacity(count)
        for _ in 0..<count {
            guard let member = part(try readMember(expected: expected, depth: depth)) else { preconditionFailure("readMember checked the type") }
            parts.append(member)
        }
        return parts
    }

    /// Reads one member of a Multi* geometry, which must be of the `expected` type.
    mutating func readMember(expected: GeometryType, depth: Int) throws(GeoError) -> Geometry {
        let start = offset
        let member = try readGeometry(depth: depth + 1).geometry
        guard member.type == expected else {
            throw Self.error("Multi\(expected.rawValue) member must be a \(expected.rawValue), found \(member.type.rawValue)", at: start)
        }
        return member
    }

    mutating func readPolygonBody(_ le: Bool, _ dims: Int) throws(GeoError) -> Polygon {
        let ringCount = try readCount(le, minimumElementSize: 4, what: "ring")
        var rings: [[Coordinate]] = []
        rings.reserveCapacity(ringCount)
        for _ in 0..<ringCount {
            let ringOffset = offset
            let ring = try readPositions(le, dims)
            if let problem = GeometryRules.ringProblem(ring) { throw Self.error(problem, at: ringOffset) }
            rings.append(ring)
        }
        return Polygon(rings: rings) ?? Polygon(exterior: [])
    }

    mutating func readLine(_ le: Bool, _ dims: Int) throws(GeoError) -> [Coordinate] {
        let lineOffset = offset
        let line = try readPositions(le, dims)
        if let problem = GeometryRules.lineProblem(line) { throw Self.error(problem, at: lineOffset) }
        return line
    }

    mutating func readPositions(_ le: Bool, _ dims: Int) throws(GeoError) -> [Coordinate] {
        let count = try readCount(le, minimumElementSize: 8 * dims, what: "position")
        var positions: [Coordinate] = []
        positions.reserveCapacity(count)
        for _ in 0..<count { positions.append(try readPosition(le, dims)) }
        return positions
    }

    /// Reads one position. NaN and infinities would reach GEOS and the writers, and WKT and GeoJSON cannot spell
    /// them, so they are rejected; the one exception is a point's NaN NaN, the empty point (`allowsEmpty`).
    mutating func readPosition(_ le: Bool, _ dims: Int, allowsEmpty: Bool = false) throws(GeoError) -> Coordinate {
        let start = offset
        guard bytes.count - offset >= 8 * dims else {
            throw Self.error("unexpected end of input, expected a position of \(dims) ordinates", at: offset)
        }
        let x = Double(bitPattern: load64(le))
        let y = Double(bitPattern: load64(le))
        offset += 8 * (dims - 2)  // Z and M are not modelled
        let c = Coordinate(x: x, y: y)
        guard c.isFinite || (allowsEmpty && x.isNaN && y.isNaN) else {
            throw Self.error("position (\(x), \(y)) is not finite; only an empty point may be NaN NaN", at: start)
        }
        return c
    }

    /// Reads an element count and checks that the remaining bytes could hold that many elements.
    mutating func readCount(_ le: Bool, minimumElementSize: Int, what: String) throws(GeoError) -> Int {
        let countOffset = offset
        let count = Int(try readUInt32(le, what: "\(what) count"))
        let remaining = bytes.count - offset
        guard count <= remaining / minimumElementSize else {
            throw Self.error("\(what) count \(count) exceeds the \(remaining) bytes remaining", at: countOffset)
        }
        return count
    }

    mutating func readUInt32(_ le: Bool, what: String) throws(GeoError) -> UInt32 {
        guard bytes.count - offset >= 4 else {
            throw Self.error("unexpected end of input, expected a 4-byte \(what)", at: offset)
        }
        return load(le)
    }

    /// Loads 8 bytes the caller has already checked are there.
    mutating func load64(_ le: Bool) -> UInt64 { load(le) }

    /// Loads an integer of the next `T.bitWidth / 8` bytes (checked by the caller) in the byte order `le` says.
    mutating func load<T: FixedWidthInteger & UnsignedInteger>(_ le: Bool) -> T {
        let size = T.bitWidth / 8
        var v: T = 0
        for k in 0..<size {
            v |= T(bytes[offset + (le ? k : size - 1 - k)]) << (8 * k)
        }
        offset += size
        return v
    }
}

// MARK: - Writer

enum WKBWriter {
    static func append(_ geometry: Geometry, srid: Int32?, to out: inout [UInt8]) {
        out.append(1)  // little endian
        var code = geometry.type.wkbCode
        if srid != nil { code |= 0x2000_0000 }
        appendUInt32(code, to: &out)
        if let srid { appendUInt32(UInt32(bitPattern: srid), to: &out) }
        switch geometry {
        case .point(let p):
            appendPosition(p.coordinate, to: &out)
        case .lineString(let l):
            appendPositions(l.coordinates, to: &out)
        case .polygon(let p):
            appendPolygonBody(p, to: &out)
        case .multiPoint(let m):
            appendUInt32(UInt32(m.points.count), to: &out)
            for c in m.points { append(.point(Point(c)), srid: nil, to: &out) }
        case .multiLineString(let m):
            appendUInt32(UInt32(m.lineStrings.count), to: &out)
            for l in m.lineStrings { append(.lineString(l), srid: nil, to: &out) }
        case .multiPolygon(let m):
            appendUInt32(UInt32(m.polygons.count), to: &out)
            for p in m.polygons { append(.polygon(p), srid: nil, to: &out) }
        case .geometryCollection(let g):
            appendUInt32(UInt32(g.geometries.count), to: &out)
            for child in g.geometries { append(child, srid: nil, to: &out) }
        }
    }

    static func appendPolygonBody(_ p: Polygon, to out: inout [UInt8]) {
        // The empty polygon has no rings at all, not one empty ring.
        if p.exterior.isEmpty && p.holes.isEmpty {
            appendUInt32(0, to: &out)
            return
        }
        appendUInt32(UInt32(1 + p.holes.count), to: &out)
        appendPositions(p.exterior, to: &out)
        for hole in p.holes { appendPositions(hole, to: &out) }
    }

    static func appendPositions(_ positions: [Coordinate], to out: inout [UInt8]) {
        appendUInt32(UInt32(positions.count), to: &out)
        for c in positions { appendPosition(c, to: &out) }
    }

    static func appendPosition(_ c: Coordinate, to out: inout [UInt8]) {
        // Any NaN is written as the canonical quiet NaN so the empty point has one byte form.
        appendUInt64(c.x.isNaN ? GeometryRules.nanBitPattern : c.x.bitPattern, to: &out)
        appendUInt64(c.y.isNaN ? GeometryRules.nanBitPattern : c.y.bitPattern, to: &out)
    }

    static func appendUInt32(_ v: UInt32, to out: inout [UInt8]) {
        for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) }
    }

    static func appendUInt64(_ v: UInt64, to out: inout [UInt8]) {
        for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) }
    }
}
