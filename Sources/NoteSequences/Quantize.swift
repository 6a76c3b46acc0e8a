/// A score on a grid: a `NoteSequence` whose tick is one grid step (`ticksPerQuarter == stepsPerQuarter`).
///
/// It remembers the resolution it came from so that writing it back to MIDI restores familiar tick values.
public struct QuantizedSequence: Sendable, Equatable {
    /// The score; every time in it is a step index. Changing it forgets `original` and `exact`, which describe
    /// the score as it was.
    public var sequence: NoteSequence {
        didSet { original = nil; exact = nil }
    }
    /// The ticks per quarter of the unquantized source (used when writing MIDI).
    public var sourceTicksPerQuarter: Int
    /// The unquantized score this one was made from by `quantized()`, while `sequence` is unchanged: joining
    /// windows back (`joining`) takes every note it does not replace from here, tick for tick.
    public var original: NoteSequence?
    /// The same score at source resolution with exact ticks where the grid would round (set by `joining`);
    /// `unquantized()` returns it.
    public var exact: NoteSequence?

    /// The longest score quantized, in quarter notes: 100,000 quarters is 14 hours at 120 quarters a minute,
    /// far beyond any piece, and still few enough windows (25,000 of 2 bars) to hold in memory. A file whose note
    /// claims to last days (one MIDI delta can be 2^28 ticks) is refused rather than cut into millions of windows.
    public static let maximumQuarters = 100_000

    /// Gives the score another `source` (the name outputs are called by) in `sequence`, `original` and `exact`
    /// alike: the notes are unchanged, so unlike an edit of `sequence` this keeps `original` and `exact`.
    public mutating func rename(source: String?) {
        let (kept, keptExact) = (original, exact)
        sequence.source = source
        original = kept.map { var s = $0; s.source = source; return s }
        exact = keptExact.map { var s = $0; s.source = source; return s }
    }

    /// Wraps a sequence whose ticks already are grid steps.
    public init(steps sequence: NoteSequence, sourceTicksPerQuarter: Int? = nil) {
        self.sequence = sequence
        self.sourceTicksPerQuarter = sourceTicksPerQuarter ?? 480
    }

    /// Grid steps per quarter note.
    public var stepsPerQuarter: Int { sequence.ticksPerQuarter }
    /// The notes, timed in steps.
    public var notes: [Note] { sequence.notes }
    /// Where the score ends, in steps.
    public var totalSteps: Int { sequence.totalTicks }

    /// The score back at MIDI resolution: the source's ticks per quarter when it is a multiple of the grid,
    /// else 480 rounded up to a multiple of the grid.
    public func unquantized() -> NoteSequence {
        if let exact { return exact }
        let spq = stepsPerQuarter
        let tpq = sourceTicksPerQuarter % spq == 0 && sourceTicksPerQuarter <= 32767
            ? sourceTicksPerQuarter : ((480 + spq - 1) / spq) * spq
        let f = tpq / spq
        var s = sequence
        s.ticksPerQuarter = tpq
        for i in s.notes.indices {
            s.notes[i].start *= f
            s.notes[i].end *= f
        }
        for i in s.tempos.indices { s.tempos[i].tick *= f }
        for i in s.timeSignatures.indices { s.timeSignatures[i].tick *= f }
        for i in s.keySignatures.indices { s.keySignatures[i].tick *= f }
        s.totalTicks *= f
        return s
    }
}

// MARK: - Quantize

extension NoteSequence {
    /// The default grid: 4 steps per quarter (16th notes), as MusicVAE's melody models use.
    public static let defaultStepsPerQuarter = 4

    /// The grid step nearest to `tick`, halves rounding up (later): `floor((tick * spq + tpq / 2) / tpq)` in exact
    /// integer arithmetic. With 480 ticks per quarter and 4 steps, ticks 420...659 land on step 4, so the one-tick
    /// late onsets that abc2midi writes fall on the beat.
    @inlinable
    public func step(ofTick tick: Int, stepsPerQuarter spq: Int) -> Int {
        let num = 2 * tick * spq + ticksPerQuarter
        let den = 2 * ticksPerQuarter
        return num >= 0 ? num / den : -((-num + den - 1) / den)
    }

    /// The tick of grid step `step` (steps before 0 at 0), rounded to the nearest tick: where a note written on the
    /// grid goes back into this sequence's ticks.
    @inlinable
    public func tick(ofStep step: Int, stepsPerQuarter spq: Int) -> Int {
        (max(0, step) * ticksPerQuarter + spq / 2) / spq
    }

    /// Snaps every time to a grid of `stepsPerQuarter` steps per quarter note. Onsets and releases round to the
    /// nearest step; a note that would last zero steps keeps one step. Tempo, meter and key changes snap too
    /// (a later one at the same step wins). Time is metrical (ticks), so tempo changes do not move the grid.
    public func quantized(stepsPerQuarter spq: Int = NoteSequence.defaultStepsPerQuarter) throws -> QuantizedSequence {
        guard (1...96).contains(spq) else { throw NoteSequenceError.badStepsPerQuarter(spq) }
        var out = self
        out.ticksPerQuarter = spq
        for i in out.notes.indices {
            let s = step(ofTick: notes[i].start, stepsPerQuarter: spq)
            let e = step(ofTick: notes[i].end, stepsPerQuarter: spq)
            out.notes[i].start = s
            out.notes[i].end = max(e, s + 1)
        }
        out.tempos = snap(tempos, spq: spq)
        out.timeSignatures = snap(timeSignatures, spq: spq)
        out.keySignatures = snap(keySignatures, spq: spq)
        out.totalTicks = max(step(ofTick: totalTicks, stepsPerQuarter: spq), out.notes.map(\.end).max() ?? 0)
        guard out.totalTicks <= QuantizedSequence.maximumQuarters * spq else {
            throw NoteSequenceError.tooLong(quarters: out.totalTicks / spq, limit: QuantizedSequence.maximumQuarters)
        }
        out.sortNotes()
        var q = QuantizedSequence(steps: out, sourceTicksPerQuarter: ticksPerQuarter)
        q.original = self
        return q
    }

    private func snap<T: TickStamped>(_ items: [T], spq: Int) -> [T] {
        var out: [T] = []
        for var item in items {
            item.tick = step(ofTick: item.tick, stepsPerQuarter: spq)
            if let last = out.last, last.tick == item.tick { out[out.count - 1] = item } else { out.append(item) }
        }
        return out
    }
}

/// Something that happens at a tick (tempo, meter and key changes).
public protocol TickStamped {
    /// Where it happens.
    var tick: Int { get set }
}

extension TempoChange: TickStamped {}
extension TimeSignature: TickStamped {}
extension KeySignature: TickStamped {}
