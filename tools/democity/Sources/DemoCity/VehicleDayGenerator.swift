import Foundation
import GeoCore
import GeoTrajectories

/// What really happened on a generated vehicle day, to check analyses against.
public struct VehicleDayTruth: Hashable, Sendable {
    /// A stop: where and from when to when (epoch seconds). The first stop starts at the first fix and the last
    /// ends at the last fix.
    public struct StopTruth: Hashable, Sendable {
        public var coordinate: Coordinate
        public var start: Double
        public var end: Double
    }

    /// A trip: departure, arrival, the driven path (lon/lat) and its geodesic length in metres.
    public struct TripTruth: Hashable, Sendable {
        public var start: Double
        public var end: Double
        public var path: [Coordinate]
        public var distance: Double
    }

    public var stops: [StopTruth]
    public var trips: [TripTruth]
    /// Geodesic length of the clean path driven, metres (the sum of the trips' distances).
    public var mileage: Double
    /// Faults injected into the fixes.
    public var injectedJumps: Int
    public var injectedDuplicates: Int
    public var injectedInvalid: Int
    /// The noise-free position every second while driving (speed in km/h), for exact "who passed" checks.
    public var truePath: [TrackPoint]
}

/// A generated day: the raw fixes as a platform would deliver them (noisy, out of order, with faults) and the truth.
public struct VehicleDay: Sendable {
    public var vehicle: String
    public var points: [TrackPoint]
    public var truth: VehicleDayTruth
    /// Where the vehicle parks at the start and end of the day (its depot).
    public var depot: Coordinate
}

/// Generates realistic vehicle days on a road network, reproducible from a seed: test and benchmark data for
/// the trajectory analyses (GeoTrajectories), kept beside the demo city rather than in the product library.
///
/// A vehicle leaves its depot (a network node) after a parked spell, drives the quickest route to a few
/// collection points (other nodes), stops at each for a known time, and returns to the depot. Along the way it
/// drives at the road's speed (``RoadNetwork/speedByKind``), slows to ``Options/turnSpeed`` through turns and
/// brakes and accelerates at ``Options/acceleration``. A fix is taken every ``Options/interval`` seconds with
/// Gaussian noise of ``Options/noise`` metres per axis, and the device reports its speed and heading. Then faults
/// are injected: jumps (a fix 1–3 km off, between two samples), exact duplicates, and (0, 0) fixes; and the fixes
/// are shuffled, as platforms deliver them out of order.
public struct VehicleDayGenerator: Sendable {
    /// Parameters; defaults in brackets.
    public struct Options: Hashable, Sendable {
        /// Sampling interval in seconds [10].
        public var interval: Double
        /// GPS noise, standard deviation per axis in metres [3].
        public var noise: Double
        /// Speed through turns, km/h [8].
        public var turnSpeed: Double
        /// Braking and acceleration, m/s² [1].
        public var acceleration: Double
        /// Number of collection stops between leaving and returning to the depot [3...5].
        public var collectionStops: ClosedRange<Int>
        /// Duration of a collection stop, seconds [240...900].
        public var stopDuration: ClosedRange<Int>
        /// Parked time at the depot at the start and the end of the day, seconds [300...600].
        public var depotDuration: ClosedRange<Int>
        /// Shortest route between two consecutive stops, metres [800].
        public var minimumTripLength: Double
        /// Faults injected [3 jumps, 4 duplicates, 2 invalid].
        public var jumps: Int
        public var duplicates: Int
        public var invalid: Int

