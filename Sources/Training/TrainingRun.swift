import Foundation
import MusicVAE
import Pipeline
import NeuralNet
import NoteSequences

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
    /// Seconds between held-out measurements for the training curve (0: none).
    public var evaluationSeconds: Double = 600
    /// Held-out windows each measurement uses (spread evenly over the held-out set: the same every time).
    public var evaluationWindows: Int = 500
    /// How often each data source is drawn.
    public var balance: DataBalance = .windows
    /// One factor per data source (in order) multiplying its share under `balance`, the shares then summing to 1
    /// again: a collection that the model should know but not imitate as much (0.5: half as often). nil: all 1.
    public var sourceWeights: [Double]?
    /// Drum models only: the share of training windows whose cymbals (closed and open hi-hat, crash, ride) are
    /// taken from a second window drawn alike, kick, snare and toms staying. A groove is mostly a kick-and-snare
    /// figure under a hi-hat or ride figure, and the groove corpus has only about 5,500 distinct 2-bar windows:
    /// the model learns them by heart and reconstructs grooves it never saw far worse. Recombining the two halves
    /// gives it combinations no file has, as drummers make them. 0: every window as it is.
    public var drumRecombination: Double = 0

    /// Creates options.
    public init(steps: Int? = nil, minutes: Double? = nil, batch: Int = 64, seed: UInt64 = 1) {
        self.steps = steps
        self.minutes = minutes
        self.batch = batch
        self.seed = seed
    }
}

/// How a batch draws from several data sources (the files or folders given to `train`). A corpus dominated by one
/// collection (8,512 Essen songs beside 1,180 Scottish airs) teaches the model that collection and little else;
/// drawing the sources more evenly trades some of the big one's accuracy for the small ones'.
public enum DataBalance: String, CaseIterable, Sendable {
    /// Every window equally likely (a source is drawn in proportion to its windows).
    case windows
    /// A source drawn in proportion to the square root of its windows, then a window uniformly within it.
    case sqrt
    /// Every source equally likely, then a window uniformly within it.
    case sources

