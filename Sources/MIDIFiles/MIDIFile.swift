/// A Standard MIDI File: format, time division and tracks of timed events.
public struct MIDIFile: Sendable, Equatable {
    /// 0 (one track), 1 (simultaneous tracks) or 2 (independent sequences).
    public var format: Int
    /// How ticks relate to time.
    public var division: MIDIDivision
    /// The tracks, in file order; each track's events are in tick order.
    public var tracks: [MIDITrack]

    /// Creates a file from its parts.
    public init(format: Int, division: MIDIDivision, tracks: [MIDITrack]) {
        self.format = format
        self.division = division
        self.tracks = tracks
    }
}

/// The header's division word: ticks per quarter note, or SMPTE frames and ticks per frame.
public enum MIDIDivision: Sendable, Equatable, Hashable {
    /// Metrical time: ticks per quarter note (1...32767).
    case ticksPerQuarter(Int)
    /// Time-code based time: frames per second (24, 25, 29 for 29.97 drop-frame, 30) and ticks per frame.
    case smpte(framesPerSecond: Int, ticksPerFrame: Int)

    /// Ticks per second for SMPTE division (29 means 29.97), nil for metrical division.
    public var smpteTicksPerSecond: Double? {
        guard case .smpte(let fps, let tpf) = self else { return nil }
        return (fps == 29 ? 29.97 : Double(fps)) * Double(tpf)
    }
}

/// One track chunk (MTrk): events with absolute ticks.
public struct MIDITrack: Sendable, Equatable {
    /// The events in tick order (file order for equal ticks).
    public var events: [MIDIEvent]

    /// Creates a track.
    public init(events: [MIDIEvent] = []) { self.events = events }

    /// The track name (first FF 03 event), if any.
    public var name: String? {
        for e in events { if case .text(.trackName, let b) = e.message { return decodeMIDIText(b) } }
        return nil
    }
}