        public init(interval: Double = 10, noise: Double = 3, turnSpeed: Double = 8, acceleration: Double = 1,
                    collectionStops: ClosedRange<Int> = 3...5, stopDuration: ClosedRange<Int> = 240...900,
                    depotDuration: ClosedRange<Int> = 300...600, minimumTripLength: Double = 800,
                    jumps: Int = 3, duplicates: Int = 4, invalid: Int = 2) {
            self.interval = interval
            self.noise = noise
            self.turnSpeed = turnSpeed
            self.acceleration = acceleration
            self.collectionStops = collectionStops
            self.stopDuration = stopDuration
            self.depotDuration = depotDuration
            self.minimumTripLength = minimumTripLength
            self.jumps = jumps
            self.duplicates = duplicates
            self.invalid = invalid
        }
    }

    public let network: RoadNetwork
    public var options: Options

    public init(network: RoadNetwork, options: Options = Options()) {
        self.network = network
        self.options = options
    }

    /// A timed path: the frame polyline, and the time (seconds from the start) at each metre along it.
    struct DrivenPath {
        var line: [Coordinate]
        var cumulative: [Double]
        var timeAtMetre: [Double]
        var length: Double { cumulative.last ?? 0 }
        var duration: Double { timeAtMetre.last ?? 0 }
        var speedAtMetre: [Double]
    }

