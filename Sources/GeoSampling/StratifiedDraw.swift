import GeoCore

/// The number of evaluation grids drawn per area class.
public struct DrawQuota: Hashable, Sendable {
    public var counts: [String: Int]

    public init(_ counts: [String: Int]) { self.counts = counts }

    /// A custom quota table written `A=3,B=2,C=3`; throws `invalid_argument` naming the bad entry.
    public static func parse(_ text: String) throws(GeoError) -> DrawQuota {
        var counts: [String: Int] = [:]
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, let count = Int(parts[1]), count >= 0 else {
                throw GeoError(code: .invalidArgument, message: "quota \"\(entry)\" is not class=count", location: String(entry))
            }
            counts[parts[0]] = count
        }
        guard !counts.isEmpty else { throw GeoError(code: .invalidArgument, message: "the quota table is empty") }
        return DrawQuota(counts)
    }

    /// The quotas of CJ/T 551-2023 by city class: class 1 draws 3 A + 2 B + 3 C, class 2 2 + 2 + 2, class 3 2 + 1 + 2.
    public static func cityClass(_ cityClass: Int) throws(GeoError) -> DrawQuota {
        switch cityClass {
        case 1: DrawQuota(["A": 3, "B": 2, "C": 3])
        case 2: DrawQuota(["A": 2, "B": 2, "C": 2])
        case 3: DrawQuota(["A": 2, "B": 1, "C": 2])
        default: throw GeoError(code: .invalidArgument, message: "city class \(cityClass) is not 1, 2 or 3", location: "city_class")
        }
    }
}

/// A seeded stratified draw of evaluation grids: in each area class, a uniform sample without replacement.
/// The same seed and inputs give the same draw on every machine (SeededGenerator, inputs sorted by code).
public enum StratifiedDraw {
    /// Draws `quota` grids per class from `grids`, skipping codes in `excluded` (recent rounds).
    /// Throws `quota_not_met` naming each class that is short and by how much.
    public static func draw(_ grids: [EvaluationGrid], quota: DrawQuota, seed: UInt64, excluded: Set<String> = []) throws(GeoError) -> [EvaluationGrid] {
        var rng = SeededGenerator(seed: seed)
        let eligible = grids.filter { !excluded.contains($0.code) }.sorted { $0.code < $1.code }
        var shortfalls: [String] = []
        var drawn: [EvaluationGrid] = []
        for areaClass in quota.counts.keys.sorted() {
            let wanted = quota.counts[areaClass]!
            let pool = eligible.filter { $0.areaClass == areaClass }
            if pool.count < wanted {
                shortfalls.append("class \(areaClass) needs \(wanted) but has \(pool.count) eligible (short by \(wanted - pool.count))")
                continue
            }
            drawn += rng.shuffled(pool).prefix(wanted).sorted { $0.code < $1.code }
        }
        guard shortfalls.isEmpty else {
            throw GeoError(code: .quotaNotMet, message: "the draw cannot meet its quota: " + shortfalls.joined(separator: "; "))
        }
        return drawn
    }
}