    /// The probability of drawing each source, given their window counts (sources with no windows get 0), each
    /// share multiplied by its factor in `scaledBy` (one per source; nil: all 1) before they are made to sum to 1.
    public func weights(counts: [Int], scaledBy factors: [Double]? = nil) -> [Double] {
        precondition(factors == nil || factors!.count == counts.count, "one factor per source")
        let raw: [Double] = counts.enumerated().map { i, n in
            guard n > 0 else { return 0 }
            let factor = factors?[i] ?? 1
            switch self {
            case .windows: return Double(n) * factor
            case .sqrt: return Foundation.sqrt(Double(n)) * factor
            case .sources: return factor
            }
        }
        let total = raw.reduce(0, +)
        return total > 0 ? raw.map { $0 / total } : raw
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

/// How a run begins.
public enum TrainingStart: Sendable, Equatable {
    /// New weights from the config and seed.
    case fresh
    /// The newest intact checkpoint under the output folder (damaged ones are skipped and named); with no intact
    /// checkpoint, an error, or a fresh start when `orStart` is true.
    case resume(orStart: Bool)
    /// The weights of a model folder, continuing its schedules from the steps its training.json records, with
    /// new optimizer moments (for committed weights whose checkpoint is not at hand), and the training settings
    /// changed as the stage says (the next stage of a campaign; empty: the folder's own).
    case initFrom(URL, TrainingStage = TrainingStage())
}

/// Why a run could not start.
public enum TrainingError: Error, CustomStringConvertible {
    /// `--resume` found no intact checkpoint (the damaged ones, with why).
    case nothingToResume(folder: String, damaged: [String])
    /// A run from scratch (or from another model's weights) would write over the model or checkpoints in `folder`.
    case outputHoldsAModel(folder: String)

    /// A one-line message.
    public var description: String {
        switch self {
        case let .nothingToResume(folder, damaged):
            return "\(folder): nothing to resume: " + (damaged.isEmpty ? "no checkpoint in \(folder)/checkpoints" : damaged.joined(separator: "; "))
                + " (--resume-or-start starts from scratch instead; --init-from MODEL continues a model's weights)"
        case let .outputHoldsAModel(folder):
            return "\(folder) already holds a model or checkpoints, which this run would replace; choose another --out, "
                + "or continue that one (--resume for its checkpoints, --init-from \(folder) for its weights); nothing was written"
        }
    }
}

/// The training loop: batches drawn per step from (seed, step) so a resumed run repeats an uninterrupted one,
/// periodic atomic checkpoints in `OUT/checkpoints/step-N` (the last few kept, with optimizer state), and the
/// final model written to `OUT` itself.
public final class TrainingRun {
    /// The trainer (model and optimizer).
    public let trainer: MusicVAETrainer
    /// The processes this run trains with (nil: alone). Every process draws the same global batches and computes
    /// its share; only rank 0 measures, writes checkpoints and writes the model.
    public var group: DataParallelGroup? {
        get { trainer.group }
        set { trainer.group = newValue }
    }
    /// True for the process that measures and writes (rank 0, or a run alone).
    public var isLeader: Bool { (group?.rank ?? 0) == 0 }
    /// Where the model goes.
    public let output: URL
    let data: [[Int]]
    let options: TrainingOptions
    /// Window indices per source, and the cumulative probability of drawing each source.
    let bySource: [[Int]]
    let sourceCumulative: [Double]
    /// The probability of drawing each source (see `TrainingOptions.balance`).
    public let sourceShares: [Double]
    /// What starting did: the checkpoint resumed, damaged ones skipped, a fresh start.
    public let notes: [String]
    /// Steps, examples and the held-out curve of every run so far, this one included.
    public private(set) var history: TrainingHistory
    /// Held-out windows for the curve (see `TrainingOptions.evaluationSeconds`).
    public var heldOut: [[Int]] = []
    /// Called with each checkpoint folder written.
    public var onCheckpoint: ((URL) -> Void)?
    /// Called with each held-out measurement.
    public var onEvaluation: ((TrainingHistory.Point) -> Void)?
    /// Called after every step with what it did (every process of a group sees the same global losses).
    public var onStep: ((TrainingStepResult) -> Void)?

    /// Starts as `start` says (see `TrainingStart`). What it had to skip or chose is in `notes`. `sources` gives
    /// each window's data source (see `TrainingOptions.balance`); nil: one source.
    public init(config: MusicVAEConfig, data: [[Int]], sources: [Int]? = nil, output: URL, options: TrainingOptions,
                start: TrainingStart) throws {
        guard !data.isEmpty else { throw MusicVAEError.invalidConfig("no training windows") }
        precondition(sources == nil || sources!.count == data.count, "one source per window")
        self.output = output
        self.data = data
        self.options = options
        let sourceOf = sources ?? [Int](repeating: 0, count: data.count)
        let sourceCount = max((sourceOf.max() ?? 0) + 1, options.sourceWeights?.count ?? 0)
        var bySource = [[Int]](repeating: [], count: sourceCount)
        for (i, s) in sourceOf.enumerated() { bySource[s].append(i) }
        self.bySource = bySource
        if let factors = options.sourceWeights {
            guard factors.count == sourceCount, factors.allSatisfy({ $0.isFinite && $0 >= 0 }),
                  zip(factors, bySource).contains(where: { $0.0 > 0 && !$0.1.isEmpty }) else {
                throw MusicVAEError.invalidConfig("source weights \(factors): give one factor of 0 or more per data source "
                                                  + "(\(sourceCount)), one of them over 0 for a source with windows")
            }
        }
        sourceShares = options.balance.weights(counts: bySource.map(\.count), scaledBy: options.sourceWeights)
        var cumulative = 0.0
        sourceCumulative = sourceShares.map { cumulative += $0; return cumulative }
        var notes: [String] = []
        var history = TrainingHistory()
        // Only a run that continues what `output` holds may write there once it holds a model.
        let holdsModel = ModelSettings.isModelFolder(output.path) || !Self.checkpoints(in: output).isEmpty
        switch start {
        case .fresh:
            guard !holdsModel else { throw TrainingError.outputHoldsAModel(folder: output.path) }
            trainer = MusicVAETrainer(model: try MusicVAEModel(config: config, seed: options.seed), seed: options.seed)
        case .resume(let orStart):
            let found = Self.checkpoints(in: output)
            var resumed: MusicVAETrainer?
            var resumedFrom: URL?
            for dir in found.reversed() {
                do {
                    resumed = try MusicVAETrainer(resumingFrom: dir, seed: options.seed)
                    resumedFrom = dir
                    notes.append("resuming from \(dir.path) at step \(resumed!.step)")
                    break
                } catch {
                    notes.append("skipping damaged checkpoint \(dir.path): \(error)")
                }
            }
            if let resumed {
                trainer = resumed
                history = resumedFrom.flatMap { TrainingHistory.read(from: $0) }
                    ?? TrainingHistory(steps: resumed.step, examples: resumed.step * options.batch)
                history.curve.removeAll { $0.step > resumed.step }
            } else if orStart {
                guard !holdsModel || !found.isEmpty else { throw TrainingError.outputHoldsAModel(folder: output.path) }
                notes.append(found.isEmpty ? "no checkpoint in \(output.path)/checkpoints: starting from scratch"
                                           : "no intact checkpoint in \(output.path)/checkpoints: starting from scratch")
                trainer = MusicVAETrainer(model: try MusicVAEModel(config: config, seed: options.seed), seed: options.seed)
            } else {
                throw TrainingError.nothingToResume(folder: output.path, damaged: notes)
            }
        case let .initFrom(folder, stage):
            guard !holdsModel || folder.standardizedFileURL.path == output.standardizedFileURL.path else {
                throw TrainingError.outputHoldsAModel(folder: output.path)
            }
            history = TrainingHistory.read(from: folder) ?? TrainingHistory()
            trainer = try MusicVAETrainer(continuingWeightsOf: folder, atStep: history.steps, stage: stage, seed: options.seed)
            notes.append("continuing the weights of \(folder.path) at step \(trainer.step) (optimizer state new"
                         + (stage.isEmpty ? ")" : "; from now on \(stage.summary))"))
        }
        self.notes = notes
        self.history = history
    }

    /// Checkpoint folders under `output`, oldest first.
    public static func checkpoints(in output: URL) -> [URL] {
        let dir = output.appendingPathComponent("checkpoints")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasPrefix("step-") }.sorted().map { dir.appendingPathComponent($0) }
    }

    /// The windows of step `step`: drawn with replacement (as `TrainingOptions.balance` says), each transposed at
    /// random (melodies) or, as `TrainingOptions.drumRecombination` says, given another window's cymbals (drums).
    public func batch(at step: Int) -> [[Int]] {
        var rng = SeededGenerator(seed: options.seed &+ 0xBA7C_4E5D ^ (UInt64(step) &* 0xD6E8_FEB8_6659_FD93))
        let drums = trainer.model.config.lineEncoding == .drums
        return (0..<options.batch).map { _ in
            let w = draw(&rng)
            let k = Int(rng.next() % UInt64(2 * options.transposeRange + 1)) - options.transposeRange
            // Drum patterns have no pitch to move (the draw is still made, so batches stay as they were).
            guard drums else { return transposeWindow(w, by: k) }
            // Only a run that recombines makes further draws: batches without it stay as they were.
            guard options.drumRecombination > 0, Double(rng.next() >> 11) / Double(1 << 53) < options.drumRecombination else { return w }
            return recombineDrums(w, cymbalsFrom: draw(&rng))
        }
    }

    /// One window, drawn as `TrainingOptions.balance` says.
    private func draw(_ rng: inout SeededGenerator) -> [Int] {
        if options.balance == .windows && options.sourceWeights == nil { return data[Int(rng.next() % UInt64(data.count))] }
        let u = Double(rng.next() >> 11) / Double(1 << 53)
        // The last source with windows catches a draw at the top end that rounding left uncovered.
        let source = bySource[sourceCumulative.firstIndex { u < $0 } ?? bySource.lastIndex { !$0.isEmpty }!]
        return data[source[Int(rng.next() % UInt64(source.count))]]
    }

    /// Trains until a limit or `shouldStop()`; reports progress about once a second.
    public func run(progress: (TrainingProgress) -> Void, shouldStop: () -> Bool) throws -> TrainingSummary {
        let started = Date()
        let firstStep = trainer.step
        let firstExamples = history.examples
        var lastCheckpoint = Date()
        var lastEvaluation = Date.distantPast
        var lastReport = Date.distantPast
        var accuracy = 0.0
        var last: TrainingProgress?
        var interrupted = false
        let zeros = [[Float]](repeating: [Float](repeating: 0, count: trainer.model.config.zSize), count: options.batch)
        while true {
            if let limit = options.steps, trainer.step >= limit { break }
            // Time and signals differ between the processes of a group: they stop together when any would.
            let timeUp = options.minutes.map { Date().timeIntervalSince(started) >= $0 * 60 } ?? false
            let stop = shouldStop()
            if let group {
                if group.any(stop || timeUp) { interrupted = group.any(stop); break }
            } else {
                if timeUp { break }
                if stop { interrupted = true; break }
            }
            let windows = batch(at: trainer.step)
            let result = try trainer.train(windows: windows)
            onStep?(result)
            // Also on a run's first step, so that a resumed run's first progress line has an accuracy (it printed 0).
            if isLeader && (result.step % options.accuracyEvery == 0 || result.step == firstStep) {
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
            history.steps = trainer.step
            history.examples = firstExamples + (trainer.step - firstStep) * options.batch
            if isLeader, options.evaluationSeconds > 0, !heldOut.isEmpty, Date().timeIntervalSince(lastEvaluation) >= options.evaluationSeconds {
                try measure()
                lastEvaluation = Date()
            }
            if isLeader, Date().timeIntervalSince(lastCheckpoint) >= options.checkpointSeconds {
                try checkpoint()
                lastCheckpoint = Date()
            }
        }
        if let last { progress(last) }
        if isLeader {
            try checkpoint()
            try trainer.model.save(to: output)
        }
        return TrainingSummary(step: trainer.step, stepsThisRun: trainer.step - firstStep,
                               seconds: Date().timeIntervalSince(started), last: last, interrupted: interrupted)
    }

    /// Appends a held-out measurement to the curve (skipped when this step was measured already).
    public func measure() throws {
        guard history.curve.last?.step != trainer.step, !heldOut.isEmpty else { return }
        let e = try Evaluation.run(trainer.model, windows: Self.spread(heldOut, count: options.evaluationWindows))
        history.curve.append(.init(examples: history.examples, step: trainer.step,
                                   beta: trainer.model.config.beta(atStep: trainer.step), evaluation: e))
        onEvaluation?(history.curve.last!)
    }

    /// `count` windows spread evenly over `windows` (all of them when there are fewer): held-out windows come
    /// grouped by source, so the first ones would measure one collection only.
    public static func spread(_ windows: [[Int]], count: Int) -> [[Int]] {
        guard windows.count > count else { return windows }
        return (0..<count).map { windows[$0 * windows.count / count] }
    }

    /// Writes `checkpoints/step-N` (model and optimizer state, atomically) and deletes all but the newest few.
    public func checkpoint() throws {
        let dir = output.appendingPathComponent("checkpoints")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let folder = dir.appendingPathComponent(String(format: "step-%08d", trainer.step))
        try trainer.save(to: folder)
        try history.write(to: folder)
        onCheckpoint?(folder)
        let all = Self.checkpoints(in: output)
        for old in all.dropLast(options.keepCheckpoints) { try? FileManager.default.removeItem(at: old) }
    }
}
