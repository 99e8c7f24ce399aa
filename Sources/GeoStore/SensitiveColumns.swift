import Foundation
import GeoCore
import GeoCrypto
internal import GRDB

/// A layer attribute kept encrypted at rest.
@MemberwiseInit
public struct SensitiveColumn: Sendable, Hashable {
    public var layer: String
    public var column: String

    /// What a sealed value of this column is bound to: moved to another column or layer, it does not open.
    var place: String { "\(layer).\(column)" }

    /// The column's layer name, checked; `invalid_layer_name` or `invalid_argument` (no column name) otherwise.
    public func checkedLayer() throws(GeoError) -> LayerName {
        let name = try LayerName(layer)
        guard !column.isEmpty else { throw GeoError(code: .invalidArgument, message: "a column name is needed") }
        return name
    }
}

/// Columns a city marks sensitive (drivers' names, reporters' phone numbers) are stored sealed with SM4-CBC and
/// HMAC-SM3 (``SealedText``) under the configured data keys, and opened as features are read, so everything above
/// the store sees plain values while the database file, its copies and its backups hold none.
///
/// The register lives in the database, so an import through the command line seals exactly as one through the
/// server; without a data key, reading or writing a sensitive column fails with `encryption_key_missing`.
public protocol SensitiveColumnStore: Sendable {
    /// The columns marked sensitive, by layer and name.
    func sensitiveColumns() async throws(GeoError) -> [SensitiveColumn]
    /// Marks a column sensitive and seals its stored values, in one transaction; the number of values sealed.
    func protect(_ column: SensitiveColumn) async throws(GeoError) -> Int
    /// Re-seals every sensitive value not sealed with the current data key (after a key was added to the key
    /// file), in one transaction; the number of values re-sealed.
    func resealSensitiveColumns() async throws(GeoError) -> Int
}

/// The sealing of one layer's sensitive members of `properties`, used on every write and read of its features, by
/// every backend.
public struct PropertySeal: Sendable {
    public let layer: String
    public let columns: Set<String>
    public let keys: DataKeyRing?

    /// The seal of `columns` of `layer` with `keys` (nil: none configured, so any use fails with
    /// `encryption_key_missing`).
    public init(layer: String, columns: Set<String>, keys: DataKeyRing?) {
        self.layer = layer
        self.columns = columns
        self.keys = keys
    }

    /// The seal of `layer` as the register says, nil when nothing of it is sensitive.
    static func load(_ db: Database, layer: String, keys: DataKeyRing?) throws -> PropertySeal? {
        let columns = try String.fetchSet(db, sql: "SELECT column_name FROM sensitive_columns WHERE layer = ?", arguments: [layer])
        return columns.isEmpty ? nil : PropertySeal(layer: layer, columns: columns, keys: keys)
    }

    private func ring() throws(GeoError) -> DataKeyRing {
        guard let keys else {
            throw GeoError(
                code: .encryptionKeyMissing,
                message: "layer \(layer) keeps \(columns.sorted().joined(separator: ", ")) encrypted and no data key is configured: "
                    + "set crypto.key_file (or CITYGEO_CRYPTO_KEY, or --key-file on the command line)")
        }
        return keys
    }

    /// `properties` with each sensitive member sealed (the value's JSON text, so numbers and booleans come back as
    /// they went in). Values already sealed are left as they are.
    public func seal(_ properties: [String: JSONValue]) throws(GeoError) -> [String: JSONValue] {
        var sealed = properties
        for column in columns {
            guard let value = properties[column], value != .null else { continue }
            if case .string(let text) = value, SealedText.isSealed(text) { continue }
            let place = SensitiveColumn(layer: layer, column: column).place
            sealed[column] = .string(try SealedText.seal(try JSON.encode(value), place: place, key: try ring().current))
        }
        return sealed
    }

    /// The properties as a layer row stores them: a JSON object, its sensitive members sealed by `seal` (none when
    /// nil).
    public static func storedText(of properties: [String: JSONValue], sealedBy seal: PropertySeal?) throws(GeoError) -> String {
        try JSON.encode(.object(try seal?.seal(properties) ?? properties))
    }

    /// `properties` with each sealed member opened.
    public func open(_ properties: [String: JSONValue]) throws(GeoError) -> [String: JSONValue] {
        var opened = properties
        for column in columns {
            guard case .string(let text)? = properties[column], SealedText.isSealed(text) else { continue }
            let place = SensitiveColumn(layer: layer, column: column).place
            opened[column] = try JSON.decode(try SealedText.open(text, place: place, keys: try ring()))
        }
        return opened
    }

    /// Whether some member is sealed with another key than the current one (or not sealed at all).
    public func needsReseal(_ properties: [String: JSONValue]) throws(GeoError) -> Bool {
        let current = try ring().current.id
        return columns.contains { column in
            switch properties[column] {
            case .none, .some(.null): false
            case .string(let text)?: SealedText.keyID(of: text) != current
            case .some: true
            }
        }
    }
}

extension SpatialStore: SensitiveColumnStore {
    public func sensitiveColumns() async throws(GeoError) -> [SensitiveColumn] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT layer, column_name FROM sensitive_columns ORDER BY layer, column_name").map {
                SensitiveColumn(layer: $0["layer"], column: $0["column_name"])
            }
        }
    }

    public func protect(_ column: SensitiveColumn) async throws(GeoError) -> Int {
        let name = try column.checkedLayer()
        let keys = dataKeys
        return try await write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO sensitive_columns (layer, column_name) VALUES (?, ?)", arguments: [column.layer, column.column])
            guard try LayerTables.exists(db, layer: name) else { return 0 }
            return try Self.reseal(db, layer: name, seal: PropertySeal(layer: column.layer, columns: [column.column], keys: keys))
        }
    }

    public func resealSensitiveColumns() async throws(GeoError) -> Int {
        let keys = dataKeys
        return try await write { db in
            var total = 0
            let layers = try String.fetchSet(db, sql: "SELECT DISTINCT layer FROM sensitive_columns")
            for layer in layers.sorted() {
                let name = try LayerName(layer)
                guard try LayerTables.exists(db, layer: name), let seal = try PropertySeal.load(db, layer: layer, keys: keys) else { continue }
                total += try Self.reseal(db, layer: name, seal: seal)
            }
            return total
        }
    }

    /// Opens (with any key of the ring) and seals again (with the current key) every row of `layer` whose sensitive
    /// members are not sealed with the current key; the number of rows rewritten.
    private static func reseal(_ db: Database, layer: LayerName, seal: PropertySeal) throws -> Int {
        let update = try db.makeStatement(sql: "UPDATE \"\(layer.tableName)\" SET properties = ? WHERE fid = ?")
        let rows = try Row.fetchCursor(db, sql: "SELECT fid, properties FROM \"\(layer.tableName)\"")
        var count = 0
        while let row = try rows.next() {
            guard case .object(let properties) = try JSON.decode(row["properties"] as String), try seal.needsReseal(properties) else { continue }
            let resealed = try seal.seal(try seal.open(properties))
            try update.execute(arguments: [try JSON.encode(.object(resealed)), row["fid"] as Int64])
            count += 1
        }
        return count
    }
}
