import TestSupport
import Foundation
import Testing
import MusicVAE
import NoteSequences
@testable import Pipeline

/// Edits change the edited track's generated windows and nothing else: every other note comes back tick for tick.
@Suite(.serialized) struct ExactPassThroughTests {
    let stages = ModelStageTests()

    /// Every field of a note that a MIDI file stores.
    func exact(_ notes: [Note]) -> [[Int]] {
        notes.map { [$0.pitch, $0.velocity, $0.start, $0.end, $0.track, $0.program, $0.channel] }
    }

    func edit(_ input: String, to output: String, track: String = "auto") throws -> RunReport {
        let model = try stages.modelWithAttributes()
        // Unchecked: the golden model's random weights decode noise, which a checked edit may turn down.
        let r = try stages.run("edit", ["model=\(model)", "attribute=note_density", "amount=2", "check=false", "output=\(output)", "track=\(track)"],
                               inputs: [input])
        #expect(r.failures.isEmpty)
        return r
    }

    /// A 3/4 tune has no window the 2-bar 4/4 model takes: the output is the input, note for note and tick for tick.
    @Test func windowsTheModelDoesNotTakeComeBackExactly() throws {
        let out = try temporaryFolder()
        let waltz = SharedData.packageRoot.appendingPathComponent("Examples/melodies/scarborough-fair.mid").path
        let r = try edit(waltz, to: out + "/waltz.mid")
        let original = try NoteSequence(path: waltz), back = try NoteSequence(path: out + "/waltz.mid")
        #expect(exact(back.notes) == exact(original.notes))
        #expect(r.stages.first { $0.stage == "encode" }!.dropped.keys.contains { $0.hasPrefix("passed through unencoded") })
    }

    /// Edits leave the other tracks alone: every note of every other voice of a chorale, compared field by field.
    /// The melody finder edits the soprano, though a horn part comes first in the file.
    @Test func editsLeaveTheOtherTracksAlone() throws {
        let out = try temporaryFolder()
        let chorale = SharedData.files(in: SharedData.chorales, 1)[0]
        let r = try edit(chorale, to: out + "/chorale.mid")
        #expect(r.stages.first { $0.stage == "extract-melody" }!.dropped.keys.contains { $0.hasPrefix("melody: track 2 'Soprano'") })
        let original = try NoteSequence(path: chorale), back = try NoteSequence(path: out + "/chorale.mid")
        let edited = try #require(original.tracks.firstIndex { $0.name == "Soprano" })
        #expect(original.notes.first { !$0.isDrum }!.track != edited)
        #expect(exact(back.notes.filter { $0.track != edited }) == exact(original.notes.filter { $0.track != edited }))
        #expect(back.notes.filter { $0.track == edited } != original.notes.filter { $0.track == edited })
        #expect(back.tempos == original.tempos && back.timeSignatures == original.timeSignatures)
        // Nothing is written past the end of the piece (the last window is padded to two bars).
        #expect(back.notes.map(\.end).max()! <= original.totalTicks)
    }

    /// A humanized accompaniment (onsets off the 16th grid) keeps its ticks; a window of the melody holding a
    /// note the model cannot play (above pitch 108) comes back exactly instead of silent.
    @Test func offGridTracksAndOutOfRangeWindowsStay() throws {
        let out = try temporaryFolder()
        let tpq = 480, bar = 4 * tpq
        var notes: [Note] = []
        // Track 0, melody: eight quarter notes per 2 bars over 4 windows; window 2 (bars 3-4) holds pitch 110.
        for i in 0..<32 {
            let pitch = i == 9 ? 110 : 60 + (i % 8)
            notes.append(Note(pitch: pitch, velocity: 90, start: i * tpq, end: i * tpq + tpq - 10, track: 0))
        }
        // Track 1, a humanized bass: onsets a few ticks off the grid, odd lengths (one velocity for all notes, so
        // that the bar lines are not guessed from accents).
        for i in 0..<16 {
            notes.append(Note(pitch: 36 + i % 5, velocity: 90, start: i * tpq * 2 + (i % 3) * 7 + 3, end: i * tpq * 2 + 700 + i,
                              track: 1, program: 33, channel: 1))
        }
        var s = NoteSequence(ticksPerQuarter: tpq, notes: notes, tempos: [TempoChange(tick: 0, qpm: 100)],
                             timeSignatures: [TimeSignature(tick: 0, numerator: 4, denominator: 4)], totalTicks: 8 * bar)
        s.tracks = [TrackInfo(name: "Melody"), TrackInfo(name: "Bass")]
        s.sortNotes()
        let input = out + "/song.mid"
        try s.write(to: input)
        let r = try edit(input, to: out + "/edited.mid", track: "0")
        #expect(r.stages.first { $0.stage == "extract-melody" }!.dropped["pitch out of range"] == 1)
        let original = try NoteSequence(path: input), back = try NoteSequence(path: out + "/edited.mid")
        #expect(exact(back.notes.filter { $0.track == 1 }) == exact(original.notes.filter { $0.track == 1 }))
        // Window 2 (bars 3-4) of the melody is the original, tick for tick.
        let window2 = { (n: Note) in n.track == 0 && n.start >= 2 * bar && n.start < 4 * bar }
        #expect(exact(back.notes.filter(window2)) == exact(original.notes.filter(window2)))
        #expect(back.notes.contains { $0.pitch == 110 })
    }
}
