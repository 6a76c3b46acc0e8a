import TestSupport
import Testing
@testable import NoteSequences

@Suite struct SlicingTests {
    @Test func twoBarWindowsEveryBar() {
        // 4 bars of 4/4 at 16 steps per bar, a note at the start of each bar.
        let q = quantized([(60, 0, 4), (62, 16, 20), (64, 32, 36), (65, 48, 52)])
        var drops = DropCounts()
        let w = q.barWindows(BarSlicing(bars: 2, hop: 1, pickup: .none), drops: &drops)
        #expect(w.map(\.start) == [0, 16, 32])
        #expect(w.allSatisfy { $0.length == 32 && $0.stepsPerBar == 16 })
        #expect(w.map(\.index) == [0, 1, 2])
    }

    /// A piece shorter than one window gives none, and says why; empty bars are not counted as such.
    @Test func piecesShorterThanAWindowAreCounted() {
        var drops = DropCounts()
        #expect(quantized([(60, 0, 4), (62, 16, 20)]).barWindows(BarSlicing(bars: 4, hop: 1, pickup: .none), drops: &drops).isEmpty)
        #expect(drops.counts == ["shorter than one window of 4 bars": 1])
        #expect(quantized([(60, 0, 4), (62, 16, 20)]).barWindows(BarSlicing(bars: 4, hop: 1, cover: true, pickup: .none), drops: &drops).count == 1)
    }

    @Test func barLengthFollowsTheMeter() {
        let q = quantized([(60, 0, 36)], meter: (3, 4))
        var drops = DropCounts()
        let w = q.barWindows(BarSlicing(bars: 1, hop: 1, pickup: .none), drops: &drops)
        #expect(w.map(\.start) == [0, 12, 24])
        let eight = quantized([(60, 0, 24)], meter: (6, 8))
        #expect(eight.barWindows(BarSlicing(bars: 1, hop: 1, pickup: .none), drops: &drops).map(\.stepsPerBar) == [12, 12])
    }

    /// Two 2/4 bars read as one 16-step bar; 3/4 keeps its 12-step bars.
    @Test func regroupingToSixteenStepBars() {
        var drops = DropCounts()
        let twoFour = quantized([(60, 0, 4), (62, 8, 12), (64, 16, 20), (65, 24, 28), (67, 32, 36)], meter: (2, 4))
        let w = twoFour.barWindows(BarSlicing(bars: 2, hop: 1, pickup: .none, barGrids: [16]), drops: &drops)
        #expect(w.map(\.start) == [0, 16])
        #expect(w.allSatisfy { $0.length == 32 })
        let waltz = quantized([(60, 0, 36)], meter: (3, 4))
        #expect(waltz.barWindows(BarSlicing(bars: 1, hop: 1, pickup: .none, barGrids: [16]), drops: &drops).map(\.length) == [12, 12, 12])
    }

    /// With grids [16, 12], a bar of an even number of beats is read as two halves of a grid (4/2 as two 2/2
    /// bars, 6/4 as two 3/4, 12/8 as two 6/8) and 3/8 bars in pairs; 3/2 (three half notes) and 9/8 keep theirs.
    @Test func barsReadInTheGridTheyFit() {
        var drops = DropCounts()
        let grids = [16, 12]
        for (meter, bar) in [((4, 2), 16), ((6, 4), 12), ((12, 8), 12), ((3, 8), 12), ((2, 4), 16), ((3, 4), 12),
                             ((4, 4), 16), ((3, 2), 24), ((9, 8), 18), ((5, 4), 20), ((6, 2), 48)] {
            let q = quantized([(60, 0, 96)], meter: meter)
            let w = q.barWindows(BarSlicing(bars: 2, hop: 2, pickup: .none, barGrids: grids), drops: &drops)
            let lastBarEnd = (96 + bar - 1) / bar * bar   // the final partial bar counts as a bar
            #expect(w.map(\.start) == Array(stride(from: 0, through: lastBarEnd - 2 * bar, by: 2 * bar)), "\(meter)")
            #expect(!w.isEmpty && w.allSatisfy { $0.stepsPerBar == bar && $0.length == 2 * bar }, "\(meter)")
        }
        // Without grids, or with 16 alone, a 6/4 bar stays whole (its halves do not make 16 steps).
        let sixFour = quantized([(60, 0, 96)], meter: (6, 4))
        #expect(sixFour.barWindows(BarSlicing(bars: 1, hop: 1, pickup: .none, barGrids: [16]), drops: &drops).map(\.length) == [24, 24, 24, 24])
        #expect(drops.counts.isEmpty, "\(drops.counts)")
    }

