import Foundation
import Testing

/// A CSV fixture of Tests/GeoCoreTests/Fixtures: comment lines start with #, the first other line is the header.
struct FixtureTable {
    let rows: [[String: String]]

    init(_ name: String) throws {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "Fixtures"))
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        rows = lines.dropFirst().map { line in
            Dictionary(uniqueKeysWithValues: zip(header, line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
        }
    }
}

extension Dictionary where Key == String, Value == String {
    func double(_ key: String) -> Double { Double(self[key]!)! }
}
