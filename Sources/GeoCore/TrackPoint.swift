import Foundation

/// One GPS fix of a vehicle (or a field worker's handheld): who, when, where, and what the device reported.
///
/// It lives in GeoCore rather than in GeoTrajectories because the store (GeoStore) persists it and the
/// analyses (GeoTrajectories) read it: both sides speak the same value type, with no copy between them.
@MemberwiseInit
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

    /// A fix at a coordinate (longitude `x`, latitude `y`).
    public init(vehicle: String, time: Double, coordinate: Coordinate, speed: Double? = nil, heading: Double? = nil, status: String? = nil) {
        self.init(vehicle: vehicle, time: time, longitude: coordinate.x, latitude: coordinate.y, speed: speed, heading: heading, status: status)
    }

    /// The position as a coordinate.
    public var coordinate: Coordinate { Coordinate(longitude: longitude, latitude: latitude) }

    /// The time as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: time) }

    /// Whether the fix can be evaluated at all: a time within ``TimeText/plausibleSeconds`` (1900-2200; a fix at
    /// 1e300 seconds used to stop the server) and a longitude/latitude within range.
    public var isPlausible: Bool {
        TimeText.plausibleSeconds.contains(time) && coordinate.isValidGeographic
    }
}

/// The saved form of a fix (held fixes in an evaluator's state): `vehicle`, `time`, `lon`, `lat` and the optional
/// fields. States saved before fixes were unified hold GeoFences' former `VehiclePosition`
/// (`vehicleId`, `coordinate: {x, y}`, `speedKmh`); they still decode, so a server upgraded over a saved state
/// resumes where it stopped.
extension TrackPoint: Codable {
    private enum CodingKeys: String, CodingKey {
        case vehicle, time, lon, lat, speed, heading, status
        case vehicleId, coordinate, speedKmh
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        time = try c.decode(Double.self, forKey: .time)
        heading = try c.decodeIfPresent(Double.self, forKey: .heading)
        status = try c.decodeIfPresent(String.self, forKey: .status)
        if let formerVehicle = try c.decodeIfPresent(String.self, forKey: .vehicleId) {
            let coordinate = try c.decode(Coordinate.self, forKey: .coordinate)
            vehicle = formerVehicle
            longitude = coordinate.x
            latitude = coordinate.y
            speed = try c.decodeIfPresent(Double.self, forKey: .speedKmh)
        } else {
            vehicle = try c.decode(String.self, forKey: .vehicle)
            longitude = try c.decode(Double.self, forKey: .lon)
            latitude = try c.decode(Double.self, forKey: .lat)
            speed = try c.decodeIfPresent(Double.self, forKey: .speed)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(vehicle, forKey: .vehicle)
        try c.encode(time, forKey: .time)
        try c.encode(longitude, forKey: .lon)
        try c.encode(latitude, forKey: .lat)
        try c.encodeIfPresent(speed, forKey: .speed)
        try c.encodeIfPresent(heading, forKey: .heading)
        try c.encodeIfPresent(status, forKey: .status)
    }
}
