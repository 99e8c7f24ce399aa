import Foundation
import GeoCore

/// Mileage and speed measures on cleaned fixes.
public enum TrackMeasures {
    /// Geodesic length in metres of the polyline through `points` (Vincenty on WGS 84, segment by segment).
    public static func length<C: Collection>(_ points: C) -> Double where C.Element == TrackPoint {
        var total = 0.0
        var previous: TrackPoint? = nil
        for p in points {
            if let q = previous { total += Geodesic.distance(from: q.coordinate, to: p.coordinate) }
            previous = p
        }
        return total
    }

    /// The `p`-th percentile (0–100) of `values` by nearest rank; nil when empty.
    public static func percentile(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[max(0, min(sorted.count - 1, rank - 1))]
    }

    /// Speed statistics (km/h) of the moving parts of a track.
    ///
    /// Samples are the device's reported speeds of fixes inside `trips` when every such fix has one, otherwise
    /// the implied speeds of the trips' segments; samples at or below `stationarySpeed` [1 km/h] are left out,
    /// so that waiting at a light does not drag the mean down. `p85` is the 85th percentile by nearest rank,
    /// the figure traffic engineers compare with a speed limit.
    public static func speedStatistics(_ points: [TrackPoint], trips: [Trip], stationarySpeed: Double = 1) -> SpeedStatistics {
        var reported: [Double] = []
        var complete = true
        var implied: [Double] = []
        for trip in trips {
            for k in trip.firstIndex...trip.lastIndex {
                if let s = points[k].speed { reported.append(s) } else { complete = false }
                if k > trip.firstIndex {
                    let dt = points[k].time - points[k - 1].time
                    if dt > 0 {
                        implied.append(Geodesic.distance(from: points[k - 1].coordinate, to: points[k].coordinate) / dt * 3.6)
                    }
                }
            }
        }
        let samples = ((complete && !reported.isEmpty) ? reported : implied).filter { $0 > stationarySpeed }
        guard !samples.isEmpty else { return SpeedStatistics(mean: 0, maximum: 0, p85: 0, sampleCount: 0) }
        return SpeedStatistics(mean: samples.reduce(0, +) / Double(samples.count), maximum: samples.max()!,
                               p85: percentile(samples, 85)!, sampleCount: samples.count)
    }
}

/// Speeds in km/h.
public struct SpeedStatistics: Hashable, Sendable, Codable {
    /// Arithmetic mean of the samples.
    public var mean: Double
    public var maximum: Double
    public var p85: Double
    public var sampleCount: Int
}

/// One vehicle's day: the figures a sanitation or patrol supervisor reads (作业趟数, 作业里程, 停车分析).
public struct VehicleDayReport: Hashable, Sendable {
    public var vehicle: String
    /// `YYYY-MM-DD` in the report's UTC offset.
    public var day: String
    /// What cleaning removed.
    public var cleaning: TrackCleaner.Report
    /// Cleaned fixes of the day.
    public var points: [TrackPoint]
    public var stops: [Stop]
    public var trips: [Trip]
    /// Geodesic length of the whole cleaned day in metres (trips and the little left inside stops).
    public var mileage: Double
    /// Sum of trip durations and of stop durations, seconds.
    public var movingSeconds: Double
    public var stoppedSeconds: Double
    public var speed: SpeedStatistics
    /// Number of stops inside a designated site.
    public var siteStopCount: Int

    /// Trips of the day (作业趟数).
    public var tripCount: Int { trips.count }
}

/// Cleaning, stops, trips and measures in one call: raw fixes in, one report per vehicle and day out.
@MemberwiseInit
public struct TrajectoryAnalyzer: Sendable {
    public var cleaner: TrackCleaner = TrackCleaner()
    public var detector: StopTripDetector = StopTripDetector()
    /// Offset of the local day from UTC in seconds [+08:00, China Standard Time].
    public var utcOffset: Int = TimeText.defaultUTCOffset

    /// Reports per vehicle and local day, sorted by vehicle then day. Each day is cleaned and analysed on its
    /// own, so that a trip across midnight counts in the day where its fixes are.
    public func dailyReports(_ points: [TrackPoint]) -> [VehicleDayReport] {
        var groups: [String: [String: [TrackPoint]]] = [:]
        for p in points { groups[p.vehicle, default: [:]][TimeText.day(of: p.time, utcOffset: utcOffset), default: []].append(p) }
        var reports: [VehicleDayReport] = []
        for vehicle in groups.keys.sorted() {
            for day in groups[vehicle]!.keys.sorted() {
                reports.append(report(vehicle: vehicle, day: day, raw: groups[vehicle]![day]!))
            }
        }
        return reports
    }

    /// The report of one vehicle's raw fixes of one day.
    public func report(vehicle: String, day: String, raw: [TrackPoint]) -> VehicleDayReport {
        let (clean, cleaning) = cleaner.cleanVehicle(raw)
        let stops = detector.stops(in: clean)
        let trips = detector.trips(in: clean, stops: stops)
        return VehicleDayReport(
            vehicle: vehicle, day: day, cleaning: cleaning, points: clean, stops: stops, trips: trips,
            mileage: TrackMeasures.length(clean),
            movingSeconds: trips.reduce(0) { $0 + $1.duration },
            stoppedSeconds: stops.reduce(0) { $0 + $1.duration },
            speed: TrackMeasures.speedStatistics(clean, trips: trips, stationarySpeed: cleaner.options.stationarySpeed),
            siteStopCount: stops.filter { $0.siteID != nil }.count)
    }
}
