import Foundation
import Testing
@testable import MusicVAE
import NeuralNet

@Suite struct AttributeVectorsTests {
    /// Quartiles by rank: the vector is the mean code of the top quarter minus that of the bottom quarter.
    @Test func attributeVectorsFromQuartiles() throws {
        let codes: [[Float]] = (0..<8).map { [Float($0), 1] }
        let values = ["x": [0.0, 1, 2, 3, 4, 5, 6, 7], "y": [7.0, 6, 5, 4, 3, 2, 1, 0]]
        let v = AttributeVectors.compute(codes: codes, values: values, data: ["d"])
        // Quartile of 8 is 2: top x = windows 6, 7 (mean code 6.5), bottom = 0, 1 (mean 0.5).
        #expect(v.vectors["x"] == [6, 0])
        #expect(v.vectors["y"] == [-6, 0])
        #expect(v.quartileMeans["x"] == [6.5, 0.5])
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("attr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try v.save(to: folder)
        #expect(try AttributeVectors.load(from: folder) == v)
    }

    /// A rare attribute (2 windows of 12 above zero) ties both quartile boundaries at 0: the vector is the mean
    /// code of the windows above zero minus that of the windows at zero, not of two arbitrary thirds of zeros.
    /// A saturated one (10 of 12 at 1) compares the windows at the top value with those below it.
    @Test func attributeVectorsWhereTheMiddleHalfTies() {
        let codes: [[Float]] = (0..<12).map { [Float($0)] }
        let rare: [Double] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0.25]
        let saturated: [Double] = [1, 1, 0.5, 1, 1, 1, 1, 1, 1, 1, 0.75, 1]
        let constant = [Double](repeating: 3, count: 12)
        let v = AttributeVectors.compute(codes: codes, values: ["rare": rare, "saturated": saturated, "constant": constant], data: [])
        // rare: above zero = windows 10, 11 (mean code 10.5); at zero = 0...9 (mean 4.5).
        #expect(v.vectors["rare"] == [6])
        #expect(v.quartileMeans["rare"] == [0.375, 0])
        // saturated: at 1 = ten windows (mean code (66 - 2 - 10) / 10 = 5.4); below = 2, 10 (mean 6).
        #expect(abs(v.vectors["saturated"]![0] - (5.4 - 6)) < 1e-5)
        #expect(v.quartileMeans["saturated"] == [1, 0.625])
        #expect(v.vectors["constant"] == [0])
    }

    /// Two correlated attributes (b follows a: b = 0.8 a + 0.6 noise) written into the codes along their own
    /// axes (z0 = a, z1 = b, z2 noise): the quartile vector of a also moves z1, since the windows high in a are
    /// high in b too; the disentangled direction of a moves z0 by a's gap and z1 by almost nothing, and b's
    /// moves z1 alone. A constant attribute gets a zero direction (named to sort between the others, so that an
    /// index of the fitted attributes read as one of all of them shows), and a duplicate of a (a singular fit)
    /// gets a zero direction while a's stays what it is without the duplicate.
    @Test func disentangledDirectionsHoldTheOtherAttributes() throws {
        var rng = SeededGenerator(seed: 5)
        var codes: [[Float]] = [], a: [Double] = [], b: [Double] = []
        for _ in 0..<4000 {
            let x = Double(rng.nextNormal()), y = 0.8 * x + 0.6 * Double(rng.nextNormal())
            a.append(x); b.append(y)
            codes.append([Float(x) + 0.05 * rng.nextNormal(), Float(y) + 0.05 * rng.nextNormal(), rng.nextNormal()])
        }
        let v = AttributeVectors.compute(codes: codes, values: ["a": a, "a_constant": a.map { _ in 2 }, "b": b], data: [])
        let gapA = Float(v.quartileMeans["a"]![0] - v.quartileMeans["a"]![1])
        let gapB = Float(v.quartileMeans["b"]![0] - v.quartileMeans["b"]![1])
        let raw = v.vectors["a"]!, da = v.directions!["a"]!, db = v.directions!["b"]!
        #expect(raw[1] > 0.6 * gapA, "the quartile vector carries b: \(raw), gap \(gapA)")
        // z2 is noise: its coefficient is the fit's sampling error, about 1 / (0.6 sqrt(4000)) = 0.026 per unit of b.
        #expect(abs(da[0] - gapA) < 0.03 * gapA && abs(da[1]) < 0.03 * gapA && abs(da[2]) < 0.08 * gapA, "\(da), gap \(gapA)")
        #expect(abs(db[1] - gapB) < 0.03 * gapB && abs(db[0]) < 0.03 * gapB && abs(db[2]) < 0.08 * gapB, "\(db), gap \(gapB)")
        #expect(v.directions!["a_constant"] == [0, 0, 0])
        // b = 0.8 a + 0.6 noise: each explains 0.8² = 0.64 of the other's variance; the constant, nothing.
        let explained = try #require(v.explainedByOthers)
        #expect(abs(explained["a"]! - 0.64) < 0.03 && abs(explained["b"]! - 0.64) < 0.03 && explained["a_constant"] == 0, "\(explained)")
        let duplicated = AttributeVectors.compute(codes: codes, values: ["a": a, "a2": a, "b": b], data: [])
        #expect(duplicated.directions!["a2"] == [0, 0, 0] && duplicated.explainedByOthers!["a2"] == 1)
        #expect(zip(duplicated.directions!["a"]!, da).allSatisfy { abs($0 - $1) < 1e-4 }, "\(duplicated.directions!["a"]!) vs \(da)")
        #expect(zip(duplicated.directions!["b"]!, db).allSatisfy { abs($0 - $1) < 1e-4 })
        // Each edit kind gives what it names; a file without directions refuses the disentangled one by name.
        #expect(try v.direction("a", .raw, file: "f") == raw)
        #expect(try v.direction("a", .disentangled, file: "f") == da)
        #expect(try v.direction("missing", .raw, file: "f") == nil)
        var old = v
        old.directions = nil
        #expect(throws: MusicVAEError.self) { try old.direction("a", .disentangled, file: "f") }
    }

    /// Gauss-Jordan elimination solves a small system exactly enough, and a zero pivot gives 0, not NaN.
    @Test func smallSolves() {
        let x = AttributeVectors.solve([[4, 1], [1, 3]], [[1], [2]])
        #expect(abs(x[0][0] - 1.0 / 11) < 1e-12 && abs(x[1][0] - 7.0 / 11) < 1e-12)
        // The second unknown has no pivot left: 0, and the first solves the rest.
        #expect(AttributeVectors.solve([[1, 1], [1, 1]], [[1], [1]]) == [[1], [0]])
        // Pivoting: a zero in the first diagonal place is no obstacle.
        #expect(AttributeVectors.solve([[0, 2], [3, 0]], [[4], [9]]) == [[3], [2]])
    }
}
