import TestSupport
import Testing
@testable import NoteSequences

@Suite struct QuantizeAndSplitTests {
    @Test func roundsToNearestStepHalvesLater() throws {
        // 480 ticks per quarter, 4 steps: one step = 120 ticks; 60 is exactly half a step.
        let s = sequence([(60, 1, 479), (62, 59, 60), (64, 60, 61), (65, 481, 481)], tpq: 480)
        let q = try s.quantized(stepsPerQuarter: 4)
        #expect(triples(q.notes) == [[60, 0, 4], [62, 0, 1], [64, 1, 2], [65, 4, 5]])
        #expect(q.stepsPerQuarter == 4)
    }

    /// abc2midi writes onsets one tick after the beat; they must land on the beat.
    @Test func abc2midiOffsetLandsOnTheBeat() throws {
        let path = SharedData.files(in: SharedData.folk + "/airdsAirs", 1)[0]
        let s = try NoteSequence(path: path)
        let offBeat = s.notes.filter { $0.start % 120 == 1 }      // the raw habit
        #expect(offBeat.count * 10 >= s.notes.count * 9)
        let q = try s.quantized()
        for (raw, snapped) in zip(s.notes, q.notes) where raw.start % 120 == 1 && raw.end % 120 == 0 {
            #expect(snapped.start == (raw.start - 1) / 120)
            #expect(snapped.end == raw.end / 120)
        }
    }

    @Test func badGridIsRefused() {
        #expect(throws: NoteSequenceError.badStepsPerQuarter(0)) { try sequence([(60, 0, 4)]).quantized(stepsPerQuarter: 0) }
    }

    /// One note held for the longest MIDI delta (2^28 - 1 ticks at 1 tick a quarter) is refused, not cut into
    /// 33 million windows; a score of exactly the limit quantizes.
    @Test func scoresLongerThanTheLimitAreRefused() throws {
        #expect(throws: NoteSequenceError.tooLong(quarters: 268_435_455, limit: 100_000)) { try sequence([(60, 0, 0x0FFF_FFFF)], tpq: 1).quantized() }
        #expect(try sequence([(60, 0, 100_000)], tpq: 1).quantized().totalSteps == 400_000)
    }

    @Test func splitsOnlyWhereTimeReallyChanges() {
        var s = sequence([(60, 0, 16), (62, 16, 40), (64, 40, 48)], tpq: 4, meter: nil)
        s.timeSignatures = [TimeSignature(tick: 0, numerator: 4, denominator: 4),
                            TimeSignature(tick: 16, numerator: 4, denominator: 4),   // a repeat: no change
                            TimeSignature(tick: 32, numerator: 3, denominator: 4)]
        s.tempos = [TempoChange(tick: 0, qpm: 100), TempoChange(tick: 8, qpm: 100)]  // a repeat: no change
        #expect(s.timeChangeTicks == [32])
        var drops = DropCounts()
        let parts = s.splitAtTimeChanges(drops: &drops)
        #expect(parts.count == 2)
        #expect(triples(parts[0].notes) == [[60, 0, 16], [62, 16, 32]])
        #expect(triples(parts[1].notes) == [[62, 0, 8], [64, 8, 16]])
        #expect(parts[1].timeSignatures.first?.description == "3/4")
        #expect(parts[1].tempos.first?.qpm == 100)
        #expect(drops.counts == ["notes cut at a time change": 1])
    }

    @Test func tempoChangeSplitsToo() {
        let s = sequence([(60, 0, 8), (62, 8, 16)], tpq: 4, tempos: [TempoChange(tick: 0, qpm: 120), TempoChange(tick: 8, qpm: 90)])
        var drops = DropCounts()
        let parts = s.splitAtTimeChanges(drops: &drops)
        #expect(parts.map { ($0.initialQPM * 1000).rounded() / 1000 } == [120, 90])
        #expect(drops.total == 0)
    }
}
