import Dispatch
import Foundation

/// Two-way task parallelism for independent halves of a computation (e.g. the fw and bw
/// directions of a bidirectional LSTM). While both halves run, OpenBLAS and the packed products are limited
/// to one thread so each half's products run on its own core; the previous thread counts are restored after.
public enum Parallel {
    /// Whether `pair` runs its halves concurrently (default: when the machine has ≥ 2 CPUs).
    /// Set to false to run them one after the other with multi-threaded BLAS.
    nonisolated(unsafe) public static var enabled: Bool = ProcessInfo.processInfo.activeProcessorCount >= 2

    /// Below this many batch rows the directions run one after the other with multi-threaded BLAS
    /// (for single rows, threaded sgemv beats two single-threaded halves).
    nonisolated(unsafe) public static var minimumRows: Int = 16

    /// Guards `running` and the thread counts a running `pair` has saved.
    private static let lock = NSLock()
    /// Whether a `pair` is running its halves side by side: any `pair` entered meanwhile (inside one of its halves,
    /// or from another thread) runs its halves one after the other, each core being busy already, and leaves the
    /// thread counts to the running one, which alone restores them.
    nonisolated(unsafe) private static var running = false

    /// Runs `a` and `b` (which must not write to the same memory) and returns when both are done.
    public static func pair(_ a: () -> Void, _ b: () -> Void) {
        lock.lock()
        let concurrent = enabled && !running
        var saved = (blas: 1, packed: 1)
        if concurrent {
            running = true
            saved = (BLAS.threads, PackedProducts.threads)
            BLAS.threads = 1
            PackedProducts.threads = 1
        }
        lock.unlock()
        guard concurrent else { a(); b(); return }
        withoutActuallyEscaping(a) { a in
            withoutActuallyEscaping(b) { b in
                let work = UnsafeSendable(a: a, b: b)
                DispatchQueue.concurrentPerform(iterations: 2) { i in
                    if i == 0 { work.a() } else { work.b() }
                }
            }
        }
        lock.lock()
        BLAS.threads = saved.blas
        PackedProducts.threads = saved.packed
        running = false
        lock.unlock()
    }
}

/// Carries non-Sendable closures into `concurrentPerform`; `Parallel.pair`'s contract
/// (disjoint writes) is what makes this safe.
private struct UnsafeSendable: @unchecked Sendable {
    let a: () -> Void
    let b: () -> Void
}
