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

    /// Whether a `pair` is running: a `pair` inside one of its halves runs its own halves one after the other
    /// (each core is busy already).
    nonisolated(unsafe) private static var running = false

    /// Runs `a` and `b` (which must not write to the same memory) and returns when both are done.
    public static func pair(_ a: () -> Void, _ b: () -> Void) {
        guard enabled, !running else { a(); b(); return }
        running = true
        defer { running = false }
        let saved = BLAS.threads, savedPacked = PackedProducts.threads
        BLAS.threads = 1
        PackedProducts.threads = 1
        withoutActuallyEscaping(a) { a in
            withoutActuallyEscaping(b) { b in
                let work = UnsafeSendable(a: a, b: b)
                DispatchQueue.concurrentPerform(iterations: 2) { i in
                    if i == 0 { work.a() } else { work.b() }
                }
            }
        }
        BLAS.threads = saved
        PackedProducts.threads = savedPacked
    }
}

/// Carries non-Sendable closures into `concurrentPerform`; `Parallel.pair`'s contract
/// (disjoint writes) is what makes this safe.
private struct UnsafeSendable: @unchecked Sendable {
    let a: () -> Void
    let b: () -> Void
}
