import Foundation
import GeoCore

/// Generates the demo city: a district modelled on 大丰区 (320904) inside its real boundary, with its real
/// streets and towns, invented communities, unit grids, roads, door plates, compounds, POIs, evaluation area
/// classes, inspection sample points and the core's components (部件). The output is a pure function of the seed, the scale and the boundary.
public enum DemoCityGenerator {
    /// The seed the committed demo city was generated with (the district's code).
    public static let defaultSeed: UInt64 = 320_904

    /// Generation settings.
    public struct Options: Sendable, Hashable {
        /// The seed of every random choice.
        public var seed: UInt64
        /// Area multiplier of the urban core: 1 gives ~40 km² and ~4,000 unit grids in the core; 13 gives more
        /// than 50,000. Blocks that would fall outside the district are dropped.
        public var scale: Double

        public init(seed: UInt64 = DemoCityGenerator.defaultSeed, scale: Double = 1) {
            self.seed = seed
            self.scale = scale
        }
    }

    /// One generated file: its path relative to the repository root and its bytes.
    public struct File: Sendable, Hashable {
        public let path: String
        public let bytes: [UInt8]
    }

    /// The generated files and the number of features of each kind.
    public struct Output: Sendable {
        public let files: [File]
        public let counts: [(kind: String, count: Int)]

        /// Writes every file under `root`, creating folders as needed. Each file is written to a temporary
        /// name and moved into place, so an interrupted run never leaves a half-written file.
        public func write(to root: URL) throws {
            for file in files {
                let url = root.appendingPathComponent(file.path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
                try Data(file.bytes).write(to: temporary)
                _ = try? FileManager.default.removeItem(at: url)
                try FileManager.default.moveItem(at: temporary, to: url)
            }
        }
    }

    /// Generates the city inside `boundary`, a GeoJSON Polygon/MultiPolygon feature (collection) in WGS 84.
    public static func generate(boundaryGeoJSON: [UInt8], options: Options = Options()) throws -> Output {
        guard options.scale >= 0.25, options.scale <= 30 else {
            throw GeoError(code: .invalidArgument, message: "scale \(options.scale) is outside 0.25...30")
        }
        let district = try districtPolygons(from: boundaryGeoJSON)
        let bridge = try GeometryBridge()
        var builder = try CityBuilder(seed: options.seed, scale: options.scale, districtDegrees: district, geometry: bridge)
        let model = try builder.build()
        let writer = CityWriter(model: model, geometry: bridge)
        var files = try writer.files().map { File(path: $0.path, bytes: $0.bytes) }
        let counts: [(kind: String, count: Int)] = [
            ("streets and towns", model.regions.filter { $0.level == .street || $0.level == .town }.count),
            ("communities", model.regions.filter { $0.level == .community }.count),
            ("villages", model.regions.filter { $0.level == .village }.count),
            ("unit grids", model.unitGrids.count),
            ("roads", model.roads.count),
            ("door plates", model.plates.count),
            ("compounds", model.compounds.count),
            ("buildings", model.buildings.count),
            ("points of interest", model.pois.count),
            ("sample points", model.samplePoints.count),
            ("components", model.components.count),
        ]
        var manifest: [String: JSONValue] = [
            "generator": "citygeo demo-city", "seed": .int(Int64(options.seed)), "scale": .double(options.scale),
            "crs": "EPSG:4490 (CGCS2000), generated in EPSG:4549",
        ]
        manifest["counts"] = .object(Dictionary(uniqueKeysWithValues: counts.map { ($0.kind, JSONValue.int(Int64($0.count))) }))
        files.append(File(path: "GridData/manifest.json", bytes: Array((try JSON.encode(.object(manifest)) + "\n").utf8)))
        return Output(files: files, counts: counts)
    }

    /// The polygons of the boundary file.
    static func districtPolygons(from bytes: [UInt8]) throws -> [Polygon] {
        let collection = try GeoJSON.decodeFeatures(bytes)
        let polygons = collection.features.compactMap(\.geometry).flatMap { geometry -> [Polygon] in
            switch geometry {
            case .polygon(let p): [p]
            case .multiPolygon(let m): m.polygons
            default: []
            }
        }
        guard !polygons.isEmpty else {
            throw GeoError(code: .invalidArgument, message: "the boundary file holds no Polygon or MultiPolygon")
        }
        return polygons
    }
}
