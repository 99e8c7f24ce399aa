import Foundation
import GeoCore
import GeoStore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The `log_kind` metadata of log lines: which of the four logs of the specifications (access, system, operation,
/// exception) a line belongs to, as in the audit log (``AuditKind``).
public enum LogKind {
    public static let key = "log_kind"
    public static let access = AuditKind.access.rawValue
    public static let system = AuditKind.system.rawValue
    public static let operation = AuditKind.operation.rawValue
    public static let exception = AuditKind.exception.rawValue

    /// `logger` with every line marked as `kind`.
    public static func marked(_ logger: Logger, _ kind: AuditKind) -> Logger {
        var marked = logger
        marked[metadataKey: key] = .string(kind.rawValue)
        return marked
    }
}

/// Writes audit lines as requests finish. Each line is committed before the response leaves, so nothing the
/// server acknowledged is missing from the log. Lines that arrive while a commit is being written share the next
/// one (group commit): one transaction per request would cap writes at the disk's commit rate.
actor AuditLog {
    let store: any CityStore
    private var pending: [AuditEntry] = []
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var writing = false
    private var logger: Logger?

    init(store: any CityStore) { self.store = store }

    /// The line of an answered or refused request; a key refused before it authenticated is named by the id its
    /// text carries (`presentedKeyId`).
    func record(_ request: Request, context: CityRequestContext, kind: AuditKind, status: Int, detail: String, presentedKeyId: String? = nil) async {
        let entry = AuditEntry(
            time: Date().timeIntervalSince1970, kind: kind, keyId: context.caller?.keyId ?? presentedKeyId, keyName: context.caller?.name,
            method: request.method.rawValue, path: String(request.uri.description.prefix(2_000)), status: status,
            detail: String(detail.prefix(500)), remoteAddress: context.remoteAddress)
        logger = context.logger
        await append(entry)
    }

    /// Appends `entry` and returns once it is committed.
    func append(_ entry: AuditEntry) async {
        pending.append(entry)
        await withCheckedContinuation { continuation in
            waiting.append(continuation)
            if !writing {
                writing = true
                Task { await self.writePending() }
            }
        }
    }

    /// Commits what is pending, then what arrived meanwhile, until nothing is left; wakes each batch's requests.
    private func writePending() async {
        while !pending.isEmpty {
            let batch = pending
            let waiters = waiting
            pending = []
            waiting = []
            do {
                try await store.appendAudit(batch)
            } catch {
                logger?.error(
                    "audit log write failed", metadata: ["error": "\(error)", "lines": "\(batch.count)", LogKind.key: .string(LogKind.exception)])
            }
            for waiter in waiters { waiter.resume() }
        }
        writing = false
    }
}

extension AuditEntry {
    /// A line of the system log (start, stop, backups …), written by the service itself.
    public static func system(_ event: String, detail: String, status: Int = 200) -> AuditEntry {
        AuditEntry(
            time: Date().timeIntervalSince1970, kind: .system, keyId: nil, keyName: "system:\(ProcessInfo.processInfo.hostName)",
            method: "SYSTEM", path: event, status: status, detail: String(detail.prefix(500)), remoteAddress: nil)
    }
}
