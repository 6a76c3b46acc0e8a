import ArgumentParser
import Foundation
import MIDIFiles

/// The `musicvae` command: MIDI in, a learned latent space, MIDI and audio out.
@main
struct MusicVAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "musicvae",
        abstract: "MusicVAE for Swift: read, slice, encode, edit and write MIDI through typed pipelines.",
        discussion: """
            Most work is a pipeline file (YAML) of typed stages: read-midi -> quantize -> slice-bars -> \
            extract-melody -> ... -> write-midi. Bundled pipelines live in Pipelines/; run one with \
            `musicvae run roundtrip IN.mid --set output=OUT.mid`, check one with `musicvae check FILE.yaml`, \
            and list the stages with `musicvae stages`.

            Exit codes: 0 done; 1 some inputs failed (each named with its reason; the others were written); \
            2 nothing could start: an invalid pipeline file, model or output choice (nothing was written); \
            64 a usage error (an unknown option or a value out of its set). 130/143: stopped by Ctrl-C/SIGTERM.
            Shell completion: `musicvae --generate-completion-script bash` (or zsh, fish).
            """,
        version: MusicVAEVersion.string,
        subcommands: [Run.self, Check.self, Inspect.self, Extract.self, Train.self, Eval.self, Reconstruct.self, SampleCommand.self, Edit.self, InterpolateCommand.self, Attributes.self, RenderCommand.self, PianoRollCommand.self, Stages.self, Pipelines.self, StatsCommand.self, Export.self, Serve.self, Version.self]
    )

    /// Refuses an unknown command outright, even with `--help` (which would otherwise print the overview and
    /// exit 0, so scripts probing for a command could not tell it is missing).
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let first = arguments.first, !first.hasPrefix("-"), first != "help" {
            let known = configuration.subcommands.map { $0.configuration.commandName ?? String(describing: $0).lowercased() }
            if !known.contains(first) {
                printError("Error: unknown command '\(first)'; the commands are: \(known.joined(separator: ", "))")
                Foundation.exit(ExitCode.validationFailure.rawValue)
            }
        }
        // A command stopped by Ctrl-C or SIGTERM leaves no temporary file of an unfinished write (train installs
        // its own handlers, which save first).
        TemporaryFiles.removeOnSignals()
        main(nil)
    }
}
