import DemoCity
import Foundation
import GeoCore
@testable import GeoServer
import GeoStore
import Hummingbird
import Logging
import HTTPTypes
import HummingbirdTesting
import Testing

/// /v1/geocode, /v1/reverse, /v1/autocomplete and /v1/geocode/batch on the demo city.
@Suite struct GeocodeEndpointTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let store: Task<SpatialStore, any Error> = Task {
        let store = try SpatialStore.temporary()
        try await DemoCityLoader.loadDemoCity(into: store, from: root)
        return store
    }

    /// The demo city's routes, built once per batch limit for the whole suite (the tests only read).
    func withApp(maximumBatchAddresses: Int = 100, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let (responder, _) = try await SharedRoutes.shared.routes("geocode-\(maximumBatchAddresses)") {
            let configuration = ServerConfiguration(databasePath: nil, demoDataRoot: Self.root, maximumBatchAddresses: maximumBatchAddresses)
            return try await buildRoutes(store: try await Self.store.value, configuration: configuration, logger: Logger(label: "test"), serverName: nil).routerAndLookups
        }
        try await Application(responder: responder).test(.router, body)
    }

    static func uri(_ path: String, _ query: [(String, String)]) -> String {
        path + "?" + query.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }.joined(separator: "&")
    }

    /// The plate record of 人民北路14号 from the committed CSV, independent of the geocoder.
    static func plateRow() throws -> (id: String, lon: Double, lat: Double, grid: String) {
        let text = try String(contentsOf: root.appendingPathComponent("AddressBooks/door_plates.csv"), encoding: .utf8)
        let fields = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let row = fields.first { $0[2] == "人民北路" && $0[3] == "14" && $0[4].isEmpty }!
        return (row[0], Double(row[6])!, Double(row[7])!, row[8])
    }

    @Test func geocodeAnswersAFeatureCollectionInTheAskedCRS() async throws {
        let plate = try Self.plateRow()
        try await withApp { client in
            try await client.execute(uri: Self.uri("/v1/geocode", [("q", "丰华街道人民北路十四号"), ("crs", "gcj02")]), method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/geo+json") == true)
                let collection = try GeoJSON.decodeFeatureCollection(Array(response.body.readableBytesView))
                let first = try #require(collection.features.first)
                #expect(first.properties["match_type"] == "exact_plate")
                #expect(first.properties["matched_id"]?.stringValue == plate.id)
                #expect(first.properties["confidence"]?.doubleValue == 1)
                guard case .object(let codes)? = first.properties["codes"] else { Issue.record("no codes"); return }
                #expect(codes["unit_grid"]?.stringValue == plate.grid)
                let expected = CRS.convert(Coordinate(x: plate.lon, y: plate.lat), from: .cgcs2000, to: .gcj02)
                guard case .point(let p)? = first.geometry else { Issue.record("no point"); return }
                #expect(abs(p.coordinate.x - expected.x) < 1e-7 && abs(p.coordinate.y - expected.y) < 1e-7)
                let json = try JSON.decode(Array(response.body.readableBytesView))
                guard case .object(let top) = json, case .object(let parsed)? = top["parsed"] else { Issue.record("no parsed"); return }
                #expect(parsed["road"] == "人民北路")
                #expect(parsed["door_number"] == "14")
            }
        }
    }

    /// The demo data root brings the pinyin table along with the division list: a name written with two homophones
    /// (仁民被路 for 人民北路) reaches the plate at 0.75 with a note.
    /// The geocoding answers are written straight to bytes; they must be the canonical encoding of what they
    /// hold (sorted keys, the shortest numbers), byte for byte what the tree writer gives for the decoded answer.
    static let canonicalCases: [[(String, String)]] = [
        [("q", "丰华街道人民北路十四号")],
        [("crs", "bd09"), ("limit", "5"), ("q", "人民北路")],
        [("q", "仁民被路14号东侧50米")],
        [("q", "3209040103")],
        [("q", "火星基地\"1号\\")],
    ]

    @Test(arguments: 0..<5)
    func geocodeAnswersAreCanonicalJSON(index: Int) async throws {
        let uri = Self.uri("/v1/geocode", Self.canonicalCases[index])
        try await withApp { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .ok)
                let bytes = Array(response.body.readableBytesView)
                let decoded = try JSON.decode(bytes)
                #expect(try JSON.encodeBytes(decoded) == bytes, "\(String(decoding: bytes, as: UTF8.self))")
                let top = try #require(decoded.objectValue, "not an object")
                #expect(top["type"] == "FeatureCollection")
                #expect(top["query"]?.stringValue?.isEmpty == false)
                #expect(top["parsed"] != nil)
            }
        }
    }

    @Test func homophonesAreMatchedWithTheDemoPinyinTable() async throws {
        let plate = try Self.plateRow()
        try await withApp { client in
            try await client.execute(uri: Self.uri("/v1/geocode", [("q", "仁民被路14号")]), method: .get) { response in
                #expect(response.status == .ok)
                let collection = try GeoJSON.decodeFeatureCollection(Array(response.body.readableBytesView))
                let first = try #require(collection.features.first)
                #expect(first.properties["match_type"] == "exact_plate")
                #expect(first.properties["matched_id"]?.stringValue == plate.id)
                #expect(first.properties["confidence"]?.doubleValue == 0.75)
                #expect(first.properties["notes"] == .array([.string("homophone 仁民被路 → 人民北路")]))
            }
        }
    }

    @Test func componentCodesAnswerTheComponentAndClassCodesANote() async throws {
        // The component from the committed CSV, independent of the geocoder.
        let text = try String(contentsOf: Self.root.appendingPathComponent("AddressBooks/components.csv"), encoding: .utf8)
        let row = text.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            .first { $0[3] == "雨水井盖" }!
        let (code, classCode, lon, lat, grid) = (row[0], row[1], Double(row[4])!, Double(row[5])!, row[6])
        try await withApp { client in
            try await client.execute(uri: Self.uri("/v1/geocode", [("q", "部件编码：\(code.prefix(8)) \(code.dropFirst(8))")]), method: .get) { response in
                #expect(response.status == .ok)
                let collection = try GeoJSON.decodeFeatureCollection(Array(response.body.readableBytesView))
                #expect(collection.features.count == 1)
                let first = try #require(collection.features.first)
                #expect(first.properties["match_type"] == "component")
                #expect(first.properties["matched_id"]?.stringValue == code)
                #expect(first.properties["confidence"]?.doubleValue == 1)
                #expect(first.properties["label"]?.stringValue?.hasSuffix("雨水井盖 \(code)") == true)
                guard case .object(let codes)? = first.properties["codes"] else { Issue.record("no codes"); return }
                #expect(codes["unit_grid"]?.stringValue == grid)
                guard case .point(let p)? = first.geometry else { Issue.record("no point"); return }
                #expect(abs(p.coordinate.x - lon) < 1e-7 && abs(p.coordinate.y - lat) < 1e-7)
                guard case .object(let top) = try JSON.decode(Array(response.body.readableBytesView)), case .object(let parsed)? = top["parsed"] else {
                    Issue.record("no parsed"); return
                }
                #expect(parsed["component_code"]?.stringValue == code)
            }
            try await client.execute(uri: Self.uri("/v1/geocode", [("q", classCode)]), method: .get) { response in
                #expect(response.status == .ok)
                let collection = try GeoJSON.decodeFeatureCollection(Array(response.body.readableBytesView))
                #expect(collection.features.isEmpty)
                guard case .object(let top) = try JSON.decode(Array(response.body.readableBytesView)) else { Issue.record("no object"); return }
                #expect(top["note"]?.stringValue?.contains("雨水井盖") == true)
                guard case .object(let parsed)? = top["parsed"] else { Issue.record("no parsed"); return }
                #expect(parsed["component_class_code"]?.stringValue == classCode)
            }
            // Components are tiles from zoom 16 only.
            try await client.execute(uri: "/tiles/components.json", method: .get) { response in
                #expect(response.status == .ok)
                guard case .object(let tileJSON) = try JSON.decode(Array(response.body.readableBytesView)) else { Issue.record("no TileJSON"); return }
                #expect(tileJSON["minzoom"] == .int(16))
                #expect(tileJSON["maxzoom"] == .int(16))
            }
        }
    }

    @Test func reverseAndAutocomplete() async throws {
        let plate = try Self.plateRow()
        try await withApp { client in
            try await client.execute(uri: "/v1/reverse?lon=\(plate.lon)&lat=\(plate.lat)", method: .get) { response in
                #expect(response.status == .ok)
                let feature = try #require(try GeoJSON.decodeFeatureCollection(Array(response.body.readableBytesView)).features.first)
                #expect(feature.properties["address"]?.stringValue?.hasSuffix("人民北路14号") == true)
                guard case .object(let regions)? = feature.properties["regions"], case .object(let grid)? = regions["unit_grid"] else {
                    Issue.record("no regions"); return
                }
                #expect(grid["code"]?.stringValue == plate.grid)
            }
            try await client.execute(uri: Self.uri("/v1/autocomplete", [("q", "桂花"), ("limit", "3")]), method: .get) { response in
                let features = try GeoJSON.decodeFeatureCollection(Array(response.body.readableBytesView)).features
                #expect(features.count == 3)
                #expect(features.first?.properties["text"] == "桂花苑")
                #expect(features.first?.properties["kind"] == "place")
            }
        }
    }

    @Test func batchAsCSVAndAsJSON() async throws {
        let plate = try Self.plateRow()
        try await withApp { client in
            let csv = "id,地址\n1,人民北路14号\n2,无此地址\n"
            try await client.execute(uri: "/v1/geocode/batch?address_column=%E5%9C%B0%E5%9D%80", method: .post, headers: [.contentType: "text/csv"], body: ByteBuffer(string: csv)) { response in
                #expect(response.status == .ok)
                let rows = try CSVReader.read(Array(response.body.readableBytesView)).map(\.fields)
                #expect(rows.count == 3)
                #expect(rows[1][0] == "1")
                #expect(rows[1][5] == "1.0")
                #expect(rows[1][7] == plate.grid)
                #expect(rows[2][2].isEmpty)
                #expect(response.headers[HTTPField.Name("X-Matched-Rows")!] == "1")
            }
            let json = #"{"addresses":["人民北路14号","桂花苑3幢"]}"#
            try await client.execute(uri: "/v1/geocode/batch", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: json)) { response in
                #expect(response.status == .ok)
                guard case .object(let body) = try JSON.decode(Array(response.body.readableBytesView)), case .array(let results)? = body["results"] else {
                    Issue.record("no results"); return
                }
                #expect(results.count == 2)
                guard case .object(let second) = results[1], case .array(let features)? = second["features"], case .object(let f)? = features.first,
                    case .object(let properties)? = f["properties"]
                else { Issue.record("bad result"); return }
                #expect(properties["match_type"] == "building_plate")
            }
        }
    }

    @Test(arguments: [
        ("/v1/geocode", HTTPResponse.Status.badRequest, "q"),
        ("/v1/geocode?q=%20", .badRequest, "q"),
        ("/v1/geocode?q=" + String(repeating: "%E8%B7%AF", count: 201), .badRequest, "q"),
        ("/v1/geocode?q=a&limit=0", .badRequest, "limit"),
        ("/v1/geocode?q=a&crs=epsg:3857", .badRequest, "crs"),
        ("/v1/reverse?lon=200&lat=33", .badRequest, "lon/lat"),
        ("/v1/reverse?lon=120.4&lat=33.2&radius=0", .badRequest, "radius"),
        ("/v1/autocomplete?q=", .badRequest, "q"),
    ])
    func badQueriesNameTheField(uri: String, status: HTTPResponse.Status, field: String) async throws {
        try await withApp { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == status, "\(uri)")
                guard case .object(let json) = try JSON.decode(Array(response.body.readableBytesView)), case .object(let details)? = json["details"] else {
                    Issue.record("no error body for \(uri)"); return
                }
                #expect(details["field"]?.stringValue == field, "\(uri)")
            }
        }
    }

    @Test func anImportedPOIIsFoundWithoutARestart() async throws {
        let store = try SpatialStore.temporary()
        try await DemoCityLoader.loadDemoCity(into: store, from: Self.root)
        let configuration = ServerConfiguration(databasePath: nil, demoDataRoot: Self.root, indexRefreshInterval: .zero)
        let router = try await buildRouter(store: store, configuration: configuration)
        let uri = Self.uri("/v1/geocode", [("q", "星光咖啡馆")])
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: uri, method: .get) { response in
                let features = try GeoJSON.decodeFeatureCollection(Array(response.body.readableBytesView)).features
                #expect(features.allSatisfy { $0.properties["matched_id"] != "P999999" })
            }
            let cafe = Feature(
                geometry: .point(Point(Coordinate(x: 120.4655, y: 33.1995))),
                properties: ["id": "P999999", "name": "星光咖啡馆", "category": "餐饮", "road": "人民北路", "number": 16])
            _ = try await store.importLayer(name: "pois", features: FeatureCollection([cafe]), options: ImportOptions(mode: .append))
            try await client.execute(uri: uri, method: .get) { response in
                let first = try GeoJSON.decodeFeatureCollection(Array(response.body.readableBytesView)).features.first
                #expect(first?.properties["matched_id"] == "P999999")
                #expect(first?.properties["match_type"] == "poi")
            }
        }
    }

    /// `geocode.book_has_every_road` reaches the server's geocoder: 和北路21号 (one character from 和平路, whose 21号 is
    /// on most of the book's roads) answers the plate there and the street by default.
    @Test func aCompleteBookSettingAnswersATypoWithItsPlate() async throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("AddressBooks/door_plates.csv"), encoding: .utf8)
        let rows: [[Substring]] = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let row = try #require(rows.first { (fields: [Substring]) -> Bool in fields[2] == "和平路" && fields[3] == "21" && fields[4].isEmpty })
        var configuration = ServerConfiguration(databasePath: nil, demoDataRoot: Self.root)
        configuration.geocoderOptions.bookHasEveryRoad = true
        let complete = try await buildRouter(store: try await Self.store.value, configuration: configuration)
        let uri = Self.uri("/v1/geocode", [("q", "和北路21号")])
        try await Application(router: complete).test(.router) { client in
            try await client.execute(uri: uri, method: .get) { response in
                let first = try #require(try GeoJSON.decodeFeatureCollection(Array(response.body.readableBytesView)).features.first)
                #expect(first.properties["match_type"] == "exact_plate")
                #expect(first.properties["matched_id"]?.stringValue == String(row[0]))
            }
        }
        try await withApp { client in
            try await client.execute(uri: uri, method: .get) { response in
                let first = try #require(try GeoJSON.decodeFeatureCollection(Array(response.body.readableBytesView)).features.first)
                #expect(first.properties["match_type"] == "street")
            }
        }
    }

    @Test func badBatchesAreRefused() async throws {
        try await withApp(maximumBatchAddresses: 2) { client in
            let tooMany = "address\na\nb\nc\n"
            try await client.execute(uri: "/v1/geocode/batch", method: .post, headers: [.contentType: "text/csv"], body: ByteBuffer(string: tooMany)) { response in
                #expect(response.status == .contentTooLarge)
            }
            try await client.execute(uri: "/v1/geocode/batch", method: .post, headers: [.contentType: "text/csv"], body: ByteBuffer(string: "id,addr\n1,x\n")) { response in
                #expect(response.status == .unprocessableContent)
                #expect(String(buffer: response.body).contains("no address column"))
                #expect(String(buffer: response.body).contains(#""field":"address_column""#))
            }
            let gbk: [UInt8] = Array("address\n".utf8) + [0xB4, 0xF3, 0xB7, 0xE1, 0x0A]
            try await client.execute(uri: "/v1/geocode/batch", method: .post, headers: [.contentType: "text/csv"], body: ByteBuffer(bytes: gbk)) { response in
                #expect(response.status == .unprocessableContent)
                #expect(String(buffer: response.body).contains("invalid_encoding"))
            }
            try await client.execute(uri: "/v1/geocode/batch", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"addresses":[1]}"#)) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("addresses[0]"))
            }
        }
    }
}
