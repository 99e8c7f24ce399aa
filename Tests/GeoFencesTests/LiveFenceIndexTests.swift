import GeoCore
import Testing

@testable import GeoFences

/// A fence index changed one fence at a time answers exactly as one built from scratch over the fences in force.
@Suite struct LiveFenceIndexTests {
    /// A grid of 30 m squares every 100 m, a corridor and a collection point, all near the site.
    static func fence(_ k: Int, shift: Double = 0) -> Fence {
        let x = Double(k % 20) * 100 + shift, y = Double(k / 20) * 100
        switch k % 10 {
        case 7: return Fence(id: "f\(k)", kind: .corridor, line: [Site.ll(x, y), Site.ll(x + 80, y + 40)], corridorWidthMetres: 12)
        case 9: return Fence(id: "f\(k)", kind: .collectionPoint, center: Site.ll(x + 10, y + 10), radiusMetres: 15)
        default: return Fence(id: "f\(k)", kind: .area, role: .forbiddenZone, polygons: Site.square(x, y, x + 30, y + 30))
        }
    }

    /// Hits at `point` as (fence id, inside, outsideBy rounded to a centimetre), sorted by id.
    static func answer(_ index: LiveFenceIndex, at point: Coordinate) -> [String] {
        index.query(point).map { hit in
            "\(index.fences[hit.fence].id) \(hit.inside) \((hit.outsideBy * 100).rounded() / 100)"
        }.sorted()
    }

    static let probes: [Coordinate] = (0..<400).map { k in Site.ll(Double(k % 40) * 51 - 20, Double(k / 40) * 53 - 20) }

    @Test func changesOneAtATimeAnswerLikeAFreshBuild() {
        var live = LiveFenceIndex((0..<300).map { Self.fence($0) }, reach: 21)
        var inForce = Dictionary(uniqueKeysWithValues: (0..<300).map { ("f\($0)", Self.fence($0)) })
        // Replace some, delete some, add some: more than `recentLimit` changes, so compaction happens on the way.
        var changes = 0
        for k in stride(from: 0, to: 300, by: 3) {
            let moved = Self.fence(k, shift: 15)
            live = live.upserting(moved)
            inForce[moved.id] = moved
            changes += 1
        }
        for k in stride(from: 1, to: 300, by: 7) {
            live = live.removing(id: "f\(k)")
            inForce["f\(k)"] = nil
            changes += 1
        }
        for k in 300..<620 {
            live = live.upserting(Self.fence(k))
            inForce["f\(k)"] = Self.fence(k)
            changes += 1
        }
        #expect(changes > LiveFenceIndex.recentLimit)
        #expect(live.liveFences.count == inForce.count)
        #expect(Set(live.liveFences.map(\.id)) == Set(inForce.keys))
        #expect(live.liveFences.allSatisfy { inForce[$0.id] == $0 })
        let fresh = LiveFenceIndex(inForce.values.sorted { $0.id < $1.id }, reach: 21)
        var hits = 0
        for probe in Self.probes {
            let got = live.query(probe).map { (live.fences[$0.fence].id, $0) }.sorted { $0.0 < $1.0 }
            let want = fresh.query(probe).map { (fresh.fences[$0.fence].id, $0) }.sorted { $0.0 < $1.0 }
            #expect(got.map(\.0) == want.map(\.0))
            #expect(got.map(\.1.inside) == want.map(\.1.inside))
            // The two frames are centred on different fences: their scales differ by a few 1e-5 over 2 km.
            for (a, b) in zip(got, want) { #expect(abs(a.1.outsideBy - b.1.outsideBy) < 0.05) }
            hits += got.count
        }
        #expect(hits > 100)
    }

    @Test func aRecentChangeIsAnsweredBeforeCompaction() throws {
        let live = LiveFenceIndex((0..<100).map { Self.fence($0) }, reach: 21)
        let moved = live.upserting(Self.fence(0, shift: 500))
        #expect(!moved.recent.fences.isEmpty)  // not compacted: one change
        // The old square of f0 (0…30 m) no longer answers; the new one (500…530 m) does.
        #expect(!Self.answer(moved, at: Site.ll(15, 15)).contains { $0.hasPrefix("f0 ") })
        #expect(Self.answer(moved, at: Site.ll(515, 15)).contains("f0 true -15.0"))
        let f0 = try #require(moved.positionById["f0"])
        #expect(abs(moved.outsideBy(fence: f0, position: Site.ll(515, 15)) + 15) < 0.01)
        #expect(moved.removing(id: "f0").positionById["f0"] == nil)
        #expect(moved.removing(id: "nope").liveFences.count == 100)
    }

    @Test func aFenceFarFromTheFrameCompactsIntoANewFrame() {
        let live = LiveFenceIndex([], reach: 21).upserting(Self.fence(1))
        // The first fence of an empty index is compacted at once: its frame is centred on it, not on (0, 0).
        #expect(live.recent.fences.isEmpty && live.base.fences.count == 1)
        #expect(Site.frame.distance(live.frame.origin, Site.ll(115, 15)) < 1)
        #expect(Self.answer(live, at: Site.ll(115, 15)) == ["f1 true -15.0"])
    }
}
