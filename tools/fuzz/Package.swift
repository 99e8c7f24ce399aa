// swift-tools-version: 6.1
import PackageDescription

// The fuzz targets live in their own package so that the sanitizer flags their build needs (-sanitize=fuzzer,address,
// -parse-as-library) never reach the main package's `swift build`. run.sh builds and runs them; see README.md.
let strictSettings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

/// One libFuzzer executable per parser: main.swift hands the target's input callback to libFuzzer's driver.
func fuzzTarget(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(name: name, dependencies: ["FuzzChecks"] + dependencies, swiftSettings: strictSettings)
}

let package = Package(
    name: "CityGeoFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "CityGeo", path: "../..")],
    targets: [
        // libFuzzer's driver entry point, declared for Swift.
        .target(name: "CLibFuzzer"),
        // Invariants shared by the targets (geometry comparison, failure reporting) and the driver call.
        .target(name: "FuzzChecks", dependencies: ["CLibFuzzer", .product(name: "GeoCore", package: "CityGeo")], swiftSettings: strictSettings),
        fuzzTarget("fuzz-geojson", [.product(name: "GeoCore", package: "CityGeo")]),
        fuzzTarget("fuzz-wkt", [.product(name: "GeoCore", package: "CityGeo")]),
        fuzzTarget("fuzz-wkb", [.product(name: "GeoCore", package: "CityGeo")]),
        fuzzTarget("fuzz-csv", [.product(name: "GeoCore", package: "CityGeo")]),
        fuzzTarget("fuzz-address", [.product(name: "GeoAddress", package: "CityGeo")]),
        fuzzTarget("fuzz-geocode", [.product(name: "GeoCore", package: "CityGeo"), .product(name: "GeoAddress", package: "CityGeo")]),
    ]
)
