/// What a transform left out, counted by reason ("not 4/4", "pitch out of range", ...).
///
/// Every transform that can drop something takes one of these, so a pipeline can report exactly what it lost.
public struct DropCounts: Sendable, Equatable {
    /// Count per reason.
    public private(set) var counts: [String: Int] = [:]

    /// An empty tally.
    public init() {}

    /// A tally that goes on from `counts`.
    public init(_ counts: [String: Int]) { self.counts = counts }

    /// Adds `n` drops for `reason`.
    public mutating func add(_ reason: String, _ n: Int = 1) {
        guard n != 0 else { return }
        counts[reason, default: 0] += n
    }

    /// Adds every count of `other`.
    public mutating func merge(_ other: DropCounts) {
        for (k, v) in other.counts { counts[k, default: 0] += v }
    }

    /// The total over all reasons.
    public var total: Int { counts.values.reduce(0, +) }
}