    /// A 6/4 tune with a pick-up of one half bar plus a quarter (18 steps): the halves' bar lines fall 18 steps
    /// in and every 12 steps, so no window starts in the middle of a half and the pick-up's notes are kept.
    @Test func halvedBarsKeepThePickUp() {
        var drops = DropCounts()
        let q = quantized([(67, 0, 6), (69, 6, 12), (71, 12, 18), (72, 18, 30), (71, 30, 42), (69, 42, 66)], meter: (6, 4))
        let w = q.barWindows(BarSlicing(bars: 1, hop: 1, pickup: .steps(18), barGrids: [12]), drops: &drops)
        #expect(w.map(\.start) == [-6, 6, 18, 30, 42, 54])
        #expect(w.allSatisfy { $0.stepsPerBar == 12 })
    }

    @Test func unwantedMetersAreCountedPerWindow() {
        let q = quantized([(60, 0, 48)], meter: (3, 4))
        var drops = DropCounts()
        let w = q.barWindows(BarSlicing(bars: 2, hop: 1, meters: ["4/4"]), drops: &drops)
        #expect(w.isEmpty)
        #expect(drops.counts == ["not 4/4": 3])
    }

    @Test func leadingSilenceIsAWindowButSilenceIsNot() {
        let q = quantized([(60, 20, 24), (62, 64, 68)])   // bar 1 silent, bar 2 has a note, bars 3-4 silent
        var drops = DropCounts()
        let w = q.barWindows(BarSlicing(bars: 1, hop: 1, pickup: .none), drops: &drops)
        #expect(w.map(\.start) == [16, 64])
        #expect(drops.counts == ["empty window": 3])
    }

    @Test func timeSignatureChangeRestartsBars() {
        var s = sequence([(60, 0, 4), (62, 16, 20), (64, 28, 32), (65, 40, 44)], tpq: 4, meter: nil)
        s.timeSignatures = [TimeSignature(tick: 0, numerator: 4, denominator: 4), TimeSignature(tick: 28, numerator: 3, denominator: 4)]
        var drops = DropCounts()
        let w = QuantizedSequence(steps: s).barWindows(BarSlicing(bars: 1, hop: 1, pickup: .none), drops: &drops)
        // 4/4 bars at 0 and 16 (the second is cut short by the change at 28: dropped), 3/4 bars at 28 and 40.
        #expect(w.map(\.start) == [0, 28, 40])
        #expect(w.map(\.stepsPerBar) == [16, 12, 12])
        #expect(drops.counts == ["crosses a time-signature change": 1])
    }

    /// A pick-up of one quarter, marked by velocity accents on the downbeats (as abc2midi writes): the first bar is
    /// padded to a full bar that starts 12 steps before 0.
    @Test func pickupFoundFromAccents() {
        var notes: [(Int, Int, Int)] = []
        for step in stride(from: 0, to: 68, by: 4) { notes.append((60 + (step / 4) % 5, step, step + 4)) }
        var q = quantized(notes)
        for i in q.sequence.notes.indices {
            q.sequence.notes[i].velocity = (q.sequence.notes[i].start - 4) % 16 == 0 ? 105 : 80
        }
        #expect(q.estimatedBarPhase(barLength: 16, before: 68) == 4)
        var drops = DropCounts()
        let w = q.barWindows(BarSlicing(bars: 2, hop: 2, cover: true), drops: &drops)
        #expect(w.map(\.start) == [-12, 20, 52])
        let plain = quantized(notes)
        #expect(plain.estimatedBarPhase(barLength: 16, before: 68) == 0)
    }

