import ArgumentParser
import Foundation
import MIDIFiles
import MusicVAE
import NeuralNet
import Training

/// `musicvae train`: trains a model on MIDI folders.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a MusicVAE model on MIDI files or folders.",
        discussion: """
            Windows come from the files through the pipeline stages (quantize, slice-bars, extract-melody): 4/4 and \
            2/2 bars as 16 steps, two 2/4 bars as one. One file in 20 (by a hash of its path) is held out for \
            evaluation. Each training window is transposed by a random -5...+5 semitones. Checkpoints (with the \
            optimizer state) go to OUT/checkpoints every 5 minutes, the last 3 kept, each logged. --resume continues \
            exactly from the newest intact checkpoint (a damaged one is skipped, and said so) and refuses to start \
            from scratch; --resume-or-start does either. --init-from MODEL continues the weights of a model folder \
            (committed weights without their optimizer state): schedules go on from the steps in its training.json; \
            with --free-bits, --max-beta, --sampling-schedule, --sampling-rate or --learning-rate it is the next stage \
            of a campaign, the same weights trained on with those settings changed (the model cards give theirs). \
            Every 10 minutes 500 held-out windows (spread over the held-out files) are measured for the training \
            curve in training.json. With several --data paths, --balance sqrt or sources draws the smaller ones more \
            often than their share of the windows, and --data-weight scales each path's share (0.5: half as often). \
            Ctrl-C (SIGINT) or SIGTERM (as Slurm and Kubernetes stop jobs) saves a checkpoint and the model, then \
            exits 130 or 143; a second signal while saving does not cut the save short. At the end the model is \
            written to OUT with a model card (README.md) giving the held-out accuracies.
            Under mpirun (Open MPI, loaded at run time), the ranks train data-parallel: each computes its share of \
            every batch, the gradients are summed (MPI_Allreduce) and every rank applies the same update; only rank 0 \
            prints, measures and writes. With the same --seed and --batch the loss curve is one process's.
            Example: musicvae train --config mel_2bar_small --data ../shared/corpus --out Models/my_model --minutes 60
            Example: mpirun -np 2 musicvae train --config mel_2bar_small --data DIR --steps 20 --out out/mpi-model
            """)

    @Option(help: "A preset (mel_2bar_small, mel_2bar_triple, mel_16bar_hier, drums_2bar_small) or a config JSON file.")
    var config: String

    @Option(parsing: .upToNextOption, help: "MIDI files or folders to train on.")
    var data: [String]

    @Option(help: "Folder to write the model to.")
    var out: String

    @Option(help: "Stop at this global step.")
    var steps: Int?

    @Option(help: "Stop after this many minutes.")
    var minutes: Double?

    @Option(help: "Windows per step.")
    var batch: Int = 64

    @Flag(help: "Continue from the newest intact checkpoint in OUT (an error when there is none).")
    var resume = false

    @Flag(help: "Continue from the newest intact checkpoint in OUT, or start from scratch when there is none.")
    var resumeOrStart = false

    @Option(help: ArgumentHelp("Continue training the weights of this model folder (new optimizer state).", valueName: "model"))
    var initFrom: String?

    @Option(help: "Minutes between held-out measurements for the training curve (0: none).")
    var evalMinutes: Double = 10

    @Option(help: ArgumentHelp("How batches draw from the --data paths: windows (every window equally likely), sqrt (each path in proportion to the square root of its windows) or sources (every path equally likely).", valueName: "balance"))
    var balance: DataBalance = .windows

    @Option(parsing: .upToNextOption, help: ArgumentHelp("One factor per --data path, in order, multiplying how often --balance draws it (1: as it says, 0.5: half as often, 0: never).", valueName: "factor"))
    var dataWeight: [Double] = []

    @Option(help: ArgumentHelp("Drum models: the share of training windows (0...1) given the hi-hats and cymbals of another window, kick, snare and toms staying: combinations the grooves lack, against learning them by heart.", valueName: "share"))
    var drumRecombination: Double = 0

    @Option(help: "Random seed (weights, batches, noise).")
    var seed: UInt64 = 1

    @Option(help: "Seconds between checkpoints.")
    var checkpointSeconds: Double = 300

    @Option(help: ArgumentHelp("Free bits of KL before the KL term counts (changes the preset's, the config file's or the --init-from model's; so do the next four).", valueName: "bits"))
    var freeBits: Double?

    @Option(help: ArgumentHelp("Final KL weight: beta rises to it as (1 - betaRate^step) * max-beta.", valueName: "beta"))
    var maxBeta: Double?

    @Option(help: ArgumentHelp("How often the decoder is fed its own draw instead of the true previous step (a hierarchical decoder: within each bar, a bar's first step gets the true note before it): constant (probability --sampling-rate; 0 is teacher forcing) or inverse_sigmoid (Magenta's schedule of rate --sampling-rate).", valueName: "schedule"))
    var samplingSchedule: MusicVAEConfig.SamplingSchedule?

    @Option(help: ArgumentHelp("The sampling schedule's probability (constant) or rate (inverse_sigmoid).", valueName: "rate"))
    var samplingRate: Double?

    @Option(help: ArgumentHelp("Initial learning rate: the decayed schedule goes on from the run's global step.", valueName: "rate"))
    var learningRate: Double?

    @Option(help: ArgumentHelp("Write every step's loss to this CSV file (step, loss, recon, kl, gradient norm, learning rate).", valueName: "file"))
    var lossLog: String?

    func validate() throws {
        if steps == nil && minutes == nil { throw ValidationError("give --steps N or --minutes M") }
        if let s = steps, s < 1 { throw ValidationError("--steps must be at least 1") }
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
        if [resume, resumeOrStart, initFrom != nil].filter({ $0 }).count > 1 {
            throw ValidationError("give at most one of --resume, --resume-or-start and --init-from")
        }
        if !dataWeight.isEmpty {
            if dataWeight.count != data.count {
                throw ValidationError("--data-weight takes one factor per --data path (\(data.count) given), not \(dataWeight.count)")
            }
            if !dataWeight.allSatisfy({ $0.isFinite && $0 >= 0 }) || !dataWeight.contains(where: { $0 > 0 }) {
                throw ValidationError("--data-weight factors must be 0 or more, at least one over 0")
            }
        }
        if evalMinutes < 0 { throw ValidationError("--eval-minutes must be 0 or more") }
        if !(0...1).contains(drumRecombination) { throw ValidationError("--drum-recombination is a share, 0...1") }
        if let freeBits, freeBits < 0 { throw ValidationError("--free-bits must be 0 or more") }
        if let maxBeta, maxBeta < 0 { throw ValidationError("--max-beta must be 0 or more") }
        if let samplingRate, samplingRate < 0 { throw ValidationError("--sampling-rate must be 0 or more") }
        if let learningRate, learningRate <= 0 { throw ValidationError("--learning-rate must be more than 0") }
        if (resume || resumeOrStart) && !stage.isEmpty {
            throw ValidationError("a resumed run repeats the interrupted one exactly, with its settings: to change \(stage.summary), "
                                  + "continue the model with --init-from \(out) instead")
        }
    }

    /// The training settings given on the command line.
    var stage: TrainingStage {
        TrainingStage(freeBits: freeBits, maxBeta: maxBeta, samplingSchedule: samplingSchedule, samplingRate: samplingRate, learningRate: learningRate)
    }

    func run() throws {
        // Launched by mpirun (Open MPI): one rank of a data-parallel run. Only rank 0 talks and writes; the ranks on
        // one machine share its cores (BLAS threads split between them).
        let environment = ProcessInfo.processInfo.environment
        let launch = MPIGroup.launch(environment: environment).flatMap { $0.size > 1 ? $0 : nil }
        let leader = (launch?.rank ?? 0) == 0
        func say(_ text: String) { if leader { printError(text) } }
        var mpi: MPIGroup?
        if launch != nil {
            do { mpi = try MPIGroup() } catch { throw CLIError("\(error)") }
            let local = environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init) ?? 1
            if environment["OPENBLAS_NUM_THREADS"] == nil { BLAS.threads = max(1, ProcessInfo.processInfo.activeProcessorCount / local) }
            if local >= ProcessInfo.processInfo.activeProcessorCount { Parallel.enabled = false }
        }
        defer { mpi?.finish() }
        let cfg = stage.applied(to: try loadConfig(config))
        if drumRecombination > 0 && cfg.lineEncoding != .drums {
            throw CLIError("--drum-recombination is for drum models; \(config) is a \(cfg.lineEncoding) model")
        }
        let settings = WindowDataset.Settings(for: cfg)
        let progress = ProgressLine("reading")
        let dataset = try WindowDataset(paths: data, settings: settings) { if leader { progress.update($0, $1) } }
        if leader { progress.finish(); sayFailures(dataset) }
        say("data: \(counted(dataset.files, "file")) (\(dataset.failed) failed, \(dataset.heldOutFiles) held out): "
                   + "\(dataset.train.count) training windows (\(Set(dataset.train).count) distinct), \(dataset.heldOut.count) held-out windows "
                   + "(\(Set(dataset.heldOut).count) distinct) of \(cfg.numSteps) steps")
        var options = TrainingOptions(steps: steps, minutes: minutes, batch: batch, seed: seed)
        options.checkpointSeconds = checkpointSeconds
        options.evaluationSeconds = evalMinutes * 60
        options.balance = balance
        options.sourceWeights = dataWeight.isEmpty ? nil : dataWeight
        options.drumRecombination = drumRecombination
        let output = URL(fileURLWithPath: out)
        let start: TrainingStart = resume ? .resume(orStart: false) : resumeOrStart ? .resume(orStart: true)
            : initFrom.map { .initFrom(URL(fileURLWithPath: $0), stage) } ?? .fresh
        let run: TrainingRun
        do {
            run = try TrainingRun(config: cfg, data: dataset.train, sources: dataset.trainSources, output: output, options: options, start: start)
        } catch let e as MusicVAEError {
            throw CLIError("\(initFrom ?? out): \(e)")
        } catch let e as TrainingError {
            throw CLIError(e.description)
        }
        run.group = mpi
        if let mpi { say("data-parallel: \(mpi.size) MPI ranks, \(batch / mpi.size)-\((batch + mpi.size - 1) / mpi.size) windows each of every batch of \(batch)") }
        if balance != .windows || !dataWeight.isEmpty {
            say("balance \(balance.rawValue)" + (dataWeight.isEmpty ? "" : " scaled by --data-weight") + ": " + zip(data, run.sourceShares).map { String(format: "%@ %.1f%%", $0.0, $0.1 * 100) }.joined(separator: ", "))
        }
        for note in run.notes { say(note) }
        if run.trainer.model.config != cfg {
            say("note: the model's own configuration (from \(initFrom ?? out)" + (stage.isEmpty ? "" : ", with \(stage.summary)")
                + ") is used, not --config \(config)")
        }
        run.heldOut = dataset.heldOut
        run.onCheckpoint = { say("checkpoint: \($0.path)") }
        run.onEvaluation = { p in
            printError(String(format: "held-out at step %d (%d examples): teacher-forced %.4f, sampling %.4f, KL %.2f",
                              p.step, p.examples, p.evaluation.teacherForcedAccuracy, p.evaluation.samplingAccuracy, p.evaluation.kl))
        }
        var lossLines = leader && lossLog != nil ? ["step,loss,recon,kl,gradient_norm,learning_rate"] : []
        if leader && lossLog != nil {
            run.onStep = { r in
                lossLines.append(String(format: "%d,%.9g,%.9g,%.9g,%.9g,%.6g", r.step + 1, r.loss.total, r.loss.reconMean, r.loss.klMean,
                                        r.gradientNorm, r.learningRate))
            }
        }
        installStopSignals()
        let terminal = FileHandleOutput.isTerminal(2)
        var lastPlain = Date.distantPast
        let summary = try run.run(progress: { p in
            guard leader else { return }
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
        if terminal && leader { FileHandleOutput.write("\n", fd: 2) }
        let stoppedBy = interruptRequested
        guard leader else {
            if stoppedBy != 0 { throw ExitCode(128 + stoppedBy) }
            return
        }
        if let lossLog { try writeFileAtomically(Array((lossLines.joined(separator: "\n") + "\n").utf8), to: lossLog) }
        // A scheduler's SIGTERM comes with a short grace period: save and go, without the final evaluation.
        let held = stoppedBy == SIGTERM ? [] : Array(dataset.heldOut.prefix(4000))
        if stoppedBy != SIGTERM { try run.measure() }
        let evaluation = held.isEmpty ? nil : try Evaluation.run(run.trainer.model, windows: held)
        let card = ModelCard(config: run.trainer.model.config, command: (["musicvae"] + CommandLine.arguments.dropFirst()).joined(separator: " "), data: data,
                             dataset: dataset, summary: summary, batch: batch, evaluation: evaluation, history: run.history)
        try card.write(to: output)
        print(String(format: "%@ at step %d after %.1f min (%d steps this run)%@", summary.interrupted ? "stopped" : "trained",
                     summary.step, summary.seconds / 60, summary.stepsThisRun, summary.interrupted ? " (interrupted: saved)" : ""))
        if let e = evaluation {
            print(String(format: "held-out: %d windows, teacher-forced accuracy %.4f, sampling accuracy %.4f, KL %.2f, ELBO %.2f",
                         e.windows, e.teacherForcedAccuracy, e.samplingAccuracy, e.kl, e.elbo))
        }
        print("model: \(out)")
        if let mpi, mpi.gradientReduce.calls > 0 {
            print(String(format: "data-parallel: %d ranks, %.1f ms per step in the gradient all-reduce (%d floats), %.0f%% of the run",
                         mpi.size, 1000 * mpi.gradientReduce.seconds / Double(mpi.gradientReduce.calls), run.trainer.model.parameterCount,
                         100 * mpi.gradientReduce.seconds / max(1e-9, summary.seconds)))
        }
        if stoppedBy != 0 { throw ExitCode(128 + stoppedBy) }
    }
}

extension DataBalance: ExpressibleByArgument {}
extension MusicVAEConfig.SamplingSchedule: ExpressibleByArgument {}

/// A preset by name, or a config JSON file.
func loadConfig(_ name: String) throws -> MusicVAEConfig {
    if let preset = MusicVAEConfig.presets[name] { return preset }
    guard FileManager.default.fileExists(atPath: name) else {
        throw CLIError("unknown config '\(name)': use a preset (" + MusicVAEConfig.presets.keys.sorted().joined(separator: ", ") + ") or a JSON file")
    }
    do {
        return try MusicVAEConfig.decode(json: Data(contentsOf: URL(fileURLWithPath: name)))
    } catch MusicVAEError.invalidConfig(let problem) {
        throw CLIError("\(name): not a valid model config: \(problem)")
    } catch {
        throw CLIError("\(name): cannot read: \(error.localizedDescription)")
    }
}
