import Foundation
import GeoCore
import GeoStore
import Logging
import ServiceLifecycle

/// Posts the webhook deliveries of the store's outbox (cluster mode): every server runs one, and the store leases
/// each delivery to one dispatcher at a time, so the cluster posts each event to each URL once (at least once
/// across crashes: a delivery whose dispatcher died is taken over when its lease ends; receivers deduplicate by
/// the event id). A failed delivery is retried with exponential backoff (`baseDelay` doubled per attempt) up to
/// `maximumAttempts`, then dropped with an error in the log, so that one dead receiver cannot hold the rest back.
actor OutboxDispatcher: Service {
    private let outbox: any WebhookOutbox
    private let owner: String
    private let send: WebhookDispatcher.Send
    private let logger: Logger
    let maximumAttempts: Int
    let baseDelay: Duration
    /// How long a claimed delivery is this dispatcher's before another may take it.
    let lease: Double
    /// How often the outbox is polled when it was empty.
    let interval: Duration
    /// Deliveries posted successfully so far (for tests and logs).
    private(set) var delivered: [String] = []

    init(
        outbox: any WebhookOutbox, owner: String, maximumAttempts: Int = 6, baseDelay: Duration = .milliseconds(500), lease: Double = 30,
        interval: Duration = .milliseconds(200), logger: Logger = Logger(label: "citygeo.webhooks"),
        send: @escaping WebhookDispatcher.Send = WebhookDispatcher.post
    ) {
        self.interval = interval
        self.outbox = outbox
        self.owner = owner
        self.maximumAttempts = max(1, maximumAttempts)
        self.baseDelay = baseDelay
        self.lease = lease
        self.logger = logger
        self.send = send
    }

    /// Delivers what is due, polling every `interval` when the outbox is empty, until the application stops.
    func run() async {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                if try await deliverDue() == 0 { try await Task.sleep(for: interval) }
            } catch {
                if error is CancellationError { return }
                logger.warning("the webhook outbox could not be read: \(error)")
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Claims the deliveries due now and posts them; answers how many it claimed.
    @discardableResult
    func deliverDue(now: Double = Date().timeIntervalSince1970) async throws -> Int {
        let claimed = try await outbox.claimDeliveries(owner: owner, limit: 100, now: now, lease: lease)
        for item in claimed {
            let delivery = item.delivery
            var status = 0
            do {
                guard let url = URL(string: delivery.url) else { throw GeoError(code: .invalidConfiguration, message: "bad webhook URL \(delivery.url)") }
                status = try await send(url, Array(delivery.body.utf8))
            } catch {
                logger.warning("webhook \(delivery.url) failed for \(delivery.eventId) (attempt \(item.attempts + 1)): \(error)")
            }
            if (200..<300).contains(status) {
                try await outbox.completeDelivery(id: item.id)
                delivered.append(delivery.eventId)
            } else if item.attempts + 1 >= maximumAttempts {
                logger.error("webhook \(delivery.url) gave up on \(delivery.eventId) after \(item.attempts + 1) attempts")
                try await outbox.completeDelivery(id: item.id)
            } else {
                if status != 0 { logger.warning("webhook \(delivery.url) answered \(status) for \(delivery.eventId) (attempt \(item.attempts + 1))") }
                let delay = baseDelay * (1 << item.attempts)
                try await outbox.retryDelivery(id: item.id, at: now + Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
            }
        }
        return claimed.count
    }
}
