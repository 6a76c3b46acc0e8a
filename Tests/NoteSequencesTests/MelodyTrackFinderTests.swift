import TestSupport
import Foundation
import Testing
@testable import NoteSequences

/// `--track auto`: the melody of a song is found by name, monophony, register and density.
@Suite struct MelodyTrackFinderTests {
    /// A song of four tracks: a strummed chord track first, a bass, a melody, and drums.
    func song(melodyName: String?, chordName: String? = "Guitar", bassName: String? = "Bass") -> NoteSequence {
        var notes: [Note] = []
        for bar in 0..<8 {
            let t = bar * 16
            for p in [60, 64, 67] { notes.append(Note(pitch: p, start: t, end: t + 8, track: 0, program: 25)) }       // chords
            for p in [60, 64, 67] { notes.append(Note(pitch: p, start: t + 8, end: t + 16, track: 0, program: 25)) }
            notes.append(Note(pitch: 36, start: t, end: t + 8, track: 1, program: 33))                             // bass
            notes.append(Note(pitch: 43, start: t + 8, end: t + 16, track: 1, program: 33))
            for k in 0..<4 { notes.append(Note(pitch: 67 + (k + bar) % 5, start: t + 4 * k, end: t + 4 * k + 3, track: 2, program: 73)) }
            notes.append(Note(pitch: 36, start: t, end: t + 1, track: 3, channel: 9))                                // drums
        }
        var s = NoteSequence(ticksPerQuarter: 4, notes: notes, timeSignatures: [TimeSignature(tick: 0, numerator: 4, denominator: 4)])
        s.tracks = [TrackInfo(name: chordName), TrackInfo(name: bassName), TrackInfo(name: melodyName), TrackInfo(name: "Drums")]
        s.sortNotes()
        return s
    }

    @Test func findsTheTrackNamedMelodyVocalOrSolo() throws {
        for name in ["Vocal Melody", "Solo", "Lead Voice", "Melody"] {
            let choice = try #require(song(melodyName: name).melodyTrack())
            #expect(choice.track == 2 && choice.isMelody, "\(name): \(choice)")
            #expect(choice.description.contains("named \(name)"))
        }
    }

    /// Two unnamed lines of the same mean pitch: the earlier track ranks higher, whatever order a dictionary gives
    /// (it changes from process to process), so the choice and its reasons are the same in every run.
    @Test func equalRegistersRankInTrackOrder() throws {
        var notes: [Note] = []
        for k in 0..<32 {
            for track in 0..<5 { notes.append(Note(pitch: 60 + k % 5, start: 4 * k, end: 4 * k + 3, track: track, program: 0)) }
        }
        var s = NoteSequence(ticksPerQuarter: 4, notes: notes, timeSignatures: [TimeSignature(tick: 0, numerator: 4, denominator: 4)])
        s.tracks = (0..<5).map { _ in TrackInfo(name: nil) }
        s.sortNotes()
        let choice = try #require(s.melodyTrack())
        #expect(choice.track == 0 && choice.reasons.contains("highest register"), "\(choice)")
    }

    @Test func withoutNamesTheHighMonophonicLineWins() throws {
        let choice = try #require(song(melodyName: nil, chordName: nil, bassName: nil).melodyTrack())
        #expect(choice.track == 2, "\(choice)")
        #expect(choice.reasons.contains("100% monophonic") && choice.reasons.contains("highest register"))
    }

    /// A melody named in the song beats a louder, busier, higher accompaniment.
    @Test func aNamedMelodyBeatsAHighChordTrack() throws {
        var s = song(melodyName: "Vocal Melody", chordName: "Strings")
        s.notes = s.notes.map { n in var n = n; if n.track == 0 { n.pitch += 24 }; return n }
        #expect(try #require(s.melodyTrack()).track == 2)
    }

    /// The chorales name their voices: the soprano is the melody, also where another track comes first.
    @Test func choralesGiveTheirSoprano() throws {
        let files = SharedData.files(in: SharedData.chorales, 20)
        #expect(files.count == 20)
        var withSoprano = 0
        for f in files {
            let s = try NoteSequence(path: f)
            guard let soprano = s.tracks.firstIndex(where: { $0.name?.lowercased() == "soprano" }) else { continue }
            withSoprano += 1
            let choice = try #require(s.melodyTrack())
            #expect(choice.track == soprano, "\(f): \(choice)")
        }
        #expect(withSoprano >= 15)
    }

    /// Grooves (drums, bass and chords) have no melody: the best candidate scores 0 or less.
    @Test func groovesHaveNoMelody() throws {
        let folder = SharedData.corpus + "/grooves/stdlib"
        let files = SharedData.files(in: folder, 12)
        #expect(files.count == 12)
        for f in files {
            let s = try NoteSequence(path: f)
            if let choice = s.melodyTrack() { #expect(!choice.isMelody, "\(f): \(choice)") }
        }
    }
}
