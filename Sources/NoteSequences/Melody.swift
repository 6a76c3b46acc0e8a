/// The 90-class melody encoding of MusicVAE's melody models, one class per grid step.
///
/// Class 0 = no event (hold the sounding note, or continue a rest), 1 = note off, `2 + (pitch - 21)` = note on of
/// MIDI pitch 21...108 (the piano's A0...C8).
public enum MelodyEncoding {
    /// No event: the current note goes on (or the rest does).
    public static let noEvent = 0
    /// Note off: silence from this step.
    public static let noteOff = 1
    /// Lowest pitch that can be encoded (A0).
    public static let minPitch = 21
    /// Highest pitch that can be encoded (C8).
    public static let maxPitch = 108
    /// Number of classes: 2 + 88 pitches.
    public static let classCount = 2 + maxPitch - minPitch + 1
    /// Velocity of decoded notes when none is known (MusicVAE uses 80 for generated notes).
    public static let defaultVelocity = 80

    /// The class of a note-on of `pitch`, or nil when out of range.
    public static func noteOn(_ pitch: Int) -> Int? {
        (minPitch...maxPitch).contains(pitch) ? 2 + pitch - minPitch : nil
    }

    /// The pitch of a note-on class, or nil for 0 and 1.
    public static func pitch(ofClass c: Int) -> Int? {
        c >= 2 && c < classCount ? c - 2 + minPitch : nil
    }

    /// Notes (pitch, start, end, velocity) of an event sequence, with steps counted from `offset`. A note lasts
    /// until the next note-on or note-off, or the end of the events.
    public static func notes(of events: [Int], velocities: [Int] = [], offset: Int = 0) -> [(pitch: Int, start: Int, end: Int, velocity: Int)] {
        var out: [(pitch: Int, start: Int, end: Int, velocity: Int)] = []
        var current: (pitch: Int, start: Int, velocity: Int)?
        for (i, c) in events.enumerated() where c != noEvent {
            if let cur = current {
                out.append((cur.pitch, cur.start + offset, i + offset, cur.velocity))
                current = nil
            }
            if let p = pitch(ofClass: c) {
                let v = i < velocities.count && velocities[i] > 0 ? velocities[i] : defaultVelocity
                current = (p, i, v)
            }
        }
        if let cur = current { out.append((cur.pitch, cur.start + offset, events.count + offset, cur.velocity)) }
        return out
    }
}

/// Which classes a window's steps are in: what a model of that kind reads and writes.
public enum LineEncoding: String, Sendable, Codable, CaseIterable {
    /// A monophonic melody in the 90 classes of `MelodyEncoding`.
    case melody
    /// A drum pattern in the 512 classes of `DrumEncoding`.
    case drums

    /// Classes per step.
    public var classCount: Int { self == .melody ? MelodyEncoding.classCount : DrumEncoding.classCount }
}

/// One track's line in one bar window: a monophonic melody in the 90 melody classes or, for a drum track, a drum
/// pattern in the 512 drum classes (`encoding` says which).
public struct MelodyWindow: Sendable, Equatable {
    /// One class per step (see `MelodyEncoding` and `DrumEncoding`).
    public var events: [Int]
    /// Melody: the velocity of the note-on at each step (0 where there is none). Drums: `DrumEncoding.drumCount`
    /// entries per step, the velocity of each drum struck there. Decoded windows may leave it empty.
    public var velocities: [Int]
    /// The classes of `events`.
    public var encoding: LineEncoding = .melody
    /// The window this line was taken from (piece, position, bars, meter).
    public var window: BarWindow
    /// The source track, and the program and channel of its notes.
    public var track: Int
    /// General MIDI program of the line.
    public var program: Int
    /// MIDI channel of the line.
    public var channel: Int
    /// True when a model wrote the events (decoded); false when they were read from the piece. Joining replaces
    /// the piece's notes only where windows were generated, so windows passed through come back exactly.
    public var generated: Bool = false

    /// Creates a melody window.
    public init(events: [Int], velocities: [Int] = [], window: BarWindow, track: Int = 0, program: Int = 0, channel: Int = 0) {
        self.events = events
        self.velocities = velocities
        self.window = window
        self.track = track
        self.program = program
        self.channel = channel
    }

