import Foundation
import GeoCore

/// PostgreSQL's client programs (`pg_dump`, `pg_restore`), run as child processes logged in as a
/// ``PostGISLocation`` says. The password never appears on a command line or in the child's environment: it goes to
/// the child in a password file of mode 600 (`PGPASSFILE`) in a private scratch folder, deleted when the child ends.
enum PostgresTools {
    static let libraryRoot = "/usr/lib/postgresql"

    /// The program `name`: the first on `path` (the `PATH` variable), else the newest
    /// `<libraryRoot>/<version>/bin/<name>` (Debian's layout); `missing_resource` naming both places when neither has
    /// it.
    static func locate(
        _ name: String, path: String? = ProcessInfo.processInfo.environment["PATH"], libraryRoot: String = libraryRoot
    ) throws(GeoError) -> URL {
        let manager = FileManager.default
        for folder in (path ?? "").split(separator: ":") where !folder.isEmpty {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
            if manager.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        let versions = ((try? manager.contentsOfDirectory(atPath: libraryRoot)) ?? []).compactMap { folder -> ([Int], String)? in
            let parts = folder.split(separator: ".").map { Int($0) }
            guard !parts.isEmpty, !parts.contains(nil) else { return nil }
            return (parts.compactMap { $0 }, folder)
        }
        for (_, folder) in versions.sorted(by: { $0.0.lexicographicallyPrecedes($1.0) }).reversed() {
            let candidate = URL(fileURLWithPath: libraryRoot).appendingPathComponent(folder).appendingPathComponent("bin").appendingPathComponent(name)
            if manager.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw GeoError(
            code: .missingResource,
            message: "\(name) is neither on PATH nor in \(libraryRoot)/*/bin: install PostgreSQL's client programs "
                + "(Debian: apt-get install postgresql-client), of the server's major version or newer")
    }

    /// The child's environment: `base` without any `PG*` variable (the location is the whole truth), then the
    /// location's server, user, database and TLS mode, and `PGPASSFILE` when it has a password.
    static func environment(for location: PostGISLocation?, passfile: URL?, base: [String: String]) -> [String: String] {
        var environment = base.filter { !$0.key.hasPrefix("PG") }
        if let location {
            environment["PGHOST"] = location.host
            environment["PGPORT"] = String(location.port)
            environment["PGUSER"] = location.user
            environment["PGDATABASE"] = location.database
            environment["PGSSLMODE"] = location.tls.rawValue
            environment["PGCONNECT_TIMEOUT"] = "10"
            environment["PGAPPNAME"] = "citygeo"
        }
        if let passfile { environment["PGPASSFILE"] = passfile.path }
        return environment
    }

    /// A password file line matching any server, database and user (libpq's `.pgpass` format: `:` and `\` escaped).
    static func passfileLine(_ password: String) -> String {
        "*:*:*:*:" + password.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ":", with: "\\:") + "\n"
    }

    /// A libpq connection string naming `database` alone (the rest comes from the environment), for `--dbname`.
    static func databaseParameter(_ database: String) -> String {
        "dbname='" + database.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// Runs `program` with `arguments`, logged in as `location` says (nil: no server), with its scratch files (output,
    /// errors, password file) in the private folder `scratch`; its standard output. `database_error` with the end
    /// of its standard error when it fails; `cancelled`, the child terminated, when the task is cancelled.
    static func run(_ program: URL, _ arguments: [String], location: PostGISLocation?, scratch: URL) async throws(GeoError) -> String {
        let id = UUID().uuidString
        let output = scratch.appendingPathComponent(".\(program.lastPathComponent)-\(id).out")
        let errors = scratch.appendingPathComponent(".\(program.lastPathComponent)-\(id).err")
        let passfile = location?.password.map { _ in scratch.appendingPathComponent(".\(program.lastPathComponent)-\(id).pgpass") }
        defer {
            for file in [output, errors] + (passfile.map { [$0] } ?? []) { try? FileManager.default.removeItem(at: file) }
        }
        if let passfile, let password = location?.password {
            guard FileManager.default.createFile(atPath: passfile.path, contents: Data(passfileLine(password).utf8), attributes: [.posixPermissions: 0o600]) else {
                throw GeoError(code: .ioError, message: "cannot write a password file in \(scratch.path)")
            }
        }
        let status: (code: Int32, signalled: Bool)
        do {
            guard FileManager.default.createFile(atPath: output.path, contents: nil, attributes: [.posixPermissions: 0o600]),
                FileManager.default.createFile(atPath: errors.path, contents: nil, attributes: [.posixPermissions: 0o600])
            else { throw GeoError(code: .ioError, message: "cannot write in \(scratch.path)") }
            let process = Process()
            process.executableURL = program
            process.arguments = arguments
            process.environment = environment(for: location, passfile: passfile, base: ProcessInfo.processInfo.environment)
            process.standardInput = FileHandle.nullDevice
            let outputHandle = try FileHandle(forWritingTo: output)
            let errorHandle = try FileHandle(forWritingTo: errors)
            defer {
                try? outputHandle.close()
                try? errorHandle.close()
            }
            process.standardOutput = outputHandle
            process.standardError = errorHandle
            try Task.checkCancellation()
            status = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Int32, Bool), any Error>) in
                    process.terminationHandler = { finished in
                        continuation.resume(returning: (finished.terminationStatus, finished.terminationReason == .uncaughtSignal))
                    }
                    do { try process.run() } catch {
                        process.terminationHandler = nil
                        continuation.resume(throwing: error)
                    }
                }
            } onCancel: {
                if process.isRunning { process.terminate() }
            }
        } catch let error as GeoError {
            throw error
        } catch is CancellationError {
            throw GeoError(code: .cancelled, message: "\(program.lastPathComponent) was not started: the task was cancelled")
        } catch {
            throw GeoError(code: .ioError, message: "cannot run \(program.path)", underlying: "\(error)")
        }
        let complaint = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        if Task.isCancelled {
            throw GeoError(code: .cancelled, message: "\(program.lastPathComponent) was stopped: the task was cancelled")
        }
        guard status.code == 0, !status.signalled else {
            let how = status.signalled ? "was killed by signal \(status.code)" : "failed (exit status \(status.code))"
            let target = location.map { " on \($0)" } ?? ""
            throw GeoError(
                code: .databaseError, message: "\(program.lastPathComponent)\(target) \(how)",
                underlying: String(complaint.trimmingCharacters(in: .whitespacesAndNewlines).suffix(2_000)))
        }
        do { return try String(contentsOf: output, encoding: .utf8) } catch {
            throw GeoError(code: .ioError, message: "cannot read what \(program.lastPathComponent) printed", underlying: "\(error)")
        }
    }
}
