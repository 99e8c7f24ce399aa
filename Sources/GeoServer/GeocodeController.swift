import Foundation
import GeoAddress
import GeoCore
import GeoGrids
import GeoStore
import HTTPTypes
import Hummingbird

/// The geocoders of the current address book, built together so that forward and reverse answers agree. A class:
/// every request takes the current one, and copying the two structs' dozens of tables cost a retain each.
final class AddressServices: Sendable {
    let geocoder: Geocoder
    let reverse: ReverseGeocoder

    init(geocoder: Geocoder, reverse: ReverseGeocoder) {
        self.geocoder = geocoder
        self.reverse = reverse
    }

    /// The layers the address book and its reverse geocoder are built from.
    static let layerNames: [String] = {
        let names = AddressBook.LayerNames()
        return names.regions + [names.roads, names.places, names.plates, names.buildings, names.pois, names.components, GridLocator.layerNames.responsibilityGrids]
    }()

    static func load(from store: SpatialStore, divisions: AdminDivisions, pinyin: PinyinTable = PinyinTable()) async throws -> AddressServices {
        let geocoder = Geocoder(book: try await AddressBook.load(from: store), divisions: divisions, pinyin: pinyin)
        return AddressServices(geocoder: geocoder, reverse: ReverseGeocoder(geocoder: geocoder, locator: try await GridLocator.load(from: store)))
    }
}

/// `/v1/geocode`, `/v1/reverse`, `/v1/autocomplete`, `/v1/geocode/batch`: address matching over the address
/// book in the store (GB/T 30428.3), answered as GeoJSON in the coordinate system asked for.
struct GeocodeController {
    let services: VersionedIndex<AddressServices>
    let maximumBodyBytes: Int
    let maximumBatchAddresses: Int

    static let maximumQueryCharacters = 200
    static let maximumResults = 50

    func register(on group: RouterGroup<CityRequestContext>) {
        group.get("geocode") { request, _ -> Response in
            let query = request.uri.queryParameters
            let text = try Self.addressText(query["q"].map(String.init), field: "q")
            let limit = try Self.limit(query["limit"], default: 5)
            let crs = try RequestParsing.crs(query["crs"].map(String.init))
            let (parsed, results) = try await services.value.geocoder.geocodeParsed(text, limit: limit)
            var collection = Self.collection(results, crs: crs)
            if case .object(var object) = collection {
                object["query"] = .string(text)
                object["parsed"] = Self.describe(parsed)
                if let classCode = parsed.componentClassCode {
                    let kind = try await services.value.geocoder.componentClassName(classCode).map { " (\($0))" } ?? ""
                    object["note"] = .string(
                        "\(classCode) is a component class code\(kind): it names a kind of component, not a place; give the 16-digit component identifier")
                }
                collection = .object(object)
            }
            return try Self.geoJSON(collection)
        }
        group.get("reverse") { request, _ -> Response in
            let query = request.uri.queryParameters
            let crs = try RequestParsing.crs(query["crs"].map(String.init))
            let point = try RequestParsing.point(lon: query["lon"].map(String.init), lat: query["lat"].map(String.init), crs: crs)
            let radius = try query["radius"].map { try RequestParsing.number(String($0), "radius", 1...5_000) } ?? 200
            let result = try await services.value.reverse.reverse(CRS.convert(point, from: crs, to: .cgcs2000), plateRadius: radius)
            return try Self.geoJSON(.object(["type": "FeatureCollection", "features": .array([Self.feature(result, point: point, crs: crs)])]))
        }
        group.get("autocomplete") { request, _ -> Response in
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
        group.post("geocode/batch") { request, context -> Response in
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
                throw APIError(
                    status: .contentTooLarge, code: "batch_too_large", message: "the CSV has \(lines - 1) rows; the limit is \(maximumBatchAddresses)",
                    details: ["field": "body", "maximum": .int(Int64(maximumBatchAddresses))])
            }
            let column = query["address_column"].map(String.init) ?? "address"
            let batch = BatchGeocoding(geocoder: geocoder, addressColumn: column, outputCRS: crs)
            let csv: [UInt8], summary: BatchGeocoding.Summary
            do throws(GeoError) {
                (csv, summary) = try batch.run(csv: bytes)
            } catch {
                // A header without the address column is the parameter's mismatch; anything else is the file's.
                let missingColumn = error.location == "line 1" && error.message.contains("no \(column) column")
                throw APIError(error, field: missingColumn ? "address_column" : "body")
            }
            var response = JSONResponse.bytes(csv, contentType: "text/csv; charset=utf-8")
            response.headers[HTTPField.Name("X-Geocoded-Rows")!] = String(summary.rows)
            response.headers[HTTPField.Name("X-Matched-Rows")!] = String(summary.matched)
            return response
        }
    }