    /// The notes of the line (the hits of a drum pattern), in piece steps.
    public var notes: [Note] {
        let drums = encoding == .drums
        let notes = drums ? DrumEncoding.notes(of: events, velocities: velocities, offset: window.start)
                          : MelodyEncoding.notes(of: events, velocities: velocities, offset: window.start)
        return notes.map {
            Note(pitch: $0.pitch, velocity: $0.velocity, start: $0.start, end: $0.end, track: track, program: program,
                 channel: channel, isDrum: drums ? true : nil)
        }
    }
}

/// Settings of melody extraction.
public struct MelodyExtraction: Sendable, Equatable {
    /// Lowest pitch kept (default 21).
    public var minPitch: Int
    /// Highest pitch kept (default 108).
    public var maxPitch: Int
    /// Fewest note onsets a window must hold (default 1). 0 keeps windows where only a held note ends.
    public var minNotes: Int
    /// Which tracks give melodies: every non-drum track (nil), or these track indices only.
    public var tracks: Set<Int>?
    /// Only the first non-drum track of the piece (the lowest index with notes), e.g. to edit a tune's melody and
    /// leave its accompaniment alone.
    public var firstTrackOnly: Bool
    /// Only the track the melody finder picks (`NoteSequence.melodyTrack()`, among `tracks` when given).
    public var autoTrack: Bool
    /// Only tracks with this name (case does not matter).
    public var trackName: String?

    /// Creates settings.
    public init(minPitch: Int = MelodyEncoding.minPitch, maxPitch: Int = MelodyEncoding.maxPitch, minNotes: Int = 1,
                tracks: Set<Int>? = nil, firstTrackOnly: Bool = false, autoTrack: Bool = false, trackName: String? = nil) {
        self.minPitch = minPitch
        self.maxPitch = maxPitch
        self.minNotes = minNotes
        self.tracks = tracks
        self.firstTrackOnly = firstTrackOnly
        self.autoTrack = autoTrack
        self.trackName = trackName
    }
}

// MARK: - Extraction

extension BarWindow {
    /// One melody per non-drum track that sounds in the window (see `PieceLines`, which does the work; to cut
    /// many windows of one piece, make one `PieceLines` and call `melodies(in:)` for each).
    ///
    /// The line of a track is chosen over the piece up to the window's end (see `monophonicLine`), so a note held
    /// into the window ends where it ended in the piece and consecutive windows join back into the same line.
    /// Drops: "drum track", "pitch out of range" (a window whose line leaves the range), "too few notes" (fewer
    /// onsets than `minNotes`); notes of the window left out for polyphony are counted as "notes under a higher note".
    public func melodies(_ settings: MelodyExtraction = MelodyExtraction(), drops: inout DropCounts) -> [MelodyWindow] {
        PieceLines(piece, settings, before: end, countingFrom: start, drops: &drops).melodies(in: self, drops: &drops)
    }

    /// The monophonic line of one track's notes (sorted by onset): at each onset the highest note wins; a note
    /// that starts while the previous chosen note sounds cuts it short if it is at least as high, and is left out
    /// if it is lower (counted when it starts at or after `countingFrom`).
    static func monophonicLine(_ notes: [Note], countingFrom: Int, drops: inout DropCounts) -> [Note] {
        let sorted = notes.sorted { $0.start != $1.start ? $0.start < $1.start : $0.pitch > $1.pitch }
        var line: [Note] = []
        line.reserveCapacity(sorted.count)
        for n in sorted {
            if var last = line.last, last.end > n.start {
                if last.start == n.start || last.pitch > n.pitch {
                    if n.start >= countingFrom { drops.add("notes under a higher note") }
                    continue
                }
                last.end = n.start
                line[line.count - 1] = last
            }
            line.append(n)
        }
        return line
    }
}

/// The monophonic lines of the chosen tracks of one piece, made once, from which each window's melodies are cut
/// by binary search: cutting every window of a piece costs O(n log n) in its notes, not O(n) per window.
public struct PieceLines: Sendable {
    /// The settings the lines were made with.
    public let settings: MelodyExtraction
    /// The chosen tracks' lines (notes in piece steps, sorted; each ends at or before the next starts).
    let lines: [(track: Int, notes: [Note])]
    /// Drum-only tracks: onsets sorted, with the running maximum of their ends (to ask "does it sound here?").
    let drums: [(starts: [Int], endsSoFar: [Int])]
    /// The track `--track auto` chose, when it was asked to choose.
    public let choice: MelodyTrackChoice?

