// Geocoding accuracy harness (issue 5): generates a query set from the demo city's address book (seeded; see
// GeocodeQueries.QuerySetGenerator), holds every tenth plain door plate out of the book so that those numbers
// must be interpolated, geocodes every query and prints precision at 1 (the top answer is the right record, or
// within 50 m for interpolated numbers and direction phrases), the share within 50 m and the mean error, overall
// and per variant.
// Usage: geocode-accuracy [DATA_ROOT] [--per-category N] [--seed S] [--write queries.csv] [--no-homophones] [--book-has-every-road]
//        geocode-accuracy [DATA_ROOT] --corpus tools/geocode/corpus/a.csv,b.csv [--show-failures] [--answers FILE] [--book-has-every-road]
//        (the real-name corpus; --answers writes every row's answers, to diff two builds answer by answer;
//        --book-has-every-road geocodes with GeocoderOptions.bookHasEveryRoad)
import Foundation
import GeoAddress
import GeoCore
import GeocodeQueries

var arguments = Array(CommandLine.arguments.dropFirst())
@MainActor func option(_ name: String) -> String? {
    guard let k = arguments.firstIndex(of: name), k + 1 < arguments.count else { return nil }
    defer { arguments.removeSubrange(k...(k + 1)) }
    return arguments[k + 1]
}
let perCategory = Int(option("--per-category") ?? "") ?? 200
let seed = UInt64(option("--seed") ?? "") ?? 320904
let writePath = option("--write")
// --no-homophones: the same queries to a geocoder without the pinyin table, to see what homophone matching adds.
let homophonesOff = arguments.contains("--no-homophones")
arguments.removeAll { $0 == "--no-homophones" }
// --corpus A.csv,B.csv: the corpus files (tools/geocode/corpus) through the full book instead of the generated set.
let corpusPaths = option("--corpus")?.split(separator: ",").map(String.init)
let answersPath = option("--answers")
let showFailures = arguments.contains("--show-failures")
arguments.removeAll { $0 == "--show-failures" }
let options = GeocoderOptions(bookHasEveryRoad: arguments.contains("--book-has-every-road"))
arguments.removeAll { $0 == "--book-has-every-road" }
if let unknown = arguments.first(where: { $0.hasPrefix("-") }) {
    FileHandle.standardError.write(Data("geocode-accuracy: unknown option \(unknown); see the usage at the top of tools/geocode/accuracy/main.swift\n".utf8))
    exit(2)
}
let root = URL(fileURLWithPath: arguments.first ?? ".")

let (book, divisions, _) = try await loadDemoAddressBook(root: root)
if let corpusPaths {
    try runCorpus(corpusPaths, geocoder: Geocoder(book: book, divisions: divisions, pinyin: try loadPinyinTable(root: root), options: options), showFailures: showFailures, answersPath: answersPath)
    exit(0)
}
// The readings make the homophone variants and let the geocoder match them (without the file: neither).
let pinyin = try loadPinyinTable(root: root)
let generator = QuerySetGenerator(book: book, seed: seed, pinyin: pinyin)
let held = generator.heldOutPlates()
let queries = generator.generate(perCategory: perCategory, held: held)
let geocoder = Geocoder(book: generator.reducedBook(holding: held), divisions: divisions, pinyin: homophonesOff ? PinyinTable() : pinyin, options: options)

struct Tally {
    var count = 0
    var correct = 0
    var within50 = 0
    var errorSum = 0.0
    var unanswered = 0
}
var overall = Tally()
var byCategory: [String: Tally] = [:]
var rows = [["id", "category", "query", "gold_id", "gold_lon", "gold_lat", "answer_id", "answer_type", "confidence", "error_m"]]
for q in queries {
    let answer = geocoder.geocode(q.text, limit: 1).first
    let error = answer?.coordinate.map { Geodesic.distance(from: $0, to: q.gold) }
    let positional = q.category == "plate_interpolated" || q.category == "poi_direction"
    let correct = positional ? (error ?? .infinity) <= 50 : answer?.matchedID == q.goldID
    for key in ["*", q.category] {
        var t = key == "*" ? overall : byCategory[key, default: Tally()]
        t.count += 1
        if correct { t.correct += 1 }
        if let error {
            if error <= 50 { t.within50 += 1 }
            t.errorSum += error
        } else {
            t.unanswered += 1
        }
        if key == "*" { overall = t } else { byCategory[key] = t }
    }
    rows.append([
        String(q.id), q.category, q.text, q.goldID, String(q.gold.x), String(q.gold.y), answer?.matchedID ?? "", answer?.matchType.rawValue ?? "",
        answer.map { String($0.confidence) } ?? "", error.map { String(format: "%.1f", $0) } ?? "",
    ])
}
if let writePath { try Data(CSVWriter.encode(rows)).write(to: URL(fileURLWithPath: writePath)) }

func line(_ name: String, _ t: Tally) -> String {
    let answered = t.count - t.unanswered
    let mean = answered > 0 ? t.errorSum / Double(answered) : 0
    return name.padding(toLength: 28, withPad: " ", startingAt: 0)
        + String(format: "%6d %9.1f%% %10.1f%% %10.1f %6d", t.count, 100 * Double(t.correct) / Double(t.count), 100 * Double(t.within50) / Double(t.count), mean, t.unanswered)
}
print("geocoding accuracy: \(queries.count) queries, seed \(seed), \(held.count) plates held out of \(book.plates.count)")
print("variant".padding(toLength: 28, withPad: " ", startingAt: 0) + " count  precision@1  within 50 m  mean err m  none")
for key in byCategory.keys.sorted() { print(line(key, byCategory[key]!)) }
print(line("ALL", overall))
