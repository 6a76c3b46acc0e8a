import Dispatch
import Foundation

/// How products over pre-packed weights (`BFloat16Matrix`, `Float32Panels`) share the CPUs: a large product's
/// 64-column tiles are split over at most two threads, each writing its own columns of C.
public enum PackedProducts {
    /// Threads a large product is split over (at most 2: the CPUs' count by default; `Parallel.pair` sets 1).
    nonisolated(unsafe) public static var threads: Int = min(2, ProcessInfo.processInfo.activeProcessorCount)

    /// Products with fewer multiply-adds than this run on one thread (the hand-off costs more than it saves).
    static let parallelThreshold = 1 << 21

    /// Calls `tiles(begin, end)` over the 64-column tiles [0, groups) of a product of `multiplyAdds`: once, or
    /// concurrently on two disjoint halves when the product is large and `threads` (or the `threads` given) allows.
    static func split(groups: Int, multiplyAdds: Int, threads given: Int? = nil,
                      _ tiles: (_ begin: Int, _ end: Int) -> Void) {
        let workers = min(given ?? threads, groups, multiplyAdds >= parallelThreshold ? 2 : 1)
        if workers <= 1 { tiles(0, groups); return }
        withoutActuallyEscaping(tiles) { tiles in
            let job = TileJob(tiles: tiles)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                job.tiles(groups * w / workers, groups * (w + 1) / workers)
            }
        }
    }
}

/// Carries the tile closure into `concurrentPerform`; the workers write disjoint columns of C.
private struct TileJob: @unchecked Sendable {
    let tiles: (Int, Int) -> Void
}
