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
    /// does alone (a row's products do not depend on the other rows).
    @Test(.enabled(if: SIMDKernels.bfloat16), arguments: Golden.models)
    func bfloat16GreedyBatchEqualsRowsDecodedAlone(_ name: String) throws {
        var m = try MusicVAEModel.load(from: Golden.dir(name))
        m.precision = .bfloat16
        var rng = SeededGenerator(seed: 9)
        let z = (0..<(2 * Parallel.minimumRows + 3)).map { _ in (0..<m.config.zSize).map { _ in rng.nextNormal() } }
        let ws = MusicVAEWorkspace(for: m)
        let together = try m.decode(z: z, workspace: ws)
        let alone = try z.map { try m.decode(z: [$0])[0] }
        #expect(together == alone)
    }

    @Test func float32IsTheDefaultAndBfloat16FallsBackWhereUnsupported() throws {
        let m = try MusicVAEModel(config: ModelTests.tinyFlat, seed: 1)
        #expect(m.precision == .float32 && m.inferenceKernels == nil)
        #expect(InferencePrecision.bfloat16.effective == (SIMDKernels.bfloat16 ? .bfloat16 : .float32))
    }
}
