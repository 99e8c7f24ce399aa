import Foundation
import GeoCore
import GeoTrajectories

/// Lon/lat positions from metres east and north of a point in the demo city, for hand-computed geometry.
enum Metres {
    static let frame = LocalFrame(origin: Coordinate(longitude: 120.46, latitude: 33.19))
    static func c(_ x: Double, _ y: Double) -> Coordinate { frame.unproject(Coordinate(x: x, y: y)) }
    static func line(_ xy: [(Double, Double)]) -> Geometry { .lineString(LineString(xy.map { c($0.0, $0.1) })) }
    static func square(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Polygon {
        Polygon(exterior: [c(x0, y0), c(x1, y0), c(x1, y1), c(x0, y1), c(x0, y0)])
    }
    static func point(_ x: Double, _ y: Double, _ properties: [String: JSONValue] = [:]) -> Feature {
        Feature(geometry: .point(Point(c(x, y))), properties: properties)
    }
}

/// The fixtures folder of this test target.
enum Fixtures {
    static func url(_ name: String) -> URL {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")!
    }
}
