import GeoCore

/// Batch geocoding of a CSV file: every input column is kept and the answer's columns are appended.
@MemberwiseInit
public struct BatchGeocoding: Sendable {
    /// The columns appended to each row.
    public static let outputColumns = [
        "label", "lon", "lat", "confidence", "match_type", "unit_grid", "community", "street", "district", "notes",
    ]

    public var geocoder: Geocoder
    /// The column holding the address text.
    public var addressColumn: String = "address"
    /// The coordinate system of the lon/lat written out.
    public var outputCRS: CRS = .cgcs2000

    /// Summary of a run.
    public struct Summary: Hashable, Sendable {
        public var rows = 0
        public var matched = 0
        public var byType: [String: Int] = [:]
    }

    /// Geocodes every row of `csv` (UTF-8, header first) and returns the output CSV and a summary. Rows whose
    /// address finds nothing keep empty answer columns. `progress` is called with (rows done, rows total).
    public func run(csv: [UInt8], progress: (Int, Int) -> Void = { _, _ in }) throws(GeoError) -> (csv: [UInt8], summary: Summary) {
        let records = try CSVReader.read(csv)
        guard let header = records.first?.fields else {
            throw GeoError(code: .invalidCSV, message: "the CSV is empty: it needs a header with an \(addressColumn) column", location: "line 1")
        }
        guard let column = header.firstIndex(of: addressColumn) else {
            throw GeoError(
                code: .missingColumn, message: "the CSV has no \(addressColumn) column (columns: \(header.joined(separator: ", ")))",
                location: "line 1")
        }
        var out = CSVWriter.line(header + Self.outputColumns)
        var summary = Summary()
        let rows = records.dropFirst()
        for (k, record) in rows.enumerated() {
            guard record.fields.count == header.count else {
                throw GeoError(
                    code: .invalidCSV, message: "line \(record.line) has \(record.fields.count) fields, the header \(header.count)",
                    location: "line \(record.line)")
            }
            summary.rows += 1
            var answer = Array(repeating: "", count: Self.outputColumns.count)
            if let best = geocoder.geocode(record.fields[column], limit: 1).first {
                summary.matched += 1
                summary.byType[best.matchType.rawValue, default: 0] += 1
                let c = best.coordinate.map { CRS.convert($0, from: .cgcs2000, to: outputCRS) }
                answer = [
                    best.label, c.map { Self.degrees($0.x) } ?? "", c.map { Self.degrees($0.y) } ?? "", String(best.confidence),
                    best.matchType.rawValue, best.codes["unit_grid"] ?? "", best.codes["community"] ?? "", best.codes["street"] ?? "",
                    best.codes["district"] ?? "", best.notes.joined(separator: "; "),
                ]
            }
            out += CSVWriter.line(record.fields + answer)
            if k % 500 == 499 || k == rows.count - 1 { progress(k + 1, rows.count) }
        }
        return (Array(out.utf8), summary)
    }

    /// Seven decimals (about 1 cm), without trailing zeros.
    static func degrees(_ v: Double) -> String {
        let rounded = (v * 1e7).rounded() / 1e7
        return String(rounded)
    }
}
