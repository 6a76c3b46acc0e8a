import Foundation
import MusicVAE
import NeuralNet

/// How well a model reconstructs windows.
public struct Evaluation: Sendable, Codable, Equatable {
    /// Windows evaluated.
    public var windows: Int
    /// Fraction of steps whose argmax under teacher forcing (z = mu) is the true class.
    public var teacherForcedAccuracy: Double
    /// Fraction of steps where greedy decoding from z = mu (each step fed the model's own previous output)
    /// gives the true class.
    public var samplingAccuracy: Double
    /// Mean KL(q(z|x) || N(0, I)) in nats.
    public var kl: Double
    /// Mean reconstruction loss (summed cross-entropy over steps, nats) at z = mu.
    public var recon: Double
    /// Mean evidence lower bound, -(recon + KL), in nats (z = mu: deterministic).
    public var elbo: Double
    /// The floor a model has to beat: the accuracy of guessing the windows' most frequent class at every step
    /// (in 16-bar melodies "hold the note", about 0.62). Absent in curves written before it was measured.
    public var constantGuessAccuracy: Double?
    /// Latent dimensions the encoder uses: those whose KL(q(z_d|x) || N(0, 1)), averaged over the windows,
    /// exceeds `activeDimensionKL` nats (the others stay at the prior: posterior collapse). Absent in curves
    /// written before it was measured.
    public var activeDimensions: Int?

    /// The mean KL (nats) above which a latent dimension counts as active.
    public static let activeDimensionKL = 0.1

    enum CodingKeys: String, CodingKey {
        case windows, kl, recon, elbo
        case teacherForcedAccuracy = "teacher_forced_accuracy"
        case samplingAccuracy = "sampling_accuracy"
        case constantGuessAccuracy = "constant_guess_accuracy"
        case activeDimensions = "active_dimensions"
    }

    /// Evaluates `model` on `windows` in batches: teacher-forced accuracy, KL and ELBO in float32 (the training
    /// graph), sampling accuracy through encode and greedy decode in the model's `precision`.
    public static func run(_ model: MusicVAEModel, windows: [[Int]], batch: Int = 64) throws -> Evaluation {
        var tfCorrect = 0, sampleCorrect = 0, steps = 0
        var kl = 0.0, recon = 0.0
        var mus: [[Float]] = [], sigmas: [[Float]] = []
        let zeros = [Float](repeating: 0, count: model.config.zSize)
        var start = 0
        while start < windows.count {
            let chunk = Array(windows[start..<min(windows.count, start + batch)])
            start += chunk.count
            let trace = try model.trace(windows: chunk, eps: [[Float]](repeating: zeros, count: chunk.count), beta: 0)
            for (w, window) in chunk.enumerated() {
                for (t, truth) in window.enumerated() where argmax(trace.logits[w][t]) == truth { tfCorrect += 1 }
            }
            kl += trace.loss.kl.reduce(0, +)
            mus += trace.mu
            sigmas += trace.sigma
            recon += trace.loss.recon.reduce(0, +)
            // Sampling accuracy is the inference path's: in bfloat16 the codes come from its encoder too.
            let mu = model.precision.effective == .float32 ? trace.mu : try model.encode(windows: chunk).mu
            let decoded = try model.decode(z: mu, temperature: nil)
            for (w, window) in chunk.enumerated() {
                for (t, truth) in window.enumerated() where t < decoded[w].count && decoded[w][t] == truth { sampleCorrect += 1 }
            }
            steps += chunk.reduce(0) { $0 + $1.count }
        }
        let n = Double(max(1, windows.count))
        return Evaluation(windows: windows.count, teacherForcedAccuracy: Double(tfCorrect) / Double(max(1, steps)),
                          samplingAccuracy: Double(sampleCorrect) / Double(max(1, steps)),
                          kl: kl / n, recon: recon / n, elbo: -(recon + kl) / n,
                          constantGuessAccuracy: constantGuessAccuracy(windows),
                          activeDimensions: activeDimensions(mu: mus, sigma: sigmas))
    }

    /// The share of steps holding the most frequent class of `windows` (0 for no steps).
    public static func constantGuessAccuracy(_ windows: [[Int]]) -> Double {
        var counts: [Int: Int] = [:]
        var steps = 0
        for window in windows {
            for c in window { counts[c, default: 0] += 1 }
            steps += window.count
        }
        return Double(counts.values.max() ?? 0) / Double(max(1, steps))
    }

    /// The latent dimensions whose KL(N(mu_d, sigma_d²) || N(0, 1)), averaged over the windows (rows), exceeds
    /// `activeDimensionKL` nats.
    public static func activeDimensions(mu: [[Float]], sigma: [[Float]]) -> Int {
        guard let size = mu.first?.count else { return 0 }
        var kl = [Double](repeating: 0, count: size)
        for (m, s) in zip(mu, sigma) {
            for d in 0..<size { kl[d] += Loss.gaussianKL(mu: m[d], sigma: s[d]) }
        }
        return kl.filter { $0 / Double(mu.count) > activeDimensionKL }.count
    }

    static func argmax(_ v: [Float]) -> Int {
        var best = 0
        for i in 1..<v.count where v[i] > v[best] { best = i }
        return best
    }
}