    /// Generates one day of `vehicle` starting at `start` (epoch seconds; the first fix is taken then).
    public func generate(vehicle: String, seed: UInt64, start: Double) -> VehicleDay {
        var random = SeededGenerator(seed: seed)
        let frame = network.frame
        // The depot: a node in the largest connected part of the network, so that every stop can be reached.
        var components: [Set<Int>] = []
        for n in network.nodes.indices where !components.contains(where: { $0.contains(n) }) {
            components.append(network.reachable(from: n))
        }
        let main = components.max { $0.count < $1.count }!.sorted()
        let depot = random.pick(main)!

        // The itinerary: depot → collection points → depot, each leg long enough to be a real trip.
        var itinerary = [depot]
        let stopCount = random.int(in: options.collectionStops)
        var legs: [DrivenPath] = []
        while legs.count < stopCount + 1 {
            let from = itinerary.last!
            let to = legs.count == stopCount ? depot : random.pick(main)!
            if legs.count < stopCount && to == depot { continue }
            guard to != from, let route = network.route(from: from, to: to) else {
                if legs.count == stopCount { break }  // cannot happen inside one component; keep the loop finite
                continue
            }
            let path = drive(route)
            if path.length < options.minimumTripLength {
                if legs.count == stopCount && to == depot {
                    // Returning home from nearby: accept, the depot must close the day.
                } else {
                    continue
                }
            }
            legs.append(path)
            itinerary.append(to)
        }

        // The timeline: stop, leg, stop, …, stop.
        var stops: [VehicleDayTruth.StopTruth] = []
        var trips: [VehicleDayTruth.TripTruth] = []
        var phases: [(start: Double, end: Double, stop: Coordinate?, path: DrivenPath?)] = []
        var clock = start
        for (k, node) in itinerary.enumerated() {
            let isDepot = k == 0 || k == itinerary.count - 1
            var duration = Double(random.int(in: isDepot ? options.depotDuration : options.stopDuration))
            if k == itinerary.count - 1 {
                // The day ends on a fix.
                let end = clock + duration
                duration = ((end - start) / options.interval).rounded(.down) * options.interval + start - clock
            }
            let place = frame.unproject(network.nodes[node])
            stops.append(.init(coordinate: place, start: clock, end: clock + duration))
            phases.append((clock, clock + duration, network.nodes[node], nil))
            clock += duration
            if k < legs.count {
                let leg = legs[k]
                let lonlat = leg.line.map(frame.unproject)
                var distance = 0.0
                for m in 1..<lonlat.count { distance += Geodesic.distance(from: lonlat[m - 1], to: lonlat[m]) }
                trips.append(.init(start: clock, end: clock + leg.duration, path: lonlat, distance: distance))
                phases.append((clock, clock + leg.duration, nil, leg))
                clock += leg.duration
            }
        }
        let end = stops.last!.end

        // Fixes every interval, and the noise-free path every second while driving.
        var points: [TrackPoint] = []
        var truePath: [TrackPoint] = []
        var phase = 0
        var t = start
        while t <= end + 1e-9 {
            while phase < phases.count - 1 && t > phases[phase].end { phase += 1 }
            let (position, speed, heading) = state(phases[phase], at: t)
            let noisy = Coordinate(x: position.x + gaussian(&random) * options.noise, y: position.y + gaussian(&random) * options.noise)
            let c = frame.unproject(noisy)
            points.append(TrackPoint(vehicle: vehicle, time: t, longitude: c.longitude, latitude: c.latitude,
                                     speed: (speed * 10).rounded() / 10, heading: heading.rounded(), status: nil))
            t += options.interval
        }
        for p in phases where p.path != nil {
            var s = p.start
            while s <= p.end {
                let (position, speed, _) = state(p, at: s)
                let c = frame.unproject(position)
                truePath.append(TrackPoint(vehicle: vehicle, time: s, longitude: c.longitude, latitude: c.latitude, speed: speed))
                s += 1
            }
        }

        // Faults, on fixes taken while driving (speed above 5 km/h), far enough apart not to touch each other.
        var moving = points.indices.filter { (points[$0].speed ?? 0) > 5 && $0 > 0 && $0 < points.count - 1 }
        moving = random.shuffled(moving)
        var used: [Int] = []
        func take() -> Int? {
            while let i = moving.popLast() {
                if used.allSatisfy({ abs($0 - i) >= 6 }) { used.append(i); return i }
            }
            return nil
        }
        var extra: [TrackPoint] = []
        var jumps = 0, duplicates = 0, invalid = 0
        for _ in 0..<options.jumps {
            guard let i = take() else { break }
            let base = frame.project(points[i].coordinate)
            let distance = random.uniform(1000...3000), angle = random.uniform(0...(2 * .pi))
            let c = frame.unproject(Coordinate(x: base.x + distance * sin(angle), y: base.y + distance * cos(angle)))
            var p = points[i]
            p.time += options.interval / 2
            p.longitude = c.longitude
            p.latitude = c.latitude
            extra.append(p)
            jumps += 1
        }
        for _ in 0..<options.duplicates {
            guard let i = take() else { break }
            extra.append(points[i])
            duplicates += 1
        }
        for _ in 0..<options.invalid {
            guard let i = take() else { break }
            var p = points[i]
            p.time += options.interval * 0.3
            p.longitude = 0
            p.latitude = 0
            extra.append(p)
            invalid += 1
        }
        let delivered = random.shuffled(points + extra)

        let truth = VehicleDayTruth(
            stops: stops, trips: trips, mileage: trips.reduce(0) { $0 + $1.distance },
            injectedJumps: jumps, injectedDuplicates: duplicates, injectedInvalid: invalid, truePath: truePath)
        return VehicleDay(vehicle: vehicle, points: delivered, truth: truth, depot: frame.unproject(network.nodes[depot]))
    }

