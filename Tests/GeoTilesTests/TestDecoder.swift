import GeoCore

/// A small Mapbox Vector Tile reader for the tests, written from the specification independently of the
/// encoder's code paths: it parses the protobuf wire format field by field and interprets commands.
struct DecodedTile {
    struct Layer {
        var name = ""
        var version: UInt64 = 1
        var extent: UInt64 = 4096
        var keys: [String] = []
        var values: [JSONValue] = []
        /// The protobuf field number each value was written with (1 string, 3 double, 5 uint, 6 sint, 7 bool).
        var valueFields: [Int] = []
        var features: [Feature] = []
    }

    struct Feature {
        var id: UInt64?
        var tags: [UInt32] = []
        var type: UInt64 = 0
        var geometry: [UInt32] = []
    }

    var layers: [Layer] = []

    struct DecodeError: Error, CustomStringConvertible {
        let description: String
    }

    init(_ bytes: [UInt8]) throws {
        var reader = Reader(bytes: bytes[...])
        while !reader.isAtEnd {
            let (field, wire) = try reader.key()
            if field == 3, wire == 2 { layers.append(try Self.layer(try reader.lengthDelimited())) } else { try reader.skip(wire) }
        }
    }

    private static func layer(_ bytes: ArraySlice<UInt8>) throws -> Layer {
        var layer = Layer()
        var reader = Reader(bytes: bytes)
        while !reader.isAtEnd {
            let (field, wire) = try reader.key()
            switch (field, wire) {
            case (1, 2): layer.name = String(decoding: try reader.lengthDelimited(), as: UTF8.self)
            case (2, 2): layer.features.append(try feature(try reader.lengthDelimited()))
            case (3, 2): layer.keys.append(String(decoding: try reader.lengthDelimited(), as: UTF8.self))
            case (4, 2):
                let (value, valueField) = try value(try reader.lengthDelimited())
                layer.values.append(value)
                layer.valueFields.append(valueField)
            case (5, 0): layer.extent = try reader.varint()
            case (15, 0): layer.version = try reader.varint()
            default: try reader.skip(wire)
            }
        }
        return layer
    }

    private static func feature(_ bytes: ArraySlice<UInt8>) throws -> Feature {
        var feature = Feature()
        var reader = Reader(bytes: bytes)
        while !reader.isAtEnd {
            let (field, wire) = try reader.key()
            switch (field, wire) {
            case (1, 0): feature.id = try reader.varint()
            case (2, 2): feature.tags = try packed(try reader.lengthDelimited())
            case (3, 0): feature.type = try reader.varint()
            case (4, 2): feature.geometry = try packed(try reader.lengthDelimited())
            default: try reader.skip(wire)
            }
        }
        return feature
    }

    private static func packed(_ bytes: ArraySlice<UInt8>) throws -> [UInt32] {
        var reader = Reader(bytes: bytes)
        var values: [UInt32] = []
        while !reader.isAtEnd { values.append(UInt32(truncatingIfNeeded: try reader.varint())) }
        return values
    }

    private static func value(_ bytes: ArraySlice<UInt8>) throws -> (JSONValue, Int) {
        var reader = Reader(bytes: bytes)
        var result: (JSONValue, Int) = (.null, 0)
        while !reader.isAtEnd {
            let (field, wire) = try reader.key()
            switch (field, wire) {
            case (1, 2): result = (.string(String(decoding: try reader.lengthDelimited(), as: UTF8.self)), 1)
            case (3, 1): result = (.double(Double(bitPattern: try reader.fixed64())), 3)
            case (4, 0): result = (.int(Int64(bitPattern: try reader.varint())), 4)
            case (5, 0): result = (.int(Int64(bitPattern: try reader.varint())), 5)
            case (6, 0):
                let raw = try reader.varint()
                result = (.int(Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)), 6)
            case (7, 0): result = (.bool(try reader.varint() != 0), 7)
            default: try reader.skip(wire)
            }
        }
        return result
    }

    struct Reader {
        var bytes: ArraySlice<UInt8>
        var isAtEnd: Bool { bytes.isEmpty }

        mutating func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while let byte = bytes.popFirst() {
                result |= UInt64(byte & 0x7f) << shift
                if byte < 0x80 { return result }
                shift += 7
                guard shift < 64 else { throw DecodeError(description: "varint too long") }
            }
            throw DecodeError(description: "truncated varint")
        }

        mutating func key() throws -> (Int, UInt64) {
            let key = try varint()
            return (Int(key >> 3), key & 7)
        }

        mutating func fixed64() throws -> UInt64 {
            guard bytes.count >= 8 else { throw DecodeError(description: "truncated fixed64") }
            var value: UInt64 = 0
            for (k, byte) in bytes.prefix(8).enumerated() { value |= UInt64(byte) << (8 * UInt64(k)) }
            bytes = bytes.dropFirst(8)
            return value
        }

        mutating func lengthDelimited() throws -> ArraySlice<UInt8> {
            let length = Int(try varint())
            guard bytes.count >= length else { throw DecodeError(description: "truncated field") }
            defer { bytes = bytes.dropFirst(length) }
            return bytes.prefix(length)
        }

        mutating func skip(_ wire: UInt64) throws {
            switch wire {
            case 0: _ = try varint()
            case 1: _ = try fixed64()
            case 2: _ = try lengthDelimited()
            case 5: bytes = bytes.dropFirst(4)
            default: throw DecodeError(description: "unknown wire type \(wire)")
            }
        }
    }
}

