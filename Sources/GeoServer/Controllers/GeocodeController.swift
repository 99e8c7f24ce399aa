import Foundation
import GeoAddress
import GeoCore
import GeoGrids
import GeoStore
import HTTPTypes
import Hummingbird
import HummingbirdCore

/// `/v1/geocode`, `/v1/reverse`, `/v1/autocomplete`, `/v1/geocode/batch`: address matching over the address
/// book in the store (GB/T 30428.3), answered as GeoJSON in the coordinate system asked for.
struct GeocodeController {
    let services: LayerVersionedValue<AddressServices>
    /// Where points lie, for keys limited to regions.
    let grids: LayerVersionedValue<GridLocator>
    let maximumBodyBytes: Int
    let maximumBatchAddresses: Int

    static let maximumQueryCharacters = 200
    static let maximumResults = 50

    func register(on group: RouterGroup<CityRequestContext>) {
        group.get("geocode", use: geocode)
        group.get("reverse", use: reverse)
        group.get("autocomplete", use: autocomplete)
        group.post("geocode/batch", use: ComputePool.shared.offloaded(geocodeBatch))
    }

    /// `GET /v1/geocode`.
    @Sendable func geocode(_ request: Request, context: CityRequestContext) async throws -> Response {
        JSONResponse.bytes(try Self.geocodeAnswer(request.uri.queryParameters, services: try await services.value), contentType: Self.geoJSONType)
    }

    /// `GET /v1/reverse`.
    @Sendable func reverse(_ request: Request, context: CityRequestContext) async throws -> Response {
        if let region = try await RegionFilter.of(context, grids: grids) {
            let query = request.uri.queryParameters
            let crs = try RequestParsing.crs(query["crs"].map(String.init))
            let point = try RequestParsing.point(lon: query["lon"].map(String.init), lat: query["lat"].map(String.init), crs: crs)
            try region.require(CRS.convert(point, from: crs, to: .cgcs2000), field: "lon")
        }
        return JSONResponse.bytes(try Self.reverseAnswer(request.uri.queryParameters, services: try await services.value), contentType: Self.geoJSONType)
    }

    /// `GET /v1/autocomplete`.
    @Sendable func autocomplete(_ request: Request, context: CityRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let text = try Self.addressText(query["q"].map(String.init), field: "q")
        let limit = try Self.limit(query["limit"], default: 10)
        let crs = try RequestParsing.crs(query["crs"].map(String.init))
        let suggestions = try await services.value.geocoder.autocomplete(text, limit: limit)
        let features: [JSONValue] = suggestions.map { s in
            .object([
                "type": "Feature", "geometry": Self.point(s.coordinate, crs: crs),
                "properties": .object([
                    "text": .string(s.text), "label": .string(s.label), "kind": .string(s.kind.rawValue), "id": .string(s.id),
                ]),
            ])
        }
        return try Self.geoJSON(.object(["type": "FeatureCollection", "query": .string(text), "features": .array(features)]))
    }

    /// `POST /v1/geocode/batch`.
    @Sendable func geocodeBatch(_ request: Request, context: CityRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let crs = try RequestParsing.crs(query["crs"].map(String.init))
        let isJSON = request.headers[.contentType]?.contains("json") ?? false
        let geocoder = try await services.value.geocoder
        if isJSON {
            return try await jsonBatch(request, context: context, geocoder: geocoder, crs: crs)
        }
        let bytes = try await RequestParsing.rawBody(request, context: context, maximumBytes: maximumBodyBytes)
        let lines = bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        guard lines <= maximumBatchAddresses + 1 else {
            throw APIError(code: .batchTooLarge, message: "the CSV has \(lines - 1) rows; the limit is \(maximumBatchAddresses)",
                details: ["field": "body", "maximum": .int(Int64(maximumBatchAddresses))])
        }
        let column = query["address_column"].map(String.init) ?? "address"
        let batch = BatchGeocoding(geocoder: geocoder, addressColumn: column, outputCRS: crs)
        let csv: [UInt8], summary: BatchGeocoding.Summary
        do throws(GeoError) {
            (csv, summary) = try batch.run(csv: bytes)
        } catch {
            // A header without the address column is the parameter's mismatch; anything else is the file's.
            throw APIError(error, field: error.code == .missingColumn ? "address_column" : "body")
        }
        var response = JSONResponse.bytes(csv, contentType: "text/csv; charset=utf-8")
        response.headers[HTTPField.Name("X-Geocoded-Rows")!] = String(summary.rows)
        response.headers[HTTPField.Name("X-Matched-Rows")!] = String(summary.matched)
        return response
    }

