import Foundation
import MusicVAE
import NeuralNet

/// How long and how to train.
public struct TrainingOptions: Sendable {
    /// Stop after this many steps (global, counting resumed ones), if set.
    public var steps: Int?
    /// Stop after this many minutes of this run, if set.
    public var minutes: Double?
    /// Windows per step.
    public var batch: Int
    /// Seeds the model's initial weights, the batches, transpositions and noise.
    public var seed: UInt64
    /// Seconds between checkpoints.
    public var checkpointSeconds: Double = 300
    /// Checkpoints kept (older ones are deleted).
    public var keepCheckpoints: Int = 3
    /// Random transposition of each training window, -range...+range semitones.
    public var transposeRange: Int = 5
    /// Steps between accuracy measurements on the current batch (for the progress line).
    public var accuracyEvery: Int = 25

    /// Creates options.
    public init(steps: Int? = nil, minutes: Double? = nil, batch: Int = 64, seed: UInt64 = 1) {
        self.steps = steps
        self.minutes = minutes
        self.batch = batch
        self.seed = seed
    }
}

/// One progress report.
public struct TrainingProgress: Sendable {
    /// Global step after the update.
    public var step: Int
    /// Batch loss (recon + beta * KL cost), reconstruction and KL, in nats.
    public var loss: Double, recon: Double, kl: Double
    /// KL weight and learning rate in force.
    public var beta: Double, learningRate: Double
    /// Teacher-forced accuracy on the most recently measured batch.
    public var accuracy: Double
    /// Training throughput of this run.
    public var examplesPerSecond: Double
    /// Seconds until the step or time limit, if known.
    public var eta: Double?
}

/// What a finished (or interrupted) run did.
public struct TrainingSummary: Sendable {
    /// Global step reached.
    public var step: Int
    /// Steps taken in this run.
    public var stepsThisRun: Int
    /// Wall seconds of this run.
    public var seconds: Double
    /// The last progress report.
    public var last: TrainingProgress?
    /// True when stopped by a signal rather than a limit.
    public var interrupted: Bool
}

/// The training loop: batches drawn per step from (seed, step) so a resumed run repeats an uninterrupted one,
/// periodic atomic checkpoints in `OUT/checkpoints/step-N` (the last few kept, with optimizer state), and the
/// final model written to `OUT` itself.
public final class TrainingRun {
    /// The trainer (model and optimizer).
    public let trainer: MusicVAETrainer
    /// Where the model goes.
    public let output: URL
    let data: [[Int]]
    let options: TrainingOptions

    /// Starts fresh from `config`, or resumes from the newest checkpoint under `output` when `resume` is true.
    public init(config: MusicVAEConfig, data: [[Int]], output: URL, options: TrainingOptions, resume: Bool) throws {
        guard !data.isEmpty else { throw MusicVAEError.invalidConfig("no training windows") }
        self.output = output
        self.data = data
        self.options = options
        if resume, let latest = Self.checkpoints(in: output).last {
            trainer = try MusicVAETrainer(resumingFrom: latest, seed: options.seed)
        } else if resume, FileManager.default.fileExists(atPath: output.appendingPathComponent("weights_manifest.json").path) {
            trainer = try MusicVAETrainer(resumingFrom: output, seed: options.seed)
        } else {
            trainer = MusicVAETrainer(model: try MusicVAEModel(config: config, seed: options.seed), seed: options.seed)
        }
    }

    /// Checkpoint folders under `output`, oldest first.
    public static func checkpoints(in output: URL) -> [URL] {
        let dir = output.appendingPathComponent("checkpoints")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasPrefix("step-") }.sorted().map { dir.appendingPathComponent($0) }
    }

    /// The windows of step `step`: drawn with replacement, each transposed at random.
    public func batch(at step: Int) -> [[Int]] {
        var rng = SeededGenerator(seed: options.seed &+ 0xBA7C_4E5D ^ (UInt64(step) &* 0xD6E8_FEB8_6659_FD93))
        return (0..<options.batch).map { _ in
            let w = data[Int(rng.next() % UInt64(data.count))]
            let k = Int(rng.next() % UInt64(2 * options.transposeRange + 1)) - options.transposeRange
            return transposeWindow(w, by: k)
        }
    }

    /// Trains until a limit or `shouldStop()`; reports progress about once a second.
    public func run(progress: (TrainingProgress) -> Void, shouldStop: () -> Bool) throws -> TrainingSummary {
        let started = Date()
        let firstStep = trainer.step
        var lastCheckpoint = Date()
        var lastReport = Date.distantPast
        var accuracy = 0.0
        var last: TrainingProgress?
        var interrupted = false
        let zeros = [[Float]](repeating: [Float](repeating: 0, count: trainer.model.config.zSize), count: options.batch)
        while true {
            if let limit = options.steps, trainer.step >= limit { break }
            if let minutes = options.minutes, Date().timeIntervalSince(started) >= minutes * 60 { break }
            if shouldStop() { interrupted = true; break }
            let windows = batch(at: trainer.step)
            let result = try trainer.train(windows: windows)
            if result.step % options.accuracyEvery == 0 {
                let trace = try trainer.model.trace(windows: windows, eps: zeros, beta: 0)
                var correct = 0, total = 0
                for (w, window) in windows.enumerated() {
                    for (t, truth) in window.enumerated() {
                        if Evaluation.argmax(trace.logits[w][t]) == truth { correct += 1 }
                        total += 1
                    }
                }
                accuracy = Double(correct) / Double(max(1, total))
            }
            let elapsed = Date().timeIntervalSince(started)
            let done = trainer.step - firstStep
            let rate = Double(done * options.batch) / max(1e-6, elapsed)
            var eta: Double?
            if let limit = options.steps { eta = Double(limit - trainer.step) * Double(options.batch) / max(1e-6, rate) }
            if let minutes = options.minutes { eta = min(eta ?? .infinity, minutes * 60 - elapsed) }
            let report = TrainingProgress(step: trainer.step, loss: result.loss.total, recon: result.loss.reconMean,
                                          kl: result.loss.klMean, beta: result.loss.beta, learningRate: result.learningRate,
                                          accuracy: accuracy, examplesPerSecond: rate, eta: eta)
            last = report
            if Date().timeIntervalSince(lastReport) >= 1 {
                lastReport = Date()
                progress(report)
            }
            if Date().timeIntervalSince(lastCheckpoint) >= options.checkpointSeconds {
                try checkpoint()
                lastCheckpoint = Date()
            }
        }
        if let last { progress(last) }
        try checkpoint()
        try trainer.model.save(to: output)
        return TrainingSummary(step: trainer.step, stepsThisRun: trainer.step - firstStep,
                               seconds: Date().timeIntervalSince(started), last: last, interrupted: interrupted)
    }

    /// Writes `checkpoints/step-N` (model and optimizer state, atomically) and deletes all but the newest few.
    public func checkpoint() throws {
        let dir = output.appendingPathComponent("checkpoints")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try trainer.save(to: dir.appendingPathComponent(String(format: "step-%08d", trainer.step)))
        let all = Self.checkpoints(in: output)
        for old in all.dropLast(options.keepCheckpoints) { try? FileManager.default.removeItem(at: old) }
    }
}
