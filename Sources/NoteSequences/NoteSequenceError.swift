/// What can go wrong turning MIDI into a score or transforming one.
public enum NoteSequenceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A format-2 file holds independent sequences; it has no single score.
    case formatTwo(tracks: Int)
    /// Ticks per quarter that cannot be written to MIDI (above 32767).
    case ticksPerQuarterTooLarge(Int)
    /// A grid that does not divide the quarter note sensibly.
    case badStepsPerQuarter(Int)
    /// A score longer than `QuantizedSequence.maximumQuarters`.
    case tooLong(quarters: Int, limit: Int)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .formatTwo(let n):
            return "MIDI format 2 (\(n) independent sequences) has no single score; read it as separate sequences"
        case .ticksPerQuarterTooLarge(let n):
            return "\(n) ticks per quarter cannot be written to a MIDI file (at most 32767)"
        case .badStepsPerQuarter(let n):
            return "steps per quarter must be 1...96, got \(n)"
        case .tooLong(let quarters, let limit):
            return "the score is \(quarters) quarter notes long; scores longer than \(limit) quarters are not cut into windows"
        }
    }
}
