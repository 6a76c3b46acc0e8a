/// One timed event of a MIDI track: an absolute tick and what happens there.
public struct MIDIEvent: Sendable, Equatable, Hashable {
    /// Absolute time in ticks from the start of the track.
    public var tick: Int
    /// The message.
    public var message: MIDIMessage

    /// Creates an event at `tick`.
    public init(tick: Int, _ message: MIDIMessage) {
        self.tick = tick
        self.message = message
    }
}

/// A MIDI message as it stands in a Standard MIDI File track.
///
/// Channel-voice messages carry their channel (0...15); data values are 0...127.
/// Meta events that the rest of the package reads (tempo, time and key signature, texts, end of track)
/// get their own cases; every other meta event is kept as `.meta(type:data:)` so a file round-trips.
public enum MIDIMessage: Sendable, Equatable, Hashable {
    /// Note off (status 8n).
    case noteOff(channel: UInt8, key: UInt8, velocity: UInt8)
    /// Note on (status 9n). Velocity 0 means note off; readers of notes treat it so.
    case noteOn(channel: UInt8, key: UInt8, velocity: UInt8)
    /// Polyphonic key pressure (status An).
    case polyPressure(channel: UInt8, key: UInt8, pressure: UInt8)
    /// Control change (status Bn).
    case controlChange(channel: UInt8, controller: UInt8, value: UInt8)
    /// Program change (status Cn).
    case programChange(channel: UInt8, program: UInt8)
    /// Channel pressure (status Dn).
    case channelPressure(channel: UInt8, pressure: UInt8)
    /// Pitch bend (status En), 0...16383 with 8192 the centre.
    case pitchBend(channel: UInt8, value: UInt16)
    /// A system-exclusive message (F0): the bytes after the length, usually ending with F7.
    case sysex([UInt8])
    /// An escape (F7): raw bytes (a sysex continuation packet, or any bytes to transmit).
    case sysexEscape([UInt8])
    /// Set tempo (FF 51): microseconds per quarter note.
    case tempo(microsecondsPerQuarter: Int)
    /// Time signature (FF 58): numerator, denominator as a power of two, MIDI clocks per metronome click,
    /// notated 32nd notes per MIDI quarter.
    case timeSignature(numerator: UInt8, denominatorPower: UInt8, clocksPerClick: UInt8, thirtySecondsPerQuarter: UInt8)
    /// Key signature (FF 59): sharps (positive) or flats (negative), and minor or major.
    case keySignature(sharps: Int8, minor: Bool)
    /// A text-like meta event (FF 01...FF 0F): its kind and raw bytes.
    case text(MIDITextKind, [UInt8])
    /// End of track (FF 2F).
    case endOfTrack
    /// Any other meta event, kept as it was read.
    case meta(type: UInt8, data: [UInt8])
}

/// The kinds of text meta events (FF 01...FF 0F).
public enum MIDITextKind: UInt8, Sendable, Equatable, Hashable, CaseIterable {
    case text = 1, copyright, trackName, instrumentName, lyric, marker, cuePoint, programName, deviceName
    case other0A = 0x0A, other0B, other0C, other0D, other0E, other0F
}

// MARK: - Conveniences

extension MIDIMessage {
    /// The channel of a channel-voice message, or nil.
    public var channel: UInt8? {
        switch self {
        case .noteOff(let c, _, _), .noteOn(let c, _, _), .polyPressure(let c, _, _), .controlChange(let c, _, _),
             .programChange(let c, _), .channelPressure(let c, _), .pitchBend(let c, _):
            return c
        default:
            return nil
        }
    }
}

extension MIDITextKind {
    /// A short name for printing ("track name", "lyric", ...).
    public var name: String {
        switch self {
        case .text: return "text"
        case .copyright: return "copyright"
        case .trackName: return "track name"
        case .instrumentName: return "instrument name"
        case .lyric: return "lyric"
        case .marker: return "marker"
        case .cuePoint: return "cue point"
        case .programName: return "program name"
        case .deviceName: return "device name"
        default: return "text \(rawValue)"
        }
    }
}

/// Decodes the bytes of a MIDI text event: UTF-8 when valid, else Latin-1 (the common legacy encoding).
public func decodeMIDIText(_ bytes: [UInt8]) -> String {
    if let s = String(validating: bytes, as: UTF8.self) { return s }
    return String(bytes.map { Character(Unicode.Scalar($0)) })
}