    /// The lines of `piece`'s tracks, as `settings` chooses them, from the notes that start before `before`;
    /// notes dropped for polyphony are counted when they start at or after `countingFrom`.
    public init(_ piece: QuantizedSequence, _ settings: MelodyExtraction, before: Int = .max, countingFrom: Int = .min,
                drops: inout DropCounts) {
        self.settings = settings
        var byTrack: [Int: [Note]] = [:]
        var drumNotes: [Int: [Note]] = [:]
        for n in piece.notes where n.start < before {
            if n.isDrum { drumNotes[n.track, default: []].append(n) } else { byTrack[n.track, default: []].append(n) }
        }
        drums = drumNotes.filter { byTrack[$0.key] == nil }.sorted { $0.key < $1.key }.map { _, notes in
            let sorted = notes.sorted { $0.start < $1.start }
            var running = Int.min
            return (sorted.map(\.start), sorted.map { running = max(running, $0.end); return running })
        }
        var chosen = byTrack.keys.sorted()
        if let wanted = settings.tracks { chosen = chosen.filter { wanted.contains($0) } }
        if let name = settings.trackName?.lowercased() {
            chosen = chosen.filter { $0 < piece.sequence.tracks.count && piece.sequence.tracks[$0].name?.lowercased() == name }
        }
        var choice: MelodyTrackChoice?
        if settings.autoTrack {
            choice = piece.sequence.melodyTrack()
            chosen = chosen.filter { $0 == choice?.track && choice!.isMelody }
        } else if settings.firstTrackOnly,
                  let first = piece.notes.first(where: { !$0.isDrum && (settings.tracks?.contains($0.track) ?? true) })?.track {
            chosen = chosen.filter { $0 == first }
        }
        self.choice = choice
        lines = chosen.map { ($0, BarWindow.monophonicLine(byTrack[$0]!, countingFrom: countingFrom, drops: &drops)) }
    }

    /// The melodies of one window of the piece, one per chosen track that sounds in it.
    public func melodies(in window: BarWindow, drops: inout DropCounts) -> [MelodyWindow] {
        let start = window.start, end = window.end, length = window.length
        var drumTracks = 0
        for d in drums {
            // The last onset before the window's end; some note up to it must still sound at the window's start.
            var lo = 0, hi = d.starts.count
            while lo < hi { let mid = (lo + hi) / 2; if d.starts[mid] < end { lo = mid + 1 } else { hi = mid } }
            if lo > 0 && d.endsSoFar[lo - 1] > start { drumTracks += 1 }
        }
        drops.add("drum track", drumTracks)
        var out: [MelodyWindow] = []
        for (track, line) in lines {
            // The first note of the line that ends at or after the window's start (ends are sorted in a line).
            var lo = 0, hi = line.count
            while lo < hi { let mid = (lo + hi) / 2; if line[mid].end < start { lo = mid + 1 } else { hi = mid } }
            var events = [Int](repeating: MelodyEncoding.noEvent, count: length)
            var velocities = [Int](repeating: 0, count: length)
            var onsets = 0
            var outOfRange = false
            var program = 0, channel = 0
            var sounds = false
            var i = lo
            while i < line.count, line[i].start < end {
                let n = line[i]
                i += 1
                if n.end == start {
                    // Released exactly at the window's first step: the window opens with that note-off.
                    if n.start < start && events[0] == MelodyEncoding.noEvent { events[0] = MelodyEncoding.noteOff }
                    continue
                }
                sounds = true
                if n.start >= start {
                    guard n.pitch >= settings.minPitch, n.pitch <= settings.maxPitch,
                          let c = MelodyEncoding.noteOn(n.pitch) else { outOfRange = true; break }
                    events[n.start - start] = c
                    velocities[n.start - start] = n.velocity
                    onsets += 1
                    if onsets == 1 { program = n.program; channel = n.channel }
                }
                if n.end < end { events[n.end - start] = MelodyEncoding.noteOff }
            }
            guard sounds else { continue }
            if outOfRange { drops.add("pitch out of range"); continue }
            if onsets < settings.minNotes { drops.add("too few notes"); continue }
            if onsets == 0, let held = line[lo..<i].last(where: { $0.start < start && $0.end > start }) {
                program = held.program; channel = held.channel
            }
            out.append(MelodyWindow(events: events, velocities: velocities, window: window, track: track,
                                    program: program, channel: channel))
        }
        return out
    }
}

// MARK: - Joining

