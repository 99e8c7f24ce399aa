// Geocoding benchmark (issue 5), one core, release build:
//   forward geocodes/s on a mixed query set generated from the city's own book (plates with admin levels,
//   numerals, aliases, typos, buildings, POIs), reverse geocodes/s at random points of the built-up area, and
//   admin-level parsing of addresses across China (the file peers.py gives cpca and JioNLP).
// Usage: bench-geocode DATA_ROOT OUT_DIR
//   Writes OUT_DIR/national.csv (text, province and district codes and names) for the peers, and
//   OUT_DIR/forward.txt and OUT_DIR/reverse.txt (one query or lon,lat per line) for the HTTP load test.
//   Prints JSON lines.
import Foundation
import GeoAddress
import GeoCore
import GeoGrids
import GeocodeQueries

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: bench-geocode DATA_ROOT OUT_DIR\n".utf8))
    exit(2)
}
let outDir = URL(fileURLWithPath: arguments[2])
try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
func seconds(since start: DispatchTime) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 }

/// Runs `body` over `items` repeatedly for at least `minimum` seconds; returns items/s (best of 3 rounds).
func throughput<T>(_ items: [T], minimum: Double = 2, _ body: (T) -> Int) -> (rate: Double, checksum: Int) {
    var best = 0.0
    var checksum = 0
    for _ in 0..<3 {
        let start = DispatchTime.now()
        var done = 0
        var sum = 0
        repeat {
            for item in items { sum &+= body(item) }
            done += items.count
        } while seconds(since: start) < minimum
        best = max(best, Double(done) / seconds(since: start))
        checksum = sum
    }
    return (best, checksum)
}

let loadStart = DispatchTime.now()
let (book, divisions, store) = try await loadDemoAddressBook(root: URL(fileURLWithPath: arguments[1]))
let pinyin = try loadPinyinTable(root: URL(fileURLWithPath: arguments[1]))
let loadSeconds = seconds(since: loadStart)
let buildStart = DispatchTime.now()
let geocoder = Geocoder(book: book, divisions: divisions, pinyin: pinyin)
let buildSeconds = seconds(since: buildStart)
let reverse = ReverseGeocoder(geocoder: geocoder, locator: try await GridLocator.load(from: store))

// Forward: the accuracy harness's variants, nothing held out.
let queries = QuerySetGenerator(book: book, seed: 7, pinyin: pinyin).generate(perCategory: 400, held: [])
try queries.map(\.text).joined(separator: "\n").write(to: outDir.appendingPathComponent("forward.txt"), atomically: true, encoding: .utf8)
let forward = throughput(queries) { geocoder.geocode($0.text, limit: 1).count }
var correct = 0
for q in queries where geocoder.geocode(q.text, limit: 1).first?.matchedID == q.goldID { correct += 1 }

// Reverse: random points over the plates' extent.
let box = BoundingBox(coordinates: book.plates.map(\.coordinate))!
var rng = SeededGenerator(seed: 11)
let points = (0..<20_000).map { _ in Coordinate(x: rng.uniform(box.minX...box.maxX), y: rng.uniform(box.minY...box.maxY)) }
let reverseRate = throughput(points) { reverse.reverse($0).address.utf8.count }
try points.map { "\($0.x),\($0.y)" }.joined(separator: "\n").write(to: outDir.appendingPathComponent("reverse.txt"), atomically: true, encoding: .utf8)

// Admin levels of addresses across China.
let national = NationalAddressGenerator(divisions: divisions).generate(count: 20_000)
var rows = [["text", "province_code", "province_name", "district_code", "district_name", "variant"]]
for a in national { rows.append([a.text, a.provinceCode, a.provinceName, a.districtCode, a.districtName, a.variant]) }
try Data(CSVWriter.encode(rows)).write(to: outDir.appendingPathComponent("national.csv"))
let admin = throughput(national) { geocoder.adminLevels(of: $0.text).count }
var adminCorrect = 0
let showFailures = ProcessInfo.processInfo.environment["SHOW_FAILURES"] != nil
for a in national {
    let levels = geocoder.adminLevels(of: a.text)
    if levels["province"]?.code == a.provinceCode && levels["district"]?.code == a.districtCode {
        adminCorrect += 1
    } else if showFailures {
        FileHandle.standardError.write(Data("admin miss: \(a.text) [\(a.variant)] want \(a.districtCode) got \(levels["district"]?.code ?? "-") \(levels["province"]?.code ?? "-")\n".utf8))
    }
}

func json(_ object: [String: Any]) -> String {
    String(data: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), encoding: .utf8)!
}
print(json([
    "engine": "citygeo", "door_plates": book.plates.count, "building_plates": book.buildings.count, "pois": book.pois.count,
    "load_s": (loadSeconds * 10).rounded() / 10, "index_build_s": (buildSeconds * 100).rounded() / 100,
    "forward_queries": queries.count, "forward_per_s": Int(forward.rate), "forward_top1_correct": Double(correct) / Double(queries.count),
    "reverse_per_s": Int(reverseRate.rate),
]))
print(json([
    "engine": "citygeo", "task": "admin_levels", "addresses": national.count, "per_s": Int(admin.rate),
    "accuracy": Double(adminCorrect) / Double(national.count),
]))
