import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// How `citygeo serve` runs and stops: SIGTERM or SIGINT start a graceful shutdown (no new connections, event
/// streams end at once, requests in flight finish); what still runs later is cancelled (a batch's transaction then
/// rolls back: it was never acknowledged), and the process exits within `deadline` after the signal whatever
/// still runs (``ShutdownWatchdog``).
public enum ServiceLifetime {
    /// Runs `app` until a shutdown signal, then stops within `deadline`.
    public static func run(_ app: some ApplicationProtocol & Service, deadline: Duration, logger: Logger) async throws {
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: app), .init(service: ShutdownWatchdog(deadline: deadline, logger: logger), successTerminationBehavior: .ignore)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // Most of the deadline to finish gracefully, a fifth for cancellation to take effect, the rest for the
        // process to wind down.
        configuration.maximumGracefulShutdownDuration = deadline * 0.6
        configuration.maximumCancellationDuration = deadline * 0.2
        try await ServiceGroup(configuration: configuration).run()
    }
}

/// Ends the process `deadline` after graceful shutdown began, if it has not ended by then: a request that ignores
/// cancellation (a long synchronous parse) must not keep a stopping server alive. Nothing acknowledged is lost:
/// answers leave only after their transaction commits, and SQLite rolls back an uncommitted one on the next open.
struct ShutdownWatchdog: Service {
    let deadline: Duration
    let logger: Logger

    func run() async throws {
        // Returns once graceful shutdown begins; a cancellation (another service failed) ends the watchdog too.
        try await gracefulShutdown()
        let seconds = Double(deadline.components.seconds) + Double(deadline.components.attoseconds) / 1e18
        let logger = logger
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: seconds)
            logger.critical("still running \(seconds) s after the shutdown signal: exiting now")
            exit(75)
        }
    }
}