extension QuantizedSequence {
    /// Puts melody windows of this piece back into it: for every track that has windows, its notes are replaced by
    /// the notes of the joined lines; other tracks are kept as they were (unless `keepOtherTracks` is false).
    ///
    /// Windows are laid out by their start step; where windows overlap, the later window's steps from the end of
    /// the earlier one on are used; where a window is missing, a sounding note is released at the gap. Notes in the
    /// part of a padded pick-up bar that lies before the piece (negative steps) are cut at step 0.
    ///
    /// When the piece knows the unquantized score it came from (`original`), the result also carries that score
    /// with only the generated windows' notes replaced (`exact`, see `exactJoin`): notes of other tracks, and of
    /// windows that passed through, keep their exact ticks.
    ///
    /// Drum windows join as `joiningDrums` says, on top of the melodies.
    public func joining(_ windows: [MelodyWindow], keepOtherTracks: Bool = true) -> QuantizedSequence {
        let drums = windows.filter { $0.encoding == .drums }
        let melodies = windows.filter { $0.encoding == .melody }
        guard !drums.isEmpty else { return joiningMelodies(melodies, keepOtherTracks: keepOtherTracks) }
        var base = melodies.isEmpty && keepOtherTracks ? self : joiningMelodies(melodies, keepOtherTracks: keepOtherTracks)
        if !keepOtherTracks {
            // Only what the windows cover: the drum tracks' notes in them (the generated ones are replaced next).
            let covered = Dictionary(grouping: drums, by: \.track).mapValues { $0.map { $0.window.start..<$0.window.end } }
            let keep = { (n: Note, step: Int) in (covered[n.track] ?? []).contains { $0.contains(step) } }
            let exactBefore = base.exact ?? base.original
            base.sequence.notes += sequence.notes.filter { keep($0, $0.start) }
            base.sequence.sortNotes()
            if let source = original ?? exact, var e = exactBefore {
                e.notes += source.notes.filter { keep($0, source.step(ofTick: $0.start, stepsPerQuarter: stepsPerQuarter)) }
                e.sortNotes()
                base.exact = e
            }
        }
        return joiningDrums(drums, into: base)
    }

    /// `joining` for melody windows.
    func joiningMelodies(_ melodies: [MelodyWindow], keepOtherTracks: Bool) -> QuantizedSequence {
        var out = self
        let tracks = Set(melodies.map(\.track))
        var notes = keepOtherTracks ? sequence.notes.filter { !tracks.contains($0.track) } : []
        var lines: [JoinedLine] = []
        for track in tracks.sorted() {
            let windows = melodies.filter { $0.track == track }.sorted { $0.window.start < $1.window.start }
            guard let first = windows.first else { continue }
            var line = JoinedLine(track: track, origin: first.window.start)
            var velocities: [Int] = []
            var programs: [(step: Int, program: Int, channel: Int)] = []
            for w in windows {
                let at = w.window.start - line.origin
                if at > line.events.count {
                    // A gap: release whatever sounds, then rest.
                    let gapStart = line.events.count
                    line.events += [Int](repeating: MelodyEncoding.noEvent, count: at - gapStart)
                    velocities += [Int](repeating: 0, count: at - gapStart)
                    line.events[gapStart] = MelodyEncoding.noteOff
                }
                let skip = line.events.count - at
                guard skip < w.events.count else { continue }
                if w.generated { line.addGenerated(from: line.origin + at + skip, to: line.origin + at + w.events.count) }
                line.events += w.events[skip...]
                let v = w.velocities.count == w.events.count ? w.velocities : [Int](repeating: 0, count: w.events.count)
                velocities += v[skip...]
                programs.append((at + skip, w.program, w.channel))
            }
            var owner = programs[0], nextProgram = 1   // notes come in onset order: the owner only moves forward
            for n in MelodyEncoding.notes(of: line.events, velocities: velocities) {
                while nextProgram < programs.count && programs[nextProgram].step <= n.start {
                    owner = programs[nextProgram]
                    nextProgram += 1
                }
                // A padded pick-up bar starts before the piece: what a model writes there is cut at step 0.
                let start = max(0, n.start + line.origin), end = n.end + line.origin
                guard end > start else { continue }
                let note = Note(pitch: n.pitch, velocity: n.velocity, start: start, end: end,
                                track: track, program: owner.program, channel: owner.channel)
                notes.append(note)
                if line.isGenerated(start) { line.generatedNotes.append(note) }
            }
            lines.append(line)
        }
        let original = self.original
        out.sequence.notes = notes
        out.sequence.sortNotes()
        if let original {
            out.exact = exactJoin(original, lines: lines, keepOtherTracks: keepOtherTracks)
        }
        return out
    }

