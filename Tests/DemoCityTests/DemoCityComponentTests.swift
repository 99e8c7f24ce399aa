import DemoCity
import Foundation
import GeoCore
import Testing

/// The components (部件) of the urban core: GB/T 30428.2-style codes, each in the unit grid it names, next to
/// the road it names, drawn from their own random stream.
@Suite struct DemoCityComponentTests {
    static let categories = ["01": "公用设施", "02": "道路交通", "03": "市容环境", "04": "园林绿化", "05": "房屋土地", "06": "其他设施"]

    @Test func codesAreUniqueSixteenDigitsOfTheDistrictWithTheirClass() throws {
        let rows = try DemoCityFiles.csvRows("AddressBooks/components.csv")
        #expect(rows.count > 1_000 && rows.count < 5_000, "\(rows.count) components")
        #expect(try DemoCityFiles.bytes("AddressBooks/components.csv").count < 500_000)
        #expect(Set(rows.map { $0["code"]! }).count == rows.count, "codes are not unique")
        var serials: [String: [Int]] = [:]
        for row in rows {
            let code = row["code"]!, classCode = row["class_code"]!
            #expect(code.count == 16 && code.allSatisfy(\.isASCII) && code.allSatisfy(\.isNumber), "\(code)")
            #expect(code.hasPrefix("320904"))
            #expect(code.hasPrefix(classCode) && classCode.count == 10)
            let category = String(classCode.dropFirst(6).prefix(2)), subclass = Int(classCode.suffix(2))!
            #expect(Self.categories[category] == row["category"], "\(code): \(category) is not \(row["category"]!)")
            #expect((1...79).contains(subclass))
            #expect(!row["name"]!.isEmpty && !row["road"]!.isEmpty)
            #expect(["完好", "破损", "丢失", "占用"].contains(row["status"]!))
            serials[classCode, default: []].append(Int(code.suffix(6))!)
        }
        // One name per class; serials run 1…n within each class.
        for (classCode, numbers) in serials {
            #expect(numbers.sorted() == Array(1...numbers.count), "\(classCode)")
            #expect(Set(rows.filter { $0["class_code"] == classCode }.map { $0["name"]! }).count == 1)
        }
        let names = Set(rows.map { $0["name"]! })
        for kind in ["上水井盖", "污水井盖", "雨水井盖", "路灯", "消防栓", "垃圾箱", "公交站亭", "报刊亭", "交通信号灯", "行道树"] {
            #expect(names.contains(kind), "no \(kind)")
        }
    }

    @Test func everyComponentLiesInTheCoreUnitGridItNames() throws {
        var rings: [String: [Coordinate]] = [:]
        for grid in try DemoCityFiles.features("GridData/unit_grids.geojson") {
            if case .polygon(let polygon)? = grid.geometry { rings[grid.string("code")!] = polygon.exterior }
        }
        let rows = try DemoCityFiles.csvRows("AddressBooks/components.csv")
        for row in rows {
            let grid = row["grid_code"]!
            #expect(grid.hasPrefix("320904001") || grid.hasPrefix("320904002"), "\(row["code"]!) is outside the core")
            let ring = try #require(rings[grid], "\(row["code"]!) names unknown grid \(grid)")
            let p = Coordinate(x: Double(row["lon"]!)!, y: Double(row["lat"]!)!)
            #expect(Planar.ring(ring, contains: p), "\(row["code"]!) is not inside grid \(grid)")
        }
    }

    @Test func theNamedRoadIsTheNearestCoreRoad() throws {
        var lines: [(name: String, line: [Coordinate])] = []
        for road in try DemoCityFiles.features("AddressBooks/roads.geojson") where road.string("kind") != "镇区道路" && road.string("kind") != "县道" {
            if case .lineString(let line)? = road.geometry { lines.append((road.string("name")!, line.coordinates)) }
        }
        // Local metres around the city (33.2°N): enough to rank distances of a few tens of metres.
        let metresX = 111_320 * cos(33.2 * Double.pi / 180), metresY = 110_900.0
        func distance(_ p: Coordinate, _ line: [Coordinate]) -> Double {
            var best = Double.infinity
            for k in 1..<line.count {
                let a = line[k - 1], b = line[k]
                let ax = (a.x - p.x) * metresX, ay = (a.y - p.y) * metresY, bx = (b.x - p.x) * metresX, by = (b.y - p.y) * metresY
                let dx = bx - ax, dy = by - ay
                let t = max(0, min(1, -(ax * dx + ay * dy) / (dx * dx + dy * dy)))
                best = min(best, ((ax + t * dx) * (ax + t * dx) + (ay + t * dy) * (ay + t * dy)).squareRoot())
            }
            return best
        }
        let rows = try DemoCityFiles.csvRows("AddressBooks/components.csv")
        for row in stride(from: 0, to: rows.count, by: 7).map({ rows[$0] }) {
            let p = Coordinate(x: Double(row["lon"]!)!, y: Double(row["lat"]!)!)
            let named = lines.filter { $0.name == row["road"]! }.map { distance(p, $0.line) }.min()
            let nearest = lines.map { distance(p, $0.line) }.min()!
            let d = try #require(named, "\(row["code"]!) names unknown road \(row["road"]!)")
            // A road is straight in Gauss-Krüger metres, so its two-point lon/lat chord bows up to ~1 m on 7 km.
            #expect(d <= nearest + 1.5, "\(row["code"]!): \(row["road"]!) at \(d) m, another road at \(nearest) m")
            // Kerb furniture within 20 m of its road; compound furniture inside a block (at most ~370 m from a road).
            #expect(d < 400)
            if !["垃圾箱", "污水井盖", "雨水井盖", "路灯", "消防栓"].contains(row["name"]!) { #expect(d < 20, "\(row["code"]!) \(row["name"]!) at \(d) m") }
        }
    }

    @Test func componentsComeFromTheirOwnStream() throws {
        let boundary = try DemoCityFiles.bytes("GridData/sources/dafeng-320904-boundary.geojson")
        let a = try DemoCityGenerator.generate(boundaryGeoJSON: boundary)
        let b = try DemoCityGenerator.generate(boundaryGeoJSON: boundary)
        let componentsA = try #require(a.files.first { $0.path == "AddressBooks/components.csv" })
        let componentsB = try #require(b.files.first { $0.path == "AddressBooks/components.csv" })
        #expect(componentsA.bytes == componentsB.bytes)
        #expect(a.counts.first { $0.kind == "components" }?.count == (try DemoCityFiles.csvRows("AddressBooks/components.csv")).count)
    }
}
