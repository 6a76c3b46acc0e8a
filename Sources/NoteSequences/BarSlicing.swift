/// A window of whole bars of a quantized score: steps `[start, start + bars * stepsPerBar)`.
///
/// The window keeps the whole piece (a cheap copy-on-write reference) so that later stages can see notes held
/// into it, and so windows can be joined back into the piece. `start` may be negative: a pick-up bar is a full
/// bar whose first part is silence.
public struct BarWindow: Sendable, Equatable {
    /// The whole quantized piece the window comes from.
    public var piece: QuantizedSequence
    /// First step of the window in the piece (negative for a padded pick-up bar).
    public var start: Int
    /// Number of bars.
    public var bars: Int
    /// Steps in one bar.
    public var stepsPerBar: Int
    /// Position of the window among the windows of its piece (0-based, in order).
    public var index: Int
    /// The time signature of the window's bars.
    public var timeSignature: TimeSignature

    /// Creates a window.
    public init(piece: QuantizedSequence, start: Int, bars: Int, stepsPerBar: Int, index: Int, timeSignature: TimeSignature) {
        self.piece = piece
        self.start = start
        self.bars = bars
        self.stepsPerBar = stepsPerBar
        self.index = index
        self.timeSignature = timeSignature
    }

    /// Steps in the window.
    public var length: Int { bars * stepsPerBar }
    /// First step after the window.
    public var end: Int { start + length }
    /// Notes that sound inside the window (started in it or held into it), in piece steps.
    public var notes: [Note] { piece.notes.filter { $0.start < end && $0.end > start } }
}

/// How the slicer finds where bar 1 starts when a piece opens with a pick-up (anacrusis).
public enum PickupRule: Sendable, Equatable {
    /// Bars start at step 0.
    case none
    /// Bars start this many steps in; the steps before form a pick-up bar.
    case steps(Int)
    /// Guess from the notes: if velocities carry a metrical accent (as abc2midi writes, and many sequencers), bar
    /// lines go where onsets are loudest on average, else at step 0.
    case auto
}

/// What the slicer returns and how.
public struct BarSlicing: Sendable, Equatable {
    /// Bars per window.
    public var bars: Int
    /// Bars between the starts of consecutive windows.
    public var hop: Int
    /// When true the windows cover the whole piece, the last one padded with silence; when false only windows
    /// that lie entirely inside the piece (its final partial bar counting as a bar) are made.
    public var cover: Bool
    /// Meters to keep ("4/4"); empty keeps all. Windows of other meters are dropped as "not 4/4" (etc.).
    public var meters: [String]
    /// Pick-up handling.
    public var pickup: PickupRule
    /// The bar lengths (in steps) windows are read in, first choice first; empty keeps each meter's own bar. A
    /// meter's bar is read as the first of these it fits (see `TimeSignature.bar(in:meterBar:)`): 2/4 bars in pairs
    /// as 16 steps, 3/8 bars in pairs as 12, a 4/2 bar as two 16-step halves (two 2/2 bars), a 6/4 or 12/8 bar as
    /// two 12-step halves (two 3/4 or 6/8 bars). Meters that fit none (3/2, 5/4, 9/8...) keep their own bars, so
    /// their windows have another length.
    public var barGrids: [Int]

    /// Creates slicing settings.
    public init(bars: Int = 2, hop: Int = 1, cover: Bool = false, meters: [String] = [], pickup: PickupRule = .auto,
                barGrids: [Int] = []) {
        self.bars = bars
        self.hop = hop
        self.cover = cover
        self.meters = meters
        self.pickup = pickup
        self.barGrids = barGrids
    }
}

extension TimeSignature {
    /// The bar length, of `grids`, that this meter's bars (`meterBar` steps) are read in: the first grid that is a
    /// whole number of bars (bars in pairs, fours...), or half a bar when the bar holds an even number of beats, so
    /// its halves are bars of a smaller meter (4/2 = two 2/2 bars, 6/4 = two 3/4, 12/8 = two 6/8). Other splits
    /// would cut beats (3/2 in halves splits its middle half note), so such meters keep `meterBar`.
    public func bar(in grids: [Int], meterBar: Int) -> Int {
        // Beats a bar: compound meters (6/8, 9/8, 12/8, 6/4) count dotted beats of three, simple meters each unit.
        let beats = numerator > 3 && numerator % 3 == 0 ? numerator / 3 : numerator
        for grid in grids where grid > 0 {
            if grid % meterBar == 0 || (meterBar == 2 * grid && beats % 2 == 0) { return grid }
        }
        return meterBar
    }
}

// MARK: - Slicing

extension QuantizedSequence {
    /// The longest window the slicer makes, in steps: 64 times what the longest model takes (256 steps), and small
    /// enough that every window of a piece stays cheap (at most 256 KB per track and window).
    public static let maxWindowSteps = 16_384

