import ArgumentParser
import Foundation
import GeoCore
import GeoStore

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a GeoJSON or CSV file as a layer, in one transaction (a failure changes nothing).")

    @Argument(help: "A .geojson/.json or .csv file.") var file: String
    @Option(help: "Layer name (lowercase letters, digits, underscore). Default: the file name.") var layer: String?
    @Option(help: "What to do when the layer exists: fail, replace or append.") var mode = "fail"
    @Option(help: "SRID of the coordinates.") var srid: Int32 = 4490
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let url = URL(fileURLWithPath: file)
        let name = layer ?? url.deletingPathExtension().lastPathComponent.lowercased()
        let importMode: ImportMode =
            switch mode {
            case "fail": .failIfExists
            case "replace": .replace
            case "append": .append
            default: throw ValidationError("--mode must be fail, replace or append, not \"\(mode)\"")
            }
        let store = try await database.open()
        let bar = ProgressBar(label: "importing \(name)")
        let info = try await store.importFile(at: url, as: name, options: ImportOptions(mode: importMode, srid: srid)) { done, total in
            bar.update(done: done, total: total)
        }
        await recordCommandLineWrite(store, command: "citygeo import \(name) --mode \(mode)", detail: "\(info.featureCount) features from \(url.path)")
        print("imported \(info.featureCount) features into layer \(info.name) (\(info.geometryType?.rawValue ?? "mixed"), SRID \(info.srid))")
    }
}

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export a layer as GeoJSON.")

    @Argument(help: "Layer name.") var layer: String
    @Option(name: .shortAndLong, help: "Output file; standard output when omitted.") var output: String?
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let store = try await database.open()
        let bytes = try await store.exportGeoJSON(layer: layer)
        if let output {
            try Data(bytes).write(to: URL(fileURLWithPath: output))
        } else {
            FileHandle.standardOutput.write(Data(bytes))
        }
    }
}

struct LayersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "layers", abstract: "List the layers of the database.")

    @Option(help: "table or json.") var format = "table"
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let store = try await database.open()
        let layers = try await store.layers()
        switch format {
        case "json":
            let entries: [JSONValue] = layers.map {
                .object([
                    "name": .string($0.name), "geometry_type": $0.geometryType.map { .string($0.rawValue) } ?? .null,
                    "srid": .int(Int64($0.srid)), "feature_count": .int(Int64($0.featureCount)), "version": .int($0.version),
                ])
            }
            print(try JSON.encode(.array(entries)))
        case "table":
            let rows = layers.map { [$0.name, $0.geometryType?.rawValue ?? "mixed", String($0.srid), String($0.featureCount), $0.title ?? ""] }
            print(TextTable.render(header: ["layer", "geometry", "srid", "features", "title"], rows: rows))
        default:
            throw ValidationError("--format must be table or json, not \"\(format)\"")
        }
    }
}

/// Plain-text tables for the terminal, aligned by display width (CJK characters take two columns).
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { displayWidth($0[column]) }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $1 + String(repeating: " ", count: widths[$0] - displayWidth($1)) }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }

    static func displayWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 && ($1.value <= 0x115F || $1.value >= 0x2E80) ? 2 : 1) }
    }
}
