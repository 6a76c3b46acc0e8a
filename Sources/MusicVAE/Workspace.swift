import Foundation
import NeuralNet

/// The loss of one batch, per window and combined as Magenta does:
/// total = mean(recon) + β · mean(max(KL − freeNats, 0)).
public struct LossBreakdown: Sendable, Equatable {
    /// Reconstruction loss (summed cross-entropy over steps, nats) of each window.
    public var recon: [Double]
    /// KL(q(z|x) ‖ N(0, I)) of each window, nats.
    public var kl: [Double]
    /// The β used.
    public var beta: Double
    /// The free nats used (free bits · ln 2).
    public var freeNats: Double
    /// mean(recon).
    public var reconMean: Double { recon.reduce(0, +) / Double(recon.count) }
    /// mean(KL).
    public var klMean: Double { kl.reduce(0, +) / Double(kl.count) }
    /// mean(max(KL − freeNats, 0)).
    public var klCostMean: Double { kl.reduce(0) { $0 + max($1 - freeNats, 0) } / Double(kl.count) }
    /// The training objective.
    public var total: Double { reconMean + beta * klCostMean }
}

/// Every intermediate value of one forward pass (for tests, debugging and inspection).
public struct MusicVAETrace: Sendable {
    /// Encoder output e = [h_fw final, h_bw final] per window.
    public var encoderOutput: [[Float]]
    /// Posterior means per window.
    public var mu: [[Float]]
    /// Posterior standard deviations per window.
    public var sigma: [[Float]]
    /// z = mu + sigma · eps per window.
    public var z: [[Float]]
    /// Flat decoder: tanh(dense(z)) = c0, h0, c1, h1, … per window (empty for hierarchical).
    public var decoderInitialState: [[Float]]
    /// Hierarchical: the conductor's initial state per window (empty for flat).
    public var conductorInitialState: [[Float]]
    /// Hierarchical: the bar embeddings u_b per window, [bars][Hc] (empty for flat).
    public var conductorEmbeddings: [[[Float]]]
    /// Teacher-forced logits per window, [T][V].
    public var logits: [[[Float]]]
    /// The losses.
    public var loss: LossBreakdown
}

/// Graphs of one kind by batch size, made on first use. At most `limit` are kept (a training batch and an
/// evaluation batch); a third size clears them, since each holds the activations of a whole batch.
struct GraphCache<Graph> {
    /// Batch sizes kept at once.
    static var limit: Int { 2 }
    private var graphs: [Int: Graph] = [:]

    /// The graph for batch size `b`, made by `make` when there is none.
    mutating func graph(batch b: Int, make: (Int) -> Graph) -> Graph {
        if let g = graphs[b] { return g }
        if graphs.count >= Self.limit { graphs.removeAll() }
        let g = make(b)
        graphs[b] = g
        return g
    }
}

/// Reusable activation memory for one model configuration (one graph per batch size is kept).
/// Not thread-safe: use one workspace per thread.
public final class MusicVAEWorkspace {
    /// The configuration the workspace is laid out for.
    public let config: MusicVAEConfig
    let layout: ModelLayout
    let store: ParameterStore
    private var encoders = GraphCache<EncoderGraph>()
    private var decoders = GraphCache<DecoderGraph>()
    private var samplers = GraphCache<SampleGraph>()

    /// A second workspace of the same layout, for the other half of a batch run in two halves side by side.
    private(set) lazy var partner = MusicVAEWorkspace(config: config, layout: layout, store: store)
    /// The partner's gradient when a batch's gradient is computed in two halves (`addGradients`).
    private var partnerGradients: [Float] = []

    private init(config: MusicVAEConfig, layout: ModelLayout, store: ParameterStore) {
        self.config = config; self.layout = layout; self.store = store
    }

    /// A workspace for models with this model's configuration.
    public init(for model: MusicVAEModel) {
        config = model.config
        layout = model.layout
        var s = ParameterStore()
        for e in model.parameters.entries { try! s.add(e.name, shape: e.shape) }
        s.values = []  // only the offsets are needed
        store = s
    }

