// MARK: - Reading

extension MIDIFile {
    /// The largest file the reader accepts (256 MiB); anything larger is refused before it is read.
    public static let maximumSize = 256 << 20

    /// Parses Standard MIDI File bytes. Throws `MIDIFileError` for anything malformed; never traps.
    public init(bytes: [UInt8]) throws {
        self = try bytes.withUnsafeBufferPointer { buffer in
            var reader = MIDIByteReader(bytes: buffer)
            return try reader.readFile()
        }
    }

    /// Reads and parses the file at `path`.
    public init(path: String) throws {
        try self.init(bytes: try readFileBytes(path: path))
    }
}

/// Reads a whole file with POSIX calls (much cheaper than Foundation for thousands of small files).
public func readFileBytes(path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw MIDIFileError.unreadable(path: path, reason: String(cString: strerror(errno))) }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw MIDIFileError.unreadable(path: path, reason: String(cString: strerror(errno))) }
    if (st.st_mode & S_IFMT) == S_IFDIR { throw MIDIFileError.unreadable(path: path, reason: "is a folder") }
    let size = Int(st.st_size)
    guard size <= MIDIFile.maximumSize else { throw MIDIFileError.tooLarge(bytes: size) }
    var result = [UInt8](unsafeUninitializedCapacity: size) { buf, count in
        var got = 0
        while got < size {
            let n = read(fd, buf.baseAddress! + got, size - got)
            if n <= 0 { break }
            got += n
        }
        count = got
    }
    // A file that grew while being read: take the rest too.
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, 4096) }
        if n <= 0 { break }
        result.append(contentsOf: chunk[0..<n])
        if result.count > MIDIFile.maximumSize { throw MIDIFileError.tooLarge(bytes: result.count) }
    }
    return result
}

/// A cursor over the bytes of a MIDI file. All reads are bounds-checked and throw instead of trapping.
struct MIDIByteReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var pos = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func readFile() throws -> MIDIFile {
        guard bytes.count >= 4, bytes[0] == 0x4D, bytes[1] == 0x54, bytes[2] == 0x68, bytes[3] == 0x64 else {
            throw MIDIFileError.notMIDI(found: Array(bytes.prefix(4)))
        }
        pos = 4
        let headerLength = try u32(what: "header chunk", limit: bytes.count)
        let headerStart = pos
        guard headerLength >= 6 else { throw MIDIFileError.badHeaderLength(headerLength, offset: 4) }
        guard bytes.count - pos >= headerLength else {
            throw MIDIFileError.truncated(what: "header chunk", offset: pos, needed: headerLength, available: bytes.count - pos)
        }
        let format = Int(try u16(limit: bytes.count))
        guard format <= 2 else { throw MIDIFileError.unsupportedFormat(format, offset: headerStart) }
        let trackCount = Int(try u16(limit: bytes.count))
        if format == 0 && trackCount > 1 { throw MIDIFileError.formatZeroWithTracks(trackCount, offset: headerStart + 2) }
        let divisionWord = try u16(limit: bytes.count)
        let division: MIDIDivision
        if divisionWord & 0x8000 != 0 {
            let fps = -Int(Int8(bitPattern: UInt8(divisionWord >> 8)))
            let tpf = Int(divisionWord & 0xFF)
            guard [24, 25, 29, 30].contains(fps), tpf > 0 else { throw MIDIFileError.badDivision(divisionWord, offset: headerStart + 4) }
            division = .smpte(framesPerSecond: fps, ticksPerFrame: tpf)
        } else {
            guard divisionWord > 0 else { throw MIDIFileError.badDivision(divisionWord, offset: headerStart + 4) }
            division = .ticksPerQuarter(Int(divisionWord))
        }
        pos = headerStart + headerLength

