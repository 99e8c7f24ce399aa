internal import CGEOS
import GeoCore

/// Whether `Coordinate` is laid out as two packed doubles (x then y), which lets coordinate arrays be
/// handed to GEOS and PROJ buffer functions without copying. Swift does not promise struct layout, so this
/// is checked once at run time and a copying path is kept for the (hypothetical) other case.
let coordinateIsPackedXY: Bool =
    MemoryLayout<Coordinate>.size == 2 * MemoryLayout<Double>.size
    && MemoryLayout<Coordinate>.stride == 2 * MemoryLayout<Double>.stride
    && MemoryLayout<Coordinate>.offset(of: \Coordinate.x) == 0
    && MemoryLayout<Coordinate>.offset(of: \Coordinate.y) == MemoryLayout<Double>.stride

/// Calls `body` with the coordinates as a flat `[x0, y0, x1, y1, …]` buffer.
func withFlatXY<R>(_ coordinates: [Coordinate], _ body: (UnsafeBufferPointer<Double>) throws -> R) throws -> R {
    if coordinateIsPackedXY {
        return try coordinates.withUnsafeBytes { raw in
            try raw.withMemoryRebound(to: Double.self) { try body($0) }
        }
    }
    var flat = [Double]()
    flat.reserveCapacity(coordinates.count * 2)
    for c in coordinates { flat.append(c.x); flat.append(c.y) }
    return try flat.withUnsafeBufferPointer { try body($0) }
}

/// Builds `count` coordinates by letting `fill` write a flat `[x0, y0, …]` buffer of `2 * count` doubles.
func makeCoordinates(count: Int, _ fill: (UnsafeMutableBufferPointer<Double>) throws -> Void) throws -> [Coordinate] {
    if count == 0 { return [] }
    if coordinateIsPackedXY {
        var failure: (any Error)?
        let result = [Coordinate](unsafeUninitializedCapacity: count) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            raw.initializeMemory(as: Double.self, repeating: 0)
            do {
                try raw.withMemoryRebound(to: Double.self) { try fill($0) }
            } catch { failure = error }
            initialized = count
        }
        if let failure { throw failure }
        return result
    }
    var flat = [Double](repeating: 0, count: 2 * count)
    try flat.withUnsafeMutableBufferPointer { try fill($0) }
    return (0..<count).map { Coordinate(x: flat[2 * $0], y: flat[2 * $0 + 1]) }
}

// MARK: - GeoCore -> GEOS

extension GEOSContext {
    /// Converts a GeoCore geometry into a new GEOS geometry owned by the returned object.
    func makeGeometry(_ geometry: Geometry) throws -> GEOSGeometryOwner {
        switch geometry {
        case .point(let p):
            return try own(GEOSGeom_createPointFromXY_r(handle, p.coordinate.x, p.coordinate.y), "point creation")
        case .lineString(let l):
            return try makeLineString(l.coordinates)
        case .polygon(let p):
            return try makePolygon(p)
        case .multiPoint(let m):
            return try makeCollection(GEOS_MULTIPOINT, m.points.map { c in
                try own(GEOSGeom_createPointFromXY_r(handle, c.x, c.y), "point creation")
            })
        case .multiLineString(let m):
            var parts: [GEOSGeometryOwner] = []
            for line in m.lineStrings { parts.append(try makeLineString(line.coordinates)) }
            return try makeCollection(GEOS_MULTILINESTRING, parts)
        case .multiPolygon(let m):
            var parts: [GEOSGeometryOwner] = []
            for polygon in m.polygons { parts.append(try makePolygon(polygon)) }
            return try makeCollection(GEOS_MULTIPOLYGON, parts)
        case .geometryCollection(let g):
            var parts: [GEOSGeometryOwner] = []
            for child in g.geometries { parts.append(try makeGeometry(child)) }
            return try makeCollection(GEOS_GEOMETRYCOLLECTION, parts)
        }
    }

    /// A coordinate sequence copied from the array in one call (GEOS 3.10+ buffer API).
    /// The caller owns the result until it hands it to a geometry constructor.
    func makeSequence(_ coordinates: [Coordinate]) throws -> OpaquePointer {
        let sequence: OpaquePointer? = try withFlatXY(coordinates) { flat in
            GEOSCoordSeq_copyFromBuffer_r(handle, flat.baseAddress, UInt32(coordinates.count), 0, 0)
        }
        guard let sequence else { throw error("coordinate sequence creation") }
        return sequence
    }

    func makeLineString(_ coordinates: [Coordinate]) throws -> GEOSGeometryOwner {
        if coordinates.isEmpty { return try own(GEOSGeom_createEmptyLineString_r(handle), "empty line creation") }
        // The constructor takes ownership of the sequence, also when it fails.
        return try own(GEOSGeom_createLineString_r(handle, try makeSequence(coordinates)), "line string creation")
    }

    func makeRing(_ coordinates: [Coordinate]) throws -> GEOSGeometryOwner {
        try own(GEOSGeom_createLinearRing_r(handle, try makeSequence(coordinates)), "linear ring creation")
    }

    func makePolygon(_ polygon: Polygon) throws -> GEOSGeometryOwner {
        if polygon.exterior.isEmpty { return try own(GEOSGeom_createEmptyPolygon_r(handle), "empty polygon creation") }
        let shell = try makeRing(polygon.exterior)
        var holes: [GEOSGeometryOwner] = []
        for hole in polygon.holes { holes.append(try makeRing(hole)) }
        // createPolygon takes ownership of the shell and the holes (not of the array).
        var holePointers: [OpaquePointer?] = holes.map { $0.release() }
        let shellPointer = shell.release()
        let created = holePointers.withUnsafeMutableBufferPointer { buffer in
            GEOSGeom_createPolygon_r(handle, shellPointer, buffer.baseAddress, UInt32(buffer.count))
        }
        return try own(created, "polygon creation")
    }

