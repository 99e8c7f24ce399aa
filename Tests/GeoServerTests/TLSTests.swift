import Foundation
import Testing

/// HTTPS on `citygeo serve` itself (server.tls.*) and the optional plain-HTTP port that redirects to it.
@Suite(.serialized) struct TLSTests {
    static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test func theServerAnswersOverTLSAndRedirectsPlainHTTP() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("citygeo-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let made = try Self.run("openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", certificate,
            "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ])
        try #require(made.status == 0, "openssl could not make a test certificate")
        let server = try ServiceLifecycleTests.Server(environment: [
            "CITYGEO_SERVER_TLS_CERTIFICATE_FILE": certificate, "CITYGEO_SERVER_TLS_KEY_FILE": key,
            "CITYGEO_SERVER_TLS_REDIRECT_PORT": String(ServiceLifecycleTests.Server.nextPort()),
        ])
        let redirectPort = Int(server.process.environment?["CITYGEO_SERVER_TLS_REDIRECT_PORT"] ?? "") ?? 0
        var answer = ""
        for _ in 0..<600 where !answer.contains("200") {
            answer = try Self.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", certificate, "https://localhost:\(server.port)/health"]).output
            if !answer.contains("200") { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(answer == "200")
        // Plain HTTP on the TLS port is not answered as HTTP.
        let plain = try Self.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "http://localhost:\(server.port)/health"]).output
        #expect(plain != "200")
        // The redirect port sends the same path and query to HTTPS, method kept (308).
        let redirect = try Self.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "http://localhost:\(redirectPort)/v1/layers?x=1"]).output
        #expect(redirect == "308 https://localhost:\(server.port)/v1/layers?x=1")
    }
}
