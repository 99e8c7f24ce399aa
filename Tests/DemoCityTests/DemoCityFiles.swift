import Foundation
import GeoCore

/// The committed demo city, read once per test process from the repository.
enum DemoCityFiles {
    /// The repository root, found from this file's path (Tests/DemoCityTests/…).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent(path)))
    }

    static func features(_ path: String) throws -> [Feature] {
        try GeoJSON.decodeFeatureCollection(bytes(path)).features
    }

    /// Rows of a CSV file without quoted fields (the demo city writes none in these columns), keyed by header.
    static func csvRows(_ path: String) throws -> [[String: String]] {
        let text = String(decoding: try bytes(path), as: UTF8.self).replacingOccurrences(of: "\r", with: "")
        let lines = text.split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return lines.dropFirst().map { line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Dictionary(uniqueKeysWithValues: zip(header, cells))
        }
    }
}

extension Feature {
    func string(_ key: String) -> String? { properties[key]?.stringValue }
}
