import Foundation
import GeoCore
import GeoGrids
import Testing

/// Similar cases (类似案件, seed 001 §5.2.3.1) and repeat cases (重复案件, §5.2.4) as two separate answers.
@Suite struct CaseRuleTests {
    static let base = Date(timeIntervalSince1970: 1_790_000_000)
    static let origin = Coordinate(x: 120.465, y: 33.199)

    /// A point `metres` north of the origin (haversine metres on the mean sphere, as the detector measures).
    static func north(_ metres: Double) -> Coordinate { Coordinate(x: origin.x, y: origin.y + metres / 111_194.93) }

    static func record(
        _ id: String, _ category: String = "垃圾满溢", hours: Double, metres: Double, grid: String? = "320904001001001",
        status: String = "accepted", closedHours: Double? = nil
    ) -> CaseRecord {
        CaseRecord(
            id: id, category: category, time: base.addingTimeInterval(hours * 3_600), position: north(metres), gridCode: grid, status: status,
            closedTime: closedHours.map { base.addingTimeInterval($0 * 3_600) })
    }

    static let newCase = record("new", hours: 0, metres: 0)

    /// Each stored case, and whether the defaults (10 m, 1 day either side, accepted/handling/voided) call it similar.
    @Test(arguments: [
        (record("near", hours: -2, metres: 6), true),
        (record("edge-distance", hours: -2, metres: 9.99), true),
        (record("too-far", hours: -2, metres: 10.5), false),
        (record("edge-window", hours: -24, metres: 3), true),
        (record("too-old", hours: -24.1, metres: 3), false),
        (record("after", hours: 20, metres: 3), true),
        (record("handling", hours: -1, metres: 3, status: "处置中"), true),
        (record("voided", hours: -1, metres: 3, status: "作废"), true),
        (record("closed", hours: -1, metres: 3, status: "closed", closedHours: -0.5), false),
        (record("same-grid-far", hours: -1, metres: 300), false),
        (record("other-category", "占道经营", hours: -1, metres: 3), false),
    ])
    func similarUnderTheDefaults(stored: CaseRecord, similar: Bool) {
        let detector = CaseDuplicateDetector(cases: [stored])
        #expect(detector.similar(to: Self.newCase).map(\.record.id) == (similar ? [stored.id] : []))
    }

    /// Each stored case, and whether the defaults (closed within 30 days before, same grid or within 10 m) make the
    /// new case its repeat.
    @Test(arguments: [
        (record("closed-same-grid", hours: -400, metres: 300, status: "closed", closedHours: -200), true),
        (record("closed-same-point", hours: -400, metres: 8, grid: "320904001001009", status: "结案", closedHours: -200), true),
        (record("closed-elsewhere", hours: -400, metres: 300, grid: "320904001001009", status: "closed", closedHours: -200), false),
        (record("closed-window-edge", hours: -800, metres: 5, status: "closed", closedHours: -720), true),
        (record("closed-too-long-ago", hours: -800, metres: 5, status: "closed", closedHours: -720.5), false),
        (record("closed-later", hours: -10, metres: 5, status: "closed", closedHours: 2), false),
        (record("still-open", hours: -400, metres: 5), false),
        (record("other-category", "占道经营", hours: -400, metres: 5, status: "closed", closedHours: -200), false),
    ])
    func repeatUnderTheDefaults(stored: CaseRecord, repeats: Bool) {
        let detector = CaseDuplicateDetector(cases: [stored])
        #expect(detector.repeats(of: Self.newCase).map(\.record.id) == (repeats ? [stored.id] : []))
    }

    @Test func theTwoListsAreSeparateAndOrdered() throws {
        let detector = CaseDuplicateDetector(cases: [
            Self.record("s-far", hours: -3, metres: 8), Self.record("s-near", hours: -5, metres: 2), Self.record("s-later", hours: 1, metres: 2),
            Self.record("r-old", hours: -600, metres: 40, status: "closed", closedHours: -500),
            Self.record("r-recent", hours: -300, metres: 4, grid: nil, status: "closed", closedHours: -48),
        ])
        let similar = detector.similar(to: Self.newCase)
        #expect(similar.map(\.record.id) == ["s-later", "s-near", "s-far"])
        let later = try #require(similar.first)
        #expect(abs(later.distanceMetres - 2) < 0.005)
        #expect(later.secondsApart == -3_600)
        let repeats = detector.repeats(of: Self.newCase)
        #expect(repeats.map(\.record.id) == ["r-recent", "r-old"])
        #expect(repeats.map(\.sameGrid) == [false, true])
        #expect(repeats.map(\.secondsSinceClosed) == [48 * 3_600, 500 * 3_600])
    }

    @Test func rulesAreOverriddenPerCategory() {
        var detector = CaseDuplicateDetector(cases: [
            Self.record("a", hours: -30, metres: 15), Self.record("b", "占道经营", hours: -30, metres: 15),
            Self.record("c", hours: -1_000, metres: 400, status: "closed", closedHours: -900),
        ])
        #expect(detector.similar(to: Self.newCase).isEmpty)
        detector.similarRules["垃圾满溢"] = SimilarCaseRule(distanceMetres: 20, window: 48 * 3_600)
        detector.repeatRules["垃圾满溢"] = RepeatCaseRule(distanceMetres: 10, sameGrid: true, window: 60 * 86_400)
        #expect(detector.similar(to: Self.newCase).map(\.record.id) == ["a"])
        #expect(detector.repeats(of: Self.newCase).map(\.record.id) == ["c"])
        let other = Self.record("new-2", "占道经营", hours: 0, metres: 0)
        #expect(detector.similar(to: other).isEmpty)
    }

    @Test(arguments: [
        ("accepted", CaseStatus.accepted), ("受理", .accepted), ("", .accepted), ("处置中", .handling), ("handled", .handling),
        ("结案", .closed), ("CLOSED", .closed), ("作废", .voided), ("suspended", .other),
    ])
    func statusesAreReadInEitherLanguage(text: String, status: CaseStatus) {
        #expect(CaseStatus(text: text) == status)
    }

    @Test func aClosedCaseWithoutAClosingTimeCountsAsClosedWhenFiled() {
        let closed = Self.record("c", hours: -100, metres: 2, status: "closed")
        #expect(closed.closedTime == Self.base.addingTimeInterval(-100 * 3_600))
        #expect(Self.record("open", hours: -100, metres: 2).closedTime == nil)
    }
}
