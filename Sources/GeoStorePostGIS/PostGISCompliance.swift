import Foundation
import GeoCore
import GeoCrypto
import GeoStore
import Logging
internal import PostgresNIO

/// Sensitive columns sealed at rest (``SensitiveColumnStore``), as on SpatiaLite: the register in
/// `sensitive_columns` (migration `v7_compliance`), values sealed by ``PropertySeal`` on import and opened on read,
/// so the database, its dumps and its replicas hold no plain value of a sensitive column.
extension PostGISStore: SensitiveColumnStore {
    public func sensitiveColumns() async throws(GeoError) -> [SensitiveColumn] {
        try await withConnection("cannot read the sensitive columns") { connection in
            var columns: [SensitiveColumn] = []
            let rows = try await connection.query("SELECT layer, column_name FROM sensitive_columns ORDER BY layer, column_name", logger: logger)
            for try await (layer, column) in rows.decode((String, String).self) { columns.append(SensitiveColumn(layer: layer, column: column)) }
            return columns
        }
    }

    public func protect(_ column: SensitiveColumn) async throws(GeoError) -> Int {
        let name = try column.checkedLayer()
        let keys = dataKeys
        return try await transaction("cannot protect \(column.layer).\(column.column)") { connection in
            try await connection.run(
                "INSERT INTO sensitive_columns (layer, column_name) VALUES (\(column.layer), \(column.column)) ON CONFLICT DO NOTHING",
                logger: logger)
            // An import of the layer waits for this (and this for it): the seal it loads is the register's.
            try await PostGISCatalog.lock(connection, name, logger: logger)
            let table = PostGISLayerTable(name)
            guard try await table.exists(connection, logger: logger) else { return 0 }
            return try await PostGISSensitiveColumns.reseal(
                table, seal: PropertySeal(layer: column.layer, columns: [column.column], keys: keys), connection, logger: logger)
        }
    }

    public func resealSensitiveColumns() async throws(GeoError) -> Int {
        let keys = dataKeys
        return try await transaction("cannot re-seal the sensitive columns") { connection in
            var layers: [String] = []
            let rows = try await connection.query("SELECT DISTINCT layer FROM sensitive_columns ORDER BY layer", logger: logger)
            for try await layer in rows.decode(String.self) { layers.append(layer) }
            var total = 0
            for layer in layers {
                let name = try LayerName(layer)
                try await PostGISCatalog.lock(connection, name, logger: logger)
                let table = PostGISLayerTable(name)
                guard try await table.exists(connection, logger: logger),
                    let seal = try await PostGISSensitiveColumns.seal(of: name, keys: keys, connection, logger: logger)
                else { continue }
                total += try await PostGISSensitiveColumns.reseal(table, seal: seal, connection, logger: logger)
            }
            return total
        }
    }
}

/// The register of sensitive columns on PostgreSQL.
enum PostGISSensitiveColumns {
    /// The seal of `layer` as the register says, nil when nothing of it is sensitive.
    static func seal(of layer: LayerName, keys: DataKeyRing?, _ connection: PostgresConnection, logger: Logger) async throws -> PropertySeal? {
        var columns = Set<String>()
        let rows = try await connection.query("SELECT column_name FROM sensitive_columns WHERE layer = \(layer.rawValue)", logger: logger)
        for try await column in rows.decode(String.self) { columns.insert(column) }
        return columns.isEmpty ? nil : PropertySeal(layer: layer.rawValue, columns: columns, keys: keys)
    }

    /// Opens (with any key of the ring) and seals again (with the current key) every row whose sensitive members are
    /// not sealed with the current key; the number of rows rewritten.
    static func reseal(_ table: PostGISLayerTable, seal: PropertySeal, _ connection: PostgresConnection, logger: Logger) async throws -> Int {
        var rewritten: [(fid: Int64, properties: String)] = []
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT fid, properties::text FROM \(table.quoted) ORDER BY fid FOR UPDATE"), logger: logger)
        for try await (fid, text) in rows.decode((Int64, String).self) {
            guard case .object(let properties) = try JSON.decode(text), try seal.needsReseal(properties) else { continue }
            rewritten.append((fid, try JSON.encode(.object(try seal.seal(try seal.open(properties))))))
        }
        for start in stride(from: 0, to: rewritten.count, by: 5_000) {
            let batch = rewritten[start..<min(start + 5_000, rewritten.count)]
            let fids = batch.map(\.fid)
            let texts = batch.map(\.properties)
            try await connection.run(
                """
                UPDATE \(unescaped: table.quoted) AS t SET properties = batch.properties::jsonb
                FROM unnest(\(fids), \(texts)) AS batch (fid, properties) WHERE t.fid = batch.fid
                """, logger: logger)
        }
        return rewritten.count
    }
}