        var tracks: [MIDITrack] = []
        tracks.reserveCapacity(trackCount)
        while tracks.count < trackCount {
            guard pos < bytes.count else { throw MIDIFileError.missingTracks(declared: trackCount, found: tracks.count) }
            let chunkStart = pos
            guard bytes.count - pos >= 8 else {
                throw MIDIFileError.truncated(what: "chunk header", offset: pos, needed: 8, available: bytes.count - pos)
            }
            let id = (bytes[pos], bytes[pos + 1], bytes[pos + 2], bytes[pos + 3])
            pos += 4
            let length = try u32(what: "chunk header", limit: bytes.count)
            guard bytes.count - pos >= length else {
                throw MIDIFileError.truncated(what: "track chunk", offset: chunkStart, needed: length, available: bytes.count - pos)
            }
            if id == (0x4D, 0x54, 0x72, 0x6B) {  // MTrk
                tracks.append(try readTrack(end: pos + length))
                pos = chunkStart + 8 + length
            } else {
                // Unknown chunks are skipped, as the standard asks, unless the id is not even text.
                let idBytes = [id.0, id.1, id.2, id.3]
                guard idBytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
                    throw MIDIFileError.badChunkID(idBytes, offset: chunkStart)
                }
                pos += length
            }
        }
        return MIDIFile(format: format, division: division, tracks: tracks)
    }

    /// Reads the events of one track chunk ending at byte `end`.
    mutating func readTrack(end: Int) throws -> MIDITrack {
        var events: [MIDIEvent] = []
        events.reserveCapacity((end - pos) / 3)
        var tick = 0
        var runningStatus: UInt8 = 0
        while pos < end {
            let delta = try vlq(limit: end, what: "delta time")
            tick += delta
            let eventStart = pos
            guard pos < end else { throw MIDIFileError.truncated(what: "event", offset: pos, needed: 1, available: 0) }
            var status = bytes[pos]
            if status < 0x80 {
                guard runningStatus != 0 else { throw MIDIFileError.dataByteWithoutStatus(status, offset: pos) }
                status = runningStatus
            } else {
                pos += 1
            }
            switch status {
            case 0x80...0xEF:
                runningStatus = status
                let channel = status & 0x0F
                let kind = status >> 4
                let needed = (kind == 0xC || kind == 0xD) ? 1 : 2
                guard end - pos >= needed else {
                    throw MIDIFileError.truncated(what: "channel message", offset: eventStart, needed: needed, available: end - pos)
                }
                let d1 = bytes[pos]
                guard d1 < 0x80 else { throw MIDIFileError.badDataByte(d1, offset: pos) }
                var d2: UInt8 = 0
                if needed == 2 {
                    d2 = bytes[pos + 1]
                    guard d2 < 0x80 else { throw MIDIFileError.badDataByte(d2, offset: pos + 1) }
                }
                pos += needed
                let message: MIDIMessage
                switch kind {
                case 0x8: message = .noteOff(channel: channel, key: d1, velocity: d2)
                case 0x9: message = .noteOn(channel: channel, key: d1, velocity: d2)
                case 0xA: message = .polyPressure(channel: channel, key: d1, pressure: d2)
                case 0xB: message = .controlChange(channel: channel, controller: d1, value: d2)
                case 0xC: message = .programChange(channel: channel, program: d1)
                case 0xD: message = .channelPressure(channel: channel, pressure: d1)
                default: message = .pitchBend(channel: channel, value: UInt16(d1) | UInt16(d2) << 7)
                }
                events.append(MIDIEvent(tick: tick, message))
            case 0xF0, 0xF7:
                let length = try vlq(limit: end, what: "sysex length")
                guard end - pos >= length else {
                    throw MIDIFileError.lengthMismatch(what: "sysex event", declared: length, available: end - pos, offset: eventStart)
                }
                let data = Array(bytes[pos..<(pos + length)])
                pos += length
                events.append(MIDIEvent(tick: tick, status == 0xF0 ? .sysex(data) : .sysexEscape(data)))
            case 0xFF:
                guard pos < end else { throw MIDIFileError.truncated(what: "meta event", offset: eventStart, needed: 1, available: 0) }
                let type = bytes[pos]
                pos += 1
                let length = try vlq(limit: end, what: "meta event length")
                guard end - pos >= length else {
                    throw MIDIFileError.lengthMismatch(what: "meta event", declared: length, available: end - pos, offset: eventStart)
                }
                let message = try metaMessage(type: type, start: pos, length: length, offset: eventStart)
                pos += length
                events.append(MIDIEvent(tick: tick, message))
                if type == 0x2F {
                    // End of track: whatever padding follows inside the chunk is ignored.
                    pos = end
                }
            default:
                throw MIDIFileError.unexpectedStatus(status, offset: eventStart)
            }
        }
        return MIDITrack(events: events)
    }

    func metaMessage(type: UInt8, start: Int, length: Int, offset: Int) throws -> MIDIMessage {
        let b = bytes
        switch type {
        case 0x51:
            guard length == 3 else { throw MIDIFileError.badMetaLength(type: type, length: length, offset: offset) }
            let us = Int(b[start]) << 16 | Int(b[start + 1]) << 8 | Int(b[start + 2])
            guard us > 0 else { throw MIDIFileError.zeroTempo(offset: offset) }
            return .tempo(microsecondsPerQuarter: us)
        case 0x58:
            guard length == 4 else { throw MIDIFileError.badMetaLength(type: type, length: length, offset: offset) }
            return .timeSignature(numerator: b[start], denominatorPower: b[start + 1],
                                  clocksPerClick: b[start + 2], thirtySecondsPerQuarter: b[start + 3])
        case 0x59:
            guard length == 2 else { throw MIDIFileError.badMetaLength(type: type, length: length, offset: offset) }
            let sharps = Int8(bitPattern: b[start])
            let mode = b[start + 1]
            guard (-7...7).contains(sharps), mode <= 1 else {
                throw MIDIFileError.badKeySignature(sharps: sharps, mode: mode, offset: offset)
            }
            return .keySignature(sharps: sharps, minor: mode == 1)
        case 0x2F:
            guard length == 0 else { throw MIDIFileError.badMetaLength(type: type, length: length, offset: offset) }
            return .endOfTrack
        case 0x01...0x0F:
            return .text(MIDITextKind(rawValue: type)!, Array(b[start..<(start + length)]))
        default:
            return .meta(type: type, data: Array(b[start..<(start + length)]))
        }
    }

    /// A variable-length quantity (at most 4 bytes, so at most 0x0FFFFFFF).
    mutating func vlq(limit: Int, what: String) throws -> Int {
        var value = 0
        let start = pos
        for _ in 0..<4 {
            guard pos < limit else { throw MIDIFileError.truncated(what: what, offset: start, needed: pos - start + 1, available: pos - start) }
            let b = bytes[pos]
            pos += 1
            value = value << 7 | Int(b & 0x7F)
            if b < 0x80 { return value }
        }
        throw MIDIFileError.badVariableLengthQuantity(offset: start)
    }

    mutating func u16(limit: Int) throws -> UInt16 {
        guard limit - pos >= 2 else { throw MIDIFileError.truncated(what: "header chunk", offset: pos, needed: 2, available: limit - pos) }
        defer { pos += 2 }
        return UInt16(bytes[pos]) << 8 | UInt16(bytes[pos + 1])
    }

    mutating func u32(what: String, limit: Int) throws -> Int {
        guard limit - pos >= 4 else { throw MIDIFileError.truncated(what: what, offset: pos, needed: 4, available: limit - pos) }
        defer { pos += 4 }
        return Int(bytes[pos]) << 24 | Int(bytes[pos + 1]) << 16 | Int(bytes[pos + 2]) << 8 | Int(bytes[pos + 3])
    }
}
