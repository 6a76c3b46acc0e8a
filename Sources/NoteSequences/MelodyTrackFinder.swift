/// Which track of a song carries its melody, and why: what `--track auto` edits.
///
/// Every non-drum track with notes gets a score from what a musician would look at:
/// - its name (or instrument name): "melody", "vocal", "voice", "lead", "solo", "soprano", "tune", "sing" count
///   for it; "bass", "chord", "pad", "strings", "comp", "rhythm", "accomp", "harmony", "drum" against it;
/// - its General MIDI program: basses (33-40) and pads (89-96) count against it;
/// - monophony: the share of its onsets that start while no other note of the track sounds (a track of mostly
///   chords or arpeggios, under half, counts against it);
/// - register: where its mean pitch stands among the tracks (highest best), and a bass register counts against it;
/// - note count: a track with a small share of the busiest track's notes is unlikely to be the tune.
/// The highest score wins (ties: the lower track index). Where several tracks compete, a score of 0 or less is no
/// melody at all (a groove of drums, bass and chords): `isMelody` is false and nothing should be edited. A piece
/// with one melodic track has that track as its melody, whatever its score.
public struct MelodyTrackChoice: Sendable, Equatable, CustomStringConvertible {
    /// The chosen track (0-based, as `musicvae inspect` shows).
    public var track: Int
    /// Its name, if it has one.
    public var name: String?
    /// The score and what it is made of, for messages.
    public var score: Double
    /// Why: the parts of the score that counted ("named Soprano", "96% monophonic", "highest register").
    public var reasons: [String]
    /// Tracks considered.
    public var candidates: Int

    /// Whether the best track is plausibly a melody: the only melodic track of the piece, or a score above 0.
    public var isMelody: Bool { candidates == 1 || score > 0 }

    /// "track 2 'Soprano' (named Soprano, 100% monophonic, highest register; 4 tracks considered)".
    public var description: String {
        "track \(track)" + (name.map { " '\($0)'" } ?? "") + " (" + reasons.joined(separator: ", ")
            + "; \(candidates) track\(candidates == 1 ? "" : "s") considered)"
    }
}

extension NoteSequence {
    /// Name words that point to the melody.
    static let melodyWords = ["melody", "vocal", "voice", "lead", "solo", "soprano", "tune", "sing"]
    /// Name words that point away from it.
    static let accompanimentWords = ["bass", "chord", "pad", "string", "comp", "rhythm", "accomp", "harmony", "arpeggio", "drum", "perc"]

    /// Score weights. A name is the strongest evidence (3); monophony (up to 2) and register (up to 1.5) decide among
    /// unnamed tracks; bass programs and registers (-2, -1) and sparse tracks (-2) rule tracks out.
    enum MelodyWeights {
        static let melodyName = 3.0, accompanimentName = -2.5
        static let accompanimentProgram = -2.0
        static let monophony = 2.0, chordal = -2.0
        /// Below this share of lone onsets a track is chords or arpeggios.
        static let chordalShare = 0.5
        static let register = 1.5, bassRegister = -1.0
        static let sparse = -2.0
        /// Below this share of the busiest track's notes a track is sparse.
        static let sparseShare = 0.15
        /// Mean pitches below this (C3) are a bass register.
        static let bassPitch = 48.0
    }

    /// The track most likely to carry the melody, or nil when no non-drum track has notes.
    public func melodyTrack() -> MelodyTrackChoice? {
        var byTrack: [Int: [Note]] = [:]
        for n in notes where !n.isDrum { byTrack[n.track, default: []].append(n) }
        guard !byTrack.isEmpty else { return nil }
        let means = byTrack.mapValues { ns in Double(ns.reduce(0) { $0 + $1.pitch }) / Double(ns.count) }
        // Highest register first; tracks of equal mean pitch in track order (a dictionary's order changes from one
        // process to the next, and the choice and its reasons must not).
        let ranked = means.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
        let busiest = byTrack.values.map(\.count).max()!
        var best: MelodyTrackChoice?
        for track in byTrack.keys.sorted() {
            let ns = byTrack[track]!
            var score = 0.0
            var reasons: [String] = []
            let info = track < tracks.count ? tracks[track] : TrackInfo()
            let label = [info.name, info.instrumentName].compactMap { $0 }.joined(separator: " ")
            let lower = label.lowercased()
            if let w = Self.melodyWords.first(where: { lower.contains($0) }) {
                score += MelodyWeights.melodyName
                reasons.append(lower == w ? "named \(label)" : "named \(label) (\(w))")
            } else if let w = Self.accompanimentWords.first(where: { lower.contains($0) }) {
                score += MelodyWeights.accompanimentName
                reasons.append(lower == w ? "named \(label)" : "named \(label) (\(w))")
            }
            let program = ns[0].program
            if (32...39).contains(program) || (88...95).contains(program) {
                score += MelodyWeights.accompanimentProgram
                reasons.append((32...39).contains(program) ? "bass program \(program + 1)" : "pad program \(program + 1)")
            }
            let mono = monophony(ns)
            score += MelodyWeights.monophony * mono
            reasons.append("\(Int((100 * mono).rounded()))% monophonic")
            if mono < MelodyWeights.chordalShare { score += MelodyWeights.chordal }
            let rank = ranked.firstIndex(of: track)!
            if ranked.count > 1 {
                score += MelodyWeights.register * Double(ranked.count - 1 - rank) / Double(ranked.count - 1)
                reasons.append(rank == 0 ? "highest register" : "register \(rank + 1) of \(ranked.count)")
            }
            if means[track]! < MelodyWeights.bassPitch {
                score += MelodyWeights.bassRegister
                reasons.append("bass register")
            }
            if Double(ns.count) < MelodyWeights.sparseShare * Double(busiest) {
                score += MelodyWeights.sparse
                reasons.append("few notes (\(ns.count))")
            }
            if best == nil || score > best!.score + 1e-9 {
                best = MelodyTrackChoice(track: track, name: info.name, score: score, reasons: reasons, candidates: byTrack.count)
            }
        }
        return best
    }

    /// Share of a track's onsets that start while no earlier note of the track still sounds (chords and
    /// overlapping voices lower it).
    func monophony(_ trackNotes: [Note]) -> Double {
        let sorted = trackNotes.sorted { $0.start != $1.start ? $0.start < $1.start : $0.pitch > $1.pitch }
        var alone = 0
        var soundingUntil = Int.min
        var previousStart = Int.min
        for n in sorted {
            if n.start >= soundingUntil && n.start != previousStart { alone += 1 }
            soundingUntil = max(soundingUntil, n.end)
            previousStart = n.start
        }
        return Double(alone) / Double(max(1, sorted.count))
    }
}
