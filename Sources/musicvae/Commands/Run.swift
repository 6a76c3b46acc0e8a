import ArgumentParser
import Foundation
import Pipeline

/// `musicvae run FILE.yaml [INPUT...] [--set name=value ...]`: runs a pipeline file and prints its counters.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a pipeline file (or a bundled pipeline by name) and print per-stage counters.",
        discussion: """
            Positional INPUTs fill the pipeline's `inputs:` in order; --set overrides any input or variable. \
            Inputs that fail (a broken MIDI file, say) are skipped, counted by reason and listed at the end. \
            Exit status: 0 when every input went through, 1 when any failed, 2 when the pipeline is invalid or would \
            write over an input or write two outputs to one file (checked before anything runs).
            Example: musicvae run roundtrip Examples/melodies/twinkle.mid --set output=/tmp/twinkle.mid
            """)

    @Argument(help: "Pipeline file, or the name of a bundled pipeline in Pipelines/ (e.g. roundtrip).")
    var pipeline: String

    @Argument(help: "Values for the pipeline's inputs, in order.")
    var inputs: [String] = []

    @Option(name: .customLong("set"), help: ArgumentHelp("Set a pipeline variable or input.", valueName: "name=value"))
    var overrides: [String] = []

    @Option(name: .customLong("plugin"), help: ArgumentHelp("Load stages from a plugin shared library first (repeatable).", valueName: "lib.so"))
    var plugins: [String] = []

    @Option(help: "Worker threads (default: one per core).")
    var threads: Int?

    @Option(help: ArgumentHelp("Process only part K of N of the inputs (deterministic, by file path), e.g. 2/8 for a job array.", valueName: "K/N"))
    var shard: String?

    @Option(help: ArgumentHelp("Also write the counters as JSON to this file.", valueName: "file.json"))
    var stats: String?

    @Option(help: ArgumentHelp("Write a listening report (index.html with piano rolls and audio players) to this folder.", valueName: "dir"))
    var report: String?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    @Flag(help: "Print the summary as JSON on standard output (the --stats shape, plus the files written); progress and failures go to standard error.")
    var json = false

    @Option(help: ArgumentHelp("Fail (and skip) an input file larger than this many megabytes.", valueName: "MB"))
    var maxInputMb: Double = 64

    @Option(help: ArgumentHelp("Fail an input still running after this many seconds (checked between stages).", valueName: "seconds"))
    var maxInputSeconds: Double?

    @Flag(help: "Let the pipeline file write outside the working folder (paths you set with --set or as inputs may always).")
    var allowOutside = false

    @Option(help: ArgumentHelp("Record each input that went through in this file (one per line, as it is found under its folder), and skip the inputs it already lists: a killed job array resumes where it stopped.", valueName: "file"))
    var manifest: String?

    @Flag(help: "Skip an input whose bytes equal an earlier input's (counted; the first one runs).")
    var skipDuplicates = false

    @Flag(help: "Skip an input whose outputs are all there already (written atomically, so complete): a rerun of a killed batch does only what is left. Needs every writer's path to name {stem} and not {index}. An input that writes nothing (every window dropped) runs again each time; --manifest remembers it, and works for any pipeline.")
    var skipExisting = false

    func validate() throws {
        if !(maxInputMb > 0 && maxInputMb <= 1_048_576) { throw ValidationError("--max-input-mb must be above 0 and at most 1048576 (1 TB)") }
        if let s = maxInputSeconds, !(s > 0 && s.isFinite) { throw ValidationError("--max-input-seconds must be a number above 0") }
        if let shard, Shard(shard) == nil { throw ValidationError("--shard takes K/N with 1 <= K <= N, e.g. 1/4; got '\(shard)'") }
        if let threads, threads < 1 { throw ValidationError("--threads must be 1 or more") }
    }

    func run() throws {
        try loadPlugins(plugins)
        let path: String
        do { path = try InstallPaths.pipeline(pipeline) } catch let e as CLIError { throw invalidSetup(e.description) }
        let plan: PipelinePlan
        do {
            plan = try PipelinePlan(file: try PipelineFile(path: path), settings: try PipelinePlan.settings(parsing: overrides), positional: inputs, context: InstallPaths.context)
            try plan.checkOutputs(allowOutside: allowOutside)
        } catch let error as PipelineError {
            throw invalidSetup(error.description)
        }
        let written = [stats, report.map { $0 + "/index.html" }, manifest].compactMap { $0 }
        try checkDistinctOutputs(inputs: plan.stages.flatMap(\.sourceFiles).map(\.path), outputs: written)
        let part = shard.flatMap(Shard.init)   // checked by validate()
        let progress = ProgressLine("run")
        var runner = PipelineRunner(plan: plan, threads: threads ?? ProcessInfo.processInfo.activeProcessorCount, shard: part)
        runner.limits = InputLimits(maxBytes: Int(maxInputMb * 1_048_576), maxSeconds: maxInputSeconds)
        runner.skipDuplicates = skipDuplicates
        runner.skipExisting = skipExisting
        if skipExisting && !runner.existingOutputsCheckable {
            throw CLIError("--skip-existing: an input's outputs cannot be known before it runs (every writer's path must name {stem} and not {index}); use --manifest FILE")
        }
        var record: Manifest?
        if let manifest {
            let opened = try Manifest(path: manifest)
            runner.finished = opened.finished
            runner.onFinished = { opened.append($0.key) }
            record = opened
        }
        // SIGTERM (a scheduler ending the task) or Ctrl-C: no new input starts, the running ones finish, and the
        // counters and manifest say what was done; rerun with the same --manifest to finish.
        installStopSignals()
        runner.shouldStop = { interruptRequested != 0 }
        let result = runner.run(collectOutputs: true) { progress.update($0, $1) }
        progress.finish()
        let report = result
        // What was done is said first: a report or manifest that cannot be written fails the command afterwards,
        // without taking the batch's summary, counters and failures with it.
        let summary = RunSummary(report: report, plan: plan, shard: part)
        if json {
            var j = summary.json
            j.written = report.outputs.compactMap { ($0 as? WrittenFile)?.path }
            print(try jsonString(j))
        } else if !quiet {
            print(summary.text)
        }
        if let stats { try writeStats(summary.json, to: stats) }
        for f in report.failures { printError("failed: \(f.path): \(f.message)") }
        var unwritten = false
        if let dir = self.report {
            do {
                let command = (["musicvae", "run", pipeline] + inputs + overrides.flatMap { ["--set", $0] }).joined(separator: " ")
                try ReportWriter.write(report, to: dir, title: "musicvae run \(pipeline)",
                                       subtitle: command + (keptSummary(report).map { " — " + $0 } ?? ""), modelFolders: plan.modelFolders)
                if !quiet { (json ? printError : { print($0) })("report: \(dir)/index.html") }
            } catch {
                printError("Error: \(dir): cannot write the report: \(error)")
                unwritten = true
            }
        }
        if let manifest, let problem = record?.writeError {
            printError("Error: \(manifest): cannot record finished inputs (\(problem)); a rerun with it repeats the inputs not listed")
            unwritten = true
        }
        if interruptRequested != 0 {
            printError("stopped by signal \(interruptRequested): \(counted(report.notStarted, "input")) not started"
                       + (manifest != nil ? "; rerun with the same --manifest to do only those" : ""))
            throw ExitCode(128 + interruptRequested)
        }
        if !report.failures.isEmpty || unwritten { throw ExitCode(1) }
    }
}

