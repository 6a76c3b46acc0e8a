import Foundation
import NeuralNet

/// What one training step did.
public struct TrainingStepResult: Sendable {
    /// The global step the update was computed at (0 for the first update).
    public var step: Int
    /// The batch loss before the update.
    public var loss: LossBreakdown
    /// The learning rate applied.
    public var learningRate: Double
    /// The global gradient norm before clipping.
    public var gradientNorm: Double
    /// The scheduled-sampling probability used.
    public var samplingProbability: Double
}

/// Trains a model with Magenta's recipe: z = mu + sigma·eps (eps ~ N(0, I)), β annealing,
/// free bits, scheduled sampling, global-norm clipping, Adam with exponential
/// learning-rate decay. Not thread-safe.
public final class MusicVAETrainer {
    /// The model being trained (updated in place by every step).
    public private(set) var model: MusicVAEModel
    /// Adam state; `optimizer.step` is the global step.
    public private(set) var optimizer: Adam
    /// The learning-rate schedule (from the config).
    public let schedule: ExponentialDecay
    /// Activation memory reused across steps.
    public let workspace: MusicVAEWorkspace
    private var rng: SeededGenerator
    private let seed: UInt64
    private var gradients: [Float]
    /// The processes this one trains with (nil: alone). Every process calls `train` with the same global batch.
    public var group: DataParallelGroup?

    /// A trainer starting at global step 0 (noise and sampling draws come from `seed`).
    public convenience init(model: MusicVAEModel, seed: UInt64 = 0) {
        self.init(model: model, optimizer: Adam(count: model.parameterCount), seed: seed)
    }

    /// A trainer continuing with the given optimizer state (its `step` is the global step).
    public init(model: MusicVAEModel, optimizer: Adam, seed: UInt64 = 0) {
        precondition(optimizer.m.count == model.parameterCount, "optimizer state does not fit the model")
        self.model = model
        self.optimizer = optimizer
        schedule = ExponentialDecay(initial: model.config.learningRate, decayRate: model.config.decayRate,
                                    minimum: model.config.minLearningRate)
        workspace = MusicVAEWorkspace(for: model)
        rng = SeededGenerator(seed: seed)
        self.seed = seed
        gradients = [Float](repeating: 0, count: model.parameterCount)
    }

    /// The global step (updates applied so far).
    public var step: Int { optimizer.step }

    /// One update on a batch of windows: forward, backward, clip, Adam. In a data-parallel group, `windows` is
    /// the global batch (the same on every process): this process computes its rows, the gradients and per-window
    /// losses are summed across the group, and every process applies the same update.
    @discardableResult
    public func train(windows: [[Int]]) throws -> TrainingStepResult {
        try model.check(windows: windows)
        let c = model.config, s = step, Z = c.zSize, B = windows.count
        // Each step's noise depends only on (seed, step), so a resumed run repeats an uninterrupted one exactly; the
        // scheduled-sampling draws of each window depend on (seed, step, row), so a row decodes alike in any process.
        rng = SeededGenerator(seed: seed ^ (UInt64(s) &* 0x9E37_79B9_7F4A_7C15))
        let eps = (0..<B).map { _ in (0..<Z).map { _ in rng.nextNormal() } }
        let rows = group?.rows(of: B) ?? 0..<B
        let rowSeeds = rows.map { r in seed ^ (UInt64(s) &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(r + 1) &* 0xD6E8_FEB8_6659_FD93) }
        let beta = c.beta(atStep: s), p = c.samplingProbability(atStep: s)
        let lr = schedule(s)
        let n = gradients.count
        var result: TrainingStepResult!
        gradients.withUnsafeMutableBufferPointer { gb in
            let g = gb.baseAddress!
            Vec.zero(g, n)
            var loss = workspace.addGradients(model, into: g, windows: Array(windows[rows]), eps: Array(eps[rows]), beta: beta,
                                              freeNats: c.freeNats, samplingProbability: p, meanOver: B, rowSeeds: rowSeeds)
            if let group {
                group.sum(g, count: n)
                // Every window's reconstruction and KL, in batch order, on every process.
                var all = [Double](repeating: 0, count: 2 * B)
                for (k, r) in rows.enumerated() { all[r] = loss.recon[k]; all[B + r] = loss.kl[k] }
                all.withUnsafeMutableBufferPointer { group.sum($0.baseAddress!, count: 2 * B) }
                loss = LossBreakdown(recon: Array(all[0..<B]), kl: Array(all[B...]), beta: beta, freeNats: c.freeNats)
            }
            let norm = GradientClipping.clipByGlobalNorm(g, count: n, clipNorm: c.gradClip, zeroAbove: c.gradNormClipToZero)
            model.parameters.values.withUnsafeMutableBufferPointer { pb in
                optimizer.update(pb.baseAddress!, gradients: g, learningRate: Float(lr))
            }
            result = TrainingStepResult(step: s, loss: loss, learningRate: lr, gradientNorm: norm, samplingProbability: p)
        }
        return result
    }
}
