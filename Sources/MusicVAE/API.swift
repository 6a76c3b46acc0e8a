import Foundation
import NeuralNet

extension MusicVAEModel {
    /// The given workspace (checked to match this model's configuration) or a new one.
    func resolveWorkspace(_ given: MusicVAEWorkspace?) throws -> MusicVAEWorkspace {
        guard let ws = given else { return MusicVAEWorkspace(for: self) }
        guard ws.config == config else {
            throw MusicVAEError.invalidInput("workspace was made for model '\(ws.config.name)', not '\(config.name)'")
        }
        return ws
    }

    /// The posterior N(mu, sigma²) of each window (class indices, `numSteps` long).
    public func encode(windows: [[Int]], workspace: MusicVAEWorkspace? = nil) throws -> (mu: [[Float]], sigma: [[Float]]) {
        try check(windows: windows)
        let ws = try resolveWorkspace(workspace)
        let enc = ws.encoder(windows.count)
        enc.setInputs(windows)
        parameters.values.withUnsafeBufferPointer { enc.forward($0.baseAddress!) }
        let Z = config.zSize
        let rows = { (p: UnsafeMutablePointer<Float>) in (0..<windows.count).map { Array(UnsafeBufferPointer(start: p + $0 * Z, count: Z)) } }
        return (rows(enc.mu), rows(enc.sigma))
    }

    /// Decodes latent codes autoregressively: greedy when `temperature` is nil (or ≤ 0), else sampling
    /// from softmax(logits / temperature). Returns the class indices and each step's logits.
    public func decodeWithLogits<R: RandomNumberGenerator>(z: [[Float]], temperature: Float? = nil, rng: inout R,
                                                           workspace: MusicVAEWorkspace? = nil) throws -> (ids: [[Int]], logits: [[[Float]]]) {
        try decode(z: z, temperature: temperature, keepLogits: true, rng: &rng, workspace: workspace)
    }

    /// Decodes latent codes autoregressively (greedy when `temperature` is nil or ≤ 0).
    public func decode<R: RandomNumberGenerator>(z: [[Float]], temperature: Float? = nil, rng: inout R,
                                                 workspace: MusicVAEWorkspace? = nil) throws -> [[Int]] {
        try decode(z: z, temperature: temperature, keepLogits: false, rng: &rng, workspace: workspace).ids
    }

    /// Decodes latent codes with a seeded generator (greedy when `temperature` is nil or ≤ 0).
    public func decode(z: [[Float]], temperature: Float? = nil, seed: UInt64 = 0,
                       workspace: MusicVAEWorkspace? = nil) throws -> [[Int]] {
        var rng = SeededGenerator(seed: seed)
        return try decode(z: z, temperature: temperature, rng: &rng, workspace: workspace)
    }

    private func decode<R: RandomNumberGenerator>(z: [[Float]], temperature: Float?, keepLogits: Bool, rng: inout R,
                                                  workspace: MusicVAEWorkspace?) throws -> (ids: [[Int]], logits: [[[Float]]]) {
        try check(vectors: z, "z")
        let ws = try resolveWorkspace(workspace)
        let g = ws.sampler(z.count)
        let flat = z.flatMap { $0 }
        return parameters.values.withUnsafeBufferPointer { p in
            flat.withUnsafeBufferPointer { zp in
                g.decode(p.baseAddress!, z: zp.baseAddress!, temperature: temperature, keepLogits: keepLogits, rng: &rng)
            }
        }
    }

    /// Draws `count` codes z ~ N(0, I) and decodes them.
    public func sample(count: Int, temperature: Float? = 1, seed: UInt64 = 0,
                       workspace: MusicVAEWorkspace? = nil) throws -> [[Int]] {
        var rng = SeededGenerator(seed: seed)
        let z = (0..<count).map { _ in (0..<config.zSize).map { _ in rng.nextNormal() } }
        return try decode(z: z, temperature: temperature, rng: &rng, workspace: workspace)
    }

