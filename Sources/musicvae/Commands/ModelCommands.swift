import ArgumentParser
import Foundation
import MusicVAE
import NoteSequences
import Pipeline

/// `musicvae reconstruct IN.mid -o OUT.mid`: runs Pipelines/reconstruct.yaml.
struct Reconstruct: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a piece through the model and back (encode and decode every window).",
        discussion: "Runs Pipelines/reconstruct.yaml. Windows the model cannot take and other tracks stay as they were.")

    @Argument(help: "MIDI file (- for standard input).")
    var input: String

    @Option(name: .shortAndLong, help: "Output MIDI file (- for standard output).")
    var output: String

    @OptionGroup var model: ModelOption

    @Option(parsing: .unconditional, help: "Decoding temperature (0: greedy).")
    var temperature: Double = 0

    @Option(help: ArgumentHelp("Which tracks go through the model: auto (the melody; the drums with a drum model), drums, a track name, 0-based indices, first or all.",
                               valueName: "auto|drums|NAME|INDEX|first|all"))
    var track: String = "auto"

    func validate() throws {
        try checkOption("--temperature", .double(temperature), stage: "decode", parameter: "temperature")
    }

    func run() throws {
        try checkDistinctOutputs(inputs: [input], outputs: [output])
        let folder = try model.folder()
        let streams = StandardStreams()
        let source = try streams.input(input), target = try streams.output(output, ext: "mid")
        try runBundledPipeline("reconstruct", inputs: [source], settings: [
            "output": .string(target), "model": .string(folder), "bars": .int(try modelBars(folder)), "temperature": .double(temperature),
            "track": .string(try trackChoice(track, model: folder))], statusToStandardError: StandardStreams.isStandardOutput(output), precision: model.precision.checked())
        try streams.finish(output, written: target)
    }
}

/// `musicvae sample -n N -o DIR`: runs Pipelines/sample.yaml.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Draw new melodies from the model's prior, one MIDI file each (DIR/sample-1.mid ...).",
        discussion: "Runs Pipelines/sample.yaml: n codes from N(0, I), decoded at the given temperature.")

    @OptionGroup var model: ModelOption

    @Option(name: .short, help: "How many melodies.")
    var n: Int = 4

    @Option(parsing: .unconditional, help: "Decoding temperature (0: greedy; 0.5 is a good start).")
    var temperature: Double = 0.5

    @Option(help: "Random seed.")
    var seed: Int = 0

    @Option(name: .shortAndLong, help: "Output folder.")
    var output: String

    func validate() throws {
        try checkOption("-n", .int(n), stage: "sample", parameter: "n")
        try checkOption("--temperature", .double(temperature), stage: "decode", parameter: "temperature")
    }

    func run() throws {
        let folder = try model.folder()
        try runBundledPipeline("sample", inputs: [], settings: [
            "output": "\(output)/{stem}.mid", "model": .string(folder), "n": .int(n), "temperature": .double(temperature), "seed": .int(seed)], precision: model.precision.checked())
    }
}

/// `musicvae edit IN.mid --attribute NAME --amount A -o OUT.mid`: runs Pipelines/edit.yaml.
struct Edit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Edit a piece along an attribute: --attribute note_density --amount 1 gives more notes.",
        discussion: """
            Runs Pipelines/edit.yaml: every 2-bar window (16-bar with a 16-bar model) is encoded, moved by amount \
            times the attribute's direction (--direction), decoded (checked: the step at several lengths, keeping \
            per window the decode that moves the attribute and holds the others best) and joined back; tempo, meter, key, program \
            and other tracks stay, and windows the model cannot take are kept as they were. Melody attributes: note_density, \
            average_interval, pitch_range, syncopation_16th, syncopation_8th, diatonic. With --track drums (or a \
            drum model) the drum track is edited by the drum model (Models/drums_2bar_small beside the melody \
            model): note_density (hits), syncopation, cymbal_share.
            """)

    @Argument(help: "MIDI file.")
    var input: String

    @Option(help: "Attribute to move.")
    var attribute: AttributeName

    @Option(parsing: .unconditional, help: "How far to move (negative: the other way, as in --amount -1).")
    var amount: Double = 1

    @Option(name: .shortAndLong, help: "Output MIDI file.")
    var output: String

    @Option(help: "Also render the result to this WAV file.")
    var wav: String?

    @Option(help: ArgumentHelp("""
        Which tracks to edit: auto (the melody, found by track name, monophony, register and density; it says \
        which and why; with a drum model, the drums), drums (the drum tracks, by the drum model), a track name, \
        0-based indices like 1,3 (as `musicvae inspect` shows), first (the first track with notes) or all. Other \
        tracks stay note for note.
        """, valueName: "auto|drums|NAME|INDEX|first|all"))
    var track: String = "auto"

    @Flag(inversion: .prefixedNo, help: """
        Keep the tune: move each decoded window by whole semitones back to the key and register of the window it \
        came from.
        """)
    var keepTune = true

    @Option(help: ArgumentHelp("""
        Which way to move: disentangled (the model's learnt direction for the attribute, fitted to hold the \
        other attributes; `musicvae attributes matrix` measures how well), raw (the quartile vector, which \
        carries what goes with the attribute in the corpus: the widest windows are also the busiest, so the \
        pitch-range vector adds notes) or orthogonal (the quartile vector without its components along the \
        other vectors).
        """, valueName: "disentangled|raw|orthogonal"))
    var direction: AttributeVectors.Direction = .disentangled

    @Flag(inversion: .prefixedNo, help: """
        Check the edit: decode the step at 0.5, 1, 1.5, 2 and 3 times its length and keep, per window, the \
        decode that moves the attribute the way asked while moving the other attributes least (the window as it \
        was where none does better). --no-check decodes the step as it is.
        """)
    var check = true

    @OptionGroup var model: ModelOption

    func validate() throws {
        try checkOption("--amount", .double(amount), stage: "attribute", parameter: "amount")
    }

    func run() throws {
        try checkDistinctOutputs(inputs: [input], outputs: [output] + (wav.map { [$0] } ?? []))
        let folder = try model.folder()
        // An attribute the edited windows' model does not have would leave every window as it was.
        let chosen = try trackChoice(track, model: folder)
        let names = chosen == "drums" ? DrumAttributes.names : chosen == "all" ? LineEncoding.allAttributeNames : MelodyAttributes.names
        guard names.contains(attribute.name) else {
            throw invalidSetup("--attribute \(attribute.name) is not a \(chosen == "drums" ? "drum" : "melody") attribute (those are: "
                               + names.joined(separator: ", ") + ")" + (chosen == "drums" ? "" : "; to edit the drums, add --track drums"))
        }
        let streams = StandardStreams()
        let source = try streams.input(input), target = try streams.output(output, ext: "mid")
        let toStdout = StandardStreams.isStandardOutput(output)
        try runBundledPipeline("edit", inputs: [source], settings: [
            "output": .string(target), "model": .string(folder), "attribute": .string(attribute.name), "amount": .double(amount),
            "bars": .int(try modelBars(folder)), "track": .string(chosen), "keep_tune": .bool(keepTune),
            "direction": .string(direction.rawValue), "check": .bool(check)], statusToStandardError: toStdout, precision: model.precision.checked())
        if let wav { try runBundledPipeline("render", inputs: [target], settings: ["output": .string(wav)], statusToStandardError: toStdout) }
        try streams.finish(output, written: target)
    }
}

