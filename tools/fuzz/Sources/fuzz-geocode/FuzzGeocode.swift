import Foundation
import FuzzChecks
import GeoAddress
import GeoCore

/// Forward geocoding over the demo city's book and the national division list, on any text. Checks: at most
/// `limit` answers, each with a geographic coordinate (when it has one: finite, on the globe) and a confidence in
/// [0, 1].
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGeocode(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let results = demoGeocoder.geocode(text, limit: 3)
    FuzzCheck.require(results.count <= 3, "\(results.count) answers for a limit of 3")
    for result in results {
        FuzzCheck.require(result.confidence.isFinite && (0...1).contains(result.confidence),
                          "confidence \(result.confidence) for \(text.debugDescription)")
        if let c = result.coordinate {
            FuzzCheck.require(c.isValidGeographic, "coordinate \(c) off the globe for \(text.debugDescription) (\(result.matchType))")
        }
    }
    return 0
}

/// Built once, before the first input, from the repository's data files (the same layers the tests load).
let demoGeocoder: Geocoder = {
    do {
        return try DemoBookLoader.geocoder()
    } catch {
        FuzzCheck.require(false, "cannot load the demo book: \(error)")
        fatalError()
    }
}()

/// Reads the demo book without a store: GeoJSON layers as features, CSV rows as features with their columns as
/// properties and lon/lat as numbers (what the store's CSV import makes of them).
enum DemoBookLoader {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(path)))
    }

    static func geoJSON(_ path: String) throws -> [Feature] {
        try GeoJSON.decodeFeatureCollection(try bytes(path)).features
    }

    static func csv(_ path: String) throws -> [Feature] {
        let records = try CSVReader.read(try bytes(path))
        guard let header = records.first?.fields else { return [] }
        return records.dropFirst().map { record in
            var properties: [String: JSONValue] = [:]
            for (name, field) in zip(header, record.fields) {
                if name == "lon" || name == "lat", let number = Double(field) {
                    properties[name] = .double(number)
                } else {
                    properties[name] = .string(field)
                }
            }
            return Feature(geometry: nil, properties: properties)
        }
    }

    static func geocoder() throws -> Geocoder {
        let book = try AddressBook(
            regionFeatures: try ["district", "streets", "communities", "unit_grids"].flatMap { try geoJSON("GridData/\($0).geojson") },
            roadFeatures: try geoJSON("AddressBooks/roads.geojson"),
            placeFeatures: try geoJSON("AddressBooks/compounds.geojson"),
            plateFeatures: try csv("AddressBooks/door_plates.csv"),
            buildingFeatures: try csv("AddressBooks/buildings.csv"),
            poiFeatures: try csv("AddressBooks/pois.csv"))
        let divisions = try AdminDivisions(csv: try bytes("AddressBooks/national/divisions.csv"))
        // Homophones on, as the server runs: their lookups of leftover text are fuzzed too.
        let pinyin = try PinyinTable(text: String(decoding: try bytes("AddressBooks/national/pinyin.txt"), as: UTF8.self))
        return Geocoder(book: book, divisions: divisions, pinyin: pinyin)
    }
}
