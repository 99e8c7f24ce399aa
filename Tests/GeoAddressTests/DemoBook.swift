import Foundation
import GeoAddress
import GeoCore
import GeoStore

/// The demo city's address book and the national division list, loaded once for every test.
enum DemoBook {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let layers: [(path: String, layer: String)] = [
        ("GridData/district.geojson", "district"), ("GridData/streets.geojson", "streets"),
        ("GridData/communities.geojson", "communities"), ("GridData/unit_grids.geojson", "unit_grids"),
        ("AddressBooks/roads.geojson", "roads"), ("AddressBooks/compounds.geojson", "compounds"),
        ("AddressBooks/door_plates.csv", "door_plates"), ("AddressBooks/buildings.csv", "buildings"),
        ("AddressBooks/pois.csv", "pois"), ("AddressBooks/components.csv", "components"),
    ]

    static let store: Task<SpatialStore, any Error> = Task {
        let store = try SpatialStore.temporary()
        for (path, layer) in layers {
            _ = try await store.importFile(at: root.appendingPathComponent(path), as: layer)
        }
        return store
    }

    static let book: Task<AddressBook, any Error> = Task { try await AddressBook.load(from: store.value) }

    static let divisions: Task<AdminDivisions, any Error> = Task {
        try AdminDivisions.load(from: root.appendingPathComponent("AddressBooks/national/divisions.csv"))
    }

    static let pinyin: Task<PinyinTable, any Error> = Task {
        try PinyinTable.load(from: root.appendingPathComponent("AddressBooks/national/pinyin.txt"))
    }

    /// The geocoder as the server builds it: book, division list and pinyin table (homophones on).
    static let geocoder: Task<Geocoder, any Error> = Task {
        Geocoder(book: try await book.value, divisions: try await divisions.value, pinyin: try await pinyin.value)
    }

    /// Rows of one of the committed CSV files (the demo city writes no quoted fields), keyed by header; read
    /// straight from the file, independent of the store and the address book.
    static func csvRows(_ path: String) throws -> [[String: String]] {
        let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return lines.dropFirst().map { line in
            Dictionary(uniqueKeysWithValues: zip(header, line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
        }
    }
}
