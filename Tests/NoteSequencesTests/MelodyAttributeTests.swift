import Testing
@testable import NoteSequences

@Suite struct MelodyAttributeTests {
    /// One bar: C4 (2 steps), rest, E4 held 3 steps from an odd step, G4 from step 6 held 4 steps, F#4 at 14.
    ///   steps: 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
    @Test func handComputedValues() {
        let events = melodyEvents("60 - . 64 - - 67 - - - . - - - 66 -")
        let a = MelodyAttributes(events: events)
        #expect(a.noteDensity == 4.0 / 16)
        #expect(a.averageInterval == Double(4 + 3 + 1) / 3)       // 60->64->67->66
        #expect(a.pitchRange == 7)
        // E4 starts at 3 (odd) and lasts 3 steps: syncopated 16th. No other note starts on an odd step.
        #expect(a.syncopation16th == 1.0 / 4)
        // G4 starts at 6 (= 2 mod 4, an off-beat 8th) and lasts 4 steps (> 2): syncopated 8th. F#4 at 14 lasts 2.
        #expect(a.syncopation8th == 1.0 / 4)
        // C, E, G are in C major; F# is not.
        #expect(a.diatonic == 3.0 / 4)
        // In G major (tonic 7) all four are diatonic.
        #expect(MelodyAttributes(events: events, majorTonic: 7).diatonic == 1)
        #expect(a.values == [0.25, 8.0 / 3, 7, 0.25, 0.25, 0.75])
        #expect(a["nope"] == nil)
    }

    @Test func emptyAndSingleNoteWindows() {
        let silent = MelodyAttributes(events: [Int](repeating: 0, count: 32))
        #expect(silent.values == [0, 0, 0, 0, 0, 0])
        let one = MelodyAttributes(events: melodyEvents("- 72 - - - - - - - - - - - - - -"))
        #expect(one.noteDensity == 1.0 / 16 && one.averageInterval == 0 && one.pitchRange == 0)
        #expect(one.syncopation16th == 1)   // starts at step 1, held for 15 steps
    }

    @Test func windowsUseTheirKey() {
        var s = sequence([(66, 0, 4), (71, 4, 8)], tpq: 4)
        s.keySignatures = [KeySignature(tick: 0, sharps: 1)]   // G major: F# is diatonic
        var drops = DropCounts()
        let m = QuantizedSequence(steps: s).barWindows(BarSlicing(bars: 1, hop: 1, pickup: .none), drops: &drops)[0].melodies(drops: &drops)[0]
        #expect(m.attributes.diatonic == 1)
    }
}
