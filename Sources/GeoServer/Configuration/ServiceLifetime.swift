import Foundation
import GeoCore
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

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
///
/// The countdown starts from the signal itself, seen on a dispatch queue of its own, as well as from graceful
/// shutdown: when a long synchronous request occupies every thread of the concurrency executor (the event loops),
/// the task that would notice graceful shutdown cannot run, and the deadline must hold all the same.
struct ShutdownWatchdog: Service {
    let deadline: Duration
    let logger: Logger

    func run() async throws {
        let seconds = Double(deadline.components.seconds) + Double(deadline.components.attoseconds) / 1e18
        let countdown = ShutdownCountdown(seconds: seconds, logger: logger)
        let queue = DispatchQueue(label: "citygeo.shutdown-watchdog")
        let sources = [SIGTERM, SIGINT].map { signalNumber in
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler { countdown.start() }
            source.resume()
            return source
        }
        defer { for source in sources { source.cancel() } }
        // Returns once graceful shutdown begins; a cancellation (another service failed) ends the watchdog too.
        try await gracefulShutdown()
        countdown.start()
    }
}

/// The watchdog's one countdown: a thread of its own that exits the process `seconds` after the first start.
@MemberwiseInit
final class ShutdownCountdown: Sendable {
    let seconds: Double
    let logger: Logger
    private let started = Atomic<Bool>(false)

    func start() {
        guard !started.exchange(true, ordering: .relaxed) else { return }
        let (seconds, logger) = (seconds, logger)
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: seconds)
            logger.critical("still running \(seconds) s after the shutdown signal: exiting now")
            // _exit, not exit: the process is being ended because threads did not stop, and exit's handlers and
            // destructors could wait on locks those threads hold. Every acknowledged write is committed already.
            fflush(nil)
            _exit(75)
        }
    }
}
