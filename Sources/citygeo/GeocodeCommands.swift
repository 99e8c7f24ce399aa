import ArgumentParser
import DemoCity
import Foundation
import GeoAddress
import GeoCore
import GeoGrids
import GeoServer
import GeoStore

/// `citygeo geocode`: address matching from the command line (one address, reverse, suggestions, CSV batches).
struct GeocodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geocode", abstract: "Address matching (GB/T 30428.3): forward, reverse, autocomplete and CSV batches.",
        subcommands: [GeocodeForwardCommand.self, GeocodeReverseCommand.self, GeocodeSuggestCommand.self, GeocodeBatchCommand.self],
        defaultSubcommand: GeocodeForwardCommand.self)
}

/// Where the address book comes from.
struct AddressBookOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions
    @Option(help: "Folder with GridData/ and AddressBooks/: imported into an empty database, and the source of the division list.")
    var dataRoot = "."
    @Option(help: "China's division list (CSV: level,code,parent_code,name). Default: <data-root>/AddressBooks/national/divisions.csv.")
    var divisions: String?
    @Option(help: "Hanzi readings for matching homophones (同音字; hanzi<TAB>readings). Default: <data-root>/AddressBooks/national/pinyin.txt if present, else homophones are off.")
    var pinyin: String?
    @Flag(help: "The address book is the complete road register: a road written one character from a book road, with a door number that road has, answers the plate (default: only a door number few roads have does).")
    var bookHasEveryRoad = false

    /// Opens the store (importing the demo city into an empty one) and builds the geocoder.
    func geocoder() async throws -> (Geocoder, any CityStore) {
        let store = try await database.open()
        try await DemoCityLoader.importIfNeeded(into: store, from: URL(fileURLWithPath: dataRoot)) { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        let listPath = divisions ?? URL(fileURLWithPath: dataRoot).appendingPathComponent("AddressBooks/national/divisions.csv").path
        let list = FileManager.default.fileExists(atPath: listPath) ? try AdminDivisions.load(from: URL(fileURLWithPath: listPath)) : AdminDivisions([])
        // A table named with --pinyin must be there; the data root's is used when present.
        let defaultPinyin = URL(fileURLWithPath: dataRoot).appendingPathComponent("AddressBooks/national/pinyin.txt")
        let table = try pinyin.map { try PinyinTable.load(from: URL(fileURLWithPath: $0)) } ?? PinyinTable.load(ifPresentAt: defaultPinyin)
        let options = GeocoderOptions(bookHasEveryRoad: bookHasEveryRoad)
        return (Geocoder(book: try await AddressBook.load(from: store), divisions: list, pinyin: table, options: options), store)
    }
}

struct GeocodeForwardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "address", abstract: "Geocode one address; the best answers first.")

    @Argument(help: "The address, e.g. 丰华街道人民北路14号.") var address: String
    @Option(help: "Number of answers.") var limit = 3
    @Option(help: "Output coordinates: cgcs2000, wgs84, gcj02 or bd09.") var crs = "cgcs2000"
    @OptionGroup var book: AddressBookOptions

    func run() async throws {
        let target = try CRS.parse(crs)
        let (geocoder, _) = try await book.geocoder()
        let parsed = geocoder.parse(address)
        print("normalised: \(parsed.normalized)")
        let results = geocoder.geocode(address, limit: limit)
        if results.isEmpty {
            print("no match")
            throw ExitCode(1)
        }
        let rows = results.map { r -> [String] in
            let c = r.coordinate.map { CRS.convert($0, from: .cgcs2000, to: target) }
            return [
                r.matchType.rawValue, String(format: "%.3f", r.confidence), c.map { String(format: "%.7f,%.7f", $0.x, $0.y) } ?? "-",
                r.codes["unit_grid"] ?? r.codes["community"] ?? "-", r.label,
            ]
        }
        print(TextTable.render(header: ["match", "confidence", "lon,lat (\(target.rawValue))", "grid", "label"], rows: rows))
        for r in results where !r.notes.isEmpty { print("- \(r.label): \(r.notes.joined(separator: "; "))") }
    }
}

struct GeocodeReverseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reverse", abstract: "The standard address, admin chain, road and plate of a point.")

    @Option(help: "Longitude.") var lon: Double
    @Option(help: "Latitude.") var lat: Double
    @Option(help: "Input coordinates: cgcs2000, wgs84, gcj02 or bd09.") var crs = "cgcs2000"
    @Option(help: "Search radius for the nearest door plate, metres.") var radius = 200.0
    @OptionGroup var book: AddressBookOptions

    func run() async throws {
        let source = try CRS.parse(crs)
        let point = Coordinate(x: lon, y: lat)
        guard point.isValidGeographic else { throw ValidationError("--lon/--lat (\(lon), \(lat)) is not a longitude/latitude") }
        let (geocoder, store) = try await book.geocoder()
        let reverse = ReverseGeocoder(geocoder: geocoder, locator: try await GridLocator.load(from: store))
        let result = reverse.reverse(CRS.convert(point, from: source, to: .cgcs2000), plateRadius: radius)
        print(result.address)
        let levels = ["province", "city", "district", "street", "community", "unit_grid"]
        print(TextTable.render(header: ["level", "code", "name"], rows: levels.compactMap { key in result.regions[key].map { [key, $0.code, $0.name] } }))
        if let road = result.road { print("nearest road: \(road.name) (\(road.id)), \(road.distanceMetres) m") }
        if let plate = result.plate { print("nearest plate: \(plate.label) (\(plate.id)), \(String(format: "%.1f", plate.distanceMetres)) m") }
    }
}

struct GeocodeSuggestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "suggest", abstract: "Autocomplete: names and plates starting with what was typed.")

    @Argument(help: "The beginning of an address.") var prefix: String
    @Option(help: "Number of suggestions.") var limit = 10
    @OptionGroup var book: AddressBookOptions

    func run() async throws {
        let (geocoder, _) = try await book.geocoder()
        let suggestions = geocoder.autocomplete(prefix, limit: limit)
        print(TextTable.render(header: ["kind", "id", "label"], rows: suggestions.map { [$0.kind.rawValue, $0.id, $0.label] }))
    }
}

struct GeocodeBatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch", abstract: "Geocode every row of a CSV file; the answer's columns are appended to each row.")

    @Option(name: .shortAndLong, help: "Input CSV (UTF-8, header row).") var input: String
    @Option(name: .shortAndLong, help: "Output CSV; standard output when omitted.") var output: String?
    @Option(help: "Column holding the address.") var column = "address"
    @Option(help: "Output coordinates: cgcs2000, wgs84, gcj02 or bd09.") var crs = "cgcs2000"
    @OptionGroup var book: AddressBookOptions

    func run() async throws {
        let target = try CRS.parse(crs)
        guard let data = FileManager.default.contents(atPath: input) else { throw ValidationError("cannot read \(input)") }
        let (geocoder, _) = try await book.geocoder()
        let bar = ProgressBar(label: "geocoding")
        let started = Date()
        let (csv, summary) = try BatchGeocoding(geocoder: geocoder, addressColumn: column, outputCRS: target).run(csv: [UInt8](data)) {
            bar.update(done: $0, total: $1)
        }
        if let output {
            try Data(csv).write(to: URL(fileURLWithPath: output))
        } else {
            FileHandle.standardOutput.write(Data(csv))
        }
        let seconds = Date().timeIntervalSince(started)
        let types = summary.byType.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        FileHandle.standardError.write(
            Data("\(summary.matched)/\(summary.rows) rows matched (\(types)) in \(String(format: "%.1f", seconds)) s\n".utf8))
    }
}