    /// The body of `GET /v1/geocode` (``geoJSONType``); the parameters' errors are thrown as `APIError`s.
    /// Synchronous, so that ``InlineLookups`` can answer on the connection's event loop with the very bytes the
    /// router sends.
    static func geocodeAnswer(_ query: FlatDictionary<Substring, Substring>, services: AddressServices) throws -> [UInt8] {
        let text = try addressText(query["q"].map(String.init), field: "q")
        let limit = try limit(query["limit"], default: 5)
        let crs = try RequestParsing.crs(query["crs"].map(String.init))
        let geocoder = services.geocoder
        let (parsed, results) = geocoder.geocodeParsed(text, limit: limit)
        var extra: [String: JSONValue] = ["query": .string(text), "parsed": describe(parsed)]
        if let classCode = parsed.componentClassCode {
            let kind = geocoder.componentClassName(classCode).map { " (\($0))" } ?? ""
            extra["note"] = .string(
                "\(classCode) is a component class code\(kind): it names a kind of component, not a place; give the 16-digit component identifier")
        }
        var json = JSONStreamWriter()
        try writeCollection(results, crs: crs, extra: extra, to: &json)
        return json.bytes
    }

    /// The body of `GET /v1/reverse`; synchronous for the same reason as ``geocodeAnswer(_:services:)``.
    static func reverseAnswer(_ query: FlatDictionary<Substring, Substring>, services: AddressServices) throws -> [UInt8] {
        let crs = try RequestParsing.crs(query["crs"].map(String.init))
        let point = try RequestParsing.point(lon: query["lon"].map(String.init), lat: query["lat"].map(String.init), crs: crs)
        let radius = try query["radius"].map { try RequestParsing.number(String($0), "radius", 1...5_000) } ?? 200
        let result = services.reverse.reverse(CRS.convert(point, from: crs, to: .cgcs2000), plateRadius: radius)
        return try JSON.encodeBytes(.object(["type": "FeatureCollection", "features": .array([feature(result, point: point, crs: crs)])]))
    }

    /// `{"addresses": ["…", …], "limit": 1}` → `{"results": [FeatureCollection, …]}` in request order.
    private func jsonBatch(_ request: Request, context: CityRequestContext, geocoder: Geocoder, crs: CRS) async throws -> Response {
        let body = try await RequestParsing.jsonBody(request, context: context, maximumBytes: maximumBodyBytes)
        guard case .object(let object) = body, case .array(let items)? = object["addresses"] else {
            throw APIError(code: .invalidArgument, message: "body must be {\"addresses\": [\"…\", …]}", details: ["field": "addresses"])
        }
        guard items.count <= maximumBatchAddresses else {
            throw APIError(code: .batchTooLarge, message: "addresses has \(items.count) entries; the limit is \(maximumBatchAddresses)",
                details: ["field": "addresses", "maximum": .int(Int64(maximumBatchAddresses))])
        }
        let limit = try object["limit"].map { value -> Int in
            guard let n = value.intValue, (1...Int64(Self.maximumResults)).contains(n) else {
                throw APIError(code: .invalidArgument, message: "limit must be an integer in 1...\(Self.maximumResults)", details: ["field": "limit"])
            }
            return Int(n)
        } ?? 1
        let texts = try items.enumerated().map { k, item -> String in
            guard case .string(let text) = item else {
                throw APIError(code: .invalidArgument, message: "addresses[\(k)] must be a string", details: ["field": .string("addresses[\(k)]")])
            }
            return try Self.addressText(text, field: "addresses[\(k)]")
        }
        var json = JSONStreamWriter(reservingCapacity: 512 * texts.count)
        json.beginObject()
        json.key("count")
        try json.value(.int(Int64(texts.count)))
        json.key("results")
        json.beginArray()
        for text in texts { try Self.writeCollection(geocoder.geocode(text, limit: limit), crs: crs, to: &json) }
        json.endArray()
        json.endObject()
        return JSONResponse.bytes(json.bytes, contentType: JSONResponse.jsonType)
    }

    // MARK: Parameters

