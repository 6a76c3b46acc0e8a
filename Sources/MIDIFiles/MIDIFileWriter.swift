// MARK: - Writing

extension MIDIFile {
    /// Serialises the file. Channel messages use running status; each track ends with exactly one end-of-track
    /// event (added when missing, at the last event's tick). Events must be in tick order within a track.
    public func bytes() throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + tracks.reduce(0) { $0 + $1.events.count * 4 })
        out += [0x4D, 0x54, 0x68, 0x64, 0, 0, 0, 6]
        guard (0...2).contains(format) else { throw MIDIFileError.unwritable("format \(format)") }
        guard tracks.count <= 0xFFFF, format != 0 || tracks.count == 1 else {
            throw MIDIFileError.unwritable("format \(format) with \(tracks.count) tracks")
        }
        appendU16(&out, UInt16(format))
        appendU16(&out, UInt16(tracks.count))
        switch division {
        case .ticksPerQuarter(let tpq):
            guard (1...0x7FFF).contains(tpq) else { throw MIDIFileError.unwritable("\(tpq) ticks per quarter") }
            appendU16(&out, UInt16(tpq))
        case .smpte(let fps, let tpf):
            guard [24, 25, 29, 30].contains(fps), (1...255).contains(tpf) else {
                throw MIDIFileError.unwritable("SMPTE division \(fps) fps, \(tpf) ticks per frame")
            }
            out.append(UInt8(bitPattern: Int8(-fps)))
            out.append(UInt8(tpf))
        }
        for track in tracks {
            out += [0x4D, 0x54, 0x72, 0x6B, 0, 0, 0, 0]
            let lengthAt = out.count - 4
            try appendTrack(track, to: &out)
            let length = out.count - lengthAt - 4
            guard length <= 0xFFFF_FFFF else { throw MIDIFileError.unwritable("track of \(length) bytes") }
            out[lengthAt] = UInt8(truncatingIfNeeded: length >> 24)
            out[lengthAt + 1] = UInt8(truncatingIfNeeded: length >> 16)
            out[lengthAt + 2] = UInt8(truncatingIfNeeded: length >> 8)
            out[lengthAt + 3] = UInt8(truncatingIfNeeded: length)
        }
        return out
    }

    /// Writes the file to `path` atomically (a temporary file beside it, then a rename).
    public func write(to path: String) throws {
        try writeFileAtomically(try bytes(), to: path)
    }
}

private func appendU16(_ out: inout [UInt8], _ v: UInt16) {
    out.append(UInt8(v >> 8))
    out.append(UInt8(v & 0xFF))
}

private func appendVLQ(_ out: inout [UInt8], _ value: Int) throws {
    guard (0...0x0FFF_FFFF).contains(value) else { throw MIDIFileError.unwritable("variable-length value \(value)") }
    var buffer = [UInt8](repeating: 0, count: 4)
    var n = 0
    var v = value
    repeat {
        buffer[n] = UInt8(v & 0x7F)
        v >>= 7
        n += 1
    } while v > 0
    for i in stride(from: n - 1, through: 0, by: -1) {
        out.append(buffer[i] | (i > 0 ? 0x80 : 0))
    }
}

private func check7(_ values: UInt8...) throws {
    for v in values where v > 0x7F { throw MIDIFileError.unwritable("data byte \(v) above 127") }
}

private func appendTrack(_ track: MIDITrack, to out: inout [UInt8]) throws {
    var lastTick = 0
    var running: UInt8 = 0
    var wroteEnd = false
    for event in track.events {
        if wroteEnd { break }
        guard event.tick >= lastTick else {
            throw MIDIFileError.unwritable("events out of order: tick \(event.tick) after \(lastTick)")
        }
        try appendVLQ(&out, event.tick - lastTick)
        lastTick = event.tick
        func channel(_ kind: UInt8, _ ch: UInt8, _ data: UInt8...) throws {
            guard ch < 16 else { throw MIDIFileError.unwritable("channel \(ch)") }
            for d in data { try check7(d) }
            let status = kind << 4 | ch
            if status != running { out.append(status); running = status }
            out += data
        }
        func meta(_ type: UInt8, _ data: [UInt8]) throws {
            out.append(0xFF)
            out.append(type)
            try appendVLQ(&out, data.count)
            out += data
        }
        switch event.message {
        case .noteOff(let c, let k, let v): try channel(0x8, c, k, v)
        case .noteOn(let c, let k, let v): try channel(0x9, c, k, v)
        case .polyPressure(let c, let k, let p): try channel(0xA, c, k, p)
        case .controlChange(let c, let n, let v): try channel(0xB, c, n, v)
        case .programChange(let c, let p): try channel(0xC, c, p)
        case .channelPressure(let c, let p): try channel(0xD, c, p)
        case .pitchBend(let c, let v):
            guard v < 0x4000 else { throw MIDIFileError.unwritable("pitch bend \(v)") }
            try channel(0xE, c, UInt8(v & 0x7F), UInt8(v >> 7))
        case .sysex(let data):
            out.append(0xF0); try appendVLQ(&out, data.count); out += data
        case .sysexEscape(let data):
            out.append(0xF7); try appendVLQ(&out, data.count); out += data
        case .tempo(let us):
            guard (1...0xFF_FFFF).contains(us) else { throw MIDIFileError.unwritable("tempo \(us) us per quarter") }
            try meta(0x51, [UInt8(us >> 16), UInt8((us >> 8) & 0xFF), UInt8(us & 0xFF)])
        case .timeSignature(let n, let d, let c, let b):
            try meta(0x58, [n, d, c, b])
        case .keySignature(let sharps, let minor):
            try meta(0x59, [UInt8(bitPattern: sharps), minor ? 1 : 0])
        case .text(let kind, let data):
            try meta(kind.rawValue, data)
        case .endOfTrack:
            try meta(0x2F, [])
            wroteEnd = true
        case .meta(let type, let data):
            guard type != 0x2F, type != 0x51, type != 0x58, type != 0x59 else {
                throw MIDIFileError.unwritable("raw meta event of typed kind FF \(String(format2: type))")
            }
            try meta(type, data)
        }
        if case .sysex = event.message { running = 0 }
        if case .sysexEscape = event.message { running = 0 }
    }
    if !wroteEnd {
        out += [0x00, 0xFF, 0x2F, 0x00]
    }
}