    /// `{"addresses": ["…", …], "limit": 1}` → `{"results": [FeatureCollection, …]}` in request order.
    private func jsonBatch(_ request: Request, context: CityRequestContext, geocoder: Geocoder, crs: CRS) async throws -> Response {
        let body = try await RequestParsing.jsonBody(request, context: context, maximumBytes: maximumBodyBytes)
        guard case .object(let object) = body, case .array(let items)? = object["addresses"] else {
            throw APIError(status: .badRequest, code: "invalid_argument", message: "body must be {\"addresses\": [\"…\", …]}", details: ["field": "addresses"])
        }
        guard items.count <= maximumBatchAddresses else {
            throw APIError(
                status: .contentTooLarge, code: "batch_too_large", message: "addresses has \(items.count) entries; the limit is \(maximumBatchAddresses)",
                details: ["field": "addresses", "maximum": .int(Int64(maximumBatchAddresses))])
        }
        let limit = try object["limit"].map { value -> Int in
            guard let n = value.intValue, (1...Int64(Self.maximumResults)).contains(n) else {
                throw APIError(status: .badRequest, code: "invalid_argument", message: "limit must be an integer in 1...\(Self.maximumResults)", details: ["field": "limit"])
            }
            return Int(n)
        } ?? 1
        var results: [JSONValue] = []
        results.reserveCapacity(items.count)
        for (k, item) in items.enumerated() {
            guard case .string(let text) = item else {
                throw APIError(status: .badRequest, code: "invalid_argument", message: "addresses[\(k)] must be a string", details: ["field": .string("addresses[\(k)]")])
            }
            let checked = try Self.addressText(text, field: "addresses[\(k)]")
            results.append(Self.collection(geocoder.geocode(checked, limit: limit), crs: crs))
        }
        return try JSONResponse.make(.object(["count": .int(Int64(items.count)), "results": .array(results)]))
    }

    // MARK: Parameters

    static func addressText(_ text: String?, field: String) throws -> String {
        guard let text, text.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) else {
            throw APIError(status: .badRequest, code: "invalid_argument", message: "\(field) must be a non-empty address", details: ["field": .string(field)])
        }
        // Every character takes at least one byte, so most addresses pass without counting grapheme clusters.
        guard text.utf8.count <= maximumQueryCharacters || text.count <= maximumQueryCharacters else {
            throw APIError(
                status: .badRequest, code: "invalid_argument",
                message: "\(field) has \(text.count) characters; an address has at most \(maximumQueryCharacters)", details: ["field": .string(field)])
        }
        return text
    }

    static func limit(_ value: Substring?, default fallback: Int) throws -> Int {
        guard let value else { return fallback }
        guard let n = Int(value), (1...maximumResults).contains(n) else {
            throw APIError(
                status: .badRequest, code: "invalid_argument", message: "limit must be an integer in 1...\(maximumResults), got \"\(value)\"",
                details: ["field": "limit"])
        }
        return n
    }

    // MARK: Responses

    static func geoJSON(_ value: JSONValue) throws -> Response {
        JSONResponse.bytes(try JSON.encodeBytes(value), contentType: "application/geo+json; charset=utf-8")
    }

    static func point(_ c: Coordinate?, crs: CRS) -> JSONValue {
        guard let c else { return .null }
        let p = CRS.convert(c, from: .cgcs2000, to: crs)
        return .object(["type": "Point", "coordinates": .array([.double(rounded(p.x)), .double(rounded(p.y))])])
    }

    static func rounded(_ v: Double) -> Double { (v * 1e7).rounded() / 1e7 }

    static func collection(_ results: [GeocodeResult], crs: CRS) -> JSONValue {
        let features: [JSONValue] = results.map { r in
            .object([
                "type": "Feature", "geometry": point(r.coordinate, crs: crs),
                "properties": .object([
                    "label": .string(r.label), "confidence": .double(r.confidence), "match_type": .string(r.matchType.rawValue),
                    "codes": .object(r.codes.mapValues { .string($0) }), "matched_id": r.matchedID.map { .string($0) } ?? .null,
                    "notes": .array(r.notes.map { .string($0) }),
                ]),
            ])
        }
        return .object(["type": "FeatureCollection", "crs_name": .string(crs.rawValue), "features": .array(features)])
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
