// swift-tools-version: 6.1
import PackageDescription

// The benchmarks (tools/bench) and the geocoding accuracy harness (tools/geocode) live in a package of their own,
// over CityGeo's libraries, so that a plain `swift build` of CityGeo compiles only the product. Their driver scripts
// build them in release (`swift build -c release --package-path tools --product bench-…`) and run
// tools/.build/release/bench-…; .ci/run builds them once so that they keep compiling.
let strictSettings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

func cityGeo(_ names: String...) -> [Target.Dependency] {
    names.map { .product(name: $0, package: "CityGeo") }
}

let package = Package(
    name: "CityGeoTools",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "CityGeo", path: "..")],
    targets: [
        // Benchmarks: release builds, each measured next to a peer by its driver script (tools/bench/run-*.sh).
        .executableTarget(
            name: "bench-grids", dependencies: cityGeo("GeoCore", "GeoGrids"), path: "bench/grids",
            exclude: ["peers.py", "http_batch.py"], swiftSettings: strictSettings),
        .executableTarget(
            name: "bench-fences", dependencies: cityGeo("GeoCore", "GeoFences"), path: "bench/fences",
            exclude: ["peers.py", "http_positions.py"], swiftSettings: strictSettings),
        .executableTarget(
            name: "bench-traj", dependencies: cityGeo("GeoCore", "GeoTrajectories", "DemoCity"), path: "bench/traj",
            exclude: ["peers.py"], swiftSettings: strictSettings),
        .executableTarget(
            name: "bench-geocode", dependencies: cityGeo("GeoCore", "GeoAddress", "GeoGrids") + ["GeocodeQueries"],
            path: "bench/geocode", exclude: ["peers.py", "load.lua"], swiftSettings: strictSettings),
        .executableTarget(
            name: "bench-store", dependencies: cityGeo("GeoCore", "GeoStore", "GeoStorePostGIS"), path: "bench/store",
            swiftSettings: strictSettings),
        .executableTarget(
            name: "bench-analysis", dependencies: cityGeo("GeoCore", "GeoTrajectories", "GeoAnalysis"), path: "bench/analysis",
            exclude: ["peers.py"], swiftSettings: strictSettings),
        .executableTarget(
            name: "bench-regions", dependencies: cityGeo("GeoCore", "GeoStore", "GeoGrids"), path: "bench/regions",
            exclude: ["peers.py", "http_stats.py"], swiftSettings: strictSettings),
        .executableTarget(
            name: "bench-tiles", dependencies: cityGeo("GeoCore", "GeoStore", "GeoTiles"), path: "bench/tiles",
            exclude: ["peers.py", "http.lua"], swiftSettings: strictSettings),

        // The geocoding query-set generator shared by the accuracy harness and the geocoding benchmark.
        .target(
            name: "GeocodeQueries", dependencies: cityGeo("GeoCore", "GeoStore", "GeoAddress", "DemoCity"),
            path: "geocode/Sources/GeocodeQueries", swiftSettings: strictSettings),
        .executableTarget(
            name: "geocode-accuracy", dependencies: cityGeo("GeoCore", "GeoAddress") + ["GeocodeQueries"], path: "geocode/accuracy",
            swiftSettings: strictSettings),
    ]
)
