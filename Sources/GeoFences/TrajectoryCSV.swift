import Foundation
import GeoCore

/// Trajectories as CSV, for replays: a header row naming `vehicle_id` (or `vehicle`), `time` (ISO 8601 with an
/// offset, or seconds since 1970), `lon`, `lat`, and optionally `speed_kmh` and `heading`; one fix a row.
///
/// Plain comma splitting without quoting: trajectory exports hold plate numbers and numbers only.
public enum TrajectoryCSV {
    /// The fixes of a CSV text, in file order; errors name the line and column.
    public static func read(_ text: String) throws(GeoError) -> [VehiclePosition] {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let headerLine = lines.first else { return [] }
        let header = headerLine.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "\u{FEFF}", with: "")
        }
        func column(_ names: String...) -> Int? { header.firstIndex { names.contains($0) } }
        guard let vehicleColumn = column("vehicle_id", "vehicle"), let timeColumn = column("time", "timestamp"),
            let lonColumn = column("lon", "lng", "longitude"), let latColumn = column("lat", "latitude")
        else {
            throw GeoError(code: .invalidCSV, message: "a trajectory needs columns vehicle_id, time, lon, lat; the header is \(headerLine)", location: "line 1")
        }
        let speedColumn = column("speed_kmh", "speed")
        let headingColumn = column("heading", "direction")
        var result: [VehiclePosition] = []
        result.reserveCapacity(lines.count - 1)
        for (k, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            func fail(_ name: String, _ message: String) -> GeoError {
                GeoError(code: .invalidCSV, message: message, location: "line \(k + 1), column \(name)")
            }
            func cell(_ index: Int?) -> String? {
                guard let index, index < cells.count, !cells[index].isEmpty else { return nil }
                return cells[index]
            }
            guard let vehicle = cell(vehicleColumn) else { throw fail("vehicle_id", "the vehicle id is empty") }
            guard let timeText = cell(timeColumn), let time = parseTime(timeText) else {
                throw fail("time", "time must be ISO 8601 with an offset or seconds since 1970, got \(cell(timeColumn) ?? "nothing")")
            }
            guard let lon = cell(lonColumn).flatMap(Double.init), let lat = cell(latColumn).flatMap(Double.init) else {
                throw fail("lon/lat", "lon and lat must be numbers")
            }
            let coordinate = Coordinate(x: lon, y: lat)
            guard coordinate.isValidGeographic else { throw fail("lon/lat", "(\(lon), \(lat)) is not a longitude/latitude") }
            var speed: Double?
            if let text = cell(speedColumn) {
                guard let s = Double(text), s >= 0 else { throw fail("speed_kmh", "speed must be a non-negative number, got \(text)") }
                speed = s
            }
            result.append(
                VehiclePosition(vehicleId: vehicle, time: time, coordinate: coordinate, speedKmh: speed, heading: cell(headingColumn).flatMap(Double.init)))
        }
        return result
    }

    /// ISO 8601 with an offset (fractional seconds allowed) or seconds since 1970.
    public static func parseTime(_ text: String) -> Double? {
        if let seconds = Double(text) { return seconds }
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds]] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date.timeIntervalSince1970 }
        }
        return nil
    }

    /// Seconds since 1970 as ISO 8601 in a fixed offset (China Standard Time by default).
    public static func format(_ time: Double, utcOffsetSeconds: Int = 8 * 3600) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(secondsFromGMT: utcOffsetSeconds)
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: time))
    }
}
