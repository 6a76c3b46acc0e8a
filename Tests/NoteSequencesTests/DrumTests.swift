import Foundation
import Testing
import TestSupport
@testable import NoteSequences

/// A drum note (channel 10) at a step, for compact drum builders.
func hit(_ pitch: Int, _ step: Int, velocity: Int = 100, track: Int = 1) -> Note {
    Note(pitch: pitch, velocity: velocity, start: step, end: step + 1, track: track, channel: 9)
}

@Suite struct DrumTests {
    /// Every pitch of the 9 classes maps back to its class, the classes do not overlap, and a class id is the bit
    /// set of its drums.
    @Test func pitchesMapToNineClasses() {
        let all = DrumEncoding.pitches.flatMap { $0 }
        #expect(Set(all).count == all.count)
        for (d, ps) in DrumEncoding.pitches.enumerated() { #expect(ps.allSatisfy { DrumEncoding.drum(ofPitch: $0) == d }) }
        #expect(DrumEncoding.drum(ofPitch: 36) == 0 && DrumEncoding.drum(ofPitch: 44) == 2 && DrumEncoding.drum(ofPitch: 57) == 7)
        #expect(DrumEncoding.drum(ofPitch: 60 + 40) == nil)
        #expect(DrumEncoding.drums(inClass: 0b1_0000_0101) == [0, 2, 8])
        #expect(DrumEncoding.classCount == 512)
    }

    /// A bar of kick, snare and hats (a pedal hat and a second kick pitch among them) becomes one class per step;
    /// two pitches of one class on one step merge (counted); a pitch of no class is counted and left out.
    @Test func extractionEncodesOneClassPerStep() throws {
        let notes = [hit(36, 0), hit(42, 0, velocity: 70), hit(38, 4), hit(44, 6), hit(35, 8), hit(36, 8, velocity: 90),
                     hit(42, 8), hit(38, 12), hit(100, 14),
                     Note(pitch: 60, start: 0, end: 16, track: 0)]
        var s = NoteSequence(ticksPerQuarter: 4, notes: notes, timeSignatures: [TimeSignature(numerator: 4, denominator: 4)])
        s.sortNotes()
        let piece = QuantizedSequence(steps: s)
        var drops = DropCounts()
        let window = BarWindow(piece: piece, start: 0, bars: 1, stepsPerBar: 16, index: 0, timeSignature: TimeSignature(numerator: 4, denominator: 4))
        let patterns = PieceDrums(piece, drops: &drops).patterns(in: window, drops: &drops)
        #expect(patterns.count == 1)
        let p = try #require(patterns.first)
        #expect(p.encoding == .drums && p.track == 1 && p.channel == 9)
        var expected = [Int](repeating: 0, count: 16)
        expected[0] = 0b101; expected[4] = 0b10; expected[6] = 0b100; expected[8] = 0b101; expected[12] = 0b10
        #expect(p.events == expected)
        #expect(p.velocities[0 * 9 + 2] == 70 && p.velocities[8 * 9 + 0] == 100)   // the louder of the merged kicks
        #expect(drops.counts["drum hits merged (two pitches of one drum class on one step)"] == 1)
        #expect(drops.counts["drum notes of no drum class (kept as they are)"] == 1)
        // The window's notes: canonical pitches, one step long, the original velocities.
        #expect(p.notes.map { [$0.pitch, $0.start, $0.velocity] } == [[36, 0, 100], [42, 0, 70], [38, 4, 100], [42, 6, 100],
                                                                       [36, 8, 100], [42, 8, 100], [38, 12, 100]])
        #expect(p.notes.allSatisfy { $0.isDrum && $0.end == $0.start + 1 })
        #expect(DrumAttributes(events: p.events).noteDensity == 7.0 / 16)
        #expect(DrumAttributes(events: p.events).cymbalShare == 3.0 / 7)
        #expect(DrumAttributes(events: p.events).syncopation == 0)
    }

    /// Joining a generated drum window replaces the known drum hits in its span only: the melody track, the
    /// drum notes of no class, and the hits outside the window stay note for note, tick for tick.
    @Test func joiningReplacesOnlyGeneratedDrumWindows() throws {
        let path = SharedData.corpus + "/grooves/stdlib/50sRock.mid"
        let source = try NoteSequence(path: path)
        let piece = try source.quantized()
        var drops = DropCounts()
        let windows = piece.barWindows(BarSlicing(bars: 2, hop: 2, meters: ["4/4"], pickup: .none), drops: &drops)
        let drums = PieceDrums(piece, drops: &drops)
        var patterns = windows.flatMap { drums.patterns(in: $0, drops: &drops) }
        #expect(patterns.count == 4)
        // Passed through: the piece comes back exactly.
        let same = piece.joining(patterns)
        #expect(same.unquantized().notes == source.notes)
        // The second window generated: a kick on every beat and nothing else.
        var beat = [Int](repeating: 0, count: 32)
        for s in stride(from: 0, to: 32, by: 4) { beat[s] = 1 }
        patterns[1].events = beat
        patterns[1].velocities = []
        patterns[1].generated = true
        let joined = piece.joining(patterns).unquantized()
        let span = patterns[1].window.start..<patterns[1].window.end
        let tpq = source.ticksPerQuarter, spq = piece.stepsPerQuarter
        func inSpan(_ n: Note) -> Bool { n.isDrum && DrumEncoding.drum(ofPitch: n.pitch) != nil && span.contains(source.step(ofTick: n.start, stepsPerQuarter: spq)) }
        #expect(joined.notes.filter { !inSpan($0) } == source.notes.filter { !inSpan($0) })
        let new = joined.notes.filter(inSpan)
        #expect(new.map(\.pitch) == [Int](repeating: 36, count: 8))
        #expect(new.map(\.start) == stride(from: span.lowerBound, to: span.upperBound, by: 4).map { $0 * tpq / spq })
    }
}
