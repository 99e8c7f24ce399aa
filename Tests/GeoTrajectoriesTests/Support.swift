import DemoCity
import Foundation
import GeoCore
import GeoTrajectories

/// The demo city's roads and generated vehicle days, shared by the tests.
enum DemoRoads {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let network: RoadNetwork = {
        let data = try! Data(contentsOf: root.appendingPathComponent("AddressBooks/roads.geojson"))
        return RoadNetwork(features: try! GeoJSON.decodeFeatureCollection(data).features)
    }()

    /// 2026-11-23T06:00:00+08:00.
    static let morning = 1_795_384_800.0

    static func day(_ seed: UInt64, start: Double = morning) -> VehicleDay {
        VehicleDayGenerator(network: network).generate(vehicle: "苏J\(10_000 + seed)", seed: seed, start: start)
    }
}

/// Lon/lat positions from metres east and north of a point in the demo city, for hand-computed geometry.
enum Metres {
    static let frame = LocalFrame(origin: Coordinate(longitude: 120.46, latitude: 33.19))
    static func c(_ x: Double, _ y: Double) -> Coordinate { frame.unproject(Coordinate(x: x, y: y)) }
    static func line(_ xy: [(Double, Double)]) -> LineString { LineString(xy.map { c($0.0, $0.1) }) }
    static func point(_ x: Double, _ y: Double, t: Double, speed: Double? = nil, vehicle: String = "V1") -> TrackPoint {
        let p = c(x, y)
        return TrackPoint(vehicle: vehicle, time: t, longitude: p.longitude, latitude: p.latitude, speed: speed)
    }
}
