import Foundation
import GeoCore
import GeoEngine
import Testing

/// The committed demo city obeys the rules of GB/T 30428: codes nest, unit grids are ~10,000 m² and tile
/// every community with no gap and no overlap.
@Suite struct DemoCityTilingTests {
    let grids: [Feature]
    let communities: [Feature]
    let streets: [Feature]

    init() throws {
        grids = try DemoCityFiles.features("GridData/unit_grids.geojson")
        communities = try DemoCityFiles.features("GridData/communities.geojson")
        streets = try DemoCityFiles.features("GridData/streets.geojson")
    }

    @Test func codesHaveTheStandardStructure() throws {
        #expect(grids.count > 3_000)
        var seen = Set<String>()
        for grid in grids {
            let code = try #require(grid.string("code"))
            #expect(code.count == 15 && code.allSatisfy(\.isASCII) && code.allSatisfy(\.isNumber), "bad grid code \(code)")
            #expect(code.hasPrefix("320904"))
            #expect(grid.string("community_code") == String(code.prefix(12)))
            #expect(grid.string("street_code") == String(code.prefix(9)))
            #expect(seen.insert(code).inserted, "duplicate grid code \(code)")
        }
        for community in communities {
            let code = try #require(community.string("code"))
            #expect(code.count == 12 && code.allSatisfy(\.isNumber))
            #expect(community.string("parent_code") == String(code.prefix(9)))
        }
    }

    @Test func streetsAndTownsAreTheRealOnes() throws {
        let official = try DemoCityFiles.csvRows("GridData/sources/divisions-320904.csv")
            .filter { $0["level"] == "4" }
            .map { ($0["code"]!, $0["name"]!) }
        let generated = streets.map { ($0.string("code")!, $0.string("name")!) }
        #expect(generated.count == official.count)
        for (code, name) in official {
            #expect(generated.contains { $0 == (code, name) }, "missing \(code) \(name)")
        }
    }

    @Test func gridAreasAreAboutTenThousandSquareMetres() throws {
        let engine = try GeometryEngine()
        var areas: [Double] = []
        for grid in grids {
            areas.append(try engine.geodesicArea(try #require(grid.geometry)))
        }
        let mean = areas.reduce(0, +) / Double(areas.count)
        #expect(areas.min()! > 8_000, "smallest grid \(areas.min()!) m²")
        #expect(areas.max()! < 13_000, "largest grid \(areas.max()!) m²")
        #expect(abs(mean - 10_000) < 1_000, "mean grid area \(mean) m²")
    }

    /// Union of a community's grids equals the community (no gap), and the grids' areas add up to the union's
    /// area (no overlap).
    @Test func gridsTileEveryCommunityWithoutGapOrOverlap() throws {
        let engine = try GeometryEngine()
        let gridsByCommunity = Dictionary(grouping: grids) { $0.string("community_code")! }
        let tiled = communities.filter { $0.string("level") == "community" }
        #expect(tiled.count >= 40)
        for community in tiled {
            let code = community.string("code")!
            let members = try #require(gridsByCommunity[code], "community \(code) has no unit grid")
            let shape = try #require(community.geometry)
            let union = try engine.unaryUnion(members.compactMap(\.geometry))
            let communityArea = try engine.geodesicArea(shape)
            let gap = try engine.geodesicArea(engine.symmetricDifference(union, shape))
            #expect(gap < 1e-3, "community \(code): union of grids differs from the community by \(gap) m²")
            let sum = try members.reduce(0.0) { $0 + (try engine.geodesicArea($1.geometry!)) }
            #expect(abs(sum - communityArea) < 1e-6 * communityArea, "community \(code): grids \(sum) m² vs community \(communityArea) m²")
        }
    }

    /// Every community and village lies in its street or town, and the streets and towns cover the district.
    /// Coordinates are written to 7 decimals (~1 cm), so boundaries drawn twice may part by up to ~1 cm: the
    /// tolerance is 1 cm times the boundary's length.
    @Test func regionsNestAndCoverTheDistrict() throws {
        let engine = try GeometryEngine()
        let district = try #require(try DemoCityFiles.features("GridData/district.geojson").first?.geometry)
        let streetByCode = Dictionary(uniqueKeysWithValues: streets.map { ($0.string("code")!, $0.geometry!) })
        for community in communities {
            let shape = try #require(community.geometry)
            let parent = try #require(streetByCode[community.string("parent_code")!])
            let outside = try engine.geodesicArea(engine.difference(shape, parent))
            let tolerance = 0.01 * (try engine.geodesicLength(shape))
            #expect(outside < tolerance, "\(community.string("code")!) sticks out of its street by \(outside) m² (tolerance \(tolerance))")
        }
        let cover = try engine.unaryUnion(streets.map { $0.geometry! })
        let districtArea = try engine.geodesicArea(district)
        let uncovered = try engine.geodesicArea(engine.difference(district, cover))
        let overlap = try streets.reduce(0.0) { $0 + (try engine.geodesicArea($1.geometry!)) } - (try engine.geodesicArea(cover))
        let boundaryLength = try streets.reduce(0.0) { $0 + (try engine.geodesicLength($1.geometry!)) }
        #expect(uncovered < 0.01 * boundaryLength, "streets and towns leave \(uncovered) m² of the district uncovered")
        #expect(abs(overlap) < 0.01 * boundaryLength, "streets and towns overlap by \(overlap) m²")
        #expect(districtArea > 2.5e9 && districtArea < 3.5e9, "district area \(districtArea) m²")
    }
}
