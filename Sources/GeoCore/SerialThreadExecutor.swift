import Foundation

/// A serial executor running its jobs on one thread of its own, for actors whose synchronous work is heavy.
///
/// `citygeo serve` runs Swift concurrency on the I/O event loops, so an actor that evaluates 100,000 fixes in one
/// call would hold a loop, and every connection on it, for a tenth of a second. Such an actor returns this
/// executor from `unownedExecutor`: its methods then run here, and the loops only await them.
///
/// The thread ends when the executor is released (after the jobs already queued ran).
public final class SerialThreadExecutor: SerialExecutor, @unchecked Sendable {
    /// The queue the thread drains; shared with the thread, which must not keep the executor itself alive.
    private final class Queue: @unchecked Sendable {
        let condition = NSCondition()
        // Guarded by `condition`.
        var jobs: [UnownedJob] = []
        var stopped = false
        /// The executor the jobs run on: unowned, since the thread must not keep it alive. Jobs still queued keep
        /// their actor, and so the executor, alive until they ran.
        var executor: UnownedSerialExecutor?
    }

    private let queue = Queue()

    /// Starts the thread, named `name` (as debuggers and `top -H` show it).
    public init(name: String) {
        let queue = self.queue
        queue.executor = UnownedSerialExecutor(ordinary: self)
        let thread = Thread {
            while true {
                queue.condition.lock()
                while queue.jobs.isEmpty && !queue.stopped { queue.condition.wait() }
                let jobs = queue.jobs
                queue.jobs.removeAll(keepingCapacity: true)
                let stop = queue.stopped && jobs.isEmpty
                queue.condition.unlock()
                if stop { return }
                guard let executor = queue.executor else { return }
                for job in jobs { job.runSynchronously(on: executor) }
            }
        }
        thread.name = name
        thread.start()
    }

    deinit {
        queue.condition.lock()
        queue.stopped = true
        queue.condition.signal()
        queue.condition.unlock()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.condition.lock()
        queue.jobs.append(job)
        queue.condition.signal()
        queue.condition.unlock()
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }
}
