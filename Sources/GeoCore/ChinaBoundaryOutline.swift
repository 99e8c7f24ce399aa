import Foundation

extension ChinaBoundary {
    /// The rings of the outline as read from the resource `china-boundary.bin`, which
    /// `tools/fixtures/make_china_boundary.py` writes (its header says how the outline is made).
    ///
    /// The format, little-endian throughout: the four bytes `CNB1`; the ring count R and the vertex count V as
    /// `UInt32`; R + 1 ring starts as `UInt32` (vertex indexes, the first 0 and the last V); then 2V `Int32`,
    /// each vertex's longitude and latitude in units of 10⁻⁵ degree (the generator rounds to 5 decimals, so
    /// the integers are exact). A unit divided by 100,000 is the double nearest the decimal, the same as the
    /// literal `73.57544` would be.
    struct Outline: Sendable {
        /// Ring i spans vertices `ringStarts[i] ..< ringStarts[i + 1]`; the last entry is the vertex count.
        let ringStarts: [Int]
        /// Interleaved longitude, latitude pairs in degrees.
        let coordinates: [Double]

        static let magic: [UInt8] = Array("CNB1".utf8)

        /// Decodes the format above, refusing anything that does not add up (a damaged or foreign file).
        init(decoding bytes: [UInt8]) throws(GeoError) {
            func damaged(_ why: String) -> GeoError {
                GeoError(code: .missingResource, message: "china-boundary.bin is damaged: \(why)")
            }
            guard bytes.count >= 12, Array(bytes[0..<4]) == Self.magic else { throw damaged("no CNB1 header") }
            let (ringCount, vertexCount) = bytes.withUnsafeBytes { raw in
                (Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self))),
                 Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self))))
            }
            let startsOffset = 12, coordinatesOffset = 12 + 4 * (ringCount + 1)
            guard bytes.count == coordinatesOffset + 8 * vertexCount else {
                throw damaged("\(bytes.count) bytes for \(ringCount) rings and \(vertexCount) vertices")
            }
            let (starts, units) = bytes.withUnsafeBytes { raw in
                ((0...ringCount).map { Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: startsOffset + 4 * $0, as: UInt32.self))) },
                 (0..<(2 * vertexCount)).map { Int32(littleEndian: raw.loadUnaligned(fromByteOffset: coordinatesOffset + 4 * $0, as: Int32.self)) })
            }
            guard starts.first == 0, starts.last == vertexCount, zip(starts, starts.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw damaged("ring starts are not increasing from 0 to the vertex count")
            }
            ringStarts = starts
            coordinates = units.map { Double($0) / 100_000 }
        }

        /// The outline bundled with GeoCore. A build without the resource cannot answer for China at all, so it
        /// stops here with the reason rather than treat every position as abroad.
        static func bundled() -> Outline {
            do throws(GeoError) {
                guard let url = Bundle.module.url(forResource: "china-boundary", withExtension: "bin"),
                    let data = try? Data(contentsOf: url)
                else {
                    throw GeoError(code: .missingResource, message: "china-boundary.bin is not in the GeoCore resource bundle")
                }
                return try Outline(decoding: [UInt8](data))
            } catch {
                fatalError("ChinaBoundary: \(error.message)")
            }
        }
    }
}