    /// The loss of a batch with given noise eps (z = mu + sigma · eps), teacher forced.
    /// `freeBits` defaults to the config's.
    public func loss(windows: [[Int]], eps: [[Float]], beta: Double, freeBits: Double? = nil,
                     workspace: MusicVAEWorkspace? = nil) throws -> LossBreakdown {
        try check(windows: windows); try check(vectors: eps, "eps")
        let ws = try resolveWorkspace(workspace)
        var rng = SeededGenerator(seed: 0)
        return ws.run(self, windows: windows, eps: eps, beta: beta, freeNats: (freeBits ?? config.freeBits) * M_LN2,
                      samplingProbability: 0, rng: &rng, gradients: nil, trace: false).0
    }

    /// The loss and d(total)/d(weight) for every weight (flat, laid out like `parameters.values`).
    public func lossAndGradients(windows: [[Int]], eps: [[Float]], beta: Double, freeBits: Double? = nil,
                                 workspace: MusicVAEWorkspace? = nil) throws -> (loss: LossBreakdown, gradients: [Float]) {
        try check(windows: windows); try check(vectors: eps, "eps")
        guard eps.count == windows.count else { throw MusicVAEError.invalidInput("one eps vector per window") }
        let ws = try resolveWorkspace(workspace)
        var rng = SeededGenerator(seed: 0)
        var grads = [Float](repeating: 0, count: parameters.count)
        let loss = grads.withUnsafeMutableBufferPointer { g in
            ws.run(self, windows: windows, eps: eps, beta: beta, freeNats: (freeBits ?? config.freeBits) * M_LN2,
                   samplingProbability: 0, rng: &rng, gradients: g.baseAddress!, trace: false).0
        }
        return (loss, grads)
    }

    /// Every intermediate value of a teacher-forced forward pass with noise eps.
    public func trace(windows: [[Int]], eps: [[Float]], beta: Double, freeBits: Double? = nil,
                      workspace: MusicVAEWorkspace? = nil) throws -> MusicVAETrace {
        try check(windows: windows); try check(vectors: eps, "eps")
        guard eps.count == windows.count else { throw MusicVAEError.invalidInput("one eps vector per window") }
        let ws = try resolveWorkspace(workspace)
        var rng = SeededGenerator(seed: 0)
        return ws.run(self, windows: windows, eps: eps, beta: beta, freeNats: (freeBits ?? config.freeBits) * M_LN2,
                      samplingProbability: 0, rng: &rng, gradients: nil, trace: true).1!
    }
}

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
/// free bits, scheduled sampling (flat decoders), global-norm clipping, Adam with exponential
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

    /// One update on a batch of windows: forward, backward, clip, Adam.
    @discardableResult
    public func train(windows: [[Int]]) throws -> TrainingStepResult {
        try model.check(windows: windows)
        let c = model.config, s = step, Z = c.zSize
        // Each step's noise depends only on (seed, step), so a resumed run repeats an uninterrupted one exactly.
        rng = SeededGenerator(seed: seed ^ (UInt64(s) &* 0x9E37_79B9_7F4A_7C15))
        let eps = (0..<windows.count).map { _ in (0..<Z).map { _ in rng.nextNormal() } }
        let beta = c.beta(atStep: s), p = c.samplingProbability(atStep: s)
        let lr = schedule(s)
        let n = gradients.count
        var result: TrainingStepResult!
        gradients.withUnsafeMutableBufferPointer { gb in
            let g = gb.baseAddress!
            Vec.zero(g, n)
            let (loss, _) = workspace.run(model, windows: windows, eps: eps, beta: beta, freeNats: c.freeNats,
                                          samplingProbability: p, rng: &rng, gradients: g, trace: false)
            let norm = GradientClipping.clipByGlobalNorm(g, count: n, clipNorm: c.gradClip, zeroAbove: c.gradNormClipToZero)
            model.parameters.values.withUnsafeMutableBufferPointer { pb in
                optimizer.update(pb.baseAddress!, gradients: g, learningRate: Float(lr))
            }
            result = TrainingStepResult(step: s, loss: loss, learningRate: lr, gradientNorm: norm, samplingProbability: p)
        }
        return result
    }
}
