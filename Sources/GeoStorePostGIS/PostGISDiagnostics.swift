import Foundation
import GeoCore
internal import PostgresNIO

// Internal probes for the test suite and for troubleshooting, so that tests can look at the schema and raw rows
// without depending on postgres-nio.
extension PostGISStore {
    /// Runs a read-only query whose columns are all text (cast them: `x::text`) and returns every row.
    func rows(_ sql: String) async throws(GeoError) -> [[String?]] {
        try await withConnection("probe failed") { connection in
            var result: [[String?]] = []
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) {
                result.append(try row.map { cell in try cell.decode(String?.self) })
            }
            return result
        }
    }

    /// Runs one statement (tests use it to cut the change feed's connection).
    func execute(_ sql: String) async throws(GeoError) {
        try await withConnection("statement failed") { connection in
            try await connection.run(PostgresQuery(unsafeSQL: sql), logger: logger)
        }
    }
}
