import ArgumentParser

/// `musicvae pianoroll IN.mid -o OUT.svg`: runs Pipelines/pianoroll.yaml.
struct PianoRollCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pianoroll",
        abstract: "Draw a MIDI file as an SVG piano roll.",
        discussion: "Runs the bundled pipeline Pipelines/pianoroll.yaml. Time runs left to right with bar lines; pitch bottom to top with octave labels; each track has a colour and velocity sets opacity.")

    @Argument(help: "MIDI file to draw.")
    var input: String

    @Option(name: .shortAndLong, help: "Output SVG file.")
    var output: String

    func run() throws {
        try runBundledPipeline("pianoroll", inputs: [input], settings: ["output": "\(output)"])
    }
}