    func encoder(_ b: Int) -> EncoderGraph {
        encoders.graph(batch: b) { EncoderGraph(config: config, layout: layout, store: store, batch: $0) }
    }

    func decoder(_ b: Int) -> DecoderGraph {
        decoders.graph(batch: b) { DecoderGraph(config: config, layout: layout, store: store, batch: $0) }
    }

    func sampler(_ b: Int) -> SampleGraph {
        samplers.graph(batch: b) { SampleGraph(config: config, layout: layout, store: store, batch: $0) }
    }

    /// Forward (and, when `gradients` is given, backward: += d total / d weights) for one batch. The gradient is
    /// that of the mean over `meanOver` windows (default: this batch); a process of a data-parallel run passes the
    /// global batch size, so the processes' gradients sum to the global batch's. `rowSeeds`: see `DecoderGraph.forward`.
    func run<R: RandomNumberGenerator>(_ model: MusicVAEModel, windows: [[Int]], eps: [[Float]], beta: Double,
                                       freeNats: Double, samplingProbability: Double, rng: inout R,
                                       gradients: UnsafeMutablePointer<Float>?, trace: Bool,
                                       meanOver: Int? = nil, rowSeeds: [UInt64]? = nil) -> (LossBreakdown, MusicVAETrace?) {
        let B = windows.count, Z = config.zSize, M = Float(meanOver ?? windows.count)
        let enc = encoder(B), dec = decoder(B)
        enc.setInputs(windows)
        dec.setTargets(windows)
        var z = [Float](repeating: 0, count: B * Z)
        var klv = [Float](repeating: 0, count: B)
        let epsFlat = eps.flatMap { $0 }
        var result: (LossBreakdown, MusicVAETrace?) = (LossBreakdown(recon: [], kl: [], beta: beta, freeNats: freeNats), nil)
        model.parameters.values.withUnsafeBufferPointer { pb in
            let p = pb.baseAddress!
            enc.forward(p)
            for i in 0..<(B * Z) { z[i] = enc.mu[i] + enc.sigma[i] * epsFlat[i] }
            var recon: [Double] = []
            z.withUnsafeBufferPointer { zp in
                recon = dec.forward(p, z: zp.baseAddress!, samplingProbability: samplingProbability,
                                   keepLogits: trace, rng: &rng, rowSeeds: rowSeeds)
            }
            klv.withUnsafeMutableBufferPointer {
                Loss.gaussianKLForward(kl: $0.baseAddress!, mu: enc.mu, sigma: enc.sigma, batch: B, width: Z)
            }
            let loss = LossBreakdown(recon: recon, kl: klv.map(Double.init), beta: beta, freeNats: freeNats)
            result.0 = loss
            if trace { result.1 = makeTrace(enc: enc, dec: dec, z: z, loss: loss) }
            guard let g = gradients else { return }
            z.withUnsafeBufferPointer { zp in dec.backward(p, g, z: zp.baseAddress!, scale: 1 / M) }
            // z = mu + sigma · eps
            for i in 0..<(B * Z) { enc.dmu[i] = dec.dz[i]; enc.dsigma[i] = dec.dz[i] * epsFlat[i] }
            let dkl = klv.map { Float(beta) * Loss.freeBitsHinge($0, freeNats: Float(freeNats)).gradient / M }
            Loss.gaussianKLBackward(dmu: enc.dmu, dsigma: enc.dsigma, dkl: dkl, mu: enc.mu, sigma: enc.sigma, batch: B, width: Z)
            enc.backward(p, g)
        }
        return result
    }

    /// Whether `addGradients` computes a batch of `rows` windows as two halves side by side, one per core (two
    /// CPUs or more, at least 2 × `Parallel.minimumRows` rows).
    ///
    /// Each half runs the whole model on its rows with single-threaded products, like two processes of a
    /// data-parallel run within this one, and the halves' gradients are summed: the cores share the work without
    /// handing the columns of every per-step product to a second thread and back. Each row's forward pass is the
    /// one it gets in the whole batch (rows are independent; sampling draws come from per-row seeds); the gradient
    /// sums run in another order.
    public static func computesInHalves(rows: Int) -> Bool { Parallel.enabled && rows >= 2 * Parallel.minimumRows }

