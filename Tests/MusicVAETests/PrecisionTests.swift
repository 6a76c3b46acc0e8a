import Foundation
import Testing
@testable import MusicVAE
@testable import NeuralNet

/// Inference in bfloat16 against float32, on the golden models (trained weights of an independent implementation).
@Suite("Model: inference precision")
struct PrecisionTests {
    static func windows(_ m: MusicVAEModel, count: Int, seed: UInt64) -> [[Int]] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in (0..<m.config.numSteps).map { _ in Int(rng.next() % UInt64(m.config.depth)) } }
    }

    @Test(.enabled(if: SIMDKernels.bfloat16), arguments: Golden.models)
    func bfloat16CodesStayCloseToFloat32(_ name: String) throws {
        var m = try MusicVAEModel.load(from: Golden.dir(name))
        let w = Self.windows(m, count: 40, seed: 3)
        let exact = try m.encode(windows: w).mu
        m.precision = .bfloat16
        let rounded = try m.encode(windows: w).mu
        for (a, b) in zip(exact, rounded) {
            let diff = zip(a, b).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +).squareRoot()
            let norm = a.map { Double($0) * Double($0) }.reduce(0, +).squareRoot()
            #expect(diff <= 0.02 * norm + 1e-3, "\(name): |mu_bf16 - mu_f32| \(diff) of |mu| \(norm)")
        }
        #expect(zip(exact, rounded).contains { $0 != $1 }, "\(name): bfloat16 changed nothing: did it run?")
    }

    /// Greedy bfloat16 decoding of a large batch runs in two halves side by side; each row must come out as it
    /// does in small batches that are not split (a row's products do not depend on the other rows; pairs keep the
    /// float32 output layer on BLAS's matrix-matrix path, as in the halves), and its logits to float32 rounding.
    @Test(.enabled(if: SIMDKernels.bfloat16), arguments: Golden.models)
    func bfloat16GreedyBatchEqualsRowsDecodedInPairs(_ name: String) throws {
        var m = try MusicVAEModel.load(from: Golden.dir(name))
        m.precision = .bfloat16
        var rng = SeededGenerator(seed: 9)
        let z = (0..<(2 * Parallel.minimumRows + 2)).map { _ in (0..<m.config.zSize).map { _ in rng.nextNormal() } }
        let together = try m.decodeWithLogits(z: z, rng: &rng, workspace: MusicVAEWorkspace(for: m))
        var ids: [[Int]] = [], logits: [[[Float]]] = []
        for k in stride(from: 0, to: z.count, by: 2) {
            let pair = try m.decodeWithLogits(z: Array(z[k..<(k + 2)]), rng: &rng)
            ids += pair.ids; logits += pair.logits
        }
        #expect(together.ids == ids)
        // The float32 output layer's sums may round differently at another batch size (OpenBLAS's blocking).
        var worst: Float = together.logits.isEmpty ? 1 : 0
        for (a, b) in zip(together.logits, logits) {
            for (x, y) in zip(a, b) { for (u, v) in zip(x, y) { worst = max(worst, abs(u - v)) } }
        }
        #expect(together.logits.count == z.count && worst <= 1e-4, "largest logit difference \(worst)")
    }

    /// Changing the weights drops the packed bfloat16 kernels: the next call packs the new weights.
    @Test(.enabled(if: SIMDKernels.bfloat16))
    func changedWeightsArePackedAgain() throws {
        var m = try MusicVAEModel.load(from: Golden.dir("mel_2bar_tiny"))
        m.precision = .bfloat16
        let w = Self.windows(m, count: 4, seed: 4)
        let before = try m.encode(windows: w).mu
        for i in 0..<m.parameters.values.count { m.parameters.values[i] *= 0.5 }
        var fresh = try MusicVAEModel(config: m.config, weights: m.namedWeights)
        fresh.precision = .bfloat16
        let after = try m.encode(windows: w).mu
        #expect(after == (try fresh.encode(windows: w).mu))
        #expect(after != before)
    }

    @Test func float32IsTheDefault() throws {
        let m = try MusicVAEModel(config: ModelTests.tinyFlat, seed: 1)
        #expect(m.precision == .float32 && m.inferenceKernels == nil)
    }
}
