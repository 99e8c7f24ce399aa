#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A reference ellipsoid of revolution.
@MemberwiseInit
public struct Ellipsoid: Hashable, Sendable {
    /// Equatorial radius in metres.
    public let semiMajorAxis: Double
    /// Flattening (a − b) / a.
    public let flattening: Double

    /// Polar radius in metres.
    public var semiMinorAxis: Double { semiMajorAxis * (1 - flattening) }

    /// WGS 84: a = 6,378,137 m, f = 1/298.257223563.
    public static let wgs84 = Ellipsoid(semiMajorAxis: 6_378_137.0, flattening: 1 / 298.257223563)
    /// CGCS2000 (the GRS 80 ellipsoid): a = 6,378,137 m, f = 1/298.257222101. Its polar radius differs from
    /// WGS 84's by 0.1 mm, so either serves for CGCS2000 coordinates; this one is exact.
    public static let cgcs2000 = Ellipsoid(semiMajorAxis: 6_378_137.0, flattening: 1 / 298.257222101)
}

/// The solution of the inverse geodesic problem between two points.
public struct GeodesicInverse: Hashable, Sendable {
    /// How the solution was found.
    public enum Method: String, Hashable, Sendable {
        /// Vincenty's iteration on the longitude converged (all but nearly antipodal pairs).
        case vincenty
        /// Vincenty's iteration did not converge (nearly antipodal points); the geodesic was found by bisection
        /// on the starting azimuth using Vincenty's series along the line. See ``Geodesic/inverse(from:to:ellipsoid:)``.
        case antipodalBisection
        /// The two points coincide.
        case coincident
    }

    /// Length of the shortest geodesic in metres.
    public var distance: Double
    /// Azimuth at the start, degrees clockwise from north in [0, 360). 0 for coincident points.
    public var initialAzimuth: Double
    /// Azimuth of travel at the end point (not the back azimuth), degrees in [0, 360).
    public var finalAzimuth: Double
    public var method: Method
}

/// Distances, bearings and destinations on the sphere and on the ellipsoid.
///
/// Coordinates are longitude/latitude in degrees (WGS 84 or CGCS2000; for GCJ-02 or BD-09 data convert first
/// with ``CRS``, or accept an error of the offset's variation, well under 1 m per km).
public enum Geodesic {
    /// The mean Earth radius R₁ = (2a + b) / 3 of WGS 84, in metres: the radius for which spherical distances
    /// are closest to ellipsoidal ones on average.
    public static let meanEarthRadius = 6_371_008.8

    /// Great-circle distance in metres by the haversine formula on a sphere of `radius`.
    /// Within 0.5 % of the ellipsoidal distance (the error of the spherical model), numerically stable for
    /// short distances.
    public static func haversineDistance(from a: Coordinate, to b: Coordinate, radius: Double = meanEarthRadius) -> Double {
        let phi1 = radians(a.latitude), phi2 = radians(b.latitude)
        let dPhi = phi2 - phi1, dLambda = radians(b.longitude - a.longitude)
        let h = sin(dPhi / 2) * sin(dPhi / 2) + cos(phi1) * cos(phi2) * sin(dLambda / 2) * sin(dLambda / 2)
        // Rounding can push h a hair above 1 for antipodal points; asin would then return NaN.
        return 2 * radius * asin(Swift.min(1, h.squareRoot()))
    }

    /// Geodesic distance in metres on `ellipsoid` (Vincenty's inverse formula, with a fallback for nearly
    /// antipodal points). Accurate to about 0.1 mm where Vincenty converges.
    public static func distance(from a: Coordinate, to b: Coordinate, ellipsoid: Ellipsoid = .wgs84) -> Double {
        inverse(from: a, to: b, ellipsoid: ellipsoid).distance
    }

