/// One note of a score. Times are in ticks of the owning sequence (`NoteSequence.ticksPerQuarter`).
public struct Note: Sendable, Equatable, Hashable {
    /// MIDI pitch, 0...127.
    public var pitch: Int
    /// MIDI velocity, 1...127.
    public var velocity: Int
    /// Onset in ticks.
    public var start: Int
    /// Release in ticks (>= start).
    public var end: Int
    /// Index of the MIDI track the note came from (the "instrument" in note_seq's terms).
    public var track: Int
    /// General MIDI program (0...127) in force on the note's channel at its onset.
    public var program: Int
    /// MIDI channel, 0...15.
    public var channel: Int
    /// True for percussion (channel 10, index 9).
    public var isDrum: Bool

    /// Creates a note; `isDrum` defaults to channel 9.
    public init(pitch: Int, velocity: Int = 80, start: Int, end: Int, track: Int = 0, program: Int = 0,
                channel: Int = 0, isDrum: Bool? = nil) {
        self.pitch = pitch
        self.velocity = velocity
        self.start = start
        self.end = end
        self.track = track
        self.program = program
        self.channel = channel
        self.isDrum = isDrum ?? (channel == 9)
    }

    /// Length in ticks.
    public var duration: Int { end - start }
}

/// A tempo change: from `tick` on, a quarter note lasts `microsecondsPerQuarter`.
public struct TempoChange: Sendable, Equatable, Hashable {
    /// Where the tempo starts.
    public var tick: Int
    /// Microseconds per quarter note (500,000 = 120 quarters per minute).
    public var microsecondsPerQuarter: Int
    /// Creates a tempo change.
    public init(tick: Int, microsecondsPerQuarter: Int) {
        self.tick = tick
        self.microsecondsPerQuarter = microsecondsPerQuarter
    }
    /// Creates a tempo change from quarters per minute.
    public init(tick: Int, qpm: Double) {
        self.init(tick: tick, microsecondsPerQuarter: Int((60_000_000 / qpm).rounded()))
    }
    /// Quarter notes per minute.
    public var qpm: Double { 60_000_000 / Double(microsecondsPerQuarter) }
}

/// A time signature in force from `tick` on.
public struct TimeSignature: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Where it starts.
    public var tick: Int
    /// Beats per bar.
    public var numerator: Int
    /// Beat unit (4 = quarter); a power of two.
    public var denominator: Int
    /// Creates a time signature.
    public init(tick: Int = 0, numerator: Int, denominator: Int) {
        self.tick = tick
        self.numerator = numerator
        self.denominator = denominator
    }
    /// Reads "3/4" (a positive numerator over a power of two), as pipeline files and options write meters; nil
    /// for anything else.
    public init?(_ text: String, tick: Int = 0) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 2, let n = parts[0], let d = parts[1], n > 0, d > 0, d & (d - 1) == 0 else { return nil }
        self.init(tick: tick, numerator: n, denominator: d)
    }
    /// "3/4".
    public var description: String { "\(numerator)/\(denominator)" }
    /// Length of one bar in ticks at `ticksPerQuarter`, or nil when it is not a whole number of ticks.
    public func barLength(ticksPerQuarter: Int) -> Int? {
        let num = ticksPerQuarter * 4 * numerator
        guard denominator > 0, numerator > 0, num % denominator == 0 else { return nil }
        return num / denominator
    }
}

/// A key signature in force from `tick` on.
public struct KeySignature: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Where it starts.
    public var tick: Int
    /// Sharps (positive) or flats (negative), -7...7.
    public var sharps: Int
    /// Minor mode.
    public var isMinor: Bool
    /// Creates a key signature.
    public init(tick: Int = 0, sharps: Int, isMinor: Bool = false) {
        self.tick = tick
        self.sharps = sharps
        self.isMinor = isMinor
    }
    /// The pitch class (0 = C) of the major scale's tonic (the relative major for minor keys).
    public var majorTonicPitchClass: Int { ((sharps * 7) % 12 + 12) % 12 }
    /// "G major", "E minor", "B♭ major".
    public var description: String {
        let majors = ["C♭", "G♭", "D♭", "A♭", "E♭", "B♭", "F", "C", "G", "D", "A", "E", "B", "F♯", "C♯"]
        let minors = ["A♭", "E♭", "B♭", "F", "C", "G", "D", "A", "E", "B", "F♯", "C♯", "G♯", "D♯", "A♯"]
        let i = max(0, min(14, sharps + 7))
        return isMinor ? "\(minors[i]) minor" : "\(majors[i]) major"
    }
}

/// What is known about one MIDI track besides its notes.
public struct TrackInfo: Sendable, Equatable, Hashable {
    /// Track name (FF 03), if any.
    public var name: String?
    /// Instrument name (FF 04), if any.
    public var instrumentName: String?
    /// Creates a track description.
    public init(name: String? = nil, instrumentName: String? = nil) {
        self.name = name
        self.instrumentName = instrumentName
    }
}

