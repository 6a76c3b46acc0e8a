import ArgumentParser
import Foundation
import MusicVAE
import Training

/// Set by SIGINT: the training loop saves and stops.
nonisolated(unsafe) var interruptRequested: sig_atomic_t = 0

/// `musicvae train`: trains a model on MIDI folders.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a MusicVAE model on MIDI files or folders.",
        discussion: """
            Windows come from the files through the pipeline stages (quantize, slice-bars, extract-melody): 4/4 and \
            2/2 bars as 16 steps, two 2/4 bars as one. One file in 20 (by a hash of its path) is held out for \
            evaluation. Each training window is transposed by a random -5...+5 semitones. Checkpoints (with the \
            optimizer state) go to OUT/checkpoints every 5 minutes, the last 3 kept; --resume continues from the \
            newest exactly. Ctrl-C saves a checkpoint and the model, then exits. At the end the model is written \
            to OUT with a model card (README.md) giving the held-out accuracies.
            Example: musicvae train --config mel_2bar_small --data ../shared/corpus --out Models/my_model --minutes 60
            """)

    @Option(help: "A preset (mel_2bar_small, mel_16bar_hier) or a config JSON file.")
    var config: String

    @Option(parsing: .upToNextOption, help: "MIDI files or folders to train on.")
    var data: [String]

    @Option(help: "Folder to write the model to.")
    var out: String

    @Option(help: "Stop at this global step.")
    var steps: Int?

    @Option(help: "Stop after this many minutes.")
    var minutes: Double?

    @Option(help: "Windows per step (default: 64).")
    var batch: Int = 64

    @Flag(help: "Continue from the newest checkpoint in OUT.")
    var resume = false

    @Option(help: "Random seed (weights, batches, noise).")
    var seed: UInt64 = 1

    @Option(help: "Seconds between checkpoints.")
    var checkpointSeconds: Double = 300

    func validate() throws {
        if steps == nil && minutes == nil { throw ValidationError("give --steps N or --minutes M") }
        if let s = steps, s < 1 { throw ValidationError("--steps must be at least 1") }
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        let cfg = try loadConfig(config)
        let settings = WindowDataset.Settings(steps: cfg.numSteps)
        let progress = ProgressLine("reading")
        let dataset = try WindowDataset(paths: data, settings: settings) { progress.update($0, $1) }
        progress.finish()
        printError("data: \(dataset.files) files (\(dataset.failed) failed, \(dataset.heldOutFiles) held out): "
                   + "\(dataset.train.count) training windows, \(dataset.heldOut.count) held-out windows of \(cfg.numSteps) steps")
        var options = TrainingOptions(steps: steps, minutes: minutes, batch: batch, seed: seed)
        options.checkpointSeconds = checkpointSeconds
        let output = URL(fileURLWithPath: out)
        let run: TrainingRun
        do {
            run = try TrainingRun(config: cfg, data: dataset.train, output: output, options: options, resume: resume)
        } catch let e as MusicVAEError {
            throw CLIError("\(out): \(e)")
        }
        if run.trainer.step > 0 { printError("resuming at step \(run.trainer.step)") }
        signal(SIGINT) { _ in
            if interruptRequested != 0 { _exit(130) }
            interruptRequested = 1
        }
        // A parent may have started us with SIGINT blocked (test runners do); Ctrl-C must still reach the handler.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        let terminal = FileHandleOutput.isTerminal(2)
        var lastPlain = Date.distantPast
        let summary = try run.run(progress: { p in
            let eta = p.eta.map { String(format: "ETA %dm%02ds", Int($0) / 60, Int($0) % 60) } ?? ""
            let line = String(format: "step %d  loss %.3f  recon %.3f  KL %.2f  beta %.4f  acc %.3f  lr %.2e  %.0f ex/s  %@",
                              p.step, p.loss, p.recon, p.kl, p.beta, p.accuracy, p.learningRate, p.examplesPerSecond, eta)
            if terminal {
                FileHandleOutput.write("\r" + line + "\u{1B}[K", fd: 2)
            } else if Date().timeIntervalSince(lastPlain) >= 30 {
                lastPlain = Date()
                FileHandleOutput.write(line + "\n", fd: 2)
            }
        }, shouldStop: { interruptRequested != 0 })
        if terminal { FileHandleOutput.write("\n", fd: 2) }
        let held = Array(dataset.heldOut.prefix(4000))
        let evaluation = held.isEmpty ? nil : try Evaluation.run(run.trainer.model, windows: held)
        let card = ModelCard(config: cfg, command: CommandLine.arguments.joined(separator: " "), data: data, dataset: dataset,
                             summary: summary, batch: batch, evaluation: evaluation)
        try card.write(to: output)
        print(String(format: "%@ at step %d after %.1f min (%d steps this run)%@", summary.interrupted ? "stopped" : "trained",
                     summary.step, summary.seconds / 60, summary.stepsThisRun, summary.interrupted ? " (interrupted: saved)" : ""))
        if let e = evaluation {
            print(String(format: "held-out: %d windows, teacher-forced accuracy %.4f, sampling accuracy %.4f, KL %.2f, ELBO %.2f",
                         e.windows, e.teacherForcedAccuracy, e.samplingAccuracy, e.kl, e.elbo))
        }
        print("model: \(out)")
    }
}

/// A preset by name, or a config JSON file.
func loadConfig(_ name: String) throws -> MusicVAEConfig {
    if let preset = MusicVAEConfig.presets[name] { return preset }
    guard FileManager.default.fileExists(atPath: name) else {
        throw CLIError("unknown config '\(name)': use a preset (" + MusicVAEConfig.presets.keys.sorted().joined(separator: ", ") + ") or a JSON file")
    }
    do {
        let cfg = try JSONDecoder().decode(MusicVAEConfig.self, from: Data(contentsOf: URL(fileURLWithPath: name)))
        try cfg.validate()
        return cfg
    } catch {
        throw CLIError("\(name): not a valid model config: \(error)")
    }
}
