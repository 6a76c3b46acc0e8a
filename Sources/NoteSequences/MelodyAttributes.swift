/// Musical attributes of a melody window, each a plain number with an exact definition (the attributes of the
/// MusicVAE paper's attribute-vector experiments).
///
/// Notes are the note-ons of the window's events; a note lasts until the next note-on or note-off (or the window's
/// end). With 4 steps per quarter, step `s` is on the 8th-note grid when `s` is even and on a beat when `s % 4 == 0`.
public struct MelodyAttributes: Sendable, Equatable {
    /// Note onsets per step: onsets / steps.
    public var noteDensity: Double
    /// Mean absolute jump in semitones between consecutive notes (0 with fewer than two notes).
    public var averageInterval: Double
    /// Highest minus lowest pitch, in semitones (0 with no notes).
    public var pitchRange: Double
    /// Fraction of notes that start on an off-beat 16th (odd step) and are held across the next 8th-note boundary
    /// (they last more than one step).
    public var syncopation16th: Double
    /// Fraction of notes that start on an off-beat 8th (step 2 of a beat) and are held across the next beat
    /// (they last more than two steps).
    public var syncopation8th: Double
    /// Fraction of notes whose pitch class is in the major scale of the key (C major when no key is known; for a
    /// minor key, its relative major, i.e. the natural minor scale).
    public var diatonic: Double

    /// The attribute names, as used in files and on the command line, in a fixed order.
    public static let names = ["note_density", "average_interval", "pitch_range", "syncopation_16th", "syncopation_8th", "diatonic"]

    /// The value of the attribute called `name`.
    public subscript(name: String) -> Double? {
        switch name {
        case "note_density": return noteDensity
        case "average_interval": return averageInterval
        case "pitch_range": return pitchRange
        case "syncopation_16th": return syncopation16th
        case "syncopation_8th": return syncopation8th
        case "diatonic": return diatonic
        default: return nil
        }
    }

    /// The values in `names` order.
    public var values: [Double] { Self.names.map { self[$0]! } }

    /// Computes the attributes of an event sequence; `stepsPerQuarter` must be 4 for the syncopation grid,
    /// `majorTonic` is the pitch class of the key's major tonic (0 = C).
    public init(events: [Int], stepsPerQuarter: Int = 4, majorTonic: Int = 0) {
        let notes = MelodyEncoding.notes(of: events)
        let steps = max(1, events.count)
        noteDensity = Double(notes.count) / Double(steps)
        let pitches = notes.map(\.pitch)
        averageInterval = pitches.count < 2 ? 0
            : Double(zip(pitches, pitches.dropFirst()).reduce(0) { $0 + abs($1.1 - $1.0) }) / Double(pitches.count - 1)
        pitchRange = Double((pitches.max() ?? 0) - (pitches.min() ?? 0))
        let sixteenth = max(1, stepsPerQuarter / 4)
        let eighth = 2 * sixteenth
        let quarter = 4 * sixteenth
        let count = Double(max(1, notes.count))
        syncopation16th = Double(notes.filter { ($0.start / sixteenth) % 2 == 1 && $0.start % sixteenth == 0 && $0.end - $0.start > sixteenth }.count) / count
        syncopation8th = Double(notes.filter { $0.start % quarter == eighth && $0.end - $0.start > eighth }.count) / count
        let scale: Set<Int> = [0, 2, 4, 5, 7, 9, 11]
        diatonic = notes.isEmpty ? 0 : Double(notes.filter { scale.contains((($0.pitch - majorTonic) % 12 + 12) % 12) }.count) / count
    }
}

extension MelodyWindow {
    /// The window's attributes, in the key in force at the window's start (C major when none).
    public var attributes: MelodyAttributes {
        MelodyAttributes(events: events, stepsPerQuarter: window.piece.stepsPerQuarter, majorTonic: majorTonic)
    }

    /// The pitch class of the major tonic of the key in force at the window's start (C, 0, when none).
    public var majorTonic: Int {
        window.piece.sequence.keySignatures.last { $0.tick <= max(0, window.start) }?.majorTonicPitchClass ?? 0
    }
}
