import DemoCity
import Foundation
import GeoCore
import GeoStore
import Testing

/// `citygeo regions` and `citygeo stats`, run as a user runs them: the built executable over a demo-city database
/// with a case layer whose counts per street are known, because each case is placed inside a chosen unit grid.
@Suite(.serialized) struct RegionCommandLineTests {
    /// Runs `citygeo` with `arguments`; its standard output, or a failure with its standard error.
    static func citygeo(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = try EventLoopIsolationTests.executable()
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let complaint = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "citygeo \(arguments.joined(separator: " ")): \(String(decoding: complaint, as: UTF8.self))")
        return String(decoding: printed, as: UTF8.self)
    }

    /// A demo-city database with cases in two unit grids of two streets: three in the first, two in the second.
    static func database() async throws -> (path: String, first: String, second: String, folder: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("citygeo-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("city.sqlite").path
        let store = try SpatialStore(path: path)
        _ = try await DemoCityLoader.importIfNeeded(into: store, from: EventLoopIsolationTests.repositoryRoot) { _ in }
        // Two unit grids of different streets (a unit grid's code starts with its street's 9 digits).
        var chosen: [(code: String, point: Coordinate)] = []
        for stored in try await store.features(in: "unit_grids") {
            guard case .string(let code)? = stored.feature.properties["code"], code.count == 15,
                  !chosen.contains(where: { $0.code.prefix(9) == code.prefix(9) }),
                  let geometry = stored.feature.geometry, let point = Planar.interiorPoint(of: geometry)
            else { continue }
            chosen.append((code, point))
            if chosen.count == 2 { break }
        }
        try #require(chosen.count == 2)
        var csv = "lon,lat,category,time,status\n"
        for (k, grid) in chosen.enumerated() {
            for day in 0..<(k == 0 ? 3 : 2) {
                csv += "\(grid.point.x),\(grid.point.y),市容环境,2026-11-\(10 + day)T09:00:00+08:00,closed\n"
            }
        }
        let file = folder.appendingPathComponent("cases.csv")
        try Data(csv.utf8).write(to: file)
        _ = try citygeo(["import", file.path, "--layer", "cases", "--database", path])
        return (path, chosen[0].code, chosen[1].code, folder)
    }

    @Test func statsCountsTheCasesOfEachStreetAndRegionsListsTheTree() async throws {
        let (path, first, second, folder) = try await Self.database()
        defer { try? FileManager.default.removeItem(at: folder) }
        let common = ["--database", path, "--data-root", EventLoopIsolationTests.repositoryRoot.path]

        // Cases per street of the district in November, streets without cases left out.
        let csv = try Self.citygeo(
            ["stats", "--node", "320904", "--period", "month", "--from", "2026-11-01", "--to", "2026-12-01", "--no-empty", "--format", "csv"]
                + common)
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        try #require(lines.first?.prefix(6) == ["code", "name", "level", "family", "period", "count"])
        let counts = Dictionary(uniqueKeysWithValues: lines.dropFirst().map { ($0[0], Int($0[5]) ?? -1) })
        #expect(counts == [String(first.prefix(9)): 3, String(second.prefix(9)): 2])
        #expect(lines.dropFirst().allSatisfy { $0[2] == "street" && $0[4] == "2026-11" })

        // The first case's unit grid, its community and its street in the tree, and a search by name.
        let street = try Self.citygeo(["regions", "show", String(first.prefix(9)), "--depth", "1", "--format", "json"] + common)
        guard case .array(let nodes) = try JSON.decode(street) else { Issue.record("not a JSON array: \(street)"); return }
        let codes = nodes.compactMap { $0.objectValue?["code"]?.stringValue }
        #expect(codes.first == String(first.prefix(9)))
        #expect(codes.contains(String(first.prefix(12))))
        #expect(!codes.contains(String(second.prefix(12))))
        let found = try Self.citygeo(["regions", "search", "大丰", "--format", "json"] + common)
        guard case .array(let hits) = try JSON.decode(found) else { Issue.record("not a JSON array: \(found)"); return }
        #expect(hits.first?.objectValue?["code"]?.stringValue == "320904")
    }
}
