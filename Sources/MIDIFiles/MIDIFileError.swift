/// Everything that can be wrong with the bytes of a MIDI file. Each case carries the byte offset where it was found.
public enum MIDIFileError: Error, Sendable, Equatable {
    /// The file does not start with an `MThd` chunk.
    case notMIDI(found: [UInt8])
    /// The data ends before `what` is complete: `needed` bytes at `offset`, only `available` left.
    case truncated(what: String, offset: Int, needed: Int, available: Int)
    /// The header chunk is shorter than the 6 bytes it must hold.
    case badHeaderLength(Int, offset: Int)
    /// The header names a format other than 0, 1 or 2.
    case unsupportedFormat(Int, offset: Int)
    /// A format-0 file that declares more than one track.
    case formatZeroWithTracks(Int, offset: Int)
    /// The division word is zero or a malformed SMPTE value.
    case badDivision(UInt16, offset: Int)
    /// A variable-length quantity longer than 4 bytes.
    case badVariableLengthQuantity(offset: Int)
    /// A data byte (< 0x80) where a status byte was needed and no running status was in force.
    case dataByteWithoutStatus(UInt8, offset: Int)
    /// A status byte that may not appear in a file (system common/real-time: F1-F6, F8-FE).
    case unexpectedStatus(UInt8, offset: Int)
    /// A channel message whose data byte has the high bit set.
    case badDataByte(UInt8, offset: Int)
    /// An event's declared length runs past the end of its track chunk.
    case lengthMismatch(what: String, declared: Int, available: Int, offset: Int)
    /// A meta event whose length is wrong for its type (tempo 3, time signature 4, key signature 2, end of track 0).
    case badMetaLength(type: UInt8, length: Int, offset: Int)
    /// A key signature outside -7...7 sharps or with a mode other than 0/1.
    case badKeySignature(sharps: Int8, mode: UInt8, offset: Int)
    /// A tempo of zero microseconds per quarter.
    case zeroTempo(offset: Int)
    /// The header declares more tracks than the file holds.
    case missingTracks(declared: Int, found: Int)
    /// A chunk that should be `MTrk` has another id (unknown chunks are skipped; this is for a garbled id).
    case badChunkID([UInt8], offset: Int)
    /// The file is larger than the reader accepts.
    case tooLarge(bytes: Int)
    /// The file could not be read at all.
    case unreadable(path: String, reason: String)
    /// A file could not be written (the folder is missing or read-only, the disk is full...).
    case cannotWrite(path: String, reason: String)
    /// A value that cannot be written (a data byte above 127, a negative tick...).
    case unwritable(String)
}

// MARK: - Messages

extension MIDIFileError: CustomStringConvertible {
    /// A one-line explanation that names the byte offset.
    public var description: String {
        func hex(_ b: UInt8) -> String { "0x" + String(b, radix: 16, uppercase: true) }
        switch self {
        case .notMIDI(let found):
            let shown = found.prefix(4).map { $0 >= 32 && $0 < 127 ? String(UnicodeScalar($0)) : "." }.joined()
            return "not a MIDI file: expected 'MThd' at byte 0, found '\(shown)'"
        case .truncated(let what, let offset, let needed, let available):
            return "truncated \(what) at byte \(offset): needs \(needed) bytes, \(available) left"
        case .badHeaderLength(let n, let offset):
            return "header chunk at byte \(offset) is \(n) bytes long; it must be at least 6"
        case .unsupportedFormat(let f, let offset):
            return "unsupported MIDI format \(f) at byte \(offset) (0, 1 and 2 exist)"
        case .formatZeroWithTracks(let n, let offset):
            return "format 0 file declares \(n) tracks at byte \(offset); format 0 holds exactly one"
        case .badDivision(let d, let offset):
            return "bad time division 0x\(String(d, radix: 16)) at byte \(offset)"
        case .badVariableLengthQuantity(let offset):
            return "bad variable-length quantity at byte \(offset): longer than 4 bytes"
        case .dataByteWithoutStatus(let b, let offset):
            return "data byte \(hex(b)) without a status byte (no running status) at byte \(offset)"
        case .unexpectedStatus(let b, let offset):
            return "status byte \(hex(b)) at byte \(offset) is not allowed in a MIDI file"
        case .badDataByte(let b, let offset):
            return "data byte \(hex(b)) at byte \(offset) has its high bit set"
        case .lengthMismatch(let what, let declared, let available, let offset):
            return "\(what) at byte \(offset) declares \(declared) bytes but only \(available) remain in its chunk"
        case .badMetaLength(let type, let length, let offset):
            return "meta event FF \(String(format2: type)) at byte \(offset) has length \(length), which is wrong for its type"
        case .badKeySignature(let sharps, let mode, let offset):
            return "key signature at byte \(offset) has \(sharps) sharps and mode \(mode); expected -7...7 and 0 or 1"
        case .zeroTempo(let offset):
            return "tempo of 0 microseconds per quarter at byte \(offset)"
        case .missingTracks(let declared, let found):
            return "header declares \(declared) tracks but the file holds \(found)"
        case .badChunkID(let id, let offset):
            return "garbled chunk id \(id.map { hex($0) }.joined(separator: " ")) at byte \(offset)"
        case .tooLarge(let bytes):
            return "file of \(bytes) bytes is larger than the 256 MiB this reader accepts"
        case .unreadable(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason)"
        case .unwritable(let why):
            return "cannot write MIDI: \(why)"
        }
    }

    /// A short reason with no offsets, for counting failures by kind ("truncated track", "not a MIDI file").
    public var reason: String {
        switch self {
        case .notMIDI: return "not a MIDI file"
        case .truncated(let what, _, _, _): return "truncated \(what)"
        case .badHeaderLength: return "bad header length"
        case .unsupportedFormat: return "unsupported format"
        case .formatZeroWithTracks: return "format 0 with several tracks"
        case .badDivision: return "bad division"
        case .badVariableLengthQuantity: return "bad variable-length quantity"
        case .dataByteWithoutStatus: return "data byte without status"
        case .unexpectedStatus: return "unexpected status byte"
        case .badDataByte: return "bad data byte"
        case .lengthMismatch: return "length mismatch"
        case .badMetaLength: return "bad meta event length"
        case .badKeySignature: return "bad key signature"
        case .zeroTempo: return "zero tempo"
        case .missingTracks: return "missing tracks"
        case .badChunkID: return "garbled chunk id"
        case .tooLarge: return "file too large"
        case .unreadable: return "unreadable file"
        case .cannotWrite: return "cannot write file"
        case .unwritable: return "unwritable"
        }
    }
}

extension String {
    /// Two upper-case hex digits.
    init(format2 b: UInt8) {
        let s = String(b, radix: 16, uppercase: true)
        self = s.count == 1 ? "0" + s : s
    }
}
