import Foundation
import GeoCore
import Testing

@testable import GeoStorePostGIS

/// Finding pg_dump and pg_restore, and keeping the password off their command lines.
@Suite struct PostgresToolsTests {
    @Test func aMissingProgramIsNamedWithWhereItWasLookedFor() throws {
        let error = #expect(throws: GeoError.self) { try PostgresTools.locate("pg_dump", path: "/nonexistent", libraryRoot: "/nonexistent/postgresql") }
        #expect(error?.code == .missingResource)
        #expect(error?.message.contains("pg_dump is neither on PATH nor in /nonexistent/postgresql/*/bin") == true)
    }

    @Test func theNewestServerVersionIsFoundWhenPATHHasNone() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("citygeo-pgtools-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for version in ["9.6", "15", "16", "common"] {
            let bin = root.appendingPathComponent(version).appendingPathComponent("bin")
            try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: bin.appendingPathComponent("pg_restore").path, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755]))
        }
        #expect(try PostgresTools.locate("pg_restore", path: "", libraryRoot: root.path).path == root.path + "/16/bin/pg_restore")
        let onPath = root.appendingPathComponent("9.6").appendingPathComponent("bin")
        #expect(try PostgresTools.locate("pg_restore", path: "/nonexistent:" + onPath.path, libraryRoot: root.path).path == onPath.path + "/pg_restore")
    }

    /// The child gets the password in a file of mode 600 named by PGPASSFILE, never in its arguments or environment,
    /// and inherited PG* variables do not reach it.
    @Test func thePasswordReachesTheChildOnlyThroughAPrivatePasswordFile() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("citygeo-pgtools-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: scratch) }
        let location = PostGISLocation(host: "db.example", port: 6432, user: "city", password: "s3:cr\\et", database: "city", tls: .require)
        let printed = try await PostgresTools.run(
            URL(fileURLWithPath: "/bin/sh"),
            ["-c", "cat \"$PGPASSFILE\"; stat -c %a \"$PGPASSFILE\"; env | grep -c 's3:cr' || true; echo \"$PGHOST:$PGPORT:$PGUSER:$PGDATABASE:$PGSSLMODE:${PGPASSWORD-unset}\""],
            location: location, scratch: scratch)
        #expect(printed == "*:*:*:*:s3\\:cr\\\\et\n600\n0\ndb.example:6432:city:city:require:unset\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)
        #expect(!PostgresTools.environment(for: location, passfile: nil, base: ["PGPASSWORD": "x", "PATH": "/bin"]).keys.contains("PGPASSWORD"))
        #expect(PostgresTools.databaseParameter("it's") == "dbname='it\\'s'")
    }

    @Test func aFailingProgramIsADatabaseErrorWithWhatItSaid() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("citygeo-pgtools-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let error = await #expect(throws: GeoError.self) {
            _ = try await PostgresTools.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "echo 'pg_dump: error: connection refused' >&2; exit 1"], location: nil, scratch: scratch)
        }
        #expect(error?.code == .databaseError)
        #expect(error?.message == "sh failed (exit status 1)")
        #expect(error?.underlying == "pg_dump: error: connection refused")
    }
}
