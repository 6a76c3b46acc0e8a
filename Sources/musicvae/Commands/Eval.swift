import ArgumentParser
import Foundation
import MusicVAE
import NoteSequences
import Pipeline
import Training

/// `musicvae eval`: reconstruction accuracy, KL and ELBO of a model on MIDI data.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a model: teacher-forced and sampling accuracy, KL and ELBO on windows from MIDI data.",
        discussion: """
            Windows are taken as in training. --split held-out keeps only the files training held out (1 in 20 by \
            path hash), which is how model cards are measured. JSON keys: windows, teacher_forced_accuracy, \
            sampling_accuracy, kl, elbo, recon, and constant_guess_accuracy: the floor a model has to beat, the \
            accuracy of guessing the windows' most frequent class at every step. With --precision bfloat16 the \
            sampling accuracy is measured through bfloat16 encode and decode; teacher-forced accuracy, KL and ELBO \
            stay float32.
            """)

    @OptionGroup var model: ModelOption

    @Option(parsing: .upToNextOption, help: "MIDI files or folders.")
    var data: [String]

    @Option(help: "Which windows: all, held-out (the 1 file in 20 training held out) or train.")
    var split: Split = .all

    @Option(parsing: .upToNextOption, help: ArgumentHelp(
        "Time signatures whose bars to measure (default: the meters the model was trained on). Bars reach the model as "
        + "edits take them: 4/2 bars in halves under a 16-step model, 3/8 bars in pairs and 6/4 bars in halves under a 12-step one.",
        valueName: "meter"))
    var meters: [String] = []

    @Option(help: "Evaluate at most this many windows (the first ones, in file order).")
    var limit: Int?

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        for meter in meters where TimeSignature(meter) == nil {
            throw ValidationError("--meters takes time signatures like 4/4 or 6/8, not '\(meter)'")
        }
    }

    func run() throws {
        let folder = try model.folder()
        let m = try model.load(folder)
        var settings = WindowDataset.Settings(for: m.config, heldOutEvery: split == .all ? 0 : 20)
        if !meters.isEmpty { settings.meters = meters }
        let dataset = try WindowDataset(paths: data, settings: settings)
        sayFailures(dataset)
        // `all` is both splits: an export folder keeps its held-out flags even when nothing is held out here.
        var windows = split == .heldOut ? dataset.heldOut : split == .train ? dataset.train : dataset.train + dataset.heldOut
        if let limit { windows = Array(windows.prefix(limit)) }
        guard !windows.isEmpty else {
            let which = split == .all ? "" : " \(split.rawValue)"
            throw CLIError("no\(which) windows in \(data.joined(separator: ", ")): \(m.config.name) reads \(m.config.bars) bars of "
                           + settings.meters.joined(separator: ", ") + " at \(m.config.stepsPerBar) steps a bar (\(m.config.numSteps) steps)"
                           + (dataset.failed > 0 ? "; \(dataset.failed) of \(dataset.files) files could not be read (named above)" : ""))
        }
        let e = try Evaluation.run(m, windows: windows)
        if json {
            print(try jsonString(e))
        } else {
            print(String(format: "%d windows: teacher-forced accuracy %.4f, sampling accuracy %.4f, KL %.3f, recon %.3f, ELBO %.3f "
                         + "(the most frequent class guessed at every step: %.4f); %d of %d latent dimensions active (mean KL > %.1f nats)",
                         e.windows, e.teacherForcedAccuracy, e.samplingAccuracy, e.kl, e.recon, e.elbo, e.constantGuessAccuracy ?? 0,
                         e.activeDimensions ?? 0, m.config.zSize, Evaluation.activeDimensionKL)
                  + (m.precision.effective == .bfloat16 ? "; sampling in bfloat16" : ""))
        }
    }
}

extension InferencePrecision: ExpressibleByArgument {
    /// This precision, after a note on standard error when the CPU runs it as float32.
    func checked() -> InferencePrecision {
        if effective != self { printError("note: this CPU has no AVX-512 BF16; --precision \(self) runs as \(effective)") }
        return self
    }
}

extension Eval {
    /// Which of the data's windows `eval` measures.
    enum Split: String, CaseIterable, ExpressibleByArgument {
        /// Every window.
        case all
        /// The windows of the files training holds out (1 in 20, by a hash of the path).
        case heldOut = "held-out"
        /// The windows training draws from.
        case train
    }
}

/// The model option every model command takes: one declaration, one help text, one default.
struct ModelOption: ParsableArguments {
    @Option(name: .customLong("model"), help: ArgumentHelp("Model folder (default: Models/mel_2bar_small; the models beside it take other meters and the drums).", valueName: "dir"))
    var path: String?

    @Option(help: ArgumentHelp(
        "Arithmetic of encode and decode: float32 (the same results on every machine), or bfloat16 (batches about three "
        + "times as fast on CPUs with AVX-512 BF16, float32 elsewhere; a decoded note can differ where two score nearly alike).",
        valueName: "float32|bfloat16"))
    var precision: InferencePrecision = .float32

    /// The folder given, checked to hold a model (exit 2 and what to pass otherwise), or the default model of the
    /// installation.
    func folder() throws -> String {
        let f = try modelFolder(path)
        guard ModelSettings.isModelFolder(f) else {
            throw invalidSetup(ModelSettings.notAModelFolder(f) + "; pass --model DIR naming a trained model, such as Models/mel_2bar_small")
        }
        return f
    }

    /// The model in `folder` (from `folder()`), set to run in `--precision`.
    func load(_ folder: String) throws -> MusicVAEModel {
        var m: MusicVAEModel
        do { m = try MusicVAEModel.load(from: URL(fileURLWithPath: folder)) } catch { throw CLIError("\(folder): \(error)") }
        m.precision = precision.checked()
        return m
    }
}

/// Names on standard error each file of `dataset` that could not be read, and why (as `run` does).
func sayFailures(_ dataset: WindowDataset) {
    for f in dataset.failures { printError("failed: \(f.path): \(f.message)") }
}

/// A model folder argument, or the bundled default model.
func modelFolder(_ given: String?, default name: String = "mel_2bar_small") throws -> String {
    if let given { return given }
    guard let home = InstallPaths.home, FileManager.default.fileExists(atPath: home + "/Models/\(name)/weights_manifest.json") else {
        throw CLIError("no default model Models/\(name) found; pass --model DIR")
    }
    return home + "/Models/\(name)"
}