    /// `run` with gradients: adds d total / d weights (of the mean over `meanOver` windows) into `g` and returns the
    /// batch's loss, in two halves side by side where `computesInHalves` says so (the second on `partner`).
    func addGradients(_ model: MusicVAEModel, into g: UnsafeMutablePointer<Float>, windows: [[Int]], eps: [[Float]],
                      beta: Double, freeNats: Double, samplingProbability p: Double, meanOver: Int? = nil,
                      rowSeeds: [UInt64]? = nil) -> LossBreakdown {
        let B = windows.count, mean = meanOver ?? B
        func run(_ ws: MusicVAEWorkspace, _ part: Range<Int>, _ g: UnsafeMutablePointer<Float>) -> LossBreakdown {
            var rng = SeededGenerator(seed: 0)   // without per-row seeds nothing is drawn (p is 0)
            return ws.run(model, windows: Array(windows[part]), eps: Array(eps[part]), beta: beta, freeNats: freeNats,
                          samplingProbability: p, rng: &rng, gradients: g, trace: false, meanOver: mean,
                          rowSeeds: rowSeeds.map { Array($0[part]) }).0
        }
        guard Self.computesInHalves(rows: B) else { return run(self, 0..<B, g) }
        let n = model.parameterCount, middle = B / 2, other = partner
        if partnerGradients.count != n { partnerGradients = [Float](repeating: 0, count: n) }
        var first: LossBreakdown?, second: LossBreakdown?
        partnerGradients.withUnsafeMutableBufferPointer { pb in
            let g2 = pb.baseAddress!
            Vec.zero(g2, n)
            Parallel.pair({ first = run(self, 0..<middle, g) }, { second = run(other, middle..<B, g2) })
            Vec.add(g2, into: g, n)
        }
        return LossBreakdown(recon: first!.recon + second!.recon, kl: first!.kl + second!.kl, beta: beta, freeNats: freeNats)
    }

    private func makeTrace(enc: EncoderGraph, dec: DecoderGraph, z: [Float], loss: LossBreakdown) -> MusicVAETrace {
        let B = enc.batch, Z = config.zSize, V = config.depth
        func rows(_ p: UnsafePointer<Float>, _ w: Int, count: Int = B) -> [[Float]] {
            (0..<count).map { Array(UnsafeBufferPointer(start: p + $0 * w, count: w)) }
        }
        var logits = [[[Float]]](repeating: [[Float]](repeating: [], count: config.numSteps), count: B)
        for t in 0..<dec.steps {
            for r in 0..<dec.rowsN {
                let (b, g) = dec.position(row: r, step: t)
                let o = (t * dec.rowsN + r) * V
                logits[b][g] = Array(dec.savedLogits[o..<(o + V)])
            }
        }
        var condInit: [[Float]] = [], emb: [[[Float]]] = [], decInit: [[Float]] = []
        if let cond = dec.cond, let post = dec.condInitPost {
            condInit = rows(post, dec.condInit!.outputs)
            let Hc = cond.layers.last!.units
            emb = (0..<B).map { b in (0..<config.decoder.numBars).map { bar in
                Array(UnsafeBufferPointer(start: cond.outputs + (bar * B + b) * Hc, count: Hc)) } }
        } else {
            decInit = rows(dec.initPost, dec.decInit.outputs)
        }
        return MusicVAETrace(encoderOutput: rows(enc.output, enc.outputWidth), mu: rows(enc.mu, Z), sigma: rows(enc.sigma, Z),
                             z: z.withUnsafeBufferPointer { rows($0.baseAddress!, Z) },
                             decoderInitialState: decInit, conductorInitialState: condInit, conductorEmbeddings: emb,
                             logits: logits, loss: loss)
    }
}
