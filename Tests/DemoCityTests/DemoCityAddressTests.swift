import Foundation
import GeoCore
import Testing

/// Door plates follow the numbering rule (odd left, even right of the numbering direction) and every address
/// record points at a unit grid of the right community.
@Suite struct DemoCityAddressTests {
    @Test func oddPlatesAreOnTheLeftAndEvenOnTheRight() throws {
        let roads = try DemoCityFiles.features("AddressBooks/roads.geojson")
        var lines: [String: [Coordinate]] = [:]
        for road in roads {
            if case .lineString(let line)? = road.geometry { lines[road.string("id")!] = line.coordinates }
        }
        let plates = try DemoCityFiles.csvRows("AddressBooks/door_plates.csv")
        #expect(plates.count > 5_000)
        var checked = 0
        for plate in plates {
            let line = try #require(lines[plate["road_id"]!])
            let p = Coordinate(x: Double(plate["lon"]!)!, y: Double(plate["lat"]!)!)
            // Side of the nearest segment: positive cross product = left of the numbering direction.
            var best = (distance: Double.infinity, side: 0.0)
            for k in 1..<line.count {
                let a = line[k - 1], b = line[k]
                let dx = b.x - a.x, dy = b.y - a.y
                let t = max(0, min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / (dx * dx + dy * dy)))
                let distance = Planar.distance(p, Coordinate(x: a.x + t * dx, y: a.y + t * dy))
                if distance < best.distance { best = (distance, dx * (p.y - a.y) - dy * (p.x - a.x)) }
            }
            let number = Int(plate["number"]!)!
            #expect((number % 2 == 1) == (best.side > 0), "plate \(plate["label"]!) is on the wrong side")
            checked += 1
        }
        #expect(checked == plates.count)
    }

    @Test func platesSitInTheUnitGridTheyName() throws {
        let grids = try DemoCityFiles.features("GridData/unit_grids.geojson")
        var rings: [String: [Coordinate]] = [:]
        for grid in grids {
            if case .polygon(let polygon)? = grid.geometry { rings[grid.string("code")!] = polygon.exterior }
        }
        let plates = try DemoCityFiles.csvRows("AddressBooks/door_plates.csv")
        for plate in plates.prefix(2_000) {
            let ring = try #require(rings[plate["grid_code"]!])
            let p = Coordinate(x: Double(plate["lon"]!)!, y: Double(plate["lat"]!)!)
            #expect(Planar.ring(ring, contains: p), "plate \(plate["id"]!) is not inside grid \(plate["grid_code"]!)")
            #expect(plate["grid_code"]!.hasPrefix(plate["community_code"]!))
        }
    }

    @Test func everySampleTypeIsPresent() throws {
        let points = try DemoCityFiles.features("GridData/sample_points.geojson")
        let types = Set(points.compactMap { $0.string("type") })
        #expect(types.count == 14, "sample point types: \(types.sorted())")
        let codes = Set(points.compactMap { $0.string("type_code") })
        #expect(codes == Set((1...14).map { $0 < 10 ? "0\($0)" : "\($0)" }))
    }

    @Test func poisHaveCategoriesAndAddresses() throws {
        let pois = try DemoCityFiles.csvRows("AddressBooks/pois.csv")
        let categories = Set(pois.map { $0["category"]! })
        #expect(categories.count >= 12, "categories: \(categories.sorted())")
        #expect(pois.contains { $0["name"] == "大丰区人民医院" && $0["address"]!.contains("号") })
        #expect(pois.filter { !$0["address"]!.isEmpty }.count > pois.count * 9 / 10)
    }
}
