import GeoAddress
import GeoCore
import GeoGrids
import Testing

@Suite("Reverse geocoding, autocomplete and batches")
struct ReverseAndSuggestTests {
    static let reverse: Task<ReverseGeocoder, any Error> = Task {
        ReverseGeocoder(geocoder: try await DemoBook.geocoder.value, locator: try await GridLocator.load(from: try await DemoBook.store.value))
    }

    @Test("at a plate: that plate at 0 m, its grid and admin chain, and the standard address")
    func atPlate() async throws {
        let book = try await DemoBook.book.value
        let plate = GeocoderTests.plate(book, "人民北路", 14)
        let r = try await Self.reverse.value.reverse(plate.coordinate)
        #expect(r.plate?.id == plate.id)
        #expect(r.plate?.distanceMetres == 0)
        #expect(r.regions["unit_grid"]?.code == plate.gridCode)
        #expect(r.regions["community"]?.code == plate.communityCode)
        #expect(r.regions["city"]?.name == "盐城市")
        #expect(r.regions["province"]?.name == "江苏省")
        #expect(r.road?.name == "人民北路")
        #expect(r.address.hasPrefix("江苏省盐城市大丰区"))
        #expect(r.address.hasSuffix("人民北路14号"))
    }

    @Test("30 m off a plate, away from its road: the plate, distance and direction; the forward geocoder inverts it")
    func offset() async throws {
        let book = try await DemoBook.book.value
        // 迎宾路 is numbered eastward, so its odd plates are on the north side: 30 m north is away from the road.
        let road = book.roads.first { $0.name == "迎宾路" }!
        #expect(road.line.last!.x > road.line.first!.x)
        let plate = GeocoderTests.plate(book, "迎宾路", 277)
        let north = Geodesic.destination(from: plate.coordinate, azimuth: 0, distance: 30).coordinate
        let r = try await Self.reverse.value.reverse(north)
        #expect(r.plate?.id == plate.id)
        #expect(abs((r.plate?.distanceMetres ?? 0) - 30) < 0.2)
        #expect(r.address.hasSuffix("迎宾路277号北30米"))
        let back = try #require(try await DemoBook.geocoder.value.geocode(r.address).first?.coordinate)
        #expect(Geodesic.distance(from: back, to: north) < 0.5)
    }

    @Test("far from every plate and road: regions only; outside the city: the national admin levels, no road or plate")
    func far() async throws {
        let reverse = try await Self.reverse.value
        let rural = reverse.reverse(Coordinate(x: 120.60, y: 33.05), plateRadius: 50, roadRadius: 50)
        #expect(rural.plate == nil)
        #expect(rural.regions["district"]?.code == "320904")
        let beijing = reverse.reverse(Coordinate(x: 116.4, y: 39.9))
        #expect(beijing.regions.mapValues(\.code) == ["province": "110000", "district": "110101"])
        #expect(beijing.address == "北京市东城区")
        #expect(beijing.road == nil && beijing.plate == nil)
    }

    @Test("autocomplete: names by prefix, book before nation; a road and digits give its plates in number order")
    func autocomplete() async throws {
        let g = try await DemoBook.geocoder.value
        let names = g.autocomplete("桂花", limit: 5)
        #expect(names.first?.text == "桂花苑")
        #expect(names.first?.kind == .place)
        #expect(names.allSatisfy { $0.text.hasPrefix("桂花") })
        let plates = g.autocomplete("人民北路1", limit: 4)
        let book = try await DemoBook.book.value
        let numbers = Set(book.plates.filter { book.roads[$0.road].name == "人民北路" && $0.suffix.isEmpty }.map(\.number))
        let expected = numbers.filter { String($0).hasPrefix("1") }.sorted { (String($0).count, $0) < (String($1).count, $1) }.prefix(4)
        #expect(plates.map(\.text) == expected.map { "人民北路\($0)号" })
        #expect(plates.first?.text == "人民北路1号")
        #expect(plates.allSatisfy { $0.kind == .plate && $0.coordinate != nil })
        #expect(g.autocomplete("", limit: 5).isEmpty)
        let regions = g.autocomplete("大中", limit: 3)
        #expect(regions.first?.id == "320904002")
    }

    @Test("batch CSV: input columns kept, answers appended, unmatched rows left empty")
    func batch() async throws {
        let g = try await DemoBook.geocoder.value
        let input = "id,address\n1,人民北路14号\n2,\"桂花苑3栋\"\n3,不存在的地方\n"
        let (csv, summary) = try BatchGeocoding(geocoder: g, outputCRS: .gcj02).run(csv: Array(input.utf8))
        let rows = try CSVReader.read(csv).map(\.fields)
        #expect(rows[0] == ["id", "address"] + BatchGeocoding.outputColumns)
        #expect(rows.count == 4)
        #expect(summary.rows == 3)
        #expect(summary.matched == 2)
        #expect(rows[1][6] == "exact_plate")
        let plate = GeocoderTests.plate(try await DemoBook.book.value, "人民北路", 14)
        let gcj = CRS.convert(plate.coordinate, from: .cgcs2000, to: .gcj02)
        #expect(abs(Double(rows[1][3])! - gcj.x) < 1e-7 && abs(Double(rows[1][4])! - gcj.y) < 1e-7)
        #expect(rows[3][2...].allSatisfy { $0.isEmpty })
        let error = #expect(throws: GeoError.self) { _ = try BatchGeocoding(geocoder: g, addressColumn: "地址").run(csv: Array(input.utf8)) }
        #expect(error?.message.contains("no 地址 column (columns: id, address)") == true)
    }
}
