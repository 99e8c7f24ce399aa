import Foundation
import GeoCore

extension RoadFrame {
    /// Where this centre line meets `other`'s: the first crossing of two of their segments, or where the lines come
    /// closest when they do not cross (a T-junction's side road may stop short of the main road's centre line), with
    /// the gap between them in metres (0 when they cross). Nil when they stay more than `within` metres apart.
    func crossing(with other: RoadFrame, within: Double) -> (point: Coordinate, gap: Double)? {
        guard points.count >= 2, other.points.count >= 2 else { return nil }
        let theirs = other.points.map { local(other.coordinate(x: $0.x, y: $0.y)) }
        var best: (x: Double, y: Double, gap: Double)?
        for a in 0..<(points.count - 1) {
            let p = points[a], p2 = points[a + 1]
            for b in 0..<(theirs.count - 1) {
                let q = theirs[b], q2 = theirs[b + 1]
                let r = (x: p2.x - p.x, y: p2.y - p.y), s = (x: q2.x - q.x, y: q2.y - q.y)
                let denominator = r.x * s.y - r.y * s.x
                if denominator != 0 {
                    let t = ((q.x - p.x) * s.y - (q.y - p.y) * s.x) / denominator
                    let u = ((q.x - p.x) * r.y - (q.y - p.y) * r.x) / denominator
                    if t >= 0, t <= 1, u >= 0, u <= 1 { return (coordinate(x: p.x + t * r.x, y: p.y + t * r.y), 0) }
                }
                // No crossing: the closest pair among each end against the other segment.
                for (end, segment) in [(p, (q, q2)), (p2, (q, q2)), (q, (p, p2)), (q2, (p, p2))] {
                    let near = Self.closest(end, on: segment.0, segment.1)
                    let gap = hypot(end.x - near.x, end.y - near.y)
                    if gap <= within, gap < (best?.gap ?? .infinity) { best = ((end.x + near.x) / 2, (end.y + near.y) / 2, gap) }
                }
            }
        }
        return best.map { (coordinate(x: $0.x, y: $0.y), $0.gap) }
    }

    /// The point of segment a–b nearest to `p` (local metres).
    static func closest(_ p: (x: Double, y: Double), on a: (x: Double, y: Double), _ b: (x: Double, y: Double)) -> (x: Double, y: Double) {
        let dx = b.x - a.x, dy = b.y - a.y
        let length2 = dx * dx + dy * dy
        let t = length2 > 0 ? max(0, min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2)) : 0
        return (a.x + t * dx, a.y + t * dy)
    }
}

extension Geocoder {
    /// How far apart two centre lines may stay and still be read as crossing (the side road of a T-junction that
    /// stops at the kerb, a lane that ends at a road).
    static let crossingGapMetres = 30.0
    /// The confidence of the crossing of two roads named exactly: below a door plate, above a road's middle.
    static let intersectionConfidence = 0.9

    /// Answers to an intersection (A路与B路交叉口): the crossing of every reading of the first road with every
    /// reading of the second whose centre lines meet. A near miss or homophone may be one of the two roads, not both,
    /// and never a weak one (one character of another sound in a two-character stem): two roads that cross are
    /// evidence for a typo, two typos are not. An address naming another county has no crossing of ours.
    func intersectionCandidates(_ parsed: ParsedAddress, crossing: RoadCrossing) -> [GeocodeResult] {
        guard parsed.foreignNames.isEmpty else { return [] }
        var out: [GeocodeResult] = []
        for m in crossing.first {
            for n in crossing.second {
                let (first, second) = (parsed.roadMentions[m], parsed.roadMentions[n])
                guard !(first.fuzzy && second.fuzzy), !first.weak, !second.weak else { continue }
                for a in first.entries {
                    for b in second.entries {
                        guard case .road(let ka) = a.target, case .road(let kb) = b.target, ka != kb,
                            let answer = intersectionResult(Int(ka), a, first, Int(kb), b, second)
                        else { continue }
                        out.append(answer)
                    }
                }
            }
        }
        return out
    }

    private func intersectionResult(_ ka: Int, _ a: NameEntry, _ first: NameMention, _ kb: Int, _ b: NameEntry, _ second: NameMention) -> GeocodeResult? {
        guard let (point, gap) = frames[ka].crossing(with: frames[kb], within: Self.crossingGapMetres) else { return nil }
        let (roadA, roadB) = (book.roads[ka], book.roads[kb])
        let (factorA, notesA) = formFactor(first, a, officialName: roadA.name, former: roadA.formerNames)
        let (factorB, notesB) = formFactor(second, b, officialName: roadB.name, former: roadB.formerNames)
        var notes = notesA + notesB
        if gap > 1 { notes.append("\(roadA.name) and \(roadB.name) stop \(Self.metres(gap)) apart: the point between them") }
        // The community and street of the nearest plate of either road.
        let plates = [ka, kb].flatMap { (platesByRoad[$0] ?? [:]).values.joined() }.map { book.plates[$0] }
        let (perX, perY) = RoadFrame.metresPerDegree(atLatitude: point.y)
        let nearest = plates.min { p, q in
            hypot((p.coordinate.x - point.x) * perX, (p.coordinate.y - point.y) * perY) < hypot((q.coordinate.x - point.x) * perX, (q.coordinate.y - point.y) * perY)
        }
        let street = nearest?.streetCode ?? roadA.streetCodes.first { roadB.streetCodes.contains($0) } ?? roadA.streetCodes.first
        return GeocodeResult(
            label: regionPrefix(nearest?.communityCode ?? street) + "\(roadA.name)与\(roadB.name)交叉口", coordinate: point,
            confidence: Self.intersectionConfidence * factorA * factorB, matchType: .intersection,
            codes: codes(community: nearest?.communityCode, street: street), matchedID: "\(roadA.id)+\(roadB.id)", notes: notes)
    }
}
