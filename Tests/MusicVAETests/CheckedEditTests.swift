import Foundation
import MusicVAE
import NoteSequences
import Testing

/// The choice a checked edit makes among its decodes.
@Suite struct CheckedEditTests {
    /// Three attributes with spreads 1, 2 and 0.5; attribute 0 asked up by at most 1 standard deviation.
    func edit(sign: Double = 1, target: Double = 1) -> CheckedEdit {
        CheckedEdit(base: [0, 0], edited: [1, 2], moves: [.init(attribute: 0, sign: sign, target: target)], spreads: [1, 2, 0.5])
    }

    @Test func candidatesAreTheReconstructionAndTheStepAtEachLength() {
        let c = edit().candidates
        #expect(c.count == CheckedEdit.lengths.count + 1)
        #expect(c[0] == [0, 0])
        for (i, length) in CheckedEdit.lengths.enumerated() { #expect(c[i + 1] == [length, 2 * length]) }
    }

    /// Earned: the own change the way asked up to the target, less as far again past it; paid: every other
    /// change, in spreads.
    @Test func scoreEarnsTheOwnMoveUpToItsTargetAndPaysForTheOthers() {
        let e = edit(target: 1)
        #expect(e.score([0.5, 0, 0], reconstruction: [0, 0, 0]) == 0.5)
        #expect(e.score([1, 0, 0], reconstruction: [0, 0, 0]) == 1)
        #expect(e.score([1.5, 0, 0], reconstruction: [0, 0, 0]) == 0.5)          // past the target: less
        #expect(e.score([3, 0, 0], reconstruction: [0, 0, 0]) == -1)
        // Other attributes cost half a point per standard deviation (the default `cost`), or what `cost` says.
        #expect(abs(e.score([0.8, 1, 0.1], reconstruction: [0, 0, 0]) - (0.8 - 0.5 * (0.5 + 0.2))) < 1e-12)
        var strict = e
        strict.cost = 1
        #expect(abs(strict.score([0.8, 1, 0.1], reconstruction: [0, 0, 0]) - (0.8 - 0.5 - 0.2)) < 1e-12)
        #expect(e.score([-0.5, 0, 0], reconstruction: [0, 0, 0]) == -0.5)      // the wrong way costs
        #expect(edit(sign: -1).score([-0.5, 0, 0], reconstruction: [0, 0, 0]) == 0.5)
    }

    @Test func choosesTheBestLengthTheShorterOnTiesAndTheReconstructionWhenNothingHelps() {
        let e = edit(target: 1)
        let r = [0.0, 0, 0]
        // Lengths 0.5 ... 3: the 1.5 step lands on the target; 1 falls short, 2 moves the others, 3 overshoots.
        #expect(e.choose([r, [0.4, 0, 0], [0.9, 0, 0], [1, 0, 0], [1, 0.4, 0], [1.8, 0, 0]]) == 3)
        #expect(e.choose([r, [0.4, 0, 0], [0.9, 0, 0], [1.2, 0, 0], [1.5, 0.4, 0], [2, 0, 0]]) == 2)
        // Two candidates scoring the same: the shorter.
        #expect(e.choose([r, [1, 0, 0], [1, 0, 0], [2, 0, 0], [1, 0, 0], [1, 0, 0]]) == 1)
        // Every step moves the others more than it earns, or goes the wrong way: the reconstruction.
        #expect(e.choose([r, [0.2, 1, 0], [-1, 0, 0], [0.5, 0, 0.5], [1, 4, 0], [0, 0, 0]]) == 0)
    }

    /// A second attribute stage extends the edit: both attributes earn, neither is a cost.
    @Test func aFurtherMoveIsCheckedWithTheFirst() {
        let both = edit().adding(.init(attribute: 2, sign: -1, target: 2), to: [2, 3])
        #expect(both.base == [0, 0] && both.edited == [2, 3] && both.moves.count == 2)
        #expect(both.score([1, 0, -0.5], reconstruction: [0, 0, 0]) == 1 + 1)
        #expect(both.score([1, 1, 0], reconstruction: [0, 0, 0]) == 1 - 0.5 * 0.5)
    }

    /// A second move of the same attribute joins the first: signed targets add.
    @Test func movesOfOneAttributeJoin() {
        let twice = edit(target: 1).adding(.init(attribute: 0, sign: 1, target: 1), to: [2, 4])
        #expect(twice.moves == [.init(attribute: 0, sign: 1, target: 2)])
        #expect(twice.score([2, 0, 0], reconstruction: [0, 0, 0]) == 2)
        let undone = edit(target: 1).adding(.init(attribute: 0, sign: -1, target: 1.5), to: [0, 0])
        #expect(undone.moves == [.init(attribute: 0, sign: -1, target: 0.5)])
    }

    /// The move an attributes file gives: its target is the amount times the top-minus-bottom gap in spreads; a
    /// file written before spreads says what to do.
    @Test func attributeFilesGiveTheMoveAndSayWhenTheyPredateSpreads() throws {
        let names = ["a", "b"]
        var v = AttributeVectors(vectors: ["a": [1], "b": [1]], quartileMeans: ["a": [3, 1], "b": [1, 0]], spreads: ["a": 0.5, "b": 2],
                                 windows: 8, data: [], method: "")
        let (move, spreads) = try v.checkedMove("a", amount: -1.5, names: names, file: "x/attributes.json")
        #expect(move == CheckedEdit.Move(attribute: 0, sign: -1, target: 1.5 * 2 / 0.5) && spreads == [0.5, 2])
        v.spreads = nil
        #expect {
            try v.checkedMove("a", amount: 1, names: names, file: "x/attributes.json")
        } throws: { error in
            "\(error)".contains("x/attributes.json has no spreads") && "\(error)".contains("musicvae attributes compute")
                && "\(error)".contains("check false")
        }
    }

    /// compute stores each attribute's standard deviation over the windows.
    @Test func computeStoresTheSpreads() throws {
        let codes: [[Float]] = (0..<8).map { [Float($0), 1] }
        let values = ["a": (0..<8).map { Double($0 % 2) }, "b": [Double](repeating: 3, count: 8)]
        let v = AttributeVectors.compute(codes: codes, values: values, data: [])
        #expect(v.spreads == ["a": 0.5, "b": 0])
    }
}