    static func addressText(_ text: String?, field: String) throws -> String {
        guard let text, text.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) else {
            throw APIError(code: .invalidArgument, message: "\(field) must be a non-empty address", details: ["field": .string(field)])
        }
        // Every character takes at least one byte, so most addresses pass without counting grapheme clusters.
        guard text.utf8.count <= maximumQueryCharacters || text.count <= maximumQueryCharacters else {
            throw APIError(code: .invalidArgument,
                message: "\(field) has \(text.count) characters; an address has at most \(maximumQueryCharacters)", details: ["field": .string(field)])
        }
        return text
    }

    static func limit(_ value: Substring?, default fallback: Int) throws -> Int {
        guard let value else { return fallback }
        guard let n = Int(value), (1...maximumResults).contains(n) else {
            throw APIError(code: .invalidArgument, message: "limit must be an integer in 1...\(maximumResults), got \"\(value)\"",
                details: ["field": "limit"])
        }
        return n
    }

    // MARK: Responses

    static func geoJSON(_ value: JSONValue) throws -> Response {
        JSONResponse.bytes(try JSON.encodeBytes(value), contentType: geoJSONType)
    }

    static func point(_ c: Coordinate?, crs: CRS) -> JSONValue {
        guard let c else { return .null }
        let p = position(c, crs: crs)
        return .object(["type": "Point", "coordinates": .array([.double(p.x), .double(p.y)])])
    }

    /// A book coordinate (CGCS2000) as answers give it: in the asked system, to 1e-7 degrees (about 1 cm).
    static func position(_ c: Coordinate, crs: CRS) -> Coordinate {
        let p = CRS.convert(c, from: .cgcs2000, to: crs)
        return Coordinate(x: (p.x * 1e7).rounded() / 1e7, y: (p.y * 1e7).rounded() / 1e7)
    }

    static let geoJSONType = "application/geo+json; charset=utf-8"

    /// A FeatureCollection of geocoding answers, with `extra` members beside `type` and `features`, written
    /// straight to bytes (the answer of the busiest route: no tree of dictionaries). Keys go in sorted order.
    static func writeCollection(
        _ results: [GeocodeResult], crs: CRS, extra: [String: JSONValue] = [:], to json: inout JSONStreamWriter
    ) throws(GeoError) {
        var extras = extra.sorted { $0.key < $1.key }[...]
        func writeExtras(before key: String?) throws(GeoError) {
            while let member = extras.first, key.map({ member.key < $0 }) ?? true {
                json.key(member.key)
                try json.value(member.value)
                extras.removeFirst()
            }
        }
        json.beginObject()
        try writeExtras(before: "crs_name")
        json.key("crs_name")
        json.string(crs.rawValue)
        try writeExtras(before: "features")
        json.key("features")
        json.beginArray()
        for r in results { try writeFeature(r, crs: crs, to: &json) }
        json.endArray()
        try writeExtras(before: "type")
        json.key("type")
        json.string("FeatureCollection")
        try writeExtras(before: nil)
        json.endObject()
    }

    private static func writeFeature(_ r: GeocodeResult, crs: CRS, to json: inout JSONStreamWriter) throws(GeoError) {
        json.beginObject()
        json.key("geometry")
        if let c = r.coordinate {
            let p = position(c, crs: crs)
            json.beginObject()
            json.key("coordinates")
            json.beginArray()
            try json.double(p.x)
            try json.double(p.y)
            json.endArray()
            json.key("type")
            json.string("Point")
            json.endObject()
        } else {
            json.null()
        }
        json.key("properties")
        json.beginObject()
        json.key("codes")
        json.beginObject()
        for (level, code) in r.codes.sorted(by: { $0.key < $1.key }) {
            json.key(level)
            json.string(code)
        }
        json.endObject()
        json.key("confidence")
        try json.double(r.confidence)
        json.key("label")
        json.string(r.label)
        json.key("match_type")
        json.string(r.matchType.rawValue)
        json.key("matched_id")
        if let id = r.matchedID { json.string(id) } else { json.null() }
        json.key("notes")
        json.beginArray()
        for note in r.notes { json.string(note) }
        json.endArray()
        json.endObject()
        json.key("type")
        json.string("Feature")
        json.endObject()
    }

    static func describe(_ p: ParsedAddress) -> JSONValue {
        var object: [String: JSONValue] = ["normalized": .string(p.normalized), "regions": .array(p.regionNames.map { .string($0) })]
        if let v = p.road { object["road"] = .string(v) }
        if let v = p.doorNumber { object["door_number"] = .string("\(v)\(p.doorSuffix)") }
        if let v = p.place { object["place"] = .string(v) }
        if let v = p.building { object["building"] = .int(Int64(v)) }
        if let v = p.unit { object["unit"] = .int(Int64(v)) }
        if let v = p.room { object["room"] = .string(v) }
        if let v = p.poi { object["poi"] = .string(v) }
        if let v = p.direction { object["direction"] = .string(v.text) }
        if let v = p.code { object["code"] = .string(v) }
        if let v = p.componentCode { object["component_code"] = .string(v) }
        if let v = p.componentClassCode { object["component_class_code"] = .string(v) }
        if !p.remark.isEmpty { object["remark"] = .string(p.remark) }
        return .object(object)
    }

    static func feature(_ r: ReverseGeocodeResult, point: Coordinate, crs: CRS) -> JSONValue {
        var properties: [String: JSONValue] = [
            "address": .string(r.address),
            "regions": .object(r.regions.mapValues { .object(["code": .string($0.code), "name": .string($0.name)]) }),
        ]
        properties["road"] =
            r.road.map { .object(["id": .string($0.id), "name": .string($0.name), "distance_m": .double($0.distanceMetres)]) } ?? .null
        properties["plate"] =
            r.plate.map { plate in
                .object([
                    "id": .string(plate.id), "label": .string(plate.label), "distance_m": .double((plate.distanceMetres * 10).rounded() / 10),
                    "point": Self.point(plate.coordinate, crs: crs),
                ])
            } ?? .null
        return .object([
            "type": "Feature", "geometry": .object(["type": "Point", "coordinates": .array([.double(point.x), .double(point.y)])]),
            "properties": .object(properties),
        ])
    }
}