    func makeCollection(_ type: GEOSGeomTypes, _ parts: [GEOSGeometryOwner]) throws -> GEOSGeometryOwner {
        var pointers: [OpaquePointer?] = parts.map { $0.release() }
        let created = pointers.withUnsafeMutableBufferPointer { buffer in
            GEOSGeom_createCollection_r(handle, Int32(type.rawValue), buffer.baseAddress, UInt32(buffer.count))
        }
        return try own(created, "collection creation")
    }
}

// MARK: - GEOS -> GeoCore

extension GEOSContext {
    /// Converts a GEOS geometry (borrowed, not consumed) into a GeoCore geometry.
    ///
    /// GeoCore has no empty point, so an empty GEOS point becomes an empty `GeometryCollection`
    /// at top level and is dropped inside multi-geometries and collections.
    func geometry(from pointer: OpaquePointer) throws -> Geometry {
        try convert(pointer) ?? .geometryCollection(GeometryCollection([]))
    }

    private func convert(_ g: OpaquePointer) throws -> Geometry? {
        let typeID = GEOSGeomTypeId_r(handle, g)
        switch typeID {
        case Int32(GEOS_POINT.rawValue):
            return try pointCoordinate(g).map { .point(Point($0)) }
        case Int32(GEOS_LINESTRING.rawValue), Int32(GEOS_LINEARRING.rawValue):
            return .lineString(LineString(try sequenceCoordinates(of: g)))
        case Int32(GEOS_POLYGON.rawValue):
            return .polygon(try polygon(g))
        case Int32(GEOS_MULTIPOINT.rawValue):
            var points: [Coordinate] = []
            for part in try parts(of: g) { if let c = try pointCoordinate(part) { points.append(c) } }
            return .multiPoint(MultiPoint(points))
        case Int32(GEOS_MULTILINESTRING.rawValue):
            var lines: [LineString] = []
            for part in try parts(of: g) { lines.append(LineString(try sequenceCoordinates(of: part))) }
            return .multiLineString(MultiLineString(lines))
        case Int32(GEOS_MULTIPOLYGON.rawValue):
            var polygons: [Polygon] = []
            for part in try parts(of: g) { polygons.append(try polygon(part)) }
            return .multiPolygon(MultiPolygon(polygons))
        case Int32(GEOS_GEOMETRYCOLLECTION.rawValue):
            var children: [Geometry] = []
            for part in try parts(of: g) { if let child = try convert(part) { children.append(child) } }
            return .geometryCollection(GeometryCollection(children))
        case -1:
            throw error("geometry type query")
        default:
            throw GeoError(code: .geosError, message: "GEOS returned an unsupported geometry type id \(typeID)")
        }
    }

    /// The coordinate of a point, nil if the point is empty.
    func pointCoordinate(_ g: OpaquePointer) throws -> Coordinate? {
        let empty = try predicate(GEOSisEmpty_r(handle, g), "isEmpty")
        if empty { return nil }
        var x = 0.0, y = 0.0
        try check(GEOSGeomGetX_r(handle, g, &x), "GetX")
        try check(GEOSGeomGetY_r(handle, g, &y), "GetY")
        return Coordinate(x: x, y: y)
    }

    /// The coordinates of a line string or linear ring.
    func sequenceCoordinates(of g: OpaquePointer) throws -> [Coordinate] {
        guard let sequence = GEOSGeom_getCoordSeq_r(handle, g) else { throw error("getCoordSeq") }
        return try coordinates(ofSequence: sequence)
    }

    /// The coordinates of a coordinate sequence (borrowed), copied out in one call.
    func coordinates(ofSequence sequence: OpaquePointer) throws -> [Coordinate] {
        var size: UInt32 = 0
        try check(GEOSCoordSeq_getSize_r(handle, sequence, &size), "CoordSeq_getSize")
        return try makeCoordinates(count: Int(size)) { flat in
            try check(GEOSCoordSeq_copyToBuffer_r(handle, sequence, flat.baseAddress, 0, 0), "CoordSeq_copyToBuffer")
        }
    }

    private func polygon(_ g: OpaquePointer) throws -> Polygon {
        if try predicate(GEOSisEmpty_r(handle, g), "isEmpty") { return Polygon(exterior: []) }
        guard let shell = GEOSGetExteriorRing_r(handle, g) else { throw error("GetExteriorRing") }
        let holeCount = GEOSGetNumInteriorRings_r(handle, g)
        if holeCount < 0 { throw error("GetNumInteriorRings") }
        var holes: [[Coordinate]] = []
        holes.reserveCapacity(Int(holeCount))
        for i in 0..<holeCount {
            guard let ring = GEOSGetInteriorRingN_r(handle, g, i) else { throw error("GetInteriorRingN") }
            holes.append(try sequenceCoordinates(of: ring))
        }
        return Polygon(exterior: try sequenceCoordinates(of: shell), holes: holes)
    }

    /// The parts of a multi-geometry or collection (borrowed pointers, valid while `g` lives).
    func parts(of g: OpaquePointer) throws -> [OpaquePointer] {
        let count = GEOSGetNumGeometries_r(handle, g)
        if count < 0 { throw error("GetNumGeometries") }
        var result: [OpaquePointer] = []
        result.reserveCapacity(Int(count))
        for i in 0..<count {
            guard let part = GEOSGetGeometryN_r(handle, g, i) else { throw error("GetGeometryN") }
            result.append(part)
        }
        return result
    }
}

extension GEOSGeometryOwner {
    /// This geometry as a GeoCore value.
    func toGeometry() throws -> Geometry {
        try context.geometry(from: pointer)
    }
}
