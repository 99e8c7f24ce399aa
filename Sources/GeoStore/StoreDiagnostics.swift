import Foundation
import GeoCore
internal import GRDB
internal import GRDBSQLite

// Internal probes for the test suite and for troubleshooting: they let tests look at SpatiaLite metadata and
// connection setup without the test target depending on GRDB.
extension SpatialStore {
    /// Runs a read-only query and returns every row as text (NULL as nil).
    func rows(_ sql: String) async throws(GeoError) -> [[String?]] {
        try await read { db in
            try Row.fetchAll(db, sql: sql).map { row in
                row.databaseValues.map { value -> String? in
                    switch value.storage {
                    case .null: nil
                    case .int64(let i): String(i)
                    case .double(let d): String(d)
                    case .string(let s): s
                    case .blob(let data): data.map { String(format: "%02X", $0) }.joined()
                    }
                }
            }
        }
    }

    /// Asks a reader connection for the SpatiaLite version, then keeps that connection busy for `hold`
    /// seconds so that concurrent probes are served by other connections of the pool.
    /// Returns the version and an identifier of the connection.
    func probeReaderConnection(hold: Double) async throws(GeoError) -> (version: String, connection: UInt) {
        try await read { db in
            let version = try String.fetchOne(db, sql: "SELECT spatialite_version()") ?? ""
            let connection = db.sqliteConnection.map { UInt(bitPattern: $0) } ?? 0
            Thread.sleep(forTimeInterval: hold)
            return (version, connection)
        }
    }
}
