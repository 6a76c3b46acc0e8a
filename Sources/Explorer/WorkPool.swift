import Foundation

/// Runs the explorer's blocking work (the model, FluidSynth) on `width` threads of its own, so the server's event
/// loops and Swift's cooperative threads never wait on it. Jobs wait in one queue, first come first served. A job
/// that takes longer than the time limit is answered with `ExplorerError.timedOut` (it finishes in the background
/// and its result is dropped); when `queueLimit` jobs already wait, a new one is refused at once.
final class WorkPool: @unchecked Sendable {
    /// Jobs that run at once.
    let width: Int
    /// Longest time a request waits for its job, in seconds.
    let timeLimit: Double
    /// Most jobs waiting before new ones are refused.
    let queueLimit: Int
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []

    init(width: Int, timeLimit: Double, queueLimit: Int = 256) {
        self.width = max(1, width)
        self.timeLimit = timeLimit
        self.queueLimit = queueLimit
        for k in 0..<self.width {
            let thread = Thread { [unowned self] in self.work() }
            thread.name = "explorer-work-\(k)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    private func work() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }

    /// Runs `job` on the pool and returns its result, or throws its error, `timedOut` or `busy`.
    func run<T: Sendable>(_ job: @escaping @Sendable () throws -> T) async throws -> T {
        let once = Once<T>()
        let limit = timeLimit
        let timer = Task {
            try? await Task.sleep(nanoseconds: UInt64(limit * 1e9))
            once.resume(with: .failure(ExplorerError.timedOut(seconds: limit)))
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            once.set(continuation)
            condition.lock()
            guard jobs.count < queueLimit else {
                condition.unlock()
                once.resume(with: .failure(ExplorerError.busy(waiting: queueLimit)))
                return
            }
            jobs.append { once.resume(with: Result { try job() }) }
            condition.signal()
            condition.unlock()
        }
    }
}

/// A continuation resumed once, by whichever comes first: the job's result or the time limit.
private final class Once<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, Error>?
    private var early: Result<T, Error>?

    func set(_ c: CheckedContinuation<T, Error>) {
        lock.lock()
        if let early {
            lock.unlock()
            c.resume(with: early)
            return
        }
        continuation = c
        lock.unlock()
    }

    func resume(with result: Result<T, Error>) {
        lock.lock()
        guard let c = continuation else {
            if early == nil { early = result }
            lock.unlock()
            return
        }
        continuation = nil
        early = Result.failure(ExplorerError.server("resumed twice"))  // marks it done: later results are dropped
        lock.unlock()
        c.resume(with: result)
    }
}
