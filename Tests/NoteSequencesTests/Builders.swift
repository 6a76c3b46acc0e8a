@testable import NoteSequences

/// A sequence from `(pitch, start, end)` triples in ticks (note_seq-style compact builder).
func sequence(_ notes: [(Int, Int, Int)], tpq: Int = 4, velocity: Int = 80, track: Int = 0, channel: Int = 0,
              meter: (Int, Int)? = (4, 4), tempos: [TempoChange] = []) -> NoteSequence {
    NoteSequence(ticksPerQuarter: tpq,
                 notes: notes.map { Note(pitch: $0.0, velocity: velocity, start: $0.1, end: $0.2, track: track, channel: channel) },
                 tempos: tempos,
                 timeSignatures: meter.map { [TimeSignature(tick: 0, numerator: $0.0, denominator: $0.1)] } ?? [])
}

/// A quantized sequence (one tick per 16th) from `(pitch, start, end)` steps.
func quantized(_ notes: [(Int, Int, Int)], meter: (Int, Int) = (4, 4), velocity: Int = 80) -> QuantizedSequence {
    QuantizedSequence(steps: sequence(notes, tpq: 4, velocity: velocity, meter: meter))
}

/// (pitch, start, end) of notes, for compact comparisons.
func triples(_ notes: [Note]) -> [[Int]] { notes.map { [$0.pitch, $0.start, $0.end] } }

/// Events of a melody written as text: "60" note-on, "-" hold, "." note off.
func melodyEvents(_ text: String) -> [Int] {
    text.split(separator: " ").map { tok -> Int in
        switch tok {
        case "-": return MelodyEncoding.noEvent
        case ".": return MelodyEncoding.noteOff
        default: return MelodyEncoding.noteOn(Int(tok)!)!
        }
    }
}
