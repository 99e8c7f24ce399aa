// swift-tools-version: 6.1
import CompilerPluginSupport
import PackageDescription

/// A GeoMacrosPlugin executable built beforehand, for builds whose compiler flags must not reach the plugin: the
/// fuzzers' `-sanitize=fuzzer` (tools/fuzz/run.sh) would link libFuzzer's `main` into it beside its own. When set,
/// every target loads that executable instead of depending on the macro target.
let prebuiltMacroPlugin = Context.environment["CITYGEO_MACRO_PLUGIN"]

/// Every target is compiled in the Swift 6 language mode with strict concurrency.
let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
] + (prebuiltMacroPlugin.map { [.unsafeFlags(["-load-plugin-executable", "\($0)#GeoMacrosPlugin"])] } ?? [])

let package = Package(
    name: "CityGeo",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "GeoCore", targets: ["GeoCore"]),
        .library(name: "GeoEngine", targets: ["GeoEngine"]),
        .library(name: "GeoCrypto", targets: ["GeoCrypto"]),
        .library(name: "GeoStore", targets: ["GeoStore"]),
        .library(name: "GeoStorePostGIS", targets: ["GeoStorePostGIS"]),
        .library(name: "GeoGrids", targets: ["GeoGrids"]),
        .library(name: "GeoSampling", targets: ["GeoSampling"]),
        .library(name: "GeoAddress", targets: ["GeoAddress"]),
        .library(name: "GeoFences", targets: ["GeoFences"]),
        .library(name: "GeoTiles", targets: ["GeoTiles"]),
        .library(name: "GeoTrajectories", targets: ["GeoTrajectories"]),
        .library(name: "GeoAnalysis", targets: ["GeoAnalysis"]),
        .library(name: "GeoServer", targets: ["GeoServer"]),
        // The demo-city generator, for the benchmarks and tools (tools/Package.swift).
        .library(name: "DemoCity", targets: ["DemoCity"]),
        .executable(name: "citygeo", targets: ["citygeo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // The compiler plugin of GeoCore's macros (`@MemberwiseInit`).
        .package(url: "https://github.com/swiftlang/swift-syntax", from: "603.0.1"),
    ],
    targets: [
        // C shims: GeoEngine imports GEOS, PROJ and zlib; GeoCrypto imports libcrypto.
        .systemLibrary(name: "CGEOS", pkgConfig: "geos", providers: [.apt(["libgeos-dev"])]),
        .systemLibrary(name: "CPROJ", pkgConfig: "proj", providers: [.apt(["libproj-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),

        // The compiler plugin behind GeoCore's macros: `@MemberwiseInit` writes the public memberwise initialiser that
        // Swift synthesises only as internal.
        .macro(
            name: "GeoMacrosPlugin",
            dependencies: [
                .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
                .product(name: "SwiftCompilerPlugin", package: "swift-syntax"),
            ],
            swiftSettings: strictSettings),

        // Core value types and codecs; pure Swift, no C.
        .target(name: "GeoCore", dependencies: prebuiltMacroPlugin == nil ? ["GeoMacrosPlugin"] : [], resources: [.copy("Resources/china-boundary.bin")], swiftSettings: strictSettings),

        // Engines: GEOS, PROJ and zlib behind GeoCore types.
        .target(name: "GeoEngine", dependencies: ["GeoCore", "CGEOS", "CPROJ", "CZlib"], swiftSettings: strictSettings),

        // The national algorithms (SM3, SM4, HMAC-SM3) through OpenSSL 3: digests, sealing at rest, backups.
        .target(name: "GeoCrypto", dependencies: ["GeoCore", "CCrypto"], swiftSettings: strictSettings),

        // SpatiaLite store through GRDB.
        .target(
            name: "GeoStore",
            dependencies: [
                "GeoCore", "GeoCrypto",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings),

        // PostgreSQL/PostGIS store through postgres-nio: a target of its own, so that a SpatiaLite user does not
        // compile postgres-nio into GeoStore.
        .target(
            name: "GeoStorePostGIS",
            dependencies: [
                "GeoCore", "GeoCrypto", "GeoStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),

        // Features: one capability each.
        .target(name: "GeoGrids", dependencies: ["GeoCore", "GeoEngine", "GeoStore"], swiftSettings: strictSettings),
        .target(name: "GeoSampling", dependencies: ["GeoCore", "GeoEngine", "GeoStore", "GeoGrids"], swiftSettings: strictSettings),
        .target(name: "GeoAddress", dependencies: ["GeoCore", "GeoStore", "GeoGrids"], swiftSettings: strictSettings),
        .target(name: "GeoFences", dependencies: ["GeoCore", "GeoEngine", "GeoStore"], swiftSettings: strictSettings),
        .target(name: "GeoTiles", dependencies: ["GeoCore", "GeoEngine", "GeoStore"], swiftSettings: strictSettings),
        .target(name: "GeoTrajectories", dependencies: ["GeoCore", "GeoStore"], swiftSettings: strictSettings),
        // Spatial analysis and routing on the road network (coverage, overlay, hot spots, dispatch).
        .target(name: "GeoAnalysis", dependencies: ["GeoCore", "GeoEngine", "GeoGrids", "GeoTrajectories"], swiftSettings: strictSettings),

        // The demo-city generator and the synthetic vehicle days on its roads (a library so that tests and
        // benchmarks can run them; `citygeo demo-city` and `citygeo traj generate` drive them).
        .target(
            name: "DemoCity",
            dependencies: ["GeoCore", "GeoEngine", "GeoStore", "GeoTrajectories"],
            path: "tools/democity/Sources/DemoCity",
            swiftSettings: strictSettings),

        // HTTP server.
        .target(
            name: "GeoServer",
            dependencies: [
                "GeoCore", "GeoCrypto", "GeoEngine", "GeoStore", "GeoStorePostGIS", "GeoGrids", "GeoSampling", "GeoAddress", "GeoFences",
                "GeoTiles", "GeoTrajectories", "GeoAnalysis",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("openapi.json")],
            swiftSettings: strictSettings),

        // The CLI.
        .executableTarget(
            name: "citygeo",
            dependencies: [
                "GeoCore", "GeoCrypto", "GeoEngine", "GeoStore", "GeoGrids", "GeoSampling", "GeoAddress", "GeoFences", "GeoTiles", "GeoTrajectories", "GeoAnalysis", "GeoServer", "DemoCity",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),

        // The benchmarks and the geocoding accuracy harness are a package of their own (tools/Package.swift), so a plain
        // `swift build` of CityGeo never compiles them.

        // The backends the store seam's tests run against (SpatiaLite; PostGIS when CITYGEO_TEST_POSTGRES_URL is set).
        .target(name: "StoreBackends", dependencies: ["GeoCore", "GeoCrypto", "GeoStore", "GeoStorePostGIS"], path: "Tests/StoreBackends", swiftSettings: strictSettings),
        .testTarget(
            name: "GeoMacrosTests",
            dependencies: [
                "GeoMacrosPlugin",
                .product(name: "SwiftSyntaxMacroExpansion", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacrosGenericTestSupport", package: "swift-syntax"),
            ],
            swiftSettings: strictSettings),
        .testTarget(name: "GeoCoreTests", dependencies: ["GeoCore"], resources: [.copy("Fixtures")], swiftSettings: strictSettings),
        .testTarget(name: "GeoEngineTests", dependencies: ["GeoCore", "GeoEngine"], resources: [.copy("Fixtures")], swiftSettings: strictSettings),
        .testTarget(name: "GeoCryptoTests", dependencies: ["GeoCore", "GeoCrypto"], swiftSettings: strictSettings),
        .testTarget(
            name: "GeoStoreTests",
            dependencies: [
                "GeoCore", "GeoCrypto", "GeoStore", "GeoStorePostGIS", "StoreBackends", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Fixtures")], swiftSettings: strictSettings),
        .testTarget(name: "GeoGridsTests", dependencies: ["GeoCore", "GeoEngine", "GeoStore", "GeoGrids"], swiftSettings: strictSettings),
        .testTarget(name: "GeoFencesTests", dependencies: ["GeoCore", "GeoStore", "GeoFences", "StoreBackends"], resources: [.copy("Fixtures")], swiftSettings: strictSettings),
        .testTarget(name: "GeoSamplingTests", dependencies: ["GeoCore", "GeoEngine", "GeoStore", "GeoGrids", "GeoSampling"], exclude: ["Fixtures"], swiftSettings: strictSettings),
        .testTarget(
            name: "GeoTilesTests", dependencies: ["GeoCore", "GeoEngine", "GeoStore", "GeoTiles"], resources: [.copy("Fixtures")],
            swiftSettings: strictSettings),
        .testTarget(
            name: "GeoServerTests",
            dependencies: [
                "GeoCore", "GeoCrypto", "GeoEngine", "GeoStore", "GeoGrids", "GeoFences", "GeoTiles", "GeoServer", "DemoCity",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            swiftSettings: strictSettings),
        .testTarget(name: "GeoAddressTests", dependencies: ["GeoCore", "GeoStore", "GeoGrids", "GeoAddress"], swiftSettings: strictSettings),
        .testTarget(name: "GeoTrajectoriesTests", dependencies: ["GeoCore", "GeoStore", "StoreBackends", "GeoTrajectories", "DemoCity"], swiftSettings: strictSettings),
        .testTarget(
            name: "GeoAnalysisTests", dependencies: ["GeoCore", "GeoEngine", "GeoGrids", "GeoTrajectories", "GeoAnalysis"],
            resources: [.copy("Fixtures")], swiftSettings: strictSettings),
        .testTarget(name: "DemoCityTests", dependencies: ["GeoCore", "GeoEngine", "GeoStore", "GeoTrajectories", "DemoCity"], swiftSettings: strictSettings),
    ]
)
