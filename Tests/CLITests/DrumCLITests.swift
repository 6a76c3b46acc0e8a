import Foundation
import Testing
import TestSupport
import NoteSequences

/// The drum model through the command line, on real multi-track files: General MIDI songs (Examples/songs, not
/// from the groove corpus the model trains on) and grooves of families held out of its training.
@Suite(.serialized) struct DrumCLITests {
    static let songs = SharedData.packageRoot.appendingPathComponent("Examples/songs").path

    /// Every field of a note that an edit must keep.
    static func fields(_ notes: [Note]) -> [[Int]] {
        notes.map { [$0.pitch, $0.velocity, $0.start, $0.end, $0.track, $0.program, $0.channel] }
    }

    /// `edit --track drums` with more (fewer) hits: at least 25% more (15% fewer) drum hits on every song, every
    /// other track note for note, and `--wav` renders the edit (as long as the song, drums included).
    @Test(arguments: ["when-the-saints", "oh-susanna", "yankee-doodle", "amazing-grace-4-4"])
    func drumEditsOnSongs(song: String) throws {
        let dir = try scratchFolder()
        let input = Self.songs + "/\(song).mid"
        let original = try NoteSequence(path: input)
        for (amount, bound) in [("1", 1.25), ("-1", 0.85)] {
            let out = dir + "/\(song)\(amount).mid"
            let r = try CLI.run(["edit", input, "--track", "drums", "--attribute", "note_density", "--amount", amount, "-o", out, "--wav", out + ".wav"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("drums: track 4 'Drums'; kept as they are: tracks 1 'Melody', 2 'Piano', 3 'Bass'"), "\(r.stdout)")
            let edited = try NoteSequence(path: out)
            #expect(Self.fields(edited.notes.filter { !$0.isDrum }) == Self.fields(original.notes.filter { !$0.isDrum }))
            let before = Double(original.notes.filter(\.isDrum).count), after = Double(edited.notes.filter(\.isDrum).count)
            if amount == "1" { #expect(after >= before * bound, "\(song): \(before) -> \(after) hits") }
            else { #expect(after <= before * bound, "\(song): \(before) -> \(after) hits") }
            let wav = try Data(contentsOf: URL(fileURLWithPath: out + ".wav"))
            #expect(wav.count > 44 + Int(original.totalTime * 44_100) * 4)   // 16-bit stereo, at least the song's length
        }
    }

    /// `interpolate --track drums` moves from one groove to the other: the share of 16th steps whose drums
    /// differ from the first step's pattern rises step by step.
    @Test func grooveInterpolationMovesStepByStep() throws {
        let dir = try scratchFolder()
        let r = try CLI.run(["interpolate", Self.songs + "/when-the-saints.mid", Self.songs + "/oh-susanna.mid",
                             "--track", "drums", "--steps", "5", "-o", dir])
        #expect(r.status == 0, "\(r.stderr)")
        let patterns = try (1...5).map { i -> [Int] in
            let q = try NoteSequence(path: dir + "/0\(i).mid").quantized()
            var drops = DropCounts()
            let window = BarWindow(piece: q, start: 0, bars: 2, stepsPerBar: 16, index: 0, timeSignature: TimeSignature(numerator: 4, denominator: 4))
            return try #require(PieceDrums(q, drops: &drops).patterns(in: window, drops: &drops).first).events
        }
        let differ = patterns.map { p in Double(zip(p, patterns[0]).filter { $0 != $1 }.count) / 32 }
        #expect(zip(differ, differ.dropFirst()).allSatisfy { $0 <= $1 }, "\(differ)")
        #expect(differ.last! > 0.2, "\(differ)")
    }

    /// More hits on real grooves of families the drum model never saw (each with bass and chords beside the
    /// drums): drum hits rise, every other note stays, and the file renders.
    @Test func moreHitsOnUnseenGrooves() throws {
        let dir = try scratchFolder()
        let grooves = ["stdlib/Merengue.mid", "stdlib/DixieMarch.mid", "stdlib/BVFunk.mid", "zoom/16Beat01.mid"].map { SharedData.corpus + "/grooves/" + $0 }
        for (k, input) in grooves.enumerated() {
            let out = dir + "/g\(k).mid"
            let r = try CLI.run(["run", "more-hits", input, "--set", "output=\(out)"])
            #expect(r.status == 0, "\(r.stderr)")
            let original = try NoteSequence(path: input), edited = try NoteSequence(path: out)
            // Hits, not onset steps: a busy groove already strikes every 16th step.
            #expect(edited.notes.filter(\.isDrum).count > original.notes.filter(\.isDrum).count, "\(input)")
            #expect(Self.fields(edited.notes.filter { !$0.isDrum }) == Self.fields(original.notes.filter { !$0.isDrum }))
            let wav = try CLI.run(["render", out, "-o", out + ".wav"])
            #expect(wav.status == 0, "\(wav.stderr)")
        }
    }
}