    /// Cuts the piece into windows of whole bars, honouring each time signature's bar length. Bars restart at
    /// every time-signature change; the first bar may be a pick-up (see `PickupRule`). Windows that would cross a
    /// time-signature change are dropped ("crosses a time-signature change"), as are windows of unwanted meters
    /// ("not 4/4"), of meters whose bar is not a whole number of steps ("bar not on the grid"), and windows in
    /// which nothing sounds ("empty window").
    public func barWindows(_ settings: BarSlicing, drops: inout DropCounts) -> [BarWindow] {
        let spq = stepsPerQuarter
        let sound = SoundIndex(notes)
        let signatures = sequence.timeSignatures.isEmpty ? [TimeSignature(numerator: 4, denominator: 4)] : sequence.timeSignatures
        var windows: [BarWindow] = []
        for (k, ts) in signatures.enumerated() {
            let segStart = k == 0 ? 0 : ts.tick
            let segEnd = k + 1 < signatures.count ? signatures[k + 1].tick : totalSteps
            guard segEnd > segStart else { continue }
            guard let meterBar = ts.barLength(ticksPerQuarter: spq) else {
                drops.add("bar not on the grid", max(1, (segEnd - segStart) / max(1, spq * 4)))
                continue
            }
            let bar = ts.bar(in: settings.barGrids, meterBar: meterBar)
            var phase = 0
            if k == 0 {
                switch settings.pickup {
                case .none: phase = 0
                case .steps(let p): phase = ((p % bar) + bar) % bar
                case .auto: phase = estimatedBarPhase(barLength: meterBar, before: segEnd) % bar   // a half bar's phase when halved
                }
            }
            // Bar lines at segStart + phase + j * bar; a pick-up bar starts one bar earlier.
            let firstBar = phase > 0 && hasNotes(from: segStart, to: segStart + phase) ? segStart + phase - bar : segStart + phase
            let lastBarEnd: Int = {
                let n = (segEnd - firstBar + bar - 1) / bar
                return firstBar + n * bar
            }()
            let windowLength = settings.bars * bar
            guard windowLength <= Self.maxWindowSteps else {
                // 256 bars of 96 steps a quarter would make every window of every track 98,304 steps (an 80 KB file
                // then took 6.8 GB); no model takes windows near this long.
                drops.add("window longer than \(Self.maxWindowSteps) steps", max(1, (segEnd - segStart) / bar))
                continue
            }
            var starts: [Int] = []
            var s = firstBar
            while s < lastBarEnd {
                if s + windowLength <= lastBarEnd || settings.cover { starts.append(s) }
                if s + windowLength >= lastBarEnd { break }
                s += settings.hop * bar
            }
            let meter = ts.description
            if !settings.meters.isEmpty && !settings.meters.contains(meter) {
                drops.add(settings.meters.count == 1 ? "not \(settings.meters[0])" : "meter \(meter) not wanted", starts.count)
                continue
            }
            if starts.isEmpty && sound.sounds(from: segStart, to: segEnd) {
                // A part (or a piece) of fewer bars than one window, and windows must be whole: say so.
                drops.add("shorter than one window of \(settings.bars) bars")
                continue
            }
            for s in starts {
                // A window may run past its segment only at the very end of the piece.
                if s + windowLength > segEnd && k + 1 < signatures.count && !settings.cover {
                    drops.add("crosses a time-signature change")
                    continue
                }
                if !sound.sounds(from: s, to: s + windowLength) {
                    drops.add("empty window")
                    continue
                }
                windows.append(BarWindow(piece: self, start: s, bars: settings.bars, stepsPerBar: bar,
                                         index: windows.count, timeSignature: ts))
            }
        }
        return windows
    }

    func hasNotes(from lo: Int, to hi: Int) -> Bool {
        notes.contains { $0.start >= lo && $0.start < hi }
    }

    func hasSound(from lo: Int, to hi: Int) -> Bool {
        SoundIndex(notes).sounds(from: lo, to: hi)
    }

    /// Where the bar lines fall (0..<barLength) judged by velocity accents of onsets before `before`:
    /// the phase whose onsets are loudest on average wins when it is louder than the rest, has at least two onsets
    /// and at least a quarter of the bars carry one; otherwise 0. The very first onset is left out (many
    /// sequencers accent it whatever its place in the bar).
    public func estimatedBarPhase(barLength bar: Int, before: Int) -> Int {
        var sum = [Int](repeating: 0, count: bar)
        var count = [Int](repeating: 0, count: bar)
        var first = true
        var minV = Int.max, maxV = Int.min
        for n in notes where !n.isDrum && n.start < before {
            if first { first = false; continue }
            let p = ((n.start % bar) + bar) % bar
            sum[p] += n.velocity
            count[p] += 1
            minV = min(minV, n.velocity)
            maxV = max(maxV, n.velocity)
        }
        guard minV < maxV else { return 0 }
        let total = sum.reduce(0, +), totalCount = count.reduce(0, +)
        var best = 0
        var bestMean = -1.0
        for p in 0..<bar where count[p] >= 2 {
            let mean = Double(sum[p]) / Double(count[p])
            if mean > bestMean + 1e-9 { best = p; bestMean = mean }
        }
        guard bestMean > 0 else { return 0 }
        let restCount = totalCount - count[best]
        let restMean = restCount > 0 ? Double(total - sum[best]) / Double(restCount) : 0
        let bars = max(1, before / bar)
        guard bestMean > restMean, count[best] * 4 >= bars else { return 0 }
        // Prefer phase 0 when it is as loud (ties keep the plain grid).
        if count[0] >= 2, Double(sum[0]) / Double(count[0]) >= bestMean - 1e-9 { return 0 }
        return best
    }
}

/// Answers "does any note sound in steps lo..<hi?" in O(log n) for notes sorted by onset: the last note starting
/// before `hi` is found by binary search, and the running maximum of the ends up to it says whether one still
/// sounds at `lo`.
struct SoundIndex {
    let starts: [Int]
    let endsSoFar: [Int]

    init(_ notes: [Note]) {
        let sorted = zip(notes, notes.dropFirst()).allSatisfy { $0.start <= $1.start } ? notes : notes.sorted { $0.start < $1.start }
        starts = sorted.map(\.start)
        var running = Int.min
        endsSoFar = sorted.map { running = max(running, $0.end); return running }
    }

    func sounds(from lo: Int, to hi: Int) -> Bool {
        var a = 0, b = starts.count
        while a < b { let mid = (a + b) / 2; if starts[mid] < hi { a = mid + 1 } else { b = mid } }
        return a > 0 && endsSoFar[a - 1] > lo
    }
}
