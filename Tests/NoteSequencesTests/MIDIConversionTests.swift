import TestSupport
import Testing
import MIDIFiles
@testable import NoteSequences

@Suite struct MIDIConversionTests {
    func file(_ events: [MIDIEvent], tpq: Int = 480) -> MIDIFile {
        MIDIFile(format: 0, division: .ticksPerQuarter(tpq), tracks: [MIDITrack(events: events)])
    }

    @Test func velocityZeroIsNoteOffAndSamePitchOverlapsPairFirstInFirstOut() throws {
        let s = try NoteSequence(midi: file([
            MIDIEvent(tick: 0, .noteOn(channel: 0, key: 60, velocity: 100)),
            MIDIEvent(tick: 10, .noteOn(channel: 0, key: 60, velocity: 50)),   // overlapping same pitch
            MIDIEvent(tick: 20, .noteOn(channel: 0, key: 60, velocity: 0)),    // ends the first (FIFO)
            MIDIEvent(tick: 30, .noteOff(channel: 0, key: 60, velocity: 0)),   // ends the second
        ]))
        #expect(s.notes.map { [$0.start, $0.end, $0.velocity] } == [[0, 20, 100], [10, 30, 50]])
    }

    @Test func drumsProgramsChannelsAndUnterminatedNotes() throws {
        let s = try NoteSequence(midi: file([
            MIDIEvent(tick: 0, .programChange(channel: 1, program: 24)),
            MIDIEvent(tick: 0, .noteOn(channel: 1, key: 64, velocity: 90)),
            MIDIEvent(tick: 0, .noteOn(channel: 9, key: 36, velocity: 120)),
            MIDIEvent(tick: 5, .noteOff(channel: 9, key: 36, velocity: 0)),
            MIDIEvent(tick: 40, .noteOff(channel: 1, key: 64, velocity: 0)),
            MIDIEvent(tick: 40, .noteOn(channel: 2, key: 70, velocity: 90)),   // never released
            MIDIEvent(tick: 50, .endOfTrack),
        ]))
        #expect(s.notes.count == 3)
        let drum = s.notes.first { $0.pitch == 36 }!
        #expect(drum.isDrum && drum.channel == 9)
        let guitar = s.notes.first { $0.pitch == 64 }!
        #expect(guitar.program == 24 && guitar.channel == 1 && !guitar.isDrum)
        let hanging = s.notes.first { $0.pitch == 70 }!
        #expect(hanging.end == 50)
    }

    @Test func tempoMapToSeconds() {
        // 120 qpm for 2 quarters (1 s), then 60 qpm (1 s per quarter).
        let s = sequence([(60, 0, 4 * 480)], tpq: 480, tempos: [
            TempoChange(tick: 0, qpm: 120), TempoChange(tick: 960, qpm: 60),
        ])
        #expect(s.seconds(atTick: 480) == 0.5)
        #expect(s.seconds(atTick: 960) == 1.0)
        #expect(s.seconds(atTick: 1440) == 2.0)
        #expect(s.totalTime == 3.0)
    }

    @Test func smpteDivisionKeepsSecondsExact() throws {
        let midi = MIDIFile(format: 0, division: .smpte(framesPerSecond: 25, ticksPerFrame: 40), tracks: [MIDITrack(events: [
            MIDIEvent(tick: 500, .noteOn(channel: 0, key: 60, velocity: 64)),
            MIDIEvent(tick: 1500, .noteOff(channel: 0, key: 60, velocity: 0)),
        ])])
        let s = try NoteSequence(midi: midi)
        #expect(s.seconds(atTick: s.notes[0].start) == 0.5)
        #expect(s.seconds(atTick: s.notes[0].end) == 1.5)
    }

    @Test func formatTwoIsReadAsSeparateSequences() throws {
        let track = MIDITrack(events: [MIDIEvent(tick: 0, .noteOn(channel: 0, key: 60, velocity: 64)),
                                       MIDIEvent(tick: 8, .noteOff(channel: 0, key: 60, velocity: 0))])
        let midi = MIDIFile(format: 2, division: .ticksPerQuarter(96), tracks: [track, track])
        #expect(throws: NoteSequenceError.formatTwo(tracks: 2)) { try NoteSequence(midi: midi) }
        #expect(NoteSequence.sequences(from: midi).count == 2)
    }

    /// Real files: sequence -> MIDI -> sequence keeps notes, tempos, meters, keys, programs and channels.
    @Test func corpusSequencesRoundTripThroughMIDI() throws {
        let files = SharedData.files(in: SharedData.folk + "/airdsAirs", 25) + SharedData.files(in: SharedData.chorales, 15)
        #expect(files.count == 40)
        for path in files {
            let s = try NoteSequence(path: path)
            #expect(!s.notes.isEmpty)
            let back = try NoteSequence(midi: try MIDIFile(bytes: try s.midiFile().bytes()))
            #expect(back.notes == s.notes, "\(path)")
            #expect(back.tempos == s.tempos && back.timeSignatures == s.timeSignatures && back.keySignatures == s.keySignatures)
            #expect(back.ticksPerQuarter == s.ticksPerQuarter)
        }
    }

    @Test func choralesHaveFourVoicesOnTheirOwnTracks() throws {
        let s = try NoteSequence(path: SharedData.files(in: SharedData.chorales, 1)[0])
        // bwv1.6 carries a horn part besides the four voices: five tracks with notes, after an empty tempo track.
        let tracks = Set(s.notes.map(\.track))
        #expect(tracks == [1, 2, 3, 4, 5])
        #expect(s.tracks.map(\.name) == [nil, "Horn 2", "Soprano", "Alto", "Tenor", "Bass"])
        #expect(s.notes.filter { $0.track == 2 }.count == 70)
        #expect(s.ticksPerQuarter == 10080)
    }
}
