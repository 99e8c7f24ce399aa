import Foundation
import GeoCore

/// How a CSV file becomes features.
@MemberwiseInit
public struct CSVOptions: Hashable, Sendable {
    /// The longitude (x) column; nil detects `lon`, `lng`, `longitude` or `x` (case-insensitive).
    public var longitudeColumn: String?
    /// The latitude (y) column; nil detects `lat`, `latitude` or `y`.
    public var latitudeColumn: String?
    /// The WKT geometry column; nil detects `wkt`, `geometry` or `geom` when there are no lon/lat columns.
    public var wktColumn: String?
    /// A column whose values become the features' source ids (integers when every value is one), or nil.
    public var idColumn: String?
    /// Attribute types that override inference, by column name, e.g. `["code": .text]`.
    public var columnTypes: [String: AttributeType] = [:]
    /// The field separator, a single ASCII character.
    public var delimiter: Character = ","
}

extension FeatureStore {
    /// Imports a CSV file (UTF-8, header row) as layer `name`; see ``importCSV(name:bytes:csv:options:progress:)``.
    public func importCSV(
        name: String, file: URL, csv: CSVOptions = CSVOptions(), options: ImportOptions = ImportOptions(),
        progress: ImportProgressHandler? = nil
    ) async throws(GeoError) -> LayerInfo {
        try await importCSV(name: name, bytes: try readFile(file), csv: csv, options: options, progress: progress)
    }

    /// Imports CSV bytes as layer `name`, in one transaction.
    ///
    /// Geometry comes from a longitude and a latitude column or from a WKT column (see ``CSVOptions``); every
    /// other column becomes a property whose type is inferred over the whole column: integer, real, or text.
    /// Values that look like identifiers rather than quantities stay text: a leading zero, or ten or more digits
    /// (street, community, unit-grid and component codes; phone numbers). Empty values are null.
    ///
    /// Errors name the line and column: `invalid_csv` (malformed CSV, missing columns, a non-numeric
    /// coordinate), `invalid_encoding` (not UTF-8), `invalid_geometry` (bad WKT), `out_of_range`.
    public func importCSV(
        name: String, bytes: [UInt8], csv: CSVOptions = CSVOptions(), options: ImportOptions = ImportOptions(),
        progress: ImportProgressHandler? = nil
    ) async throws(GeoError) -> LayerInfo {
        _ = try LayerName(name)
        let table = try CSVFeatureReader.read(bytes, csv: csv, srid: options.srid)
        let lines = table.lines
        let column = table.geometryColumn
        return try await importLayer(
            name: name, features: table.features, options: options, progress: progress,
            locate: { "line \(lines[$0]), column \"\(column)\"" })
    }

    func readFile(_ url: URL) throws(GeoError) -> [UInt8] {
        do {
            return Array(try Data(contentsOf: url))
        } catch {
            throw GeoError(code: .ioError, message: "cannot read \(url.path)", underlying: error.localizedDescription)
        }
    }
}

/// Features read from a CSV table, with the line each came from.
struct CSVFeatureTable: Sendable {
    var features: [Feature]
    var lines: [Int]
    /// The column named in geometry error locations (the WKT or the latitude column).
    var geometryColumn: String
}

/// Turns CSV records into features.
enum CSVFeatureReader {
    static let longitudeNames: Set<String> = ["lon", "lng", "longitude", "x"]
    static let latitudeNames: Set<String> = ["lat", "latitude", "y"]
    static let wktNames: Set<String> = ["wkt", "geometry", "geom"]

    private enum GeometrySource {
        case lonLat(lon: Int, lat: Int)
        case wkt(Int)
    }