    /// Position (frame), speed (km/h) and heading (degrees) during a phase at time `t`.
    func state(_ phase: (start: Double, end: Double, stop: Coordinate?, path: DrivenPath?), at t: Double) -> (Coordinate, Double, Double) {
        if let stop = phase.stop { return (stop, 0, 0) }
        let path = phase.path!
        let elapsed = min(max(0, t - phase.start), path.duration)
        // The metre mark reached at `elapsed`: binary search in the monotonic time table, then interpolate.
        var low = 0, high = path.timeAtMetre.count - 1
        while high - low > 1 {
            let mid = (low + high) / 2
            if path.timeAtMetre[mid] <= elapsed { low = mid } else { high = mid }
        }
        let t0 = path.timeAtMetre[low], t1 = path.timeAtMetre[high]
        let fraction = t1 > t0 ? (elapsed - t0) / (t1 - t0) : 0
        // Mark i is metre i along the path, except the last, which is the path's end.
        let s0 = min(path.length, Double(low)), s1 = min(path.length, Double(high))
        let s = min(path.length, s0 + fraction * (s1 - s0))
        var k = 1
        while k < path.line.count - 1 && path.cumulative[k] < s { k += 1 }
        let a = path.line[k - 1], b = path.line[k]
        let span = path.cumulative[k] - path.cumulative[k - 1]
        let r = span > 0 ? (s - path.cumulative[k - 1]) / span : 0
        let position = Coordinate(x: a.x + (b.x - a.x) * r, y: a.y + (b.y - a.y) * r)
        var heading = atan2(b.x - a.x, b.y - a.y) * 180 / .pi
        if heading < 0 { heading += 360 }
        let atEnd = elapsed >= path.duration || elapsed <= 0
        return (position, atEnd ? 0 : path.speedAtMetre[min(low, path.speedAtMetre.count - 1)] * 3.6, heading)
    }

    /// Times a route: speed limited by the road, by turns and by starting and stopping.
    func drive(_ route: [(edge: Int, forward: Bool)]) -> DrivenPath {
        var line: [Coordinate] = []
        var segmentSpeed: [Double] = []  // m/s of segment k (from line[k] to line[k+1])
        for step in route {
            let edge = network.edges[step.edge]
            let path = step.forward ? edge.path : edge.path.reversed()
            for c in path {
                if let last = line.last, Planar.distance(last, c) < 0.01 { continue }
                if !line.isEmpty { segmentSpeed.append(edge.speed / 3.6) }
                line.append(c)
            }
        }
        var cumulative = [0.0]
        for k in line.indices.dropFirst() { cumulative.append(cumulative[k - 1] + Planar.distance(line[k - 1], line[k])) }
        // Turns: interior vertices where the heading changes by more than 30°.
        var turns: [Double] = []
        for k in line.indices.dropFirst().dropLast() {
            let h1 = atan2(line[k].x - line[k - 1].x, line[k].y - line[k - 1].y)
            let h2 = atan2(line[k + 1].x - line[k].x, line[k + 1].y - line[k].y)
            let change = abs(remainder(h2 - h1, 2 * .pi))
            if change > .pi / 6 { turns.append(cumulative[k]) }
        }
        let length = cumulative.last ?? 0
        let a = options.acceleration, vTurn = options.turnSpeed / 3.6
        let steps = max(1, Int(length.rounded(.up)))
        var timeAtMetre = [0.0]
        var speedAtMetre: [Double] = []
        var segment = 0
        var turnIndex = 0
        for m in 0..<steps {
            let s0 = Double(m), s1 = min(length, Double(m + 1))
            let mid = (s0 + s1) / 2
            while segment < segmentSpeed.count - 1 && cumulative[segment + 1] <= mid { segment += 1 }
            while turnIndex < turns.count - 1 && turns[turnIndex + 1] <= mid { turnIndex += 1 }
            var v = segmentSpeed.isEmpty ? 1 : segmentSpeed[segment]
            for k in [turnIndex, turnIndex + 1] where k < turns.count {
                v = min(v, (vTurn * vTurn + 2 * a * abs(mid - turns[k])).squareRoot())
            }
            v = min(v, (2 * a * mid).squareRoot(), (2 * a * max(0, length - mid)).squareRoot())
            v = max(v, 0.3)
            speedAtMetre.append(v)
            timeAtMetre.append(timeAtMetre[m] + (s1 - s0) / v)
        }
        return DrivenPath(line: line, cumulative: cumulative, timeAtMetre: timeAtMetre, speedAtMetre: speedAtMetre)
    }

    /// A standard normal variate (Box-Muller), from the seeded generator so that days are reproducible.
    func gaussian(_ random: inout SeededGenerator) -> Double {
        let u1 = max(random.nextUnit(), 1e-300), u2 = random.nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}
