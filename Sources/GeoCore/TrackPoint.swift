import Foundation

/// One GPS fix of a vehicle (or a field worker's handheld): who, when, where, and what the device reported.
///
/// It lives in GeoCore rather than in GeoTrajectories because the store (GeoStore) persists it and the
/// analyses (GeoTrajectories) read it: both sides speak the same value type, with no copy between them.
public struct TrackPoint: Hashable, Sendable {
    /// The vehicle (or device) identifier, e.g. a plate number `苏J12345` or a terminal id.
    public var vehicle: String
    /// Seconds since 1970-01-01T00:00:00Z. Seconds rather than `Date` so that arithmetic on times stays plain.
    public var time: Double
    /// Longitude in degrees (WGS 84 / CGCS2000).
    public var longitude: Double
    /// Latitude in degrees (WGS 84 / CGCS2000).
    public var latitude: Double
    /// Speed reported by the device in km/h, if any.
    public var speed: Double?
    /// Heading reported by the device, degrees clockwise from north, if any.
    public var heading: Double?
    /// A device or business status, e.g. `0` idle / `1` working, ignition on/off; free text.
    public var status: String?

    public init(vehicle: String, time: Double, longitude: Double, latitude: Double,
                speed: Double? = nil, heading: Double? = nil, status: String? = nil) {
        self.vehicle = vehicle
        self.time = time
        self.longitude = longitude
        self.latitude = latitude
        self.speed = speed
        self.heading = heading
        self.status = status
    }

    /// The position as a coordinate.
    public var coordinate: Coordinate { Coordinate(longitude: longitude, latitude: latitude) }

    /// The time as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: time) }

    /// Times a fix may have: 1900-01-01 to 2200-01-01 in seconds since 1970. Wider than any GPS feed, and narrow
    /// enough that days and milliseconds of these times convert to integers without overflow (a fix at 1e300
    /// seconds used to stop the server).
    public static let plausibleTimes: ClosedRange<Double> = -2_208_988_800 ... 7_258_118_400
}
