import Foundation
import GeoAddress
import GeoCore

/// One row of a corpus file (tools/geocode/corpus/*.csv): an address with the district its text names, the
/// township where it names one, the book record a plate-level answer must be (empty: none may be) and its split.
struct CorpusRow {
    var category: String
    var text: String
    var district: String
    var town: String
    var goldID: String
    var heldOut: Bool
}

/// Answers that name a point record (a plate, building, component, POI or compound) rather than a road or region.
let pointLevelTypes: Set<MatchType> = [.exactPlate, .buildingPlate, .component, .interpolated, .poi, .place, .intersection]

func readCorpus(_ path: String) throws -> [CorpusRow] {
    let records = try CSVReader.read([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
    guard let header = records.first?.fields else { return [] }
    func column(_ name: String) -> Int { header.firstIndex(of: name) ?? -1 }
    let (c, t, d, w, g, s) = (column("category"), column("text"), column("district"), column("town"), column("gold_id"), column("split"))
    return records.dropFirst().map { r in
        let f = r.fields
        func field(_ k: Int) -> String { k >= 0 && k < f.count ? f[k] : "" }
        return CorpusRow(category: field(c), text: field(t), district: field(d), town: field(w), goldID: field(g), heldOut: field(s) == "held_out")
    }
}

/// Tallies of one category: the top answer's district and township against the text's, plate-level answers
/// right and wrong, and the answers above two confidence thresholds.
struct CorpusTally {
    var count = 0
    var districtRight = 0
    /// Answers whose admin levels contradict the text's district (another county, or a city or province that does
    /// not contain it); a coarser answer that contains it (the city only) is not wrong, only less precise.
    var districtWrong = 0
    var townAsked = 0
    var townRight = 0
    var pointLevel = 0
    var pointLevelRight = 0
    var above = [0.8: (answered: 0, right: 0), 0.5: (answered: 0, right: 0)]

    mutating func add(_ row: CorpusRow, _ answer: GeocodeResult?) {
        count += 1
        let district = answer.flatMap { $0.codes["district"] ?? $0.codes["city"] }
        let districtOK = district == row.district
        if districtOK { districtRight += 1 } else if let answer, contradicts(answer.codes, district: row.district) { districtWrong += 1 }
        if !row.town.isEmpty {
            townAsked += 1
            if answer?.codes["street"] == row.town { townRight += 1 }
        }
        var right = districtOK
        if let answer, pointLevelTypes.contains(answer.matchType) {
            pointLevel += 1
            let recordOK = !row.goldID.isEmpty && answer.matchedID == row.goldID
            if recordOK { pointLevelRight += 1 }
            right = right && recordOK
        }
        for threshold in above.keys where (answer?.confidence ?? 0) > threshold {
            above[threshold]!.answered += 1
            if right { above[threshold]!.right += 1 }
        }
    }

    func line(_ name: String) -> String {
        func pct(_ a: Int, _ b: Int) -> String { b == 0 ? "     -" : String(format: "%5.1f%%", 100 * Double(a) / Double(b)) }
        let calibration = [0.8, 0.5].map { t in "\(pct(above[t]!.right, above[t]!.answered)) of \(above[t]!.answered)" }
        return name.padding(toLength: 30, withPad: " ", startingAt: 0)
            + String(format: "%6d", count) + "  " + pct(districtRight, count) + String(format: "%6d", districtWrong) + "   " + pct(townRight, townAsked) + " (\(townAsked))".padding(toLength: 8, withPad: " ", startingAt: 0)
            + pct(pointLevelRight, pointLevel) + " of \(pointLevel)".padding(toLength: 8, withPad: " ", startingAt: 0) + pct(pointLevel - pointLevelRight, count)
            + "   " + calibration.joined(separator: "   ")
    }
}

/// Whether an answer's admin codes contradict the county-level `district` of the text: its district is another,
/// or (without a district) its city or province does not contain it.
func contradicts(_ codes: [String: String], district: String) -> Bool {
    if let d = codes["district"] { return d != district }
    if let c = codes["city"] { return !district.hasPrefix(String(c.prefix(4))) }
    if let p = codes["province"] { return !district.hasPrefix(String(p.prefix(2))) }
    return false
}

/// Geocodes every row of the corpus files and prints, per category and split, the district and township right,
/// the precision of point-level answers, the false point-level rate and the precision above confidence 0.8 and
/// 0.5. With `showFailures`, the tuning rows whose district or point-level answer is wrong go to stderr (never the
/// held-out ones). With `answersPath`, every row's five best answers and its admin levels, every field in full,
/// go to that file: a speed change must leave it byte-identical.
func runCorpus(_ paths: [String], geocoder: Geocoder, showFailures: Bool, answersPath: String? = nil) throws {
    var tallies: [String: CorpusTally] = [:]
    var dump = ""
    for path in paths {
        for row in try readCorpus(path) {
            if answersPath != nil { dump += answerLines(row.text, geocoder: geocoder) }
            let answer = geocoder.geocode(row.text, limit: 1).first
            let split = row.heldOut ? "held_out" : "tuning"
            for key in ["\(row.category) [\(split)]", "ALL [\(split)]", "ALL"] { tallies[key, default: CorpusTally()].add(row, answer) }
            let district = answer.flatMap { $0.codes["district"] ?? $0.codes["city"] }
            let falsePoint = answer.map { pointLevelTypes.contains($0.matchType) && $0.matchedID != row.goldID } ?? false
            if showFailures && !row.heldOut && (district != row.district || falsePoint) {
                let got = answer.map { "\($0.matchType.rawValue) \($0.label) \(district ?? "-") \($0.confidence) \($0.notes)" } ?? "no answer"
                FileHandle.standardError.write(Data("miss [\(row.category)] \(row.text) want \(row.district): \(got)\n".utf8))
            }
        }
    }
    if let answersPath { try Data(dump.utf8).write(to: URL(fileURLWithPath: answersPath)) }
    // Speed on the same text, one core: addresses per second of this thread's CPU time (a shared machine's load
    // stretches the wall clock, not that), best of five rounds of at least a second; peers.py times cpca alike. The
    // full geocode (what /v1/geocode does) and the admin levels alone (what cpca and JioNLP do).
    let texts = try paths.flatMap { try readCorpus($0).map(\.text) }
    for (name, body) in [("geocode", { (t: String) in geocoder.geocode(t, limit: 1).count }), ("admin levels", { geocoder.adminLevels(of: $0).count })] {
        // The checksum (one pass) shows that two builds compared answered alike.
        let checksum = texts.reduce(0) { $0 &+ body($1) }
        var best = 0.0
        for _ in 0..<5 {
            let start = threadCPUSeconds()
            var done = 0
            var sink = 0
            repeat {
                for text in texts { sink &+= body(text) }
                done += texts.count
            } while threadCPUSeconds() - start < 1
            best = max(best, Double(done) / (threadCPUSeconds() - start))
            precondition(sink == checksum &* (done / texts.count), "the same text answered differently between passes")
        }
        print("CityGeo \(name): \(Int(best)) addresses/s over \(texts.count) (checksum \(checksum))")
    }
    print("category [split]".padding(toLength: 30, withPad: " ", startingAt: 0)
        + " count  district  wrong  town (asked)  point-level precision  false point-level  precision conf>0.8   >0.5")
    for key in tallies.keys.sorted() where key.hasPrefix("ALL") == false { print(tallies[key]!.line(key)) }
    for key in ["ALL [tuning]", "ALL [held_out]", "ALL"] where tallies[key] != nil { print(tallies[key]!.line(key)) }
}

/// The text, its five best answers (every field; codes in key order, numbers in their shortest exact form) and its admin
/// levels, one line each.
func answerLines(_ text: String, geocoder: Geocoder) -> String {
    var out = "> \(text)\n"
    for a in geocoder.geocode(text, limit: 5) {
        let codes = a.codes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        let point = a.coordinate.map { "\($0.x),\($0.y)" } ?? "-"
        out += "  \(a.matchType.rawValue) \(a.matchedID ?? "-") \(a.confidence) \(point) [\(codes)] \(a.label) \(a.notes)\n"
    }
    let levels = geocoder.adminLevels(of: text).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.name)/\($0.value.code)" }
    return out + "  admin [\(levels.joined(separator: ","))]\n"
}

/// The CPU time this thread has used, in seconds.
func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