    /// Initial bearing (azimuth of the geodesic at `a`) towards `b`, degrees clockwise from north in [0, 360).
    public static func initialBearing(from a: Coordinate, to b: Coordinate, ellipsoid: Ellipsoid = .wgs84) -> Double {
        inverse(from: a, to: b, ellipsoid: ellipsoid).initialAzimuth
    }

    /// Vincenty's iteration on λ stops when successive values differ by less than this (radians, ≈ 0.006 mm).
    static let vincentyTolerance = 1e-12
    /// After this many steps without convergence the pair is treated as nearly antipodal.
    static let vincentyIterationLimit = 200

    /// Solves the inverse geodesic problem: distance and azimuths of the shortest geodesic from `a` to `b`.
    ///
    /// Vincenty's (1975) iteration is used first: it converges for every pair except nearly antipodal ones
    /// (longitude difference within about 0.5° of 180° and latitudes of opposite sign), where it stops after
    /// 200 steps or when λ leaves [−π, π]. Those pairs are solved instead by bisection on the starting azimuth:
    /// for each trial azimuth the line is followed (by Vincenty's series in the arc length on the auxiliary
    /// sphere) to where it reaches the target's longitude, and the azimuth is bisected until the line arrives
    /// at the target's latitude. That fallback finds *a* geodesic through both points in the eastward family;
    /// it is accurate to a few millimetres on distance, but near exact antipodes, where many geodesics of
    /// almost equal length exist, the azimuths it returns are only one of the valid answers.
    /// Always terminates and never returns NaN for finite input.
    public static func inverse(from a: Coordinate, to b: Coordinate, ellipsoid: Ellipsoid = .wgs84) -> GeodesicInverse {
        let f = ellipsoid.flattening
        let semiMinor = ellipsoid.semiMinorAxis
        let u1 = atan((1 - f) * tan(radians(clampLatitude(a.latitude))))
        let u2 = atan((1 - f) * tan(radians(clampLatitude(b.latitude))))
        let sinU1 = sin(u1), cosU1 = cos(u1), sinU2 = sin(u2), cosU2 = cos(u2)
        let longitudeDifference = remainder(radians(b.longitude - a.longitude), 2 * .pi)

        var lambda = longitudeDifference
        for _ in 0..<vincentyIterationLimit {
            let sinLambda = sin(lambda), cosLambda = cos(lambda)
            let crossTerm = cosU1 * sinU2 - sinU1 * cosU2 * cosLambda
            let sinSigma = ((cosU2 * sinLambda) * (cosU2 * sinLambda) + crossTerm * crossTerm).squareRoot()
            if sinSigma == 0 && sinU1 * sinU2 + cosU1 * cosU2 * cosLambda > 0 {
                return GeodesicInverse(distance: 0, initialAzimuth: 0, finalAzimuth: 0, method: .coincident)
            }
            if sinSigma == 0 { break }  // exactly antipodal on the auxiliary sphere: azimuth undefined
            let cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosLambda
            let sigma = atan2(sinSigma, cosSigma)
            let sinAlpha = cosU1 * cosU2 * sinLambda / sinSigma
            let cos2Alpha = 1 - sinAlpha * sinAlpha
            // On the equator cos²α = 0 and cos 2σm is irrelevant (it is multiplied by C = 0).
            let cos2SigmaM = cos2Alpha != 0 ? cosSigma - 2 * sinU1 * sinU2 / cos2Alpha : 0
            let c = f / 16 * cos2Alpha * (4 + f * (4 - 3 * cos2Alpha))
            let previous = lambda
            lambda = longitudeDifference + (1 - c) * f * sinAlpha
                * (sigma + c * sinSigma * (cos2SigmaM + c * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)))
            if abs(lambda) > .pi { break }  // diverging: nearly antipodal
            if abs(lambda - previous) < vincentyTolerance {
                let sinL = sin(lambda), cosL = cos(lambda)
                let crossL = cosU1 * sinU2 - sinU1 * cosU2 * cosL
                let sinS = ((cosU2 * sinL) * (cosU2 * sinL) + crossL * crossL).squareRoot()
                let cosS = sinU1 * sinU2 + cosU1 * cosU2 * cosL
                let s = atan2(sinS, cosS)
                let sinA = sinS == 0 ? 0 : cosU1 * cosU2 * sinL / sinS
                let cos2A = 1 - sinA * sinA
                let cos2SM = cos2A != 0 ? cosS - 2 * sinU1 * sinU2 / cos2A : 0
                let distance = semiMinor * arcLength(sigma: s, sinSigma: sinS, cosSigma: cosS, cos2SigmaM: cos2SM,
                                                     cos2Alpha: cos2A, ellipsoid: ellipsoid)
                let alpha1 = atan2(cosU2 * sinL, crossL)
                let alpha2 = atan2(cosU1 * sinL, -sinU1 * cosU2 + cosU1 * sinU2 * cosL)
                return GeodesicInverse(distance: distance, initialAzimuth: normalizedAzimuth(alpha1),
                                       finalAzimuth: normalizedAzimuth(alpha2), method: .vincenty)
            }
        }
        return antipodalInverse(sinU1: sinU1, cosU1: cosU1, targetU2: u2, longitudeDifference: longitudeDifference,
                                ellipsoid: ellipsoid)
    }

    /// The point reached from `start` after `distance` metres along the geodesic leaving at `azimuth` degrees
    /// (Vincenty's direct formula), and the azimuth of travel there. Converges for every input; the iteration on
    /// σ stops at 1e-12 rad or after 200 steps.
    public static func destination(from start: Coordinate, azimuth: Double, distance: Double,
                                   ellipsoid: Ellipsoid = .wgs84) -> (coordinate: Coordinate, finalAzimuth: Double) {
        let f = ellipsoid.flattening
        let alpha1 = radians(azimuth)
        let sinAlpha1 = sin(alpha1), cosAlpha1 = cos(alpha1)
        let u1 = atan((1 - f) * tan(radians(clampLatitude(start.latitude))))
        let sinU1 = sin(u1), cosU1 = cos(u1)
        let sigma1 = atan2(sinU1, cosU1 * cosAlpha1)
        let sinAlpha = cosU1 * sinAlpha1
        let cos2Alpha = 1 - sinAlpha * sinAlpha
        let (bigA, bigB) = seriesCoefficients(cos2Alpha: cos2Alpha, ellipsoid: ellipsoid)
        let scaled = distance / (ellipsoid.semiMinorAxis * bigA)

        var sigma = scaled
        var cos2SigmaM = 0.0, sinSigma = 0.0, cosSigma = 0.0
        for _ in 0..<vincentyIterationLimit {
            cos2SigmaM = cos(2 * sigma1 + sigma)
            sinSigma = sin(sigma)
            cosSigma = cos(sigma)
            let deltaSigma = sigmaCorrection(b: bigB, sinSigma: sinSigma, cosSigma: cosSigma, cos2SigmaM: cos2SigmaM)
            let previous = sigma
            sigma = scaled + deltaSigma
            if abs(sigma - previous) < vincentyTolerance { break }
        }
        cos2SigmaM = cos(2 * sigma1 + sigma)
        sinSigma = sin(sigma)
        cosSigma = cos(sigma)

        let along = sinU1 * sinSigma - cosU1 * cosSigma * cosAlpha1
        let latitude = atan2(sinU1 * cosSigma + cosU1 * sinSigma * cosAlpha1,
                             (1 - f) * (sinAlpha * sinAlpha + along * along).squareRoot())
        let lambda = atan2(sinSigma * sinAlpha1, cosU1 * cosSigma - sinU1 * sinSigma * cosAlpha1)
        let c = f / 16 * cos2Alpha * (4 + f * (4 - 3 * cos2Alpha))
        let longitudeChange = lambda - (1 - c) * f * sinAlpha
            * (sigma + c * sinSigma * (cos2SigmaM + c * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)))
        let alpha2 = atan2(sinAlpha, -along)
        let coordinate = Coordinate(longitude: normalizedLongitude(start.longitude + degrees(longitudeChange)),
                                    latitude: degrees(latitude))
        return (coordinate, normalizedAzimuth(alpha2))
    }

    // MARK: - Nearly antipodal fallback

    /// See ``inverse(from:to:ellipsoid:)``. Works in the mirror image where the longitude difference is in
    /// [0, π], so the geodesic heads east (azimuth in (0, π)), and mirrors the azimuths back at the end.
    private static func antipodalInverse(sinU1: Double, cosU1: Double, targetU2: Double, longitudeDifference: Double,
                                         ellipsoid: Ellipsoid) -> GeodesicInverse {
        let mirrored = longitudeDifference < 0
        let target = abs(longitudeDifference)
        // As the starting azimuth turns from north (0) to south (π), the point where the line reaches the
        // target longitude moves from near the north pole to near the south pole: bisect on that latitude.
        var low = 0.0, high = Double.pi
        var best = EastwardLine(alpha1: .pi / 2, sinU1: sinU1, cosU1: cosU1, ellipsoid: ellipsoid).reaching(target)
        for _ in 0..<64 {
            let mid = (low + high) / 2
            if mid <= low || mid >= high { break }
            best = EastwardLine(alpha1: mid, sinU1: sinU1, cosU1: cosU1, ellipsoid: ellipsoid).reaching(target)
            if best.reducedLatitude > targetU2 { low = mid } else { high = mid }
        }
        var alpha1 = best.alpha1, alpha2 = best.alpha2
        if mirrored { alpha1 = -alpha1; alpha2 = -alpha2 }
        return GeodesicInverse(distance: best.distance, initialAzimuth: normalizedAzimuth(alpha1),
                               finalAzimuth: normalizedAzimuth(alpha2), method: .antipodalBisection)
    }

    /// A geodesic leaving eastward at `alpha1`, parametrised by the arc length σ on the auxiliary sphere.
    private struct EastwardLine {
        let alpha1: Double
        let sinU1: Double, cosU1: Double
        let sinAlpha: Double, cos2Alpha: Double
        let sigma1: Double
        let c: Double, bigA: Double, bigB: Double
        let ellipsoid: Ellipsoid

        init(alpha1: Double, sinU1: Double, cosU1: Double, ellipsoid: Ellipsoid) {
            self.alpha1 = alpha1
            self.sinU1 = sinU1
            self.cosU1 = cosU1
            self.ellipsoid = ellipsoid
            sinAlpha = cosU1 * sin(alpha1)
            cos2Alpha = 1 - sinAlpha * sinAlpha
            sigma1 = atan2(sinU1, cosU1 * cos(alpha1))
            let f = ellipsoid.flattening
            c = f / 16 * cos2Alpha * (4 + f * (4 - 3 * cos2Alpha))
            (bigA, bigB) = seriesCoefficients(cos2Alpha: cos2Alpha, ellipsoid: ellipsoid)
        }

        /// Longitude on the auxiliary sphere from the equator crossing, unwrapped so it grows with the arc.
        private func unwrappedNodeLongitude(_ t: Double) -> Double {
            t + remainder(atan2(sinAlpha * sin(t), cos(t)) - t, 2 * .pi)
        }

        /// Ellipsoidal longitude gained after arc σ (Vincenty's series for λ − L).
        func longitudeChange(_ sigma: Double) -> Double {
            let f = ellipsoid.flattening
            let sphere = unwrappedNodeLongitude(sigma1 + sigma) - unwrappedNodeLongitude(sigma1)
            let cos2SigmaM = cos(2 * sigma1 + sigma)
            return sphere - (1 - c) * f * sinAlpha
                * (sigma + c * sin(sigma) * (cos2SigmaM + c * cos(sigma) * (-1 + 2 * cos2SigmaM * cos2SigmaM)))
        }

        /// Follows the line to the arc where its longitude change equals `target` (bisection on σ in [0, 2π];
        /// the longitude change grows monotonically along an eastward line).
        func reaching(_ target: Double) -> (alpha1: Double, alpha2: Double, reducedLatitude: Double, distance: Double) {
            var low = 0.0, high = 2 * Double.pi
            for _ in 0..<64 {
                let mid = (low + high) / 2
                if mid <= low || mid >= high { break }
                if longitudeChange(mid) < target { low = mid } else { high = mid }
            }
            let sigma = (low + high) / 2
            let sinSigma = sin(sigma), cosSigma = cos(sigma)
            let cosAlpha1 = cos(alpha1)
            let sinU2 = sinU1 * cosSigma + cosU1 * sinSigma * cosAlpha1
            let along = sinU1 * sinSigma - cosU1 * cosSigma * cosAlpha1
            let u2 = atan2(sinU2, (sinAlpha * sinAlpha + along * along).squareRoot())
            let cos2SigmaM = cos(2 * sigma1 + sigma)
            let distance = ellipsoid.semiMinorAxis * bigA
                * (sigma - sigmaCorrection(b: bigB, sinSigma: sinSigma, cosSigma: cosSigma, cos2SigmaM: cos2SigmaM))
            return (alpha1, atan2(sinAlpha, -along), u2, distance)
        }
    }

    // MARK: - Shared series

    /// Vincenty's A and B coefficients for a line with cos²α.
    private static func seriesCoefficients(cos2Alpha: Double, ellipsoid: Ellipsoid) -> (Double, Double) {
        let a = ellipsoid.semiMajorAxis, b = ellipsoid.semiMinorAxis
        let uSquared = cos2Alpha * (a * a - b * b) / (b * b)
        let bigA = 1 + uSquared / 16384 * (4096 + uSquared * (-768 + uSquared * (320 - 175 * uSquared)))
        let bigB = uSquared / 1024 * (256 + uSquared * (-128 + uSquared * (74 - 47 * uSquared)))
        return (bigA, bigB)
    }

    /// Vincenty's Δσ, the difference between the arc on the auxiliary sphere and the scaled geodesic length.
    private static func sigmaCorrection(b: Double, sinSigma: Double, cosSigma: Double, cos2SigmaM: Double) -> Double {
        b * sinSigma * (cos2SigmaM + b / 4 * (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)
            - b / 6 * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * cos2SigmaM * cos2SigmaM)))
    }

    /// Geodesic length divided by b: A (σ − Δσ).
    private static func arcLength(sigma: Double, sinSigma: Double, cosSigma: Double, cos2SigmaM: Double,
                                  cos2Alpha: Double, ellipsoid: Ellipsoid) -> Double {
        let (bigA, bigB) = seriesCoefficients(cos2Alpha: cos2Alpha, ellipsoid: ellipsoid)
        return bigA * (sigma - sigmaCorrection(b: bigB, sinSigma: sinSigma, cosSigma: cosSigma, cos2SigmaM: cos2SigmaM))
    }

    // MARK: - Angles

    static func radians(_ degrees: Double) -> Double { degrees * .pi / 180 }
    static func degrees(_ radians: Double) -> Double { radians * 180 / .pi }

    private static func clampLatitude(_ latitude: Double) -> Double { Swift.min(90, Swift.max(-90, latitude)) }

    /// Degrees in [0, 360) from radians in any range.
    private static func normalizedAzimuth(_ radians: Double) -> Double {
        var d = degrees(radians).truncatingRemainder(dividingBy: 360)
        if d < 0 { d += 360 }
        return d == 360 ? 0 : d
    }

    /// Degrees in [−180, 180).
    private static func normalizedLongitude(_ degrees: Double) -> Double {
        var d = (degrees + 180).truncatingRemainder(dividingBy: 360)
        if d < 0 { d += 360 }
        return d - 180
    }
}
