import Foundation
import GeoCore
import GeoStore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// How a real `citygeo serve` ends event streams and stops (issue 21, item 7): gone clients are noticed by the
/// heartbeat and leave no descriptor or subscription behind; SIGTERM with open streams and a batch in flight exits
/// within the configured deadline, the batch stored whole or not at all.
@Suite(.serialized) struct ServiceLifecycleTests {
    /// A running server on a fresh database.
    final class Server {
        let process = Process()
        let directory: URL
        let port = Server.nextPort()

        /// A port for a test server: random, so that parallel runs of the suite rarely meet.
        static func nextPort() -> Int { Int.random(in: 40_001...60_000) }
        var database: URL { directory.appendingPathComponent("city.sqlite") }

        init(environment: [String: String]) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("citygeo-lifecycle-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            process.executableURL = try EventLoopIsolationTests.executable()
            process.arguments = [
                "serve", "--database", database.path, "--port", String(port), "--no-demo", "--open", "--data-root",
                EventLoopIsolationTests.repositoryRoot.path,
            ]
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        deinit {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
            try? FileManager.default.removeItem(at: directory)
        }

        func waitUntilReady() async throws {
            for _ in 0..<600 {
                if (try? RawHTTP.exchange(port: port, request: RawHTTP.get("/ready")))?.contains(" 200 ") == true { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            Issue.record("the server did not become ready within 60 s")
        }

        /// Whether the process has ended: a zombie waiting for Foundation to reap it has (Foundation notices late).
        var hasExited: Bool { !process.isRunning || Self.hasExited(process.processIdentifier) }

        var processIdentifier: Int32 { process.processIdentifier }

        /// Whether process `pid` has ended, from /proc alone (gone, or a zombie not yet reaped).
        static func hasExited(_ pid: Int32) -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
            // The state follows the command name in parentheses: "pid (name) S ...".
            return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
        }

        /// Open file descriptors of the server process.
        var openDescriptors: Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.processIdentifier)/fd").count) ?? -1 }

        /// The `citygeo_event_subscriptions` gauge.
        func subscriptions() throws -> Int {
            let text = try RawHTTP.exchange(port: port, request: RawHTTP.get("/metrics"))
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("citygeo_event_subscriptions ") }),
                let value = Double(line.split(separator: " ").last ?? "")
            else { return -1 }
            return Int(value)
        }
    }

    @Test func goneStreamClientsLeaveNoDescriptorsOrSubscriptions() async throws {
        let server = try Server(environment: ["CITYGEO_SERVER_STREAM_HEARTBEAT_SECONDS": "0.05"])
        try await server.waitUntilReady()
        // One stream first, gone before the count: what the first stream and the first /metrics allocate once
        // (libdispatch makes a timerfd for a timer class on its first use) is not a leak of gone clients.
        let first = try RawHTTP.connect(port: server.port)
        try RawHTTP.send(first, RawHTTP.get("/v1/events/stream"))
        #expect(try RawHTTP.receive(first).hasPrefix("HTTP/1.1 200"))
        close(first)
        var subscriptions = try server.subscriptions()
        for _ in 0..<100 where subscriptions != 0 {
            try await Task.sleep(for: .milliseconds(100))
            subscriptions = try server.subscriptions()
        }
        #expect(subscriptions == 0)
        try await Task.sleep(for: .milliseconds(500))
        let descriptors = server.openDescriptors
        // 1,000 clients, 50 at a time: each opens a stream, reads its first bytes and goes away.
        for _ in 0..<20 {
            let sockets = try (0..<50).map { _ in try RawHTTP.connect(port: server.port) }
            for socket in sockets { try RawHTTP.send(socket, RawHTTP.get("/v1/events/stream")) }
            for socket in sockets {
                #expect(try RawHTTP.receive(socket).hasPrefix("HTTP/1.1 200"))
                close(socket)
            }
        }
        var now = (descriptors: server.openDescriptors, subscriptions: try server.subscriptions())
        // At most as many as before: a descriptor that was open for a moment when counted may be gone by now.
        for _ in 0..<300 where now.descriptors > descriptors || now.subscriptions != subscriptions {
            try await Task.sleep(for: .milliseconds(100))
            now = (server.openDescriptors, try server.subscriptions())
        }
        #expect(now.subscriptions == subscriptions)
        #expect(now.descriptors <= descriptors, "descriptors: \(now.descriptors) after the clients, \(descriptors) before")
    }

    @Test func sigtermWithOpenStreamsAndABatchInFlightExitsInTimeAndKeepsTheBatchWhole() async throws {
        let server = try Server(environment: ["CITYGEO_SERVER_SHUTDOWN_DEADLINE_SECONDS": "3"])
        try await server.waitUntilReady()
        // Streams that stay open (the default heartbeat is far away), one of whose clients never reads.
        let streams = try (0..<3).map { _ in try RawHTTP.connect(port: server.port) }
        for socket in streams { try RawHTTP.send(socket, RawHTTP.get("/v1/events/stream")) }
        _ = try RawHTTP.receive(streams[0])
        // A batch of fixes that takes a while to parse and store in a debug build.
        let count = 150_000
        var csv = "vehicle_id,time,lon,lat\n"
        for k in 0..<count { csv += "苏J9,\(1_795_392_000 + k),\(120.40 + Double(k % 1000) * 1e-4),33.2\n" }
        let batch = try RawHTTP.connect(port: server.port)
        let body = Array(csv.utf8)
        try RawHTTP.send(
            batch,
            "POST /v1/trajectories/points HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: \(body.count)\r\n\r\n" + csv)
        try await Task.sleep(for: .milliseconds(200))
        // Watched from a thread of its own: a poll on the test's cooperative threads resumes late when the other
        // suites running beside this one keep those threads busy, and that lateness is not the server's.
        let took = await withCheckedContinuation { (done: CheckedContinuation<Duration, Never>) in
            let process = server.processIdentifier
            Thread.detachNewThread {
                let signalled = ContinuousClock.now
                kill(process, SIGTERM)
                while !Server.hasExited(process), ContinuousClock.now - signalled < .seconds(15) { Thread.sleep(forTimeInterval: 0.02) }
                done.resume(returning: ContinuousClock.now - signalled)
            }
        }
        #expect(server.hasExited)
        // The deadline, and the time a busy machine takes to notice the signal and reap the process: on two cores
        // shared with other builds (load 6) that margin reached 4.5 s. The fault this guards against is a process
        // that never exits (45 s and more before the watchdog).
        #expect(took < .seconds(10), "exit \(took) after SIGTERM with a 3 s deadline")
        let answer = (try? RawHTTP.receive(batch)) ?? ""
        for socket in streams + [batch] { close(socket) }
        let stored = try await SpatialStore(path: server.database.path).trackPoints(vehicle: "苏J9", from: nil, to: nil).count
        #expect(stored == 0 || stored == count, "\(stored) of \(count) fixes stored")
        if answer.hasPrefix("HTTP/1.1 200") { #expect(stored == count) }
    }
}