    @Test func realPickupInTheCorpus() throws {
        // "The White Cockade" (Aird's Airs, book 1 no. 1) starts with two eighths before bar 1 in 2/2.
        let path = SharedData.folk + "/airdsAirs/book1_1.mid"
        let q = try NoteSequence(path: path).quantized()
        #expect(q.sequence.initialTimeSignature.description == "2/2")
        #expect(q.estimatedBarPhase(barLength: 16, before: q.totalSteps) == 4)
    }
}

@Suite struct MelodyTests {
    @Test func encodesNoteOnsHoldsAndOffs() {
        let q = quantized([(60, 0, 2), (62, 4, 8), (64, 8, 16)])
        var drops = DropCounts()
        let w = q.barWindows(BarSlicing(bars: 1, hop: 1, pickup: .none), drops: &drops)
        let m = w[0].melodies(drops: &drops)
        #expect(m.count == 1)
        #expect(m[0].events == melodyEvents("60 - . - 62 - - - 64 - - - - - - -"))
        #expect(triples(m[0].notes) == [[60, 0, 2], [62, 4, 8], [64, 8, 16]])
    }

    /// A note tied over the bar line: the next window holds it (no event) until it ends with a note-off.
    @Test func tiesAcrossBarLines() {
        let q = quantized([(60, 12, 20), (62, 24, 28)])
        var drops = DropCounts()
        let w = q.barWindows(BarSlicing(bars: 1, hop: 1, pickup: .none), drops: &drops)
        let m = w.flatMap { $0.melodies(drops: &drops) }
        #expect(m[0].events == melodyEvents("- - - - - - - - - - - - 60 - - -"))
        #expect(m[1].events == melodyEvents("- - - - . - - - 62 - - - . - - -"))
        let joined = q.joining(m)
        #expect(triples(joined.notes) == [[60, 12, 20], [62, 24, 28]])
    }

    /// A decoded pick-up window may put notes in its padding, before the piece: they are cut at step 0.
    @Test func notesBeforeThePieceAreCut() {
        let q = quantized([(60, 0, 4), (62, 4, 8)])
        let window = BarWindow(piece: q, start: -8, bars: 1, stepsPerBar: 16, index: 0, timeSignature: TimeSignature(numerator: 4, denominator: 4))
        let m = MelodyWindow(events: melodyEvents("55 - - - 57 - - - 60 - - - 62 - - ."), window: window)
        // 55 (steps -8...-4) and 57 (-4...0) lie wholly before the piece; 60 and 62 stay.
        #expect(triples(q.joining([m]).notes) == [[60, 0, 4], [62, 4, 7]])
    }

    @Test func highestNoteWinsWherNotesOverlap() {
        let q = quantized([(60, 0, 8), (67, 0, 4), (55, 2, 6), (64, 4, 12)])
        var drops = DropCounts()
        let m = q.barWindows(BarSlicing(bars: 1, hop: 1, pickup: .none), drops: &drops)[0].melodies(drops: &drops)
        // 67 beats 60 at step 0; 55 starts under 67 (dropped); 64 starts after 67 ended.
        #expect(m[0].events == melodyEvents("67 - - - 64 - - - - - - - . - - -"))
        #expect(drops.counts == ["notes under a higher note": 2])
    }

    @Test func drumsAreSkippedAndEachTrackGetsItsLine() {
        var s = sequence([(60, 0, 4)], tpq: 4)
        s.notes.append(Note(pitch: 36, start: 0, end: 1, track: 1, channel: 9))
        s.notes.append(Note(pitch: 48, start: 4, end: 8, track: 2, program: 32, channel: 2))
        var drops = DropCounts()
        let m = QuantizedSequence(steps: s).barWindows(BarSlicing(bars: 1, hop: 1, pickup: .none), drops: &drops)[0].melodies(drops: &drops)
        #expect(m.map(\.track) == [0, 2])
        #expect(m[1].program == 32 && m[1].channel == 2)
        #expect(drops.counts == ["drum track": 1])
    }