    static func read(_ bytes: [UInt8], csv: CSVOptions, srid: Int32) throws(GeoError) -> CSVFeatureTable {
        guard let delimiter = csv.delimiter.asciiValue, csv.delimiter != "\"" else {
            throw GeoError(code: .invalidArgument, message: "CSV delimiter must be one ASCII character other than a quote")
        }
        let records = try CSVReader.read(bytes, delimiter: delimiter)
        guard let header = records.first else {
            throw GeoError(code: .invalidCSV, message: "CSV is empty: a header row is required", location: "line 1")
        }
        let names = header.fields
        var seen = Set<String>()
        for (i, name) in names.enumerated() {
            if name.isEmpty {
                throw GeoError(code: .invalidCSV, message: "header column \(i + 1) has no name", location: "line \(header.line)")
            }
            if !seen.insert(name).inserted {
                throw GeoError(code: .invalidCSV, message: "header names column \"\(name)\" twice", location: "line \(header.line)")
            }
        }

        let source = try geometrySource(names, csv: csv, headerLine: header.line)
        let geometryColumns: Set<Int>
        let errorColumn: String
        switch source {
        case .lonLat(let lon, let lat):
            geometryColumns = [lon, lat]
            errorColumn = names[lat]
        case .wkt(let w):
            geometryColumns = [w]
            errorColumn = names[w]
        }
        var idIndex: Int?
        if let idColumn = csv.idColumn {
            guard let index = names.firstIndex(of: idColumn) else {
                throw GeoError(code: .invalidCSV, message: "id column \"\(idColumn)\" is not in the header", location: "line \(header.line)")
            }
            idIndex = index
        }
        let propertyColumns = names.indices.filter { !geometryColumns.contains($0) && $0 != idIndex }

        let rows = records.dropFirst()
        for row in rows where row.fields.count != names.count {
            throw GeoError(
                code: .invalidCSV, message: "line \(row.line) has \(row.fields.count) fields but the header has \(names.count)",
                location: "line \(row.line)")
        }

        // Column types are decided over the whole column, so that "12" and "12.5" in one column are both reals.
        // Columns named as codes or ids (`code`, `street_code`, `grid_id` …) stay text: region codes such as
        // 320904001 are identifiers, whatever their digits look like.
        var types: [Int: AttributeType] = [:]
        for column in propertyColumns {
            types[column] =
                csv.columnTypes[names[column]]
                ?? (CSVValue.isIdentifierName(names[column]) ? .text : CSVValue.inferType(rows.lazy.map { $0.fields[column] }))
        }
        let idsAreIntegers = idIndex.map { id in rows.allSatisfy { CSVValue.kind(of: $0.fields[id]) == .integer } } ?? false

        var features: [Feature] = []
        var lines: [Int] = []
        features.reserveCapacity(rows.count)
        lines.reserveCapacity(rows.count)
        let geographic = SpatialReference.isGeographic(srid)
        for row in rows {
            let geometry: Geometry
            switch source {
            case .lonLat(let lonIndex, let latIndex):
                let lon = try coordinate(row, lonIndex, names, geographic: geographic, limit: 180, axis: "longitude")
                let lat = try coordinate(row, latIndex, names, geographic: geographic, limit: 90, axis: "latitude")
                geometry = .point(Point(Coordinate(x: lon, y: lat)))
            case .wkt(let w):
                do {
                    geometry = try WKT.decode(row.fields[w])
                } catch {
                    throw GeoError(
                        code: .invalidGeometry, message: "line \(row.line), column \"\(names[w])\": \(error.message)",
                        location: "line \(row.line), column \"\(names[w])\"",
                        underlying: error.location.map { "WKT \($0)" })
                }
            }
            var properties: [String: JSONValue] = [:]
            for column in propertyColumns {
                properties[names[column]] = try CSVValue.value(
                    row.fields[column], as: types[column] ?? .text, location: "line \(row.line), column \"\(names[column])\"")
            }
            var id: FeatureID?
            if let idIndex, !row.fields[idIndex].isEmpty {
                let text = row.fields[idIndex]
                id = idsAreIntegers ? Int64(text).map(FeatureID.int) ?? .string(text) : .string(text)
            }
            features.append(Feature(id: id, geometry: geometry, properties: properties))
            lines.append(row.line)
        }
        return CSVFeatureTable(features: features, lines: lines, geometryColumn: errorColumn)
    }

    private static func geometrySource(_ names: [String], csv: CSVOptions, headerLine: Int) throws(GeoError) -> GeometrySource {
        func find(_ explicit: String) throws(GeoError) -> Int {
            guard let index = names.firstIndex(of: explicit) else {
                throw GeoError(
                    code: .invalidCSV, message: "column \"\(explicit)\" is not in the header (\(names.joined(separator: ", ")))",
                    location: "line \(headerLine)")
            }
            return index
        }
        func detect(_ candidates: Set<String>) -> Int? {
            names.firstIndex { candidates.contains($0.trimmingCharacters(in: .whitespaces).lowercased()) }
        }
        if let wkt = csv.wktColumn { return .wkt(try find(wkt)) }
        if csv.longitudeColumn != nil || csv.latitudeColumn != nil {
            let lon = try csv.longitudeColumn.map { name throws(GeoError) in try find(name) } ?? detect(longitudeNames)
            let lat = try csv.latitudeColumn.map { name throws(GeoError) in try find(name) } ?? detect(latitudeNames)
            guard let lon else { throw missing("longitude", longitudeNames, headerLine) }
            guard let lat else { throw missing("latitude", latitudeNames, headerLine) }
            return .lonLat(lon: lon, lat: lat)
        }
        let lon = detect(longitudeNames), lat = detect(latitudeNames)
        switch (lon, lat) {
        case let (lon?, lat?): return .lonLat(lon: lon, lat: lat)
        case (nil, _?): throw missing("longitude", longitudeNames, headerLine)
        case (_?, nil): throw missing("latitude", latitudeNames, headerLine)
        case (nil, nil):
            if let wkt = detect(wktNames) { return .wkt(wkt) }
            throw GeoError(
                code: .invalidCSV,
                message: "no geometry columns: expected longitude and latitude columns (lon/lng/longitude/x, lat/latitude/y) "
                    + "or a WKT column (wkt/geometry/geom), or name them in the CSV options",
                location: "line \(headerLine)")
        }
    }

