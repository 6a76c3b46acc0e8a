/// The 512-class drum encoding of MusicVAE's drum models, one class per grid step.
///
/// Every General MIDI percussion pitch the encoding knows maps to one of 9 drum classes (the mapping of Magenta's
/// drum converter, which folds GM1 and GM2 kits onto a small standard kit by sound and role); a step's class is the
/// bit set of the drum classes struck on it: bit `d` for drum `d`, so 0 is silence and 511 every drum at once.
public enum DrumEncoding {
    /// The General MIDI pitches of each drum class; the first is the class's canonical pitch (the one decoded
    /// hits are written with).
    public static let pitches: [[Int]] = [
        [36, 35],                                                        // kick
        [38, 27, 28, 31, 32, 33, 34, 37, 39, 40, 56, 65, 66, 75, 85],    // snare
        [42, 44, 54, 68, 69, 70, 71, 73, 78, 80, 22],                    // closed hi-hat
        [46, 67, 72, 74, 79, 81, 26],                                    // open hi-hat
        [45, 29, 41, 43, 61, 64, 84],                                    // low tom
        [48, 47, 60, 63, 77, 86, 87],                                    // mid tom
        [50, 30, 62, 76, 83],                                            // high tom
        [49, 52, 55, 57, 58],                                            // crash cymbal
        [51, 53, 59, 82],                                                // ride cymbal
    ]
    /// Names of the drum classes, in bit order.
    public static let names = ["kick", "snare", "closed hi-hat", "open hi-hat", "low tom", "mid tom", "high tom", "crash", "ride"]
    /// Number of drum classes.
    public static let drumCount = 9
    /// Number of classes per step: every subset of the 9 drums.
    public static let classCount = 1 << drumCount
    /// The drum classes that are cymbals: closed and open hi-hat, crash, ride.
    public static let cymbals: Set<Int> = [2, 3, 7, 8]
    /// Velocity of decoded hits where the original had none on that drum and step.
    public static let defaultVelocity = 80
    /// How long a written hit lasts, in steps (percussion sounds ring out on their own; one step is what
    /// drum tracks in MIDI files usually hold).
    public static let hitSteps = 1

    private static let drumOfPitch: [Int: Int] = {
        var map: [Int: Int] = [:]
        for (d, ps) in pitches.enumerated() { for p in ps { map[p] = d } }
        return map
    }()

    /// The drum class of a percussion pitch, or nil when the encoding does not know it.
    public static func drum(ofPitch pitch: Int) -> Int? { drumOfPitch[pitch] }

    /// The drum classes struck in a step's class, in bit order.
    public static func drums(inClass c: Int) -> [Int] {
        (0..<drumCount).filter { c & (1 << $0) != 0 }
    }

    /// Hits (pitch, start, end, velocity) of an event sequence, with steps counted from `offset`. `velocities`
    /// holds `drumCount` entries per step (0: none known, the default velocity is used).
    public static func notes(of events: [Int], velocities: [Int] = [], offset: Int = 0) -> [(pitch: Int, start: Int, end: Int, velocity: Int)] {
        var out: [(pitch: Int, start: Int, end: Int, velocity: Int)] = []
        for (i, c) in events.enumerated() where c != 0 {
            for d in drums(inClass: c) {
                let k = i * drumCount + d
                let v = k < velocities.count && velocities[k] > 0 ? velocities[k] : defaultVelocity
                out.append((pitches[d][0], i + offset, i + offset + hitSteps, v))
            }
        }
        return out
    }
}

/// Settings of drum extraction.
public struct DrumExtraction: Sendable, Equatable {
    /// Fewest hits a window must hold (default 1): silent stretches of a drum track are not windows.
    public var minHits: Int
    /// Creates settings.
    public init(minHits: Int = 1) {
        self.minHits = minHits
    }
}

// MARK: - Extraction

/// The drum tracks of one piece, made once, from which each window's drum patterns are cut by binary search.
///
/// A drum track is a track whose notes are percussion (channel 10, `Note.isDrum`). Per window and drum track, one
/// window of 512-class steps. Counted: "drum notes of no drum class" (pitches the encoding does not know: they are
/// kept as they are when the window is decoded), "drum hits merged" (two pitches of one class on one step).
public struct PieceDrums: Sendable {
    /// The settings the tracks were read with.
    public let settings: DrumExtraction
    /// Each drum track's notes that the encoding knows, sorted by onset.
    let tracks: [(track: Int, notes: [Note])]