    @Test func outOfRangeAndTooFewNotesAreDropped() {
        let q = quantized([(110, 0, 4), (60, 16, 20)])
        var drops = DropCounts()
        let w = q.barWindows(BarSlicing(bars: 1, hop: 1, pickup: .none), drops: &drops)
        let m = w.flatMap { $0.melodies(MelodyExtraction(minNotes: 1), drops: &drops) }
        #expect(m.count == 1)
        #expect(drops.counts == ["pitch out of range": 1])
        let narrow = w.flatMap { $0.melodies(MelodyExtraction(minPitch: 62, maxPitch: 100), drops: &drops) }
        #expect(narrow.isEmpty)
    }

    /// Decoding random monophonic in-range melodies gives the notes back exactly.
    @Test func decodingIsExactForMonophonicInput() {
        var rng = SplitMix(seed: 7)
        for _ in 0..<300 {
            var notes: [(Int, Int, Int)] = []
            var t = Int.random(in: 0...3, using: &rng)
            while t < 60 {
                let len = Int.random(in: 1...6, using: &rng)
                notes.append((Int.random(in: 21...108, using: &rng), t, min(64, t + len)))
                t += len + Int.random(in: 0...2, using: &rng)
            }
            let q = quantized(notes)
            var drops = DropCounts()
            let w = q.barWindows(BarSlicing(bars: 2, hop: 2, cover: true, pickup: .none), drops: &drops)
            let m = w.flatMap { $0.melodies(MelodyExtraction(minNotes: 0), drops: &drops) }
            #expect(triples(q.joining(m).notes) == triples(q.notes))
        }
    }

    @Test func transposeMovesPitchesAndKeys() {
        var s = sequence([(60, 0, 4), (126, 4, 8)], tpq: 4)
        s.keySignatures = [KeySignature(sharps: 0)]
        s.notes.append(Note(pitch: 36, start: 0, end: 1, channel: 9))
        var drops = DropCounts()
        let t = s.transposed(by: 2, drops: &drops)
        #expect(t.notes.map(\.pitch).sorted() == [36, 62])
        #expect(t.keySignatures[0].sharps == 2)   // C major -> D major
        #expect(drops.counts == ["transposed out of MIDI range": 1])
    }
}

/// The whole data path on real tunes: quantize -> slice (covering) -> extract -> join gives the quantized notes back.
@Suite struct CorpusRoundTripTests {
    @Test(arguments: ["airdsAirs", "ryansMammoth", "essenFolksong", "miscFolk"])
    func joinRestoresQuantizedNotes(collection: String) throws {
        var exact = 0, monophonic = 0
        for path in SharedData.files(in: SharedData.folk + "/" + collection, 40) {
            let q = try NoteSequence(path: path).quantized()
            // Only monophonic, in-range pieces can come back exactly.
            let notes = q.notes
            let mono = zip(notes, notes.dropFirst()).allSatisfy { $0.end <= $1.start }
            guard mono, notes.allSatisfy({ (21...108).contains($0.pitch) }) else { continue }
            monophonic += 1
            var drops = DropCounts()
            let windows = q.barWindows(BarSlicing(bars: 2, hop: 2, cover: true), drops: &drops)
            let melodies = windows.flatMap { $0.melodies(MelodyExtraction(minNotes: 0), drops: &drops) }
            let back = q.joining(melodies)
            #expect(back.notes == q.notes, "\(path)")
            if back.notes == q.notes { exact += 1 }
        }
        #expect(monophonic >= 10)
        #expect(exact == monophonic)
    }

    /// Windows far longer than any model takes are refused and counted, so the largest parameters stay cheap.
    @Test func hugeWindowsAreRefused() throws {
        let s = sequence([(60, 0, 480), (62, 480, 960)], tpq: 480)
        let q = try s.quantized(stepsPerQuarter: 96)
        var drops = DropCounts()
        #expect(q.barWindows(BarSlicing(bars: 256, hop: 1), drops: &drops).isEmpty)
        #expect(drops.counts.keys.contains("window longer than 16384 steps"))
        #expect(!q.barWindows(BarSlicing(bars: 2, hop: 1, cover: true), drops: &drops).isEmpty)
    }
}