    private static func missing(_ axis: String, _ candidates: Set<String>, _ headerLine: Int) -> GeoError {
        GeoError(
            code: .invalidCSV,
            message: "no \(axis) column: looked for \(candidates.sorted().joined(separator: ", ")) (case-insensitive)",
            location: "line \(headerLine)")
    }

    private static func coordinate(
        _ row: CSVRecord, _ index: Int, _ names: [String], geographic: Bool, limit: Double, axis: String
    ) throws(GeoError) -> Double {
        let text = row.fields[index].trimmingCharacters(in: .whitespaces)
        let location = "line \(row.line), column \"\(names[index])\""
        guard CSVValue.isDecimal(text), let value = Double(text), value.isFinite else {
            throw GeoError(
                code: .invalidCSV, message: "\(axis) \"\(text)\" on line \(row.line) is not a finite number", location: location)
        }
        if geographic && abs(value) > limit {
            throw GeoError(
                code: .outOfRange, message: "\(axis) \(text) on line \(row.line) is outside [-\(Int(limit)), \(Int(limit))]",
                location: location)
        }
        return value
    }
}

/// Classifies and converts CSV cell text.
enum CSVValue {
    enum Kind { case empty, integer, real, text }

    /// What `text` looks like. Identifiers (a leading zero, or ten or more digits) count as text.
    static func kind(of text: String) -> Kind {
        let bytes = Array(text.utf8)
        if bytes.isEmpty { return .empty }
        var i = 0
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") { i = 1 }
        let digitsStart = i
        while i < bytes.count && isDigit(bytes[i]) { i += 1 }
        let integerDigits = i - digitsStart
        // "0123" is a code, not 123; "0", "0.5" and "-0.25" are numbers.
        if integerDigits > 1 && bytes[digitsStart] == UInt8(ascii: "0") { return .text }
        if i == bytes.count {
            guard integerDigits > 0 else { return .text }
            return integerDigits >= 10 ? .text : .integer
        }
        var fractionDigits = 0
        if bytes[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < bytes.count && isDigit(bytes[i]) { i += 1 }
            fractionDigits = i - fractionStart
        }
        guard integerDigits + fractionDigits > 0 else { return .text }
        if i < bytes.count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            i += 1
            if i < bytes.count && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) { i += 1 }
            let exponentStart = i
            while i < bytes.count && isDigit(bytes[i]) { i += 1 }
            if i == exponentStart { return .text }
        }
        guard i == bytes.count, let value = Double(text), value.isFinite else { return .text }
        return .real
    }

    /// The narrowest type holding every value of a column.
    /// Whether a column name says it holds identifiers: `code`, `id` or a name ending in `_code`/`_id`/`编码`/`代码`.
    static func isIdentifierName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower == "code" || lower == "id" || lower.hasSuffix("_code") || lower.hasSuffix("_id") || lower.hasSuffix("code")
            || name.hasSuffix("编码") || name.hasSuffix("代码")
    }

    static func inferType<S: Sequence>(_ values: S) -> AttributeType where S.Element == String {
        var sawInteger = false, sawReal = false
        for value in values {
            switch kind(of: value) {
            case .empty: continue
            case .integer: sawInteger = true
            case .real: sawReal = true
            case .text: return .text
            }
        }
        if sawReal { return .real }
        return sawInteger ? .integer : .text
    }

    /// `text` as a property value of `type`; empty text is null.
    static func value(_ text: String, as type: AttributeType, location: String) throws(GeoError) -> JSONValue {
        if text.isEmpty { return .null }
        switch type {
        case .text: return .string(text)
        case .integer:
            guard let i = Int64(text.hasPrefix("+") ? String(text.dropFirst()) : text) else { throw notA("an integer", text, location) }
            return .int(i)
        case .real:
            guard isDecimal(text), let d = Double(text), d.isFinite else { throw notA("a number", text, location) }
            return .double(d)
        case .boolean:
            switch text.lowercased() {
            case "true", "1", "yes", "t", "y": return .bool(true)
            case "false", "0", "no", "f", "n": return .bool(false)
            default: throw notA("a boolean", text, location)
            }
        case .json:
            do { return try JSON.decode(text) } catch { throw notA("JSON", text, location) }
        }
    }

    /// Whether `text` is written with decimal digits, sign, point and exponent only: `Double.init` would also
    /// accept "nan", "inf" and hexadecimal, which no CSV producer means as a coordinate.
    static func isDecimal(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.contains(where: isDigit)
            && text.utf8.allSatisfy { isDigit($0) || "+-.eE".utf8.contains($0) }
    }

    private static func notA(_ what: String, _ text: String, _ location: String) -> GeoError {
        GeoError(code: .invalidCSV, message: "\"\(text)\" is not \(what) (\(location))", location: location)
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
}
