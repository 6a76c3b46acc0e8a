import ArgumentParser
import Foundation
import Pipeline

/// `musicvae extract PATH... [--json]`: 2-bar 4/4 melody windows as the model sees them, counted.
struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Count the 2-bar 4/4 melody windows the model would see in MIDI files or folders.",
        discussion: """
            Runs the bundled pipeline Pipelines/extract.yaml (read-midi -> quantize -> slice-bars -> \
            extract-melody) over every path. Bad files are skipped, named once on stderr and counted by reason \
            (exit status 1 when any failed, as for run). \
            JSON keys: files, failed, failed_by_reason, windows, dropped (reason -> count).
            """)

    @Argument(help: "MIDI files or folders (searched recursively).")
    var paths: [String]

    @Flag(help: "Print JSON.")
    var json = false

    @Option(help: "Worker threads (default: one per core).")
    var threads: Int?

    @Option(name: .customLong("set"), help: ArgumentHelp("Set a variable of extract.yaml (bars, hop, meters...).", valueName: "name=value"))
    var overrides: [String] = []

    struct Summary: Encodable {
        var files = 0
        var failed = 0
        var failed_by_reason: [String: Int] = [:]
        var windows = 0
        var dropped: [String: Int] = [:]
    }

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be 1 or more") }
    }

    func run() throws {
        let pipeline = try InstallPaths.pipeline("extract")
        let file: PipelineFile
        do { file = try PipelineFile(path: pipeline) } catch let e as PipelineError { throw CLIError(e.description) }
        var summary = Summary()
        var failures: [(String, String)] = []
        for path in paths {
            let plan: PipelinePlan
            do {
                plan = try PipelinePlan(file: file, settings: try PipelinePlan.settings(parsing: overrides), positional: [path], context: InstallPaths.context)
            } catch let e as PipelineError {
                throw CLIError(e.description)
            }
            let progress = ProgressLine("extract")
            let report = PipelineRunner(plan: plan, threads: threads ?? ProcessInfo.processInfo.activeProcessorCount).run { progress.update($0, $1) }
            progress.finish()
            summary.files += report.inputs
            summary.failed += report.failures.count
            for (k, v) in report.failuresByReason { summary.failed_by_reason[k, default: 0] += v }
            summary.windows += report.outputCount
            for s in report.stages { for (k, v) in s.dropped { summary.dropped[k, default: 0] += v } }
            failures += report.failures.map { ($0.path, $0.message) }
        }
        for (path, message) in failures { printError("failed: \(path): \(message)") }
        if json {
            print(try jsonString(summary))
        } else {
            print("files:        \(summary.files)")
            print("files failed: \(summary.failed)" + (summary.failed_by_reason.isEmpty ? "" : " (" + summary.failed_by_reason.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + ")"))
            print("windows:      \(summary.windows)")
            print("dropped:" + (summary.dropped.isEmpty ? "      none" : ""))
            for (reason, n) in summary.dropped.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
                print("  \(reason.padding(toLength: 32, withPad: " ", startingAt: 0)) \(n)")
            }
        }
        // As `run`: 1 when some inputs failed (named above, counted by reason in the summary).
        if summary.failed > 0 { throw ExitCode(1) }
    }
}