/// Plain HTTP/1.1 over a blocking socket: what a client that goes away looks like to the server.
enum RawHTTP {
    static func get(_ path: String) -> String { "GET \(path) HTTP/1.1\r\nHost: localhost\r\n\r\n" }

    static func connect(port: Int) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw GeoError(code: .ioError, message: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(socket)
            throw GeoError(code: .ioError, message: "connect() to port \(port) failed")
        }
        return socket
    }

    static func send(_ socket: Int32, _ text: String) throws {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let sent = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw GeoError(code: .ioError, message: "send() failed") }
            bytes = bytes.dropFirst(sent)
        }
    }

    /// What the server has sent so far (one read, up to 64 KB).
    static func receive(_ socket: Int32) throws -> String {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw GeoError(code: .ioError, message: "recv() returned \(count)") }
        return String(decoding: buffer.prefix(count), as: UTF8.self)
    }

    /// One request on its own connection (closed by the server after the answer), and the whole answer.
    static func exchange(port: Int, request: String) throws -> String {
        let socket = try connect(port: port)
        defer { close(socket) }
        try send(socket, request.replacingOccurrences(of: "\r\n\r\n", with: "\r\nConnection: close\r\n\r\n"))
        var answer = ""
        while let more = try? receive(socket) { answer += more }
        return answer
    }
}
