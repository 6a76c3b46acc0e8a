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
    /// The window a number of semitones up or down, or nil when a note would leave the encodable range. Drum
    /// patterns do not move.
    public func transposed(by semitones: Int) -> MelodyWindow? {
        guard encoding == .melody else { return self }
        var out = self
        for (i, c) in events.enumerated() {
            guard let p = MelodyEncoding.pitch(ofClass: c) else { continue }
            guard let moved = MelodyEncoding.noteOn(p + semitones) else { return nil }
            out.events[i] = moved
        }
        return out
    }
}

// MARK: - Keeping the tune

extension MelodyWindow {
    /// Weight of one semitone of register difference against the pitch-class cosine when choosing how to move a
    /// decoded window back (0.05: a whole key's worth of cosine is traded for at most a few semitones of register).
    static let registerWeight = 0.05

    /// This (decoded) window moved by the whole number of semitones (within an octave either way) that best
    /// keeps the tune of `original`: the key (cosine of the onsets' pitch-class profiles) first, the register (mean
    /// onset pitch) second. A model asked for "more notes" should not answer in another key or a fourth higher.
    /// Windows without onsets, and originals without onsets, come back as they are.
    public func keepingTune(of original: MelodyWindow) -> MelodyWindow {
        guard encoding == .melody, original.encoding == .melody else { return self }
        let mine = events.compactMap(MelodyEncoding.pitch(ofClass:)), theirs = original.events.compactMap(MelodyEncoding.pitch(ofClass:))
        guard !mine.isEmpty, !theirs.isEmpty else { return self }
        func profile(_ pitches: [Int], _ k: Int) -> [Double] {
            var p = [Double](repeating: 0, count: 12)
            for x in pitches { p[((x + k) % 12 + 12) % 12] += 1 }
            return p
        }
        let target = profile(theirs, 0), targetNorm = target.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let targetMean = Double(theirs.reduce(0, +)) / Double(theirs.count), mean = Double(mine.reduce(0, +)) / Double(mine.count)
        var best = (score: -Double.infinity, window: self)
        for k in -12...12 {
            guard let moved = k == 0 ? self : transposed(by: k) else { continue }
            let p = profile(mine, k)
            let cosine = zip(p, target).reduce(0) { $0 + $1.0 * $1.1 } / max(1e-9, p.reduce(0) { $0 + $1 * $1 }.squareRoot() * targetNorm)
            let score = cosine - Self.registerWeight * abs(mean + Double(k) - targetMean)
            if score > best.score + 1e-12 || (abs(score - best.score) <= 1e-12 && k == 0) { best = (score, moved) }
        }
        return best.window
    }
}
