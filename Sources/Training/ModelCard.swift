import Foundation
import MusicVAE
import NoteSequences

/// The README.md of a trained model folder: data, command, steps, wall time and held-out numbers.
public struct ModelCard {
    let config: MusicVAEConfig
    let command: String
    let data: [String]
    let dataset: WindowDataset
    let summary: TrainingSummary
    let batch: Int
    let evaluation: Evaluation?
    let history: TrainingHistory

    /// Collects what the card says.
    public init(config: MusicVAEConfig, command: String, data: [String], dataset: WindowDataset, summary: TrainingSummary,
                batch: Int, evaluation: Evaluation?, history: TrainingHistory = TrainingHistory()) {
        self.config = config
        self.command = command
        self.data = data
        self.dataset = dataset
        self.summary = summary
        self.batch = batch
        self.evaluation = evaluation
        self.history = history
    }

    /// "bidirectional encoder [512], z 256, flat decoder [256, 256]".
    var architecture: String {
        let d = config.decoder
        let decoder = d.kind == .hierarchical
            ? "conductor \(d.conductorSizes) over \(d.numBars) bars, bar decoder \(d.layerSizes)"
            : "flat decoder \(d.layerSizes)"
        return "\(config.encoder.kind) encoder \(config.encoder.layerSizes), z \(config.zSize), \(decoder); "
            + "free bits \(config.freeBits), max beta \(config.maxBeta), beta rate \(config.betaRate)"
    }

    /// The card's text.
    public var markdown: String {
        let drums = config.lineEncoding == .drums
        var s = """
            # \(config.name)

            A MusicVAE \(config.lineEncoding == .drums ? "drum" : "melody") model trained by MusicVAE for Swift.

            | | |
            |---|---|
            | architecture | \(architecture) |
            | steps per window | \(config.numSteps) (\(config.bars) bars of \(config.stepsPerBar) steps, 4 per quarter: \(config.meters.joined(separator: ", "))) |
            | training steps | \(summary.step) (batch \(batch)) |
            | examples seen | \(history.examples) (all runs) |
            | wall time of the last run | \(String(format: "%.1f", summary.seconds / 60)) min |
            | data | \(data.joined(separator: ", ")) |
            | files | \(dataset.files) read, \(dataset.failed) failed, \(dataset.heldOutFiles) held out (\(drums ? "every file of 1 groove family in 20, by a hash of the family name" : "1 in 20 by path hash")) |
            | windows | \(dataset.train.count) training (\(Set(dataset.train).count) distinct), \(dataset.heldOut.count) held out (\(Set(dataset.heldOut).count) distinct)\(drums ? "" : "; each training window transposed by -5...+5") |

            Command:

                \(command)

            """
        if let e = evaluation {
            s += """

                ## Held-out evaluation

                On \(e.windows) windows from held-out files (z = mu, greedy decoding):

                | metric | value |
                |---|---|
                | teacher-forced accuracy | \(String(format: "%.4f", e.teacherForcedAccuracy)) |
                | sampling accuracy | \(String(format: "%.4f", e.samplingAccuracy)) |
                | KL (nats) | \(String(format: "%.3f", e.kl)) |
                | reconstruction (nats) | \(String(format: "%.3f", e.recon)) |
                | ELBO (nats) | \(String(format: "%.3f", e.elbo)) |
                | floor: the most frequent class guessed at every step | \(e.constantGuessAccuracy.map { String(format: "%.4f", $0) } ?? "-") |
                | active latent dimensions (mean KL > \(Evaluation.activeDimensionKL) nats) | \(e.activeDimensions.map(String.init) ?? "-") |

                Reproduce: `musicvae eval --model <this folder> --data \(data.joined(separator: " ")) --split held-out --limit \(e.windows)`

                """
        }
        if history.curve.count >= 2 {
            s += """

                ## Training curve

                ![training curve](curve.svg)

                Measured during training on \(history.curve.last!.evaluation.windows) held-out windows spread over the held-out files:

                | examples | step | beta | teacher-forced | sampling | KL (nats) |
                |---|---|---|---|---|---|

                """
            for p in history.curve {
                s += String(format: "| %d | %d | %.3f | %.4f | %.4f | %.1f |\n", p.examples, p.step, p.beta,
                            p.evaluation.teacherForcedAccuracy, p.evaluation.samplingAccuracy, p.evaluation.kl)
            }
        }
        return s
    }

    /// Writes README.md, training.json and (with two or more curve points) curve.svg into `folder`.
    public func write(to folder: URL) throws {
        try Data(markdown.utf8).write(to: folder.appendingPathComponent("README.md"), options: .atomic)
        if let svg = CurvePlot.svg(history, title: config.name) {
            try Data(svg.utf8).write(to: folder.appendingPathComponent("curve.svg"), options: .atomic)
        }
        var info: [String: Any] = ["steps": summary.step, "batch": batch, "data": data, "files": dataset.files,
                                   "training_windows": dataset.train.count, "held_out_windows": dataset.heldOut.count,
                                   "minutes_last_run": summary.seconds / 60]
        info.merge(history.json) { _, new in new }
        if let e = evaluation {
            info["held_out"] = ["windows": e.windows, "teacher_forced_accuracy": e.teacherForcedAccuracy,
                                "sampling_accuracy": e.samplingAccuracy, "kl": e.kl, "elbo": e.elbo,
                                "constant_guess_accuracy": e.constantGuessAccuracy ?? 0, "active_dimensions": e.activeDimensions ?? 0]
        }
        let json = try JSONSerialization.data(withJSONObject: info, options: [.prettyPrinted, .sortedKeys])
        try json.write(to: folder.appendingPathComponent("training.json"), options: .atomic)
    }
}
