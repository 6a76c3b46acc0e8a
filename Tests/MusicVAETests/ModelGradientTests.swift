import Foundation
import Testing
@testable import MusicVAE
@testable import NeuralNet

@Suite("Whole-model finite-difference checks (architectures beyond the golden ones)")
struct ModelGradientTests {
    /// Central differences of the total loss for a sample of weights of every tensor.
    func check(_ config: MusicVAEConfig, beta: Double = 0.3, freeBits: Double = 0, batch: Int = 2) throws {
        var rng = SeededGenerator(seed: 77)
        var model = try MusicVAEModel(config: config, seed: 5)
        // Larger weights than the default initialisers so every path carries signal.
        for i in model.parameters.values.indices { model.parameters.values[i] = (rng.nextUniform() * 2 - 1) * 0.4 }
        let windows = (0..<batch).map { _ in (0..<config.numSteps).map { _ in Int(rng.next() % UInt64(config.depth)) } }
        let eps = (0..<batch).map { _ in (0..<config.zSize).map { _ in rng.nextNormal() } }
        let (_, grads) = try model.lossAndGradients(windows: windows, eps: eps, beta: beta, freeBits: freeBits)
        let ws = MusicVAEWorkspace(for: model)
        let h: Float = 3e-3
        for e in model.parameters.entries {
            for _ in 0..<4 {
                let i = e.offset + Int(rng.next() % UInt64(e.count))
                let x = model.parameters.values[i]
                model.parameters.values[i] = x + h
                let lp = try model.loss(windows: windows, eps: eps, beta: beta, freeBits: freeBits, workspace: ws).total
                model.parameters.values[i] = x - h
                let lm = try model.loss(windows: windows, eps: eps, beta: beta, freeBits: freeBits, workspace: ws).total
                model.parameters.values[i] = x
                let fd = (lp - lm) / Double(2 * h)
                let a = Double(grads[i])
                #expect(abs(fd - a) <= 3e-3 + 3e-2 * abs(a), "\(config.name) \(e.name)[\(i - e.offset)]: fd \(fd) vs \(a)")
            }
        }
    }

    /// A batch whose gradient is computed as two halves side by side (two CPUs, 2 × `Parallel.minimumRows` rows or
    /// more) gives the loss and gradient of the whole batch computed at once.
    @Test(.enabled(if: Parallel.enabled, "one CPU: batches are never split")) func halvesGiveTheWholeBatchesGradient() throws {
        let config = MusicVAEConfig(name: "halves", depth: 9, minPitch: 60, maxPitch: 66, numSteps: 6, zSize: 5,
                                    encoder: .init(kind: .bidirectional, layerSizes: [12]),
                                    decoder: .init(kind: .flat, layerSizes: [10, 8]))
        let batch = 2 * Parallel.minimumRows + 3
        #expect(MusicVAEWorkspace.computesInHalves(rows: batch))
        var rng = SeededGenerator(seed: 12)
        let model = try MusicVAEModel(config: config, seed: 6)
        let windows = (0..<batch).map { _ in (0..<config.numSteps).map { _ in Int(rng.next() % UInt64(config.depth)) } }
        let eps = (0..<batch).map { _ in (0..<config.zSize).map { _ in rng.nextNormal() } }
        let halves = try model.lossAndGradients(windows: windows, eps: eps, beta: 0.3, freeBits: 0)
        // The whole batch at once, on the workspace's single-batch path.
        var whole = [Float](repeating: 0, count: model.parameterCount)
        var unused = SeededGenerator(seed: 0)
        let wholeLoss = whole.withUnsafeMutableBufferPointer { g in
            MusicVAEWorkspace(for: model).run(model, windows: windows, eps: eps, beta: 0.3, freeNats: 0, samplingProbability: 0,
                                               rng: &unused, gradients: g.baseAddress!, trace: false).0
        }
        for (a, b) in zip(halves.loss.recon + halves.loss.kl, wholeLoss.recon + wholeLoss.kl) {
            #expect(abs(a - b) <= 1e-5 * max(1, abs(b)), "loss \(a) against \(b)")
        }
        let scale = whole.map { abs($0) }.max()!
        #expect(scale > 0)
        let worst = zip(halves.gradients, whole).map { abs($0 - $1) }.max()!
        #expect(worst <= 1e-5 * scale, "gradient differs by \(worst) (largest element \(scale))")
    }

    @Test func threeLevelHierarchicalEncoderAndHierarchicalDecoder() throws {
        try check(MusicVAEConfig(name: "h3", depth: 7, minPitch: 60, maxPitch: 64, numSteps: 8, zSize: 3,
                                 encoder: .init(kind: .hierarchical, layerSizes: [4, 5, 3], levelLengths: [2, 2, 2]),
                                 decoder: .init(kind: .hierarchical, layerSizes: [5, 4], conductorSizes: [3], numBars: 2, stepsPerBar: 4)))
    }

    @Test func stackedEncoderThreeLayerFlatDecoderWithFreeBits() throws {
        // free bits below the KL of some windows: the hinge is active for part of the batch.
        try check(MusicVAEConfig(name: "f3", depth: 6, minPitch: 60, maxPitch: 63, numSteps: 5, zSize: 4,
                                 encoder: .init(kind: .bidirectional, layerSizes: [3, 4, 5]),
                                 decoder: .init(kind: .flat, layerSizes: [4, 3, 5])), freeBits: 0.5, batch: 3)
    }
}
