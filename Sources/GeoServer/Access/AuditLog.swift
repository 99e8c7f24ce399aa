import Foundation
import GeoCore
import GeoStore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

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

    func record(_ request: Request, context: CityRequestContext, status: Int, detail: String) async {
        let entry = AuditEntry(
            time: Date().timeIntervalSince1970, keyId: context.caller?.keyId, keyName: context.caller?.name,
            method: request.method.rawValue, path: String(request.uri.description.prefix(2_000)), status: status,
            detail: String(detail.prefix(500)), remoteAddress: context.remoteAddress)
        logger = context.logger
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
                logger?.error("audit log write failed", metadata: ["error": "\(error)", "lines": "\(batch.count)"])
            }
            for waiter in waiters { waiter.resume() }
        }
        writing = false
    }
}
