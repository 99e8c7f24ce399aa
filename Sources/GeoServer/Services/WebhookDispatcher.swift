import Foundation
import GeoCore
import Logging

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Posts every fence event to the configured webhook URLs as the JSON body `/v1/events` uses, in order per URL,
/// retrying a failed delivery (a transport error or a non-2xx answer) with exponential backoff: `baseDelay`,
/// twice that, … up to `maximumAttempts` tries; an event that still fails is logged and skipped so that one dead
/// receiver cannot hold the others back. Events reach the dispatcher through the fence service's stream, after
/// they are stored, so a receiver that was down can catch up from `GET /v1/events`.
actor WebhookDispatcher {
    /// Sends one body to one URL and returns the HTTP status; throws on transport errors.
    typealias Send = @Sendable (URL, [UInt8]) async throws -> Int

    struct Delivery: Hashable, Sendable {
        var url: URL
        var eventId: String
        var attempts: Int
        var delivered: Bool
    }

    let urls: [URL]
    let maximumAttempts: Int
    let baseDelay: Duration
    private let send: Send
    private let logger: Logger
    /// The outcome of every delivery so far (kept for tests and `/health`-style inspection), newest last.
    private(set) var deliveries: [Delivery] = []

    init(urls: [URL], maximumAttempts: Int = 6, baseDelay: Duration = .milliseconds(500), logger: Logger = Logger(label: "citygeo.webhooks"),
         send: @escaping Send = WebhookDispatcher.post) {
        self.urls = urls
        self.maximumAttempts = max(1, maximumAttempts)
        self.baseDelay = baseDelay
        self.send = send
        self.logger = logger
    }

    /// Delivers `events` in order to every URL (URLs one after another; each event's retries before the next).
    func deliver(_ events: [(id: String, body: [UInt8])]) async {
        for url in urls {
            for event in events {
                var attempt = 0
                var delivered = false
                while attempt < maximumAttempts && !delivered {
                    attempt += 1
                    do {
                        let status = try await send(url, event.body)
                        delivered = (200..<300).contains(status)
                        if !delivered { logger.warning("webhook \(url) answered \(status) for \(event.id) (attempt \(attempt))") }
                    } catch {
                        logger.warning("webhook \(url) failed for \(event.id) (attempt \(attempt)): \(error)")
                    }
                    if !delivered && attempt < maximumAttempts {
                        try? await Task.sleep(for: baseDelay * (1 << (attempt - 1)))
                    }
                }
                if !delivered { logger.error("webhook \(url) gave up on \(event.id) after \(attempt) attempts") }
                deliveries.append(Delivery(url: url, eventId: event.id, attempts: attempt, delivered: delivered))
            }
        }
    }

    /// A JSON POST with Foundation's URLSession, 10 s timeout.
    static let post: Send = { url, body in
        var request = URLRequest(url: url, timeoutInterval: 10)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body)
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }
}