/// The in-memory score: notes with tempo, meter and key, all timed in integer ticks.
///
/// Times are ticks so that conversions to and from MIDI are exact; `seconds(atTick:)` maps through the tempo map.
/// A quantized score is the same structure with one tick per grid step (see `QuantizedSequence`).
public struct NoteSequence: Sendable, Equatable {
    /// Ticks per quarter note.
    public var ticksPerQuarter: Int
    /// Notes sorted by onset, then track, then pitch.
    public var notes: [Note]
    /// Tempo map, sorted; empty means 120 quarters per minute.
    public var tempos: [TempoChange]
    /// Time signatures, sorted; empty means 4/4.
    public var timeSignatures: [TimeSignature]
    /// Key signatures, sorted.
    public var keySignatures: [KeySignature]
    /// One entry per MIDI track (index = `Note.track`).
    public var tracks: [TrackInfo]
    /// Where the sequence came from (a file path), for messages and output names.
    public var source: String?
    /// Where the sequence ends, in ticks: at least the last note's end (a MIDI track may end later).
    public var totalTicks: Int

    /// Creates a sequence; `totalTicks` defaults to the last note end.
    public init(ticksPerQuarter: Int, notes: [Note] = [], tempos: [TempoChange] = [], timeSignatures: [TimeSignature] = [],
                keySignatures: [KeySignature] = [], tracks: [TrackInfo] = [], source: String? = nil, totalTicks: Int? = nil) {
        self.ticksPerQuarter = ticksPerQuarter
        self.notes = notes
        self.tempos = tempos
        self.timeSignatures = timeSignatures
        self.keySignatures = keySignatures
        self.tracks = tracks
        self.source = source
        self.totalTicks = max(totalTicks ?? 0, notes.map(\.end).max() ?? 0)
    }
}

// MARK: - Time

extension NoteSequence {
    /// The default tempo when a sequence has none: 120 quarters per minute.
    public static let defaultMicrosecondsPerQuarter = 500_000

    /// Seconds from the start to `tick`, through the tempo map.
    public func seconds(atTick tick: Int) -> Double {
        var seconds = 0.0
        var lastTick = 0
        var us = tempos.first.map { $0.tick == 0 ? $0.microsecondsPerQuarter : Self.defaultMicrosecondsPerQuarter }
            ?? Self.defaultMicrosecondsPerQuarter
        for t in tempos where t.tick > 0 {
            if t.tick >= tick { break }
            seconds += Double(t.tick - lastTick) * Double(us) / 1e6 / Double(ticksPerQuarter)
            lastTick = t.tick
            us = t.microsecondsPerQuarter
        }
        seconds += Double(tick - lastTick) * Double(us) / 1e6 / Double(ticksPerQuarter)
        return seconds
    }

    /// Length in seconds (to the last note's end or the end of the longest track).
    public var totalTime: Double { seconds(atTick: totalTicks) }

    /// The time signature in force at tick 0 (4/4 when none is given).
    public var initialTimeSignature: TimeSignature {
        timeSignatures.first(where: { $0.tick == 0 }) ?? TimeSignature(tick: 0, numerator: 4, denominator: 4)
    }

    /// The tempo in force at tick 0, in quarters per minute.
    public var initialQPM: Double {
        (tempos.first(where: { $0.tick == 0 }) ?? TempoChange(tick: 0, microsecondsPerQuarter: Self.defaultMicrosecondsPerQuarter)).qpm
    }

    /// Number of bars (complete or not) up to `totalTicks`, following the time-signature changes.
    public var barCount: Int {
        var bars = 0
        let signatures = timeSignatures.isEmpty ? [TimeSignature(numerator: 4, denominator: 4)] : timeSignatures
        for (i, ts) in signatures.enumerated() {
            let start = ts.tick
            let end = i + 1 < signatures.count ? signatures[i + 1].tick : totalTicks
            guard end > start, let bar = ts.barLength(ticksPerQuarter: ticksPerQuarter) else { continue }
            bars += (end - start + bar - 1) / bar
        }
        return bars
    }

    /// Sorts notes into the canonical order (onset, track, pitch, end).
    public mutating func sortNotes() {
        notes.sort { a, b in
            if a.start != b.start { return a.start < b.start }
            if a.track != b.track { return a.track < b.track }
            if a.pitch != b.pitch { return a.pitch < b.pitch }
            return a.end < b.end
        }
    }
}

extension NoteSequence {
    /// A track as messages name it: its index, and its name when it has one ("2 'Vocal Melody'").
    public func trackLabel(_ track: Int) -> String {
        "\(track)" + (track < tracks.count ? tracks[track].name.map { " '\($0)'" } ?? "" : "")
    }
}
