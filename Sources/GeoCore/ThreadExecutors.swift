import Foundation

/// Threads of their own that run Swift concurrency jobs, for work that must not run on the I/O event loops.
///
/// `citygeo serve` runs Swift concurrency on the event loops, so synchronous CPU work in a task (evaluating
/// 100,000 fixes, rendering a tile of a big layer, a census pass) would hold a loop, and every connection on it.
/// Two executors move such work elsewhere: ``SerialThreadExecutor`` for an actor that owns heavy state (one thread,
/// jobs in order) and ``ThreadPoolExecutor`` for independent pieces of work (`withTaskExecutorPreference`).
///
/// The threads end when their executor is released, after the jobs already queued ran.
final class JobThreads: @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private var head = 0
    private var stopped = false

    /// Starts `count` threads named `name` (as debuggers and `top -H` show them), each running jobs with `run`.
    /// `run` must not keep the executor alive: jobs still queued keep their task, and so their executor, alive.
    init(name: String, count: Int, run: @escaping @Sendable (UnownedJob) -> Void) {
        for k in 0..<max(1, count) {
            let thread = Thread { [self] in
                while let job = next() { run(job) }
            }
            thread.name = count > 1 ? "\(name)-\(k)" : name
            thread.start()
        }
    }

    func enqueue(_ job: UnownedJob) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the threads end once the queue is empty.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next job, waiting for one; nil once stopped and drained.
    private func next() -> UnownedJob? {
        condition.lock()
        defer { condition.unlock() }
        while head == jobs.count {
            if stopped { return nil }
            condition.wait()
        }
        let job = jobs[head]
        head += 1
        if head == jobs.count {
            jobs.removeAll(keepingCapacity: true)
            head = 0
        }
        return job
    }
}

/// A serial executor running its jobs on one thread of its own: an actor whose methods do heavy synchronous work
/// returns it from `unownedExecutor`, so that its methods run here and the event loops only await them.
public final class SerialThreadExecutor: SerialExecutor, @unchecked Sendable {
    private var threads: JobThreads?

    /// Starts the thread, named `name`.
    public init(name: String) {
        let executor = UnownedSerialExecutor(ordinary: self)
        threads = JobThreads(name: name, count: 1) { job in job.runSynchronously(on: executor) }
    }

    deinit { threads?.stop() }

    public func enqueue(_ job: consuming ExecutorJob) { threads?.enqueue(UnownedJob(job)) }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }
}

/// A task executor running jobs on a pool of threads of its own: `withTaskExecutorPreference(pool) { … }` runs the
/// nonisolated async work inside (store reads included, between their awaits) on these threads, in the calling
/// task, so cancellation and task-locals reach it as usual.
public final class ThreadPoolExecutor: TaskExecutor, @unchecked Sendable {
    private var threads: JobThreads?
    /// How many threads run jobs.
    public let threadCount: Int

    /// Starts `threads` threads (the processor count by default) named `name`-k.
    public init(name: String, threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        threadCount = max(1, threads)
        let executor = UnownedTaskExecutor(ordinary: self)
        self.threads = JobThreads(name: name, count: threadCount) { job in job.runSynchronously(on: executor) }
    }

    deinit { threads?.stop() }

    public func enqueue(_ job: consuming ExecutorJob) { threads?.enqueue(UnownedJob(job)) }
}
