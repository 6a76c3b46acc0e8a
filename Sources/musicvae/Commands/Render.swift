import ArgumentParser
import Foundation
import MusicVAE
import Pipeline

/// `musicvae render IN.mid -o OUT.wav`: runs Pipelines/render.yaml.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a MIDI file to WAV with FluidSynth.",
        discussion: """
            Runs the bundled pipeline Pipelines/render.yaml. Soundfont lookup: --soundfont, $MUSICVAE_SOUNDFONT, \
            SoundFonts/*.sf2, then /usr/share/sounds/sf2 and /usr/share/soundfonts. Programs, channels and drums \
            (channel 10) come from the file; the release tail stops when the synth falls silent, at most 2 s after \
            the last note. Audio that would clip is scaled down, and the summary says so.
            """)

    @Argument(help: "MIDI file to render (- for standard input).")
    var input: String

    @Option(name: .shortAndLong, help: "Output WAV file (- for standard output).")
    var output: String

    @Option(help: "Soundfont (.sf2) to use.")
    var soundfont: String?

    @Option(help: "Samples per second.")
    var sampleRate: Int = 44_100

    @Option(help: "Sample format: 16, 24 or float.")
    var format: String = "16"

    @Option(help: "FluidSynth master gain (0...10).")
    var gain: Double = 1.0

    @Flag(help: "Turn FluidSynth's reverb off.")
    var noReverb = false

    @Flag(help: "Turn FluidSynth's chorus off.")
    var noChorus = false

    @Flag(help: "Write one channel instead of two.")
    var mono = false

    @Option(help: "Play at this tempo (quarters per minute) instead of the file's.")
    var tempo: Double?

    func validate() throws {
        try checkOption("--sample-rate", .int(sampleRate), stage: "render", parameter: "sample_rate")
        try checkOption("--format", .string(format), stage: "render", parameter: "format")
        try checkOption("--gain", .double(gain), stage: "render", parameter: "gain")
        if let tempo { try checkOption("--tempo", .double(tempo), stage: "render", parameter: "tempo") }
    }

    func run() throws {
        let streams = StandardStreams()
        let source = try streams.input(input), target = try streams.output(output, ext: "wav")
        var sets: [String: ParameterValue] = ["output": .string(target), "sample_rate": .int(sampleRate), "format": .string(format),
                                              "gain": .double(gain), "reverb": .bool(!noReverb), "chorus": .bool(!noChorus),
                                              "mono": .bool(mono), "tempo": .double(tempo ?? 0)]
        if let soundfont { sets["soundfont"] = .string(soundfont) }
        try runBundledPipeline("render", inputs: [source], settings: sets, statusToStandardError: StandardStreams.isStandardOutput(output))
        try streams.finish(output, written: target)
    }
}

/// Runs a bundled pipeline for a convenience command: errors become one-line messages, the summary is printed,
/// and a failed input makes the command exit 1.
/// One line saying which tracks a run read, what it left as it was and why, from every stage's counts ("read,
/// kept and skipped: drums: track 4 'Drums'; kept as they are: tracks 1 'Melody', 2 'Bass' (1); passed through
/// unencoded: 3/4 windows of 24 steps, the model takes 32 (16)"), or nil when there is nothing to say.
func keptSummary(_ report: RunReport) -> String? {
    let parts = report.stages.flatMap { s in
        s.dropped.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }
    }
    return parts.isEmpty ? nil : "read, kept and skipped: " + parts.joined(separator: "; ")
}

/// Runs a bundled pipeline and reports what it wrote and kept (on standard error when `statusToStandardError`,
/// for commands whose result goes to standard output); returns the paths written.
@discardableResult
func runBundledPipeline(_ name: String, inputs: [String], settings: [String: ParameterValue], quiet: Bool = false,
                        statusToStandardError: Bool = false, precision: InferencePrecision = .float32) throws -> [String] {
    let path = try InstallPaths.pipeline(name)
    let plan: PipelinePlan
    var context = InstallPaths.context
    context.precision = precision
    do {
        plan = try PipelinePlan(file: try PipelineFile(path: path), settings: settings, positional: inputs, context: context)
        try plan.checkOutputs()
    } catch let error as PipelineError {
        throw invalidSetup(error.description)
    }
    let report = PipelineRunner(plan: plan).run(collectOutputs: true)
    for f in report.failures { printError("\(f.path): \(f.message)") }
    if !report.failures.isEmpty { throw ExitCode(1) }
    if report.outputCount == 0 {
        let reasons = report.stages.flatMap { s in s.dropped.map { "\(s.stage): \($0.key) (\($0.value))" } }
        throw CLIError("nothing was written" + (reasons.isEmpty ? "" : "; dropped: " + reasons.joined(separator: "; ")))
    }
    if !quiet {
        let say: (String) -> Void = statusToStandardError ? { printError($0) } : { print($0) }
        for case let w as WrittenFile in report.outputs { say("wrote \(w.path)" + (w.note.map { " (\($0))" } ?? "")) }
        if let kept = keptSummary(report) { say(kept) }
    }
    return report.outputs.compactMap { ($0 as? WrittenFile)?.path }
}
