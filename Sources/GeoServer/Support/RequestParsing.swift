import GeoCore
import GeoStore
import Hummingbird

/// Parsing and validation of request input shared by the controllers; every failure names the field.
enum RequestParsing {
    /// A coordinate reference from a `crs` parameter (cgcs2000, wgs84, gcj02, bd09 or EPSG:4490/4326); cgcs2000
    /// when absent.
    static func crs(_ text: String?) throws -> CRS {
        guard let text, !text.isEmpty else { return .cgcs2000 }
        do {
            return try CRS.parse(text)
        } catch {
            throw APIError(code: .invalidCRS, message: error.message, details: ["field": "crs"])
        }
    }

    /// The `crs` member of a JSON body: absent or null is CGCS2000, a string is parsed, anything else is 400.
    static func crs(member value: JSONValue?) throws -> CRS {
        guard let value, value != .null else { return .cgcs2000 }
        guard let text = value.stringValue else {
            throw APIError(code: .invalidCRS, message: "crs must be a string such as \"cgcs2000\" or \"EPSG:4490\"", details: ["field": "crs"])
        }
        return try crs(text)
    }

    /// A boolean member of a JSON body: absent or null is `default`, anything but true or false is 400 naming it.
    static func flag(_ value: JSONValue?, field: String, default defaultValue: Bool = false) throws -> Bool {
        switch value {
        case nil, .null?: return defaultValue
        case .bool(let flag)?: return flag
        default: throw APIError(code: .invalidArgument, message: "\(field) must be true or false", details: ["field": .string(field)])
        }
    }

    /// A number member of a JSON body: nil when absent or null, 400 naming it when not a number.
    static func number(_ value: JSONValue?, field: String) throws -> Double? {
        switch value {
        case nil, .null?: return nil
        case .int(let integer)?: return Double(integer)
        case .double(let double)?: return double
        default: throw APIError(code: .invalidArgument, message: "\(field) must be a number", details: ["field": .string(field)])
        }
    }

    /// An integer member of a JSON body: nil when absent or null, 400 naming it when not a whole number.
    static func integer(_ value: JSONValue?, field: String) throws -> Int64? {
        guard let number = try number(value, field: field) else { return nil }
        guard let integer = value?.intValue else {
            throw APIError(code: .invalidArgument, message: "\(field) must be a whole number, got \(number)", details: ["field": .string(field)])
        }
        return integer
    }