extension DecodedTile.Feature {
    /// The parts drawn by the commands: one array per MoveTo (points are single-position parts); a ClosePath
    /// repeats the part's first position, so rings come out closed.
    func parts() throws -> [[[Int64]]] {
        var parts: [[[Int64]]] = []
        var x: Int64 = 0
        var y: Int64 = 0
        var i = 0
        func zigzag(_ v: UInt32) -> Int64 { Int64(v >> 1) ^ -Int64(v & 1) }
        while i < geometry.count {
            let command = geometry[i] & 7
            let count = Int(geometry[i] >> 3)
            i += 1
            switch command {
            case 1, 2:
                for _ in 0..<count {
                    guard i + 1 < geometry.count else { throw DecodedTile.DecodeError(description: "truncated parameters") }
                    x += zigzag(geometry[i])
                    y += zigzag(geometry[i + 1])
                    i += 2
                    if command == 1 { parts.append([[x, y]]) } else { parts[parts.count - 1].append([x, y]) }
                }
            case 7:
                guard let first = parts.last?.first else { throw DecodedTile.DecodeError(description: "ClosePath without a part") }
                parts[parts.count - 1].append(first)
            default:
                throw DecodedTile.DecodeError(description: "unknown command \(command)")
            }
        }
        return parts
    }

    /// Twice the surveyor's-formula area of a closed ring (positive: exterior in MVT 2.1).
    static func doubleArea(_ ring: [[Int64]]) -> Int64 {
        var sum: Int64 = 0
        for k in 0..<(ring.count - 1) { sum += ring[k][0] * ring[k + 1][1] - ring[k + 1][0] * ring[k][1] }
        return sum
    }

    /// A GeoJSON-like geometry in tile coordinates, in the shape mapbox-vector-tile's decoder gives (with
    /// y down): Point/MultiPoint, LineString/MultiLineString, Polygon/MultiPolygon split by winding.
    func geoJSON() throws -> JSONValue {
        let parts = try parts()
        func position(_ p: [Int64]) -> JSONValue { .array(p.map { .int($0) }) }
        func line(_ l: [[Int64]]) -> JSONValue { .array(l.map(position)) }
        switch type {
        case 1:
            let points = parts.flatMap { $0 }
            return points.count == 1
                ? .object(["type": "Point", "coordinates": position(points[0])])
                : .object(["type": "MultiPoint", "coordinates": line(points)])
        case 2:
            return parts.count == 1
                ? .object(["type": "LineString", "coordinates": line(parts[0])])
                : .object(["type": "MultiLineString", "coordinates": .array(parts.map(line))])
        default:
            var polygons: [[[[Int64]]]] = []
            for ring in parts {
                if Self.doubleArea(ring) > 0 || polygons.isEmpty { polygons.append([ring]) } else { polygons[polygons.count - 1].append(ring) }
            }
            return polygons.count == 1
                ? .object(["type": "Polygon", "coordinates": .array(polygons[0].map(line))])
                : .object(["type": "MultiPolygon", "coordinates": .array(polygons.map { .array($0.map(line)) })])
        }
    }
}

extension DecodedTile.Layer {
    /// The properties of a feature, resolved through keys and values.
    func properties(of feature: DecodedTile.Feature) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        var k = 0
        while k + 1 < feature.tags.count {
            result[keys[Int(feature.tags[k])]] = values[Int(feature.tags[k + 1])]
            k += 2
        }
        return result
    }
}