/// `musicvae interpolate A.mid B.mid --steps N -o DIR`: runs Pipelines/interpolate.yaml.
struct InterpolateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interpolate",
        abstract: "Interpolate from one melody to another in latent space: DIR/01.mid ... DIR/NN.mid and DIR/all/concatenated.mid.",
        discussion: "Runs Pipelines/interpolate.yaml on the first 2-bar window of each input (--window picks another); slerp as in the paper.")

    @Argument(help: "Start melody (MIDI).")
    var a: String

    @Argument(help: "End melody (MIDI).")
    var b: String

    @Option(help: "Steps from A to B, both included.")
    var steps: Int = 5

    @Option(help: "slerp (along the sphere, as the paper) or lerp (a straight line).")
    var method: Latent.Interpolation = .slerp

    @Option(help: "Which window of each input (1 = bars 1-2, 2 = bars 3-4, ... for a 2-bar model).")
    var window: Int = 1

    @Option(name: .shortAndLong, help: "Output folder.")
    var output: String

    @Flag(help: "Also render every step (and the concatenation) to WAV.")
    var wav = false

    @Option(help: ArgumentHelp("""
        Which track of each input: auto (the melody, found as edit finds it; the drums with a drum model), drums (the \
        drum track, by the drum model), a track name, 0-based indices, or all (every melodic track: --window then \
        counts each window's tracks in turn).
        """, valueName: "auto|drums|NAME|INDEX|all"))
    var track: String = "auto"

    @OptionGroup var model: ModelOption

    func validate() throws {
        try checkOption("--steps", .int(steps), stage: "interpolate", parameter: "steps")
        try checkOption("--window", .int(window), stage: "interpolate", parameter: "window")
    }

    func run() throws {
        // The files this writes: one per step (01.mid ...), the concatenation, and their WAVs.
        let names = (1...max(1, steps)).map { LatentCode.numberedName($0, of: steps) }
        var outputs = names.map { "\(output)/\($0).mid" } + ["\(output)/all/concatenated.mid"]
        if wav { outputs += outputs.map { ($0 as NSString).deletingPathExtension + ".wav" } }
        try checkDistinctOutputs(inputs: [a, b], outputs: outputs)
        let folder = try model.folder()
        let written = try runBundledPipeline("interpolate", inputs: [a, b], settings: [
            "output": .string(output), "model": .string(folder), "steps": .int(steps), "method": .string(method.rawValue), "window": .int(window),
            "bars": .int(try modelBars(folder)), "track": .string(try trackChoice(track, model: folder))], precision: model.precision.checked())
        if wav {
            // Exactly the MIDI files this run wrote, each to the WAV beside it (checked above); never other files
            // that happen to lie in the output folder.
            for midi in written where midi.hasSuffix(".mid") {
                try runBundledPipeline("render", inputs: [midi], settings: ["output": .string((midi as NSString).deletingPathExtension + ".wav")])
            }
        }
    }
}

/// An attribute name: one of `LineEncoding.allAttributeNames` (listed in `--help`).
struct AttributeName: ExpressibleByArgument {
    let name: String
    init?(argument: String) {
        guard LineEncoding.allAttributeNames.contains(argument) else { return nil }
        name = argument
    }
    static var allValueStrings: [String] { LineEncoding.allAttributeNames }
}

extension Latent.Interpolation: ExpressibleByArgument {}
extension AttributeVectors.Direction: ExpressibleByArgument {}

/// The `track` value for a bundled pipeline (`ModelSettings.track`).
func trackChoice(_ track: String, model folder: String) throws -> String {
    ModelSettings.track(track, model: folder)
}

/// Bars per window of the model in `folder` (`ModelSettings.bars`).
func modelBars(_ folder: String) throws -> Int {
    do { return try ModelSettings.bars(model: folder) } catch { throw CLIError("\(folder): \(error)") }
}