    /// The drum tracks of `piece`; pitches of no drum class are counted once here.
    public init(_ piece: QuantizedSequence, _ settings: DrumExtraction = DrumExtraction(), drops: inout DropCounts) {
        self.settings = settings
        var byTrack: [Int: [Note]] = [:]
        var unknown = 0
        for n in piece.notes where n.isDrum {
            if DrumEncoding.drum(ofPitch: n.pitch) == nil { unknown += 1; continue }
            byTrack[n.track, default: []].append(n)
        }
        drops.add("drum notes of no drum class (kept as they are)", unknown)
        tracks = byTrack.keys.sorted().map { t in (t, byTrack[t]!.sorted { $0.start < $1.start }) }
    }

    /// The drum track indices.
    public var trackIndices: [Int] { tracks.map(\.track) }

    /// The drum patterns of one window, one per drum track with at least `minHits` hits in it.
    public func patterns(in window: BarWindow, drops: inout DropCounts) -> [MelodyWindow] {
        let start = window.start, end = window.end, length = window.length
        var out: [MelodyWindow] = []
        for (track, notes) in tracks {
            var lo = 0, hi = notes.count
            while lo < hi { let mid = (lo + hi) / 2; if notes[mid].start < start { lo = mid + 1 } else { hi = mid } }
            var events = [Int](repeating: 0, count: length)
            var velocities = [Int](repeating: 0, count: length * DrumEncoding.drumCount)
            var hits = 0
            var channel = 9, program = 0
            var i = lo
            while i < notes.count, notes[i].start < end {
                let n = notes[i]
                i += 1
                let d = DrumEncoding.drum(ofPitch: n.pitch)!
                let step = n.start - start
                if events[step] & (1 << d) != 0 {
                    drops.add("drum hits merged (two pitches of one drum class on one step)")
                    velocities[step * DrumEncoding.drumCount + d] = max(velocities[step * DrumEncoding.drumCount + d], n.velocity)
                    continue
                }
                if hits == 0 { channel = n.channel; program = n.program }
                events[step] |= 1 << d
                velocities[step * DrumEncoding.drumCount + d] = n.velocity
                hits += 1
            }
            guard hits >= max(1, settings.minHits) else {
                if hits > 0 { drops.add("too few drum hits") }
                continue
            }
            var w = MelodyWindow(events: events, velocities: velocities, window: window, track: track, program: program, channel: channel)
            w.encoding = .drums
            out.append(w)
        }
        return out
    }
}

// MARK: - Joining

extension QuantizedSequence {
    /// Puts drum windows of this piece back: on each drum track with windows, the notes the encoding knows whose
    /// onsets fall in a generated window are replaced by that window's hits (canonical pitch per drum class, the
    /// original velocity where the original struck that drum on that step); every other note stays, and so do the
    /// exact ticks of `exact`/`original` where the piece has them. `base` is the piece the melody join produced (it
    /// already holds every other track).
    func joiningDrums(_ windows: [MelodyWindow], into base: QuantizedSequence) -> QuantizedSequence {
        var out = base
        let tracks = Set(windows.map(\.track))
        var spans: [Int: [Range<Int>]] = [:]
        var hits: [Note] = []
        for w in windows.sorted(by: { $0.window.start < $1.window.start }) where w.generated {
            // Overlapping windows: the later one takes over from where the earlier one ends.
            let from = max(w.window.start, spans[w.track]?.last?.upperBound ?? .min)
            guard from < w.window.end else { continue }
            spans[w.track, default: []].append(from..<w.window.end)
            hits += w.notes.filter { $0.start >= from && $0.start >= 0 && $0.start < max(totalSteps, 1) }
        }
        func replaced(_ n: Note, step: Int) -> Bool {
            tracks.contains(n.track) && n.isDrum && DrumEncoding.drum(ofPitch: n.pitch) != nil
                && (spans[n.track] ?? []).contains { $0.contains(step) }
        }
        var seq = out.sequence
        seq.notes = seq.notes.filter { !replaced($0, step: $0.start) } + hits
        seq.sortNotes()
        let exactBefore = out.exact ?? out.original
        out.sequence = seq
        if let exact = exactBefore {
            let spq = stepsPerQuarter
            func tick(_ step: Int) -> Int { exact.tick(ofStep: step, stepsPerQuarter: spq) }
            var e = exact
            e.notes = e.notes.filter { !replaced($0, step: exact.step(ofTick: $0.start, stepsPerQuarter: spq)) }
            for h in hits {
                var n = h
                n.start = tick(h.start)
                n.end = max(n.start + 1, min(tick(h.end), exact.totalTicks))
                e.notes.append(n)
            }
            e.sortNotes()
            out.exact = e
        }
        return out
    }
}