/// The end-of-run summary, as text and as JSON.
struct RunSummary {
    let report: RunReport
    let plan: PipelinePlan
    var shard: Shard? = nil

    /// JSON shape of `--stats`.
    struct JSON: Codable {
        struct StageJSON: Codable {
            let stage: String
            let received: Int
            let produced: Int
            let dropped: [String: Int]
        }
        let pipeline: String
        var shard: String?
        let inputs: Int
        let failed: Int
        let failures: [String: String]
        let failed_by_reason: [String: Int]
        let outputs: Int
        let seconds: Double
        let stages: [StageJSON]
        /// Inputs not run, by reason (`--manifest`, `--skip-duplicates`, `--skip-existing`).
        var skipped: [String: Int]? = nil
        /// Inputs not started because a signal stopped the run.
        var not_started: Int? = nil
        /// The files written (`run --json` only).
        var written: [String]? = nil
    }

    var json: JSON {
        JSON(pipeline: plan.file, shard: shard?.description, inputs: report.inputs, failed: report.failures.count,
             failures: Dictionary(report.failures.map { ($0.path, $0.message) }, uniquingKeysWith: { a, _ in a }),
             failed_by_reason: report.failuresByReason, outputs: report.outputCount, seconds: report.seconds,
             stages: report.stages.map { .init(stage: $0.stage, received: $0.received, produced: $0.produced, dropped: $0.dropped) },
             skipped: report.skipped.isEmpty ? nil : report.skipped, not_started: report.notStarted > 0 ? report.notStarted : nil)
    }

    var text: String {
        var lines: [String] = []
        let width = max(10, report.stages.map(\.stage.count).max() ?? 0)
        lines.append("stage".padding(toLength: width, withPad: " ", startingAt: 0) + "        in       out  dropped")
        for s in report.stages {
            let dropped = s.dropped.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            lines.append(s.stage.padding(toLength: width, withPad: " ", startingAt: 0)
                         + String(format: " %9d %9d  ", s.received, s.produced) + (dropped.isEmpty ? "-" : dropped))
        }
        let written = report.outputs.compactMap { $0 as? WrittenFile }.map { $0.path + ($0.note.map { " (\($0))" } ?? "") }
        lines.append(counted(report.inputs, "input") + ", \(report.failures.count) failed, " + counted(report.outputCount, "output")
                     + String(format: " in %.2f s", report.seconds))
        if !written.isEmpty && written.count <= 20 { lines += written.map { "wrote \($0)" } }
        if !report.skipped.isEmpty {
            lines.append("skipped inputs: " + report.skipped.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))
        }
        if !report.failures.isEmpty {
            lines.append("failed inputs by reason: " + report.failuresByReason.sorted { $0.key < $1.key }
                .map { "\($0.key): \($0.value)" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}

/// Writes JSON atomically.
func writeStats<T: Encodable>(_ value: T, to path: String) throws {
    do {
        try writeTextAtomically(try jsonString(value) + "\n", to: path)
    } catch {
        throw CLIError("\(path): cannot write stats: \(error)")
    }
}
