import ArgumentParser

/// `musicvae pianoroll IN.mid -o OUT.svg`: runs Pipelines/pianoroll.yaml.
struct PianoRollCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pianoroll",
        abstract: "Draw a MIDI file as an SVG piano roll.",
        discussion: "Runs the bundled pipeline Pipelines/pianoroll.yaml. Time runs left to right with bar lines; pitch bottom to top with octave labels; each track has a colour and velocity sets opacity.")

    @Argument(help: "MIDI file to draw (- for standard input).")
    var input: String

    @Option(name: .shortAndLong, help: "Output SVG file (- for standard output).")
    var output: String

    func run() throws {
        let streams = StandardStreams()
        let source = try streams.input(input), target = try streams.output(output, ext: "svg")
        try runBundledPipeline("pianoroll", inputs: [source], settings: ["output": .string(target)],
                               statusToStandardError: StandardStreams.isStandardOutput(output))
        try streams.finish(output, written: target)
    }
}
