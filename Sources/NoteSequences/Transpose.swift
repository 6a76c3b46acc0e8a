// MARK: - Transpose

extension NoteSequence {
    /// Shifts every pitched (non-drum) note by `semitones`. Notes that would leave 0...127 are dropped
    /// ("transposed out of MIDI range"). The key signature moves with the notes.
    public func transposed(by semitones: Int, drops: inout DropCounts) -> NoteSequence {
        var out = self
        out.notes = []
        out.notes.reserveCapacity(notes.count)
        for var n in notes {
            if !n.isDrum {
                n.pitch += semitones
                guard (0...127).contains(n.pitch) else { drops.add("transposed out of MIDI range"); continue }
            }
            out.notes.append(n)
        }
        for i in out.keySignatures.indices {
            // Moving by a semitone moves 7 steps round the circle of fifths; pick the spelling nearest to C.
            var s = (out.keySignatures[i].sharps + 7 * semitones) % 12
            if s > 6 { s -= 12 }
            if s < -6 { s += 12 }
            out.keySignatures[i].sharps = s
        }
        return out
    }
}

extension MelodyWindow {
    /// The window a number of semitones up or down, or nil when a note would leave the encodable range.
    public func transposed(by semitones: Int) -> MelodyWindow? {
        var out = self
        for (i, c) in events.enumerated() {
            guard let p = MelodyEncoding.pitch(ofClass: c) else { continue }
            guard let moved = MelodyEncoding.noteOn(p + semitones) else { return nil }
            out.events[i] = moved
        }
        return out
    }
}