    /// The unquantized `original` with, on each joined track, the notes of generated windows in place of the
    /// original notes whose onsets fall in them. Every other note keeps its ticks; an original note held into a
    /// generated span ends where the joined line has its next event there. Generated notes are put on the
    /// source's tick grid and cut at the end of the piece (a padded last window adds no time).
    func exactJoin(_ original: NoteSequence, lines: [JoinedLine], keepOtherTracks: Bool) -> NoteSequence {
        let spq = stepsPerQuarter
        func tick(_ step: Int) -> Int { original.tick(ofStep: step, stepsPerQuarter: spq) }
        let byTrack = Dictionary(uniqueKeysWithValues: lines.map { ($0.track, $0) })
        let end = original.totalTicks
        var notes: [Note] = []
        notes.reserveCapacity(original.notes.count)
        var kept: [Int: [Int]] = [:]   // onsets of the original notes kept on each joined track, sorted
        for n in original.notes {
            guard let line = byTrack[n.track] else {
                if keepOtherTracks { notes.append(n) }
                continue
            }
            let step = original.step(ofTick: n.start, stepsPerQuarter: spq)
            if line.isGenerated(step) { continue }
            var note = n
            let endStep = original.step(ofTick: n.end, stepsPerQuarter: spq)
            if let span = line.firstGeneratedSpan(after: step), span.lowerBound < endStep,
               let cut = line.nextEvent(atOrAfter: span.lowerBound) {
                note.end = max(note.start + 1, min(note.end, tick(cut)))
            }
            notes.append(note)
            kept[n.track, default: []].append(n.start)
        }
        for line in lines {
            let onsets = (kept[line.track] ?? []).sorted()
            for n in line.generatedNotes {
                var note = n
                note.start = tick(n.start)
                note.end = min(tick(n.end), end)
                // A generated note ends before the next original note of its track (kept notes keep their onsets).
                var a = 0, b = onsets.count
                while a < b { let mid = (a + b) / 2; if onsets[mid] <= note.start { a = mid + 1 } else { b = mid } }
                if a < onsets.count { note.end = min(note.end, onsets[a]) }
                guard note.start < end, note.end > note.start else { continue }
                notes.append(note)
            }
        }
        var out = original
        out.notes = notes
        out.sortNotes()
        return out
    }
}

/// One track's joined melody line while joining: its events from `origin` on and where a model wrote them.
struct JoinedLine {
    /// The joined track.
    let track: Int
    /// Piece step of `events[0]`.
    let origin: Int
    /// Events of the whole line.
    var events: [Int] = []
    /// Sorted, non-overlapping step ranges (piece steps) taken from generated windows.
    var generated: [Range<Int>] = []
    /// The line's notes with onsets in `generated`, in piece steps.
    var generatedNotes: [Note] = []

    init(track: Int, origin: Int) {
        self.track = track
        self.origin = origin
    }

    /// Marks steps `lo..<hi` as generated (calls come in order).
    mutating func addGenerated(from lo: Int, to hi: Int) {
        guard hi > lo else { return }
        if let last = generated.last, last.upperBound == lo {
            generated[generated.count - 1] = last.lowerBound..<hi
        } else {
            generated.append(lo..<hi)
        }
    }

    /// Index of the first span whose upper bound is above `step`.
    private func spanIndex(_ step: Int) -> Int {
        var lo = 0, hi = generated.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if generated[mid].upperBound <= step { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Whether a model wrote the line at `step`.
    func isGenerated(_ step: Int) -> Bool {
        let i = spanIndex(step)
        return i < generated.count && generated[i].contains(step)
    }

    /// The first generated span that starts after `step`.
    func firstGeneratedSpan(after step: Int) -> Range<Int>? {
        let i = spanIndex(step)
        guard i < generated.count else { return nil }
        if generated[i].lowerBound > step { return generated[i] }
        return i + 1 < generated.count ? generated[i + 1] : nil
    }

    /// The piece step of the first event (note on or off) of the line at or after `step`.
    func nextEvent(atOrAfter step: Int) -> Int? {
        var i = max(0, step - origin)
        while i < events.count {
            if events[i] != MelodyEncoding.noEvent { return i + origin }
            i += 1
        }
        return nil
    }
}
