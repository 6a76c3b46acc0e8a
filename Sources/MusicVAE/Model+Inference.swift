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
        let packed = inferenceKernels
        Self.withBLASThreads(for: packed) {
            parameters.values.withUnsafeBufferPointer { enc.forward($0.baseAddress!, packed: packed) }
        }
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
        let packed = inferenceKernels
        // bfloat16 greedy decoding of a large batch runs as two halves side by side, one per core: greedy rows are
        // independent (no random draws), so each row decodes as it would in the whole batch, and the halves need
        // no hand-off per step (splitting each product over two threads costs about 70 µs a step).
        if packed != nil, (temperature ?? 0) <= 0, Parallel.enabled, z.count >= 2 * Parallel.minimumRows {
            let half = z.count / 2, partner = ws.partner
            var first: (ids: [[Int]], logits: [[[Float]]]) = ([], []), second = first
            var r1 = SeededGenerator(seed: 0), r2 = SeededGenerator(seed: 0)   // greedy: never drawn from
            Parallel.pair({ first = self.decodeRows(Array(z[..<half]), temperature: nil, keepLogits: keepLogits,
                                                    packed: packed, rng: &r1, workspace: ws) },
                          { second = self.decodeRows(Array(z[half...]), temperature: nil, keepLogits: keepLogits,
                                                     packed: packed, rng: &r2, workspace: partner) })
            return (first.ids + second.ids, first.logits + second.logits)
        }
        return decodeRows(z, temperature: temperature, keepLogits: keepLogits, packed: packed, rng: &rng, workspace: ws)
    }

    /// Decodes the rows of `z` in one batch on `workspace`.
    private func decodeRows<R: RandomNumberGenerator>(_ z: [[Float]], temperature: Float?, keepLogits: Bool,
                                                      packed: [Int: PackedLSTMKernel]?, rng: inout R,
                                                      workspace ws: MusicVAEWorkspace) -> (ids: [[Int]], logits: [[[Float]]]) {
        let g = ws.sampler(z.count)
        let flat = z.flatMap { $0 }
        return Self.withBLASThreads(for: packed) {
            parameters.values.withUnsafeBufferPointer { p in
                flat.withUnsafeBufferPointer { zp in
                    g.decode(p.baseAddress!, z: zp.baseAddress!, temperature: temperature, keepLogits: keepLogits,
                             packed: packed, rng: &rng)
                }
            }
        }
    }

    /// Runs `body` with OpenBLAS on one thread when the LSTM products are bfloat16: the float32 products left
    /// (initial states, mu and sigma, the output layer) are small, and OpenBLAS's idle workers spin for a while
    /// after each threaded call, taking the core the bfloat16 products split onto.
    static func withBLASThreads<T>(for packed: [Int: PackedLSTMKernel]?, _ body: () throws -> T) rethrows -> T {
        let saved = BLAS.threads
        guard packed != nil, saved > 1 else { return try body() }   // (inside `Parallel.pair` it is 1 already)
        BLAS.threads = 1
        defer { BLAS.threads = saved }
        return try body()
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
        var grads = [Float](repeating: 0, count: parameters.count)
        let loss = grads.withUnsafeMutableBufferPointer { g in
            ws.addGradients(self, into: g.baseAddress!, windows: windows, eps: eps, beta: beta,
                            freeNats: (freeBits ?? config.freeBits) * M_LN2, samplingProbability: 0)
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

extension MusicVAEModel {
    /// Windows or codes run through a model at once. Activation memory grows with the batch (about 1 MB per window
    /// for mel_2bar_small), so a piece of 6,000 windows goes through in batches of this many rather than all at
    /// once (6 GB); larger batches gain no speed on two cores.
    public static let batchSize = 256

    /// `body` applied to `items` in batches of `batchSize` (with each batch's position: 0, 1, ...), the results
    /// concatenated in order.
    public static func inBatches<T, R>(_ items: [T], _ body: ([T], Int) throws -> [R]) rethrows -> [R] {
        var out: [R] = []
        out.reserveCapacity(items.count)
        var start = 0
        while start < items.count {
            out += try body(Array(items[start..<min(items.count, start + batchSize)]), start / batchSize)
            start += batchSize
        }
        return out
    }

    /// The posteriors of any number of windows, `batchSize` at a time.
    public func encodeInBatches(windows: [[Int]]) throws -> (mu: [[Float]], sigma: [[Float]]) {
        let p = try Self.inBatches(windows) { batch, _ in
            let (mu, sigma) = try encode(windows: batch)
            return Array(zip(mu, sigma))
        }
        return (p.map(\.0), p.map(\.1))
    }
}
