import DemoCity
import Foundation
import GeoCore
import Testing

/// The committed files are exactly what the generator produces from the default seed, and another seed
/// gives another city with the same structure.
@Suite struct DemoCityDeterminismTests {
    @Test func regeneratingWithTheDefaultSeedReproducesTheCommittedFiles() throws {
        let boundary = try DemoCityFiles.bytes("GridData/sources/dafeng-320904-boundary.geojson")
        let city = try DemoCityGenerator.generate(boundaryGeoJSON: boundary)
        #expect(city.files.count == 15)
        for file in city.files {
            let committed = try DemoCityFiles.bytes(file.path)
            #expect(committed == file.bytes, "\(file.path) differs from a fresh generation: run `citygeo demo-city`")
        }
    }

    @Test func anotherSeedGivesAnotherCityOfTheSameShape() throws {
        let boundary = try DemoCityFiles.bytes("GridData/sources/dafeng-320904-boundary.geojson")
        let a = try DemoCityGenerator.generate(boundaryGeoJSON: boundary, options: .init(seed: 1))
        let b = try DemoCityGenerator.generate(boundaryGeoJSON: boundary, options: .init(seed: 2))
        let gridsA = a.files.first { $0.path == "GridData/unit_grids.geojson" }!
        let gridsB = b.files.first { $0.path == "GridData/unit_grids.geojson" }!
        #expect(gridsA.bytes != gridsB.bytes)
        let streetsA = a.counts.first { $0.kind == "streets and towns" }!.count
        let streetsB = b.counts.first { $0.kind == "streets and towns" }!.count
        #expect(streetsA == 13 && streetsB == 13)
    }

    @Test func scaleOutsideTheSupportedRangeIsRefused() throws {
        let boundary = try DemoCityFiles.bytes("GridData/sources/dafeng-320904-boundary.geojson")
        #expect {
            _ = try DemoCityGenerator.generate(boundaryGeoJSON: boundary, options: .init(scale: 50))
        } throws: { ($0 as? GeoError)?.code == .invalidArgument }
    }
}
