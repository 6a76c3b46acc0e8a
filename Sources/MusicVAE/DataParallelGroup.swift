/// The processes of a data-parallel training run (MPI ranks, say): each computes the gradient of its share of
/// every global batch, the shares are summed, and every process applies the same update, so the weights stay
/// equal everywhere and the run follows the loss curve of one process on the whole batch.
public protocol DataParallelGroup: AnyObject {
    /// This process's place, 0..<size.
    var rank: Int { get }
    /// How many processes.
    var size: Int { get }
    /// Sums `count` floats across the processes, in place; every process gets the same sums.
    func sum(_ buffer: UnsafeMutablePointer<Float>, count: Int)
    /// Sums `count` doubles across the processes, in place.
    func sum(_ buffer: UnsafeMutablePointer<Double>, count: Int)
}

// MARK: - Shares

extension DataParallelGroup {
    /// The rows of a `batch`-row global batch this process computes: contiguous, sizes differing by at most one.
    public func rows(of batch: Int) -> Range<Int> { (rank * batch / size)..<((rank + 1) * batch / size) }

    /// True on every process when `flag` is true on any (for decisions such as stopping, which all must share).
    public func any(_ flag: Bool) -> Bool {
        var x: Double = flag ? 1 : 0
        sum(&x, count: 1)
        return x > 0
    }
}
