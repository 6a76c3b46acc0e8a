import Foundation
import NoteSequences

/// An attribute edit that checks what the decoder makes of it: the step is decoded at several lengths, and each
/// window keeps the decode that moves the named attributes the way asked, as near their targets as it can, while
/// moving the others least; where no length does better than nothing, `decode` says so (the decode stage then
/// gives the window back as it was).
///
/// Why check: the decoder's response to a step is not linear and differs from window to window. The same
/// direction that adds notes to one window changes another's intervals, and the longer step a small response
/// needs (pitch range, syncopation) breaks windows that respond at once. Measured on mel_2bar_small's 1,000
/// held-out windows (`attributes matrix`, standard deviations): plain steps along the disentangled directions
/// moved their own attribute most in four of six rows (pitch range +0.02 against intervals +0.06; diatonic
/// +0.002), off the diagonal 0.06 on average; checked, six of six, at amounts 1, -1 and 2 (the card of each
/// model gives its matrix).
///
/// Scoring a candidate against the reconstruction, in standard deviations of each attribute over the training
/// windows (`spreads`): each move earns the change of its attribute the way asked up to its `target`, and loses
/// as much again past it (min(change, 2 target - change): amount 1 asks for the attribute's top-minus-bottom gap,
/// not for as much as the decoder will give; without it, more notes on held-out Essen tunes came out at +188%,
/// nearly every 16th struck); every attribute no move names costs `cost` times its absolute change. The
/// reconstruction scores 0; ties go to the shorter step.
public struct CheckedEdit: Sendable, Equatable {
    /// One attribute asked to move.
    public struct Move: Sendable, Equatable {
        /// Index in the encoding's attribute names.
        public var attribute: Int
        /// +1: more of it; -1: less.
        public var sign: Double
        /// How far it is asked to move, in standard deviations: a change past it earns less.
        public var target: Double

        /// A move.
        public init(attribute: Int, sign: Double, target: Double) {
            self.attribute = attribute; self.sign = sign; self.target = target
        }
    }

    /// The lengths tried, as multiples of the step asked for (1: the plain edit).
    public static let lengths: [Float] = [0.5, 1, 1.5, 2, 3]

    /// The code before the edit.
    public var base: [Float]
    /// The code of the plain edit (base plus the step): what an unchecked edit decodes.
    public var edited: [Float]
    /// The attributes asked to move.
    public var moves: [Move]
    /// Per attribute (in the encoding's order), its standard deviation over the training windows.
    public var spreads: [Double]
    /// What a standard deviation of change in an attribute no move names costs, against one earned. At 1,
    /// mel_2bar_small's fewer-notes edit left 600 of 1,000 held-out windows as reconstructed (density -0.64
    /// standard deviations); at 0.5, 103 of 400 (-1.16), every row still dominant at amounts 1 and -1, off the
    /// diagonal 0.10 and 0.06; at 0.25, 0.13 and 0.09 (measured before the overshoot rule of `score`).
    public var cost = 0.5

    /// An edit from `base` to `edited`.
    public init(base: [Float], edited: [Float], moves: [Move], spreads: [Double]) {
        self.base = base; self.edited = edited; self.moves = moves; self.spreads = spreads
    }

    /// The same edit with a further step (another attribute stage) from its edited code to `edited`. A move of an
    /// attribute already moved joins it: their signed targets add up (two +1 steps ask for twice the gap; +1 and
    /// -1, for none).
    public func adding(_ move: Move, to edited: [Float]) -> CheckedEdit {
        var next = self
        next.edited = edited
        if let k = moves.firstIndex(where: { $0.attribute == move.attribute }) {
            let total = moves[k].sign * moves[k].target + move.sign * move.target
            next.moves[k] = Move(attribute: move.attribute, sign: total < 0 ? -1 : 1, target: abs(total))
        } else {
            next.moves.append(move)
        }
        return next
    }

    /// The codes decoded: the reconstruction first, then the step at each of `lengths`.
    public var candidates: [[Float]] {
        let step = zip(edited, base).map { $0 - $1 }
        return [base] + Self.lengths.map { Latent.add(base, step, amount: $0) }
    }

    /// The score of a candidate's attribute values against the reconstruction's (see the type's summary).
    public func score(_ values: [Double], reconstruction: [Double]) -> Double {
        let change = values.indices.map { k in spreads[k] > 0 ? (values[k] - reconstruction[k]) / spreads[k] : 0 }
        let named = Set(moves.map(\.attribute))
        let earned = moves.reduce(0.0) { sum, move in
            let own = move.sign * change[move.attribute]
            return sum + min(own, 2 * move.target - own)
        }
        let moved = change.indices.filter { !named.contains($0) }.reduce(0.0) { $0 + abs(change[$1]) }
        return earned - cost * moved
    }

    /// The index in `candidates` of the best one, given each candidate's attribute values (in that order).
    public func choose(_ values: [[Double]]) -> Int {
        var best = 0, bestScore = 0.0
        for i in values.indices.dropFirst() {
            let s = score(values[i], reconstruction: values[0])
            if s > bestScore { best = i; bestScore = s }
        }
        return best
    }

    /// Decodes every edit's candidates greedily with `model` and returns, per edit, the chosen window's events and
    /// the length chosen (nil: the reconstruction). `tonics[i]` is the major tonic of edit i's window (melodies:
    /// the key for the diatonic share).
    public static func decode(_ edits: [CheckedEdit], tonics: [Int], model: MusicVAEModel) throws -> [(events: [Int], length: Float?)] {
        let per = lengths.count + 1
        let codes = edits.flatMap(\.candidates)
        let decoded = try MusicVAEModel.inBatches(codes) { batch, _ in try model.decode(z: batch) }
        let encoding = model.config.lineEncoding
        return edits.indices.map { i in
            let windows = Array(decoded[i * per..<(i + 1) * per])
            let best = edits[i].choose(windows.map { encoding.attributeValues(of: $0, majorTonic: tonics[i]) })
            return (windows[best], best == 0 ? nil : lengths[best - 1])
        }
    }
}