    /// A point from `lon` and `lat` parameters, finite and within range.
    static func point(lon: String?, lat: String?, crs: CRS) throws -> Coordinate {
        guard let lonText = lon, let x = Double(lonText) else {
            throw APIError(code: .invalidCoordinate, message: "lon must be a number, got \(lon.map { "\"\($0)\"" } ?? "nothing")", details: ["field": "lon"])
        }
        guard let latText = lat, let y = Double(latText) else {
            throw APIError(code: .invalidCoordinate, message: "lat must be a number, got \(lat.map { "\"\($0)\"" } ?? "nothing")", details: ["field": "lat"])
        }
        return try checked(Coordinate(x: x, y: y), field: "lon/lat")
    }

    /// A coordinate within [-180, 180] x [-90, 90].
    static func checked(_ c: Coordinate, field: String) throws -> Coordinate {
        guard c.isValidGeographic else {
            throw APIError(code: .invalidCoordinate,
                message: "\(field) (\(c.x), \(c.y)) is not a longitude in [-180, 180] and a latitude in [-90, 90]", details: ["field": .string(field)])
        }
        return c
    }

    /// The request body as JSON, refusing bodies over `maximumBytes` with 413.
    static func jsonBody(_ request: Request, context: some RequestContext, maximumBytes: Int) async throws -> JSONValue {
        let bytes = try await rawBody(request, context: context, maximumBytes: maximumBytes)
        do {
            return try JSON.decode(bytes)
        } catch {
            throw APIError(error, field: "body")
        }
    }

    /// An array of [lon, lat] pairs, at most `maximumCount`, each valid.
    static func pointArray(_ value: JSONValue?, field: String, maximumCount: Int, crs: CRS) throws -> [Coordinate] {
        guard case .array(let items)? = value else {
            throw APIError(code: .invalidArgument, message: "\(field) must be an array of [lon, lat] pairs", details: ["field": .string(field)])
        }
        guard items.count <= maximumCount else {
            throw APIError(code: .batchTooLarge, message: "\(field) has \(items.count) points; the limit is \(maximumCount)",
                details: ["field": .string(field), "maximum": .int(Int64(maximumCount))])
        }
        var points: [Coordinate] = []
        points.reserveCapacity(items.count)
        for (k, item) in items.enumerated() {
            // [lon, lat] or [lon, lat, height]: the height is ignored, but anything longer is a mistake.
            guard case .array(let pair) = item, pair.count == 2 || (pair.count == 3 && pair[2].doubleValue != nil),
                let x = pair[0].doubleValue, let y = pair[1].doubleValue
            else {
                throw APIError(code: .invalidCoordinate, message: "\(field)[\(k)] must be [lon, lat] or [lon, lat, height]", details: ["field": .string("\(field)[\(k)]")])
            }
            points.append(try checked(Coordinate(x: x, y: y), field: "\(field)[\(k)]"))
        }
        return points
    }

    /// A required text parameter; 400 naming it when absent or empty.
    static func required(_ value: Substring?, _ field: String) throws -> String {
        try required(value.map(String.init), field)
    }

    /// A required text parameter; 400 naming it when absent or empty.
    static func required(_ value: String?, _ field: String) throws -> String {
        guard let value, !value.isEmpty else {
            throw APIError(code: .invalidArgument, message: "\(field) is required", details: ["field": .string(field)])
        }
        return value
    }

    /// A number parameter within `range`; 400 naming it otherwise.
    static func number(_ text: String, _ field: String, _ range: ClosedRange<Double>) throws -> Double {
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw APIError(code: .invalidArgument, message: "\(field) must be a number in \(range.lowerBound)...\(range.upperBound), got \"\(text)\"",
                details: ["field": .string(field)])
        }
        return value
    }

    /// A whole-number parameter within `range` (digits only: `2.5` and `1e3` are refused, as the document's
    /// `integer` type says); 400 naming it otherwise.
    static func integer(_ text: String, _ field: String, _ range: ClosedRange<Int>) throws(APIError) -> Int {
        guard text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") || $0 == UInt8(ascii: "-") }),
            let value = Int(text), range.contains(value)
        else {
            throw APIError(code: .invalidArgument, message: "\(field) must be an integer in \(range.lowerBound)...\(range.upperBound), got \"\(text)\"",
                details: ["field": .string(field)])
        }
        return value
    }

    /// Refuses a geometry with more than `maximum` vertices (413 `geometry_too_large`, naming the field): one
    /// request must not make the server test points against a million-vertex ring.
    static func checkVertexCount(_ geometry: Geometry, field: String, maximum: Int) throws {
        let count = geometry.vertexCount
        guard count <= maximum else {
            throw APIError(code: .geometryTooLarge, message: "\(field) has \(count) vertices; the limit is \(maximum)",
                details: ["field": .string(field), "maximum": .int(Int64(maximum))])
        }
    }

    /// A time parameter in one of ``TimeText``'s forms; 400 `invalid_time` naming the field otherwise.
    static func time(_ text: some StringProtocol, field: String) throws -> Double {
        do {
            return try TimeText.seconds(text, field: field)
        } catch {
            throw APIError(code: error.code, message: error.message, details: ["field": .string(field)])
        }
    }

    /// A time member of a JSON body (a string in one of ``TimeText``'s forms or a number); 400 naming `field`.
    static func time(_ value: JSONValue, field: String) throws -> Double {
        do {
            return try TimeText.seconds(value, field: field)
        } catch {
            throw APIError(code: error.code, message: error.message, details: ["field": .string(field)])
        }
    }

    /// The raw request body, refusing bodies over `maximumBytes` with 413.
    static func rawBody(_ request: Request, context: some RequestContext, maximumBytes: Int) async throws -> [UInt8] {
        var request = request
        do {
            return Array(try await request.collectBody(upTo: maximumBytes).readableBytesView)
        } catch {
            throw APIError(code: .payloadTooLarge, message: "request body exceeds \(maximumBytes) bytes",
                details: ["field": "body", "maximum_bytes": .int(Int64(maximumBytes))])
        }
    }

    /// A layer name as the client gave it in `field`: 422 `invalid_layer_name` naming the field when it could never
    /// be a layer (the store would refuse it without saying which parameter held it).
    static func layerName(_ name: String, field: String) throws -> String {
        guard LayerName.isValid(name) else {
            throw APIError(code: .invalidLayerName,
                message: "invalid layer name \"\(name)\": use a lowercase letter followed by up to 62 lowercase letters, digits or underscores",
                details: ["field": .string(field)])
        }
        return name
    }

    /// `scheme://host` of the request (X-Forwarded-Proto honoured), or "" when there is no Host header, which
    /// leaves the URLs built on it relative.
    static func baseURL(_ request: Request) -> String {
        guard let host = request.head.authority else { return "" }
        let scheme = request.headers[.init("X-Forwarded-Proto")!] ?? request.head.scheme ?? "http"
        return "\(scheme)://\(host)"
    }

    /// A `bbox` parameter: four finite numbers `minX,minY,maxX,maxY` in the axis order of `crs` (CRS84, the default:
    /// `minLon,minLat,maxLon,maxLat`), min <= max on each axis, as longitudes and latitudes of `target` within
    /// [-180, 180] x [-90, 90]. Every bbox of the API, `/v1` and `/ogc`, is read here.
    static func boundingBox(_ text: String, crs: CRSReference = .crs84, target: CRS = .cgcs2000) throws -> BoundingBox {
        let numbers = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard numbers.count == 4, numbers.allSatisfy({ $0?.isFinite == true }) else {
            let axes = crs.latitudeFirst ? "minLat,minLon,maxLat,maxLon" : "minLon,minLat,maxLon,maxLat"
            throw APIError(code: .invalidBBox, message: "bbox must be four numbers \(axes), got \"\(text)\"", details: ["field": "bbox"])
        }
        let n = numbers.map { $0! }
        // Min <= max is checked in the given order: turning the axes round keeps each axis's pair together.
        let box = crs.toLonLat(BoundingBox(minX: n[0], minY: n[1], maxX: n[2], maxY: n[3]), target: target)
        guard n[0] <= n[2], n[1] <= n[3], box.minX >= -180, box.maxX <= 180, box.minY >= -90, box.maxY <= 90 else {
            throw APIError(
                code: .invalidBBox, message: "bbox \(text) is out of range: longitudes within [-180, 180], latitudes within [-90, 90], min <= max",
                details: ["field": "bbox"])
        }
        return box
    }
}
