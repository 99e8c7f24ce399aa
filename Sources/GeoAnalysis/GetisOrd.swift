import Foundation
import GeoCore

/// Getis-Ord Gi* (local G with the unit itself in its neighbourhood), the hot-spot statistic of ArcGIS's "Hot
/// Spot Analysis" and of PySAL's `esda.G_Local(y, w, transform="B", star=True)`, with binary weights and
/// a self-weight of 1.
///
/// For unit i with neighbourhood weight Wᵢ = 1 + |N(i)| over n units with values y:
/// Gᵢ* = (yᵢ + Σⱼ∈N(i) yⱼ) / Σy, E[Gᵢ*] = Wᵢ / n and
/// Var[Gᵢ*] = Wᵢ (n − Wᵢ) / ((n − 1) n²) · s² / ȳ², where ȳ and s² are the mean and the population variance of y;
/// zᵢ = (Gᵢ* − E) / √Var, and p is the one-sided normal tail 1 − Φ(|z|) (esda's `p_norm`; double it for a
/// two-sided test). Computed in the order esda computes it, so the two agree to the last few bits.
public enum GetisOrd {
    /// One unit's statistic. `z` and `p` are nil where the variance is zero (a neighbourhood of every unit).
    public struct Result: Hashable, Sendable {
        public var g: Double
        public var expected: Double
        public var z: Double?
        public var p: Double?

        /// 3, 2 or 1 for a hot spot at 99, 95 or 90 % confidence (two-sided: |z| ≥ 2.576, 1.960, 1.645), the same
        /// negated for a cold spot, 0 otherwise: the classes of ArcGIS's Gi_Bin.
        public var confidenceBin: Int {
            guard let z else { return 0 }
            let level = abs(z) >= 2.576 ? 3 : abs(z) >= 1.960 ? 2 : abs(z) >= 1.645 ? 1 : 0
            return z < 0 ? -level : level
        }
    }

    /// Gi* of every unit. Throws `invalid_argument` when there are fewer than three units, when the weights do not
    /// match the values, or when the values are all zero or all equal (the statistic is then undefined).
    public static func giStar(_ values: [Double], weights: SpatialWeights) throws(GeoError) -> [Result] {
        let n = Double(values.count)
        guard values.count >= 3 else {
            throw GeoError(code: .invalidArgument, message: "Gi* needs at least 3 units, got \(values.count)", location: "units")
        }
        guard weights.neighbours.count == values.count else {
            throw GeoError(code: .invalidArgument, message: "\(weights.neighbours.count) weight rows for \(values.count) values")
        }
        let sum = values.reduce(0, +)
        let mean = sum / n
        let meanOfSquares = values.reduce(0) { $0 + $1 * $1 } / n
        let variance = meanOfSquares - mean * mean
        guard sum != 0, variance > 0 else {
            throw GeoError(
                code: .invalidArgument,
                message: "Gi* is undefined when every unit has the same value (here \(values.first ?? 0)); choose a longer period or larger units",
                location: "layer")
        }
        return weights.neighbours.enumerated().map { i, row in
            let lag = row.reduce(values[i]) { $0 + values[$1] }
            let g = lag / sum
            let cardinality = Double(row.count + 1)
            let expected = cardinality / n
            var expectedVariance = cardinality * (n - cardinality)
            expectedVariance /= n - 1
            expectedVariance *= 1 / (n * n)
            expectedVariance *= variance / (mean * mean)
            guard expectedVariance > 0 else { return Result(g: g, expected: expected, z: nil, p: nil) }
            let z = (g - expected) / expectedVariance.squareRoot()
            return Result(g: g, expected: expected, z: z, p: normalTail(abs(z)))
        }
    }

    /// 1 − Φ(x), the upper tail of the standard normal, accurate in the far tail too (erfc, not 1 − erf).
    public static func normalTail(_ x: Double) -> Double { 0.5 * erfc(x / 2.0.squareRoot()) }
}
