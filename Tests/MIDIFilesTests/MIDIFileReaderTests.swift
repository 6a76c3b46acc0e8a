import Testing
@testable import MIDIFiles

/// Builds file bytes: a header and raw track bodies.
func smf(format: UInt16 = 0, division: UInt16 = 480, tracks: [[UInt8]], declaredTracks: UInt16? = nil) -> [UInt8] {
    var b: [UInt8] = Array("MThd".utf8) + [0, 0, 0, 6]
    let n = declaredTracks ?? UInt16(tracks.count)
    b += [UInt8(format >> 8), UInt8(format & 0xFF), UInt8(n >> 8), UInt8(n & 0xFF), UInt8(division >> 8), UInt8(division & 0xFF)]
    for t in tracks {
        let len = t.count
        b += Array("MTrk".utf8) + [UInt8(len >> 24), UInt8((len >> 16) & 0xFF), UInt8((len >> 8) & 0xFF), UInt8(len & 0xFF)]
        b += t
    }
    return b
}

@Suite struct MIDIFileReaderTests {
    @Test func readsEveryKindOfEvent() throws {
        let track: [UInt8] = [
            0x00, 0xFF, 0x03, 0x03, 0x46, 0x6F, 0x6F,        // track name "Foo"
            0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20,        // tempo 500000
            0x00, 0xFF, 0x58, 0x04, 0x03, 0x02, 0x18, 0x08,  // 3/4
            0x00, 0xFF, 0x59, 0x02, 0xFE, 0x01,              // 2 flats, minor
            0x00, 0xC0, 0x28,                                // program 40
            0x00, 0x90, 0x3C, 0x64,                          // note on 60
            0x60, 0x40, 0x50,                                // running status: note on 64 at +96
            0x60, 0x3C, 0x00,                                // running status: note on 60 vel 0 (= off)
            0x00, 0x80, 0x40, 0x00,                          // note off 64
            0x00, 0xB0, 0x07, 0x64,                          // volume
            0x00, 0xE0, 0x00, 0x40,                          // pitch bend centre
            0x00, 0xA0, 0x3C, 0x10,                          // poly pressure
            0x00, 0xD0, 0x20,                                // channel pressure
            0x00, 0xF0, 0x03, 0x7E, 0x09, 0xF7,              // sysex
            0x00, 0xF7, 0x02, 0x01, 0x02,                    // escape
            0x00, 0xFF, 0x7F, 0x02, 0x00, 0x41,              // sequencer-specific (kept raw)
            0x00, 0xFF, 0x05, 0x02, 0x6C, 0x61,              // lyric "la"
            0x81, 0x00, 0xFF, 0x2F, 0x00,                    // end of track at +128
        ]
        let file = try MIDIFile(bytes: smf(tracks: [track]))
        #expect(file.format == 0)
        #expect(file.division == .ticksPerQuarter(480))
        let e = file.tracks[0].events
        #expect(e.map(\.message) == [
            .text(.trackName, Array("Foo".utf8)),
            .tempo(microsecondsPerQuarter: 500_000),
            .timeSignature(numerator: 3, denominatorPower: 2, clocksPerClick: 24, thirtySecondsPerQuarter: 8),
            .keySignature(sharps: -2, minor: true),
            .programChange(channel: 0, program: 40),
            .noteOn(channel: 0, key: 60, velocity: 100),
            .noteOn(channel: 0, key: 64, velocity: 80),
            .noteOn(channel: 0, key: 60, velocity: 0),
            .noteOff(channel: 0, key: 64, velocity: 0),
            .controlChange(channel: 0, controller: 7, value: 100),
            .pitchBend(channel: 0, value: 8192),
            .polyPressure(channel: 0, key: 60, pressure: 16),
            .channelPressure(channel: 0, pressure: 32),
            .sysex([0x7E, 0x09, 0xF7]),
            .sysexEscape([0x01, 0x02]),
            .meta(type: 0x7F, data: [0x00, 0x41]),
            .text(.lyric, Array("la".utf8)),
            .endOfTrack,
        ])
        #expect(e.map(\.tick) == [0, 0, 0, 0, 0, 0, 96, 192, 192, 192, 192, 192, 192, 192, 192, 192, 192, 320])
        #expect(file.tracks[0].name == "Foo")
    }

    @Test func smpteDivision() throws {
        // -25 fps (0xE7), 40 ticks per frame.
        let file = try MIDIFile(bytes: smf(division: 0xE728, tracks: [[0x00, 0xFF, 0x2F, 0x00]]))
        #expect(file.division == .smpte(framesPerSecond: 25, ticksPerFrame: 40))
        #expect(file.division.smpteTicksPerSecond == 1000)
    }

    @Test func formatTwoAndUnknownChunksAreRead() throws {
        var bytes = smf(format: 2, tracks: [[0x00, 0x90, 60, 64, 0x10, 0x80, 60, 0, 0x00, 0xFF, 0x2F, 0x00],
                                           [0x00, 0x90, 62, 64, 0x10, 0x80, 62, 0, 0x00, 0xFF, 0x2F, 0x00]])
        // An alien chunk between the header and the tracks is skipped.
        let alien: [UInt8] = Array("XFIH".utf8) + [0, 0, 0, 2, 0xAA, 0xBB]
        bytes.insert(contentsOf: alien, at: 14)
        let file = try MIDIFile(bytes: bytes)
        #expect(file.format == 2)
        #expect(file.tracks.count == 2)
    }

    @Test func eventsAfterEndOfTrackAreIgnoredAndMissingEndIsAccepted() throws {
        let withPadding = try MIDIFile(bytes: smf(tracks: [[0x00, 0xFF, 0x2F, 0x00, 0x00, 0x00]]))
        #expect(withPadding.tracks[0].events.map(\.message) == [.endOfTrack])
        let noEnd = try MIDIFile(bytes: smf(tracks: [[0x00, 0x90, 60, 64]]))
        #expect(noEnd.tracks[0].events.count == 1)
    }

    /// Each malformed input throws the expected error, with the byte offset where the problem is.
    @Test(arguments: [
        (Array("RIFF....".utf8), MIDIFileError.notMIDI(found: Array("RIFF".utf8))),
        (Array(smf(tracks: [[]]).prefix(10)), MIDIFileError.truncated(what: "header chunk", offset: 8, needed: 6, available: 2)),
        (smf(tracks: [[0x00, 0x3C, 0x40]]), MIDIFileError.dataByteWithoutStatus(0x3C, offset: 23)),
        (smf(tracks: [[0x81, 0x82, 0x83, 0x84, 0x05]]), MIDIFileError.badVariableLengthQuantity(offset: 22)),
        (smf(tracks: [[0x00, 0xFF, 0x51, 0x02, 0x07, 0xA1]]), MIDIFileError.badMetaLength(type: 0x51, length: 2, offset: 23)),
        (smf(tracks: [[0x00, 0xFF, 0x01, 0x09, 0x41]]), MIDIFileError.lengthMismatch(what: "meta event", declared: 9, available: 1, offset: 23)),
        (smf(tracks: [[0x00, 0xF0, 0x05, 0x41]]), MIDIFileError.lengthMismatch(what: "sysex event", declared: 5, available: 1, offset: 23)),
        (smf(tracks: [[0x00, 0x90, 0x3C]]), MIDIFileError.truncated(what: "channel message", offset: 23, needed: 2, available: 1)),
        (smf(tracks: [[0x00, 0x90, 0x3C, 0x80]]), MIDIFileError.badDataByte(0x80, offset: 25)),
        (smf(tracks: [[0x00, 0xF4]]), MIDIFileError.unexpectedStatus(0xF4, offset: 23)),
        (smf(format: 1, tracks: [[0x00, 0xFF, 0x2F, 0x00]], declaredTracks: 2), MIDIFileError.missingTracks(declared: 2, found: 1)),
        (smf(format: 3, tracks: [[0x00, 0xFF, 0x2F, 0x00]]), MIDIFileError.unsupportedFormat(3, offset: 8)),
        (smf(format: 0, tracks: [[0x00, 0xFF, 0x2F, 0x00], [0x00, 0xFF, 0x2F, 0x00]]), MIDIFileError.formatZeroWithTracks(2, offset: 10)),
        (smf(division: 0, tracks: [[0x00, 0xFF, 0x2F, 0x00]]), MIDIFileError.badDivision(0, offset: 12)),
        (smf(tracks: [[0x00, 0xFF, 0x51, 0x03, 0, 0, 0]]), MIDIFileError.zeroTempo(offset: 23)),
        (smf(tracks: [[0x00, 0xFF, 0x59, 0x02, 0x09, 0x00]]), MIDIFileError.badKeySignature(sharps: 9, mode: 0, offset: 23)),
    ])
    func malformedInputThrows(bytes: [UInt8], expected: MIDIFileError) {
        #expect(throws: expected) { try MIDIFile(bytes: bytes) }
    }

    @Test func truncatedTrackChunkNamesItsOffset() {
        let full = smf(tracks: [[0x00, 0x90, 60, 64, 0x10, 0x80, 60, 0, 0x00, 0xFF, 0x2F, 0x00]])
        let cut = Array(full.prefix(full.count - 3))
        #expect(throws: MIDIFileError.truncated(what: "track chunk", offset: 14, needed: 12, available: 9)) { try MIDIFile(bytes: cut) }
    }

    @Test func errorMessagesNameTheOffset() {
        let e = MIDIFileError.dataByteWithoutStatus(0x3C, offset: 23)
        #expect(e.description == "data byte 0x3C without a status byte (no running status) at byte 23")
        #expect(e.reason == "data byte without status")
    }
}
