// Point-in-grid assignment benchmark: CityGeo's PolygonIndex on one core.
// Usage: bench-grids UNIT_GRIDS.geojson POINTS.bin [ASSIGNED.bin]
// POINTS.bin holds little-endian float64 pairs (lon, lat), written by tools/bench/grids/peers.py so that every
// engine assigns exactly the same points. Prints one JSON line: points/s, located count and a checksum (sum of
// the located grids' indices in file order) that the peers must reproduce. With ASSIGNED.bin, also writes each
// point's grid index (little-endian int64, -1 for none) so the driver can count per-point disagreements.
import Foundation
import GeoCore
import GeoGrids

let arguments = CommandLine.arguments
guard arguments.count == 3 || arguments.count == 4 else {
    FileHandle.standardError.write(Data("usage: bench-grids UNIT_GRIDS.geojson POINTS.bin [ASSIGNED.bin]\n".utf8))
    exit(2)
}
let grids = try GeoJSON.decodeFeatureCollection(Array(try Data(contentsOf: URL(fileURLWithPath: arguments[1])))).features
let raw = try Data(contentsOf: URL(fileURLWithPath: arguments[2]))
let points: [Coordinate] = raw.withUnsafeBytes { buffer in
    let doubles = buffer.bindMemory(to: Double.self)
    return (0..<(doubles.count / 2)).map { Coordinate(x: Double(bitPattern: doubles[2 * $0].bitPattern.littleEndian), y: Double(bitPattern: doubles[2 * $0 + 1].bitPattern.littleEndian)) }
}

let buildStart = DispatchTime.now()
let index = PolygonIndex(grids.map(\.geometry))
let buildSeconds = Double(DispatchTime.now().uptimeNanoseconds - buildStart.uptimeNanoseconds) / 1e9

// Best of three runs, so one descheduling does not decide the figure.
var best = Double.infinity
var located = 0
var checksum = 0
for _ in 0..<3 {
    let start = DispatchTime.now()
    var count = 0
    var sum = 0
    for point in points {
        if let grid = index.locate(point) {
            count += 1
            sum &+= grid
        }
    }
    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
    located = count
    checksum = sum
}
// Per-point assignments, outside the timed loops.
if arguments.count == 4 {
    var assigned = [Int64](repeating: -1, count: points.count)
    for (k, point) in points.enumerated() {
        assigned[k] = Int64(index.locate(point) ?? -1).littleEndian
    }
    try assigned.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: arguments[3]))
}
print("{\"engine\":\"CityGeo PolygonIndex\",\"grids\":\(grids.count),\"points\":\(points.count),\"build_s\":\(buildSeconds),\"seconds\":\(best),\"points_per_s\":\(Double(points.count) / best),\"located\":\(located),\"checksum\":\(checksum)}")
