import Foundation
import MIDIFiles
import MusicVAE
import NoteSequences
import Pipeline
import Render

/// What the explorer does with MIDI in memory: the bundled pipelines (edit, interpolate, grid, sample) run with
/// `PipelineRunner.runInMemory`, piano rolls and FluidSynth renders. Every method is synchronous and safe to call
/// from several threads at once: plans are shared read-only, models are loaded once, synthesizers are pooled.
/// Nothing here reads or writes a path a request names; the files it reads (pipelines, models, examples, the
/// soundfont) are the installation's, named at start.
public final class ExplorerEngine: @unchecked Sendable {
    /// The settings it was made with.
    public let settings: ExplorerSettings
    /// The model folder (resolved).
    public let model: String
    /// Attribute names per line encoding: the melody model's and its drum sibling's.
    public let attributes: [LineEncoding: [String]]
    /// The drum model beside the melody model, if any.
    public let drumModel: String?
    /// Bars per window of the model.
    public let bars: Int
    /// The model's encoding (melody or drums), read once: it decides what `track: auto` means.
    let encoding: LineEncoding
    let pipelines: [String: PipelineFile]
    let synths: SynthesizerPool
    /// Plans by pipeline and settings (a slider state, say).
    private let plans = BoundedCache<String, PipelinePlan>(capacity: 512)
    /// Renders by the MIDI bytes they came from.
    private let audio = BoundedCache<Data, [UInt8]>(capacity: 64)
    /// A piece's codes by its bytes and the tracks chosen: moving a slider on an open piece only decodes.
    private let codes = BoundedCache<CodesKey, [any PipelineValue]>(capacity: 64)

    /// Loads what every request needs: the bundled pipelines, the model's configuration and attribute vectors,
    /// the soundfont (checked; synthesizers are made on first render).
    public init(settings: ExplorerSettings) throws {
        self.settings = settings
        model = try ModelSettings.folder(settings.model ?? "", context: settings.context)
        bars = try ModelSettings.bars(model: model)
        encoding = ModelSettings.family(of: model).first?.encoding ?? .melody
        var files: [String: PipelineFile] = [:]
        for name in ["edit", "interpolate", "grid", "sample"] {
            files[name] = try PipelineFile(path: settings.pipelines + "/\(name).yaml")
        }
        pipelines = files
        var names: [LineEncoding: [String]] = [:]
        var drums: String?
        for member in ModelSettings.family(of: model) where names[member.encoding] == nil {
            guard let vectors = try? AttributeVectors.load(from: URL(fileURLWithPath: member.folder)) else { continue }
            names[member.encoding] = vectors.vectors.keys.sorted()
            if member.encoding == .drums { drums = member.folder }
        }
        attributes = names
        drumModel = drums
        let soundFont = try SoundFonts.locate(explicit: settings.soundFont, projectFolder: settings.context.soundFontFolder,
                                              session: settings.context.soundFont)
        var options = RenderOptions()
        options.maxTail = 1.0
        synths = SynthesizerPool(soundFont: soundFont, options: options)
    }

    // MARK: - Requests

    /// An edited piece: its MIDI bytes and how many notes it has.
    public struct Edited: Sendable {
        /// The Standard MIDI File.
        public var midi: [UInt8]
        /// Notes in it (all tracks).
        public var notes: Int
    }

    /// The edited piece: `recipe` run on `midi` (a Standard MIDI File). The codes of a piece are kept (by its bytes
    /// and tracks): moving a slider on the same piece decodes again without encoding it again, which is most of the
    /// work.
    public func edit(_ midi: [UInt8], recipe: EditRecipe) throws -> Edited {
        let track = ModelSettings.track(recipe.track, modelEncoding: encoding)
        let known = attributes[track == "drums" ? .drums : .melody] ?? []
        for shift in recipe.shifts where !known.contains(shift.attribute) {
            throw ExplorerError.unknownAttribute(shift.attribute, known: known)
        }
        let plan = try plan(for: recipe)
        let runner = PipelineRunner(plan: plan, threads: 1)
        guard let encodeStage = plan.stages.firstIndex(where: { $0.label == "encode" }), let source = plan.sourceStages.first else {
            throw ExplorerError.server("the edit pipeline has no encode stage")
        }
        let key = CodesKey(midi: Data(midi), track: recipe.track)
        let out: [[any PipelineValue]]
        if let kept = codes[key] {
            out = try Self.run { try runner.runInMemory(given: [encodeStage: kept], wanted: runner.writerInputs, name: "upload") }
        } else {
            let sequences = try Self.sequences(midi, field: "body")
            let all = try Self.run { try runner.runInMemory(given: [source: sequences], wanted: [encodeStage] + runner.writerInputs, name: "upload") }
            codes.keep(all[0], for: key)
            out = Array(all.dropFirst())
        }
        guard let edited = (out.first?.first as? any ScoreValue)?.score else {
            throw ExplorerError.nothingToEdit("the piece has no track the model can take")
        }
        return Edited(midi: try edited.midiFile().bytes(), notes: edited.notes.count)
    }

    /// What a piece's codes are kept under: its bytes and the tracks chosen.
    struct CodesKey: Hashable {
        let midi: Data
        let track: String
    }

    /// The pipeline file that reproduces `recipe` with `musicvae run` (YAML).
    public func pipelineYAML(_ recipe: EditRecipe) throws -> String {
        var file = try recipe.pipeline(from: pipelines["edit"]!, model: settings.model)
        file.variables["bars"] = (String(bars), file.variables["bars"]?.location ?? SourceLocation(file: file.path, line: 1, column: 1))
        return try file.yaml(comments: recipe.comments)
    }

    /// Steps from `a` to `b` (each a MIDI file; their first window), as MIDI bytes, A's reconstruction first.
    public func interpolate(_ a: [UInt8], _ b: [UInt8], steps: Int, track: String) throws -> [[UInt8]] {
        let inputs = [try Self.sequences(a, field: "a"), try Self.sequences(b, field: "b")]
        let plan = try cachedPlan("interpolate|\(steps)|\(track)") {
            try self.plan(self.pipelines["interpolate"]!, ["steps": .int(steps), "track": .string(ModelSettings.track(track, modelEncoding: self.encoding))])
        }
        return try pieces(try Self.run(plan, inputs, name: "interpolation").first ?? [],
                          missing: "a piece has no 2-bar window in 4/4 the model can take")
    }

    /// A `steps` × `steps` grid between four pieces (their first windows), row by row, as MIDI bytes.
    public func grid(_ corners: [[UInt8]], steps: Int, track: String) throws -> [[UInt8]] {
        let names = ExplorerAPI.gridFields
        let inputs = try zip(corners, names).map { try Self.sequences($0, field: $1) }
        let plan = try cachedPlan("grid|\(steps)|\(track)") {
            try self.plan(self.pipelines["grid"]!, ["steps": .int(steps), "track": .string(ModelSettings.track(track, modelEncoding: self.encoding))])
        }
        return try pieces(try Self.run(plan, inputs, name: "grid").first ?? [],
                          missing: "a piece has no 2-bar window in 4/4 the model can take")
    }

    /// `count` new pieces from the prior (the drum model's for `drums`), as MIDI bytes.
    public func sample(count: Int, temperature: Double, seed: Int, drums: Bool) throws -> [[UInt8]] {
        let folder = drums ? drumModel : model
        guard let folder else { throw ExplorerError.badChoice(parameter: "kind", value: "drums", choices: ["melody"]) }
        let plan = try cachedPlan("sample|\(count)|\(temperature)|\(seed)|\(folder)") {
            try self.plan(self.pipelines["sample"]!, ["n": .int(count), "temperature": .double(temperature), "seed": .int(seed), "model": .string(folder)])
        }
        return try pieces(try Self.run(plan, [], name: "sample").first ?? [], missing: "nothing sampled")
    }

    /// The piece rendered by FluidSynth, as WAV bytes (16-bit stereo, 44.1 kHz); renders are cached by MIDI bytes.
    public func render(_ midi: [UInt8]) throws -> [UInt8] {
        try audio.value(for: Data(midi)) {
            let sequence = try Self.merged(midi)
            do {
                return try AudioFile.wavBytes(try synths.render(sequence), format: .pcm16)
            } catch let e as RenderError {
                // The piece's own problem (422), not the server's.
                if case .tooLong = e { throw ExplorerError.nothingToEdit(e.description) }
                throw ExplorerError.server("rendering failed: \(e)")
            } catch {
                throw ExplorerError.server("rendering failed: \(error)")
            }
        }
    }

    /// The piece's piano roll as SVG (as `musicvae pianoroll` draws it).
    public func pianoRoll(_ midi: [UInt8], title: String) throws -> String {
        PianoRoll().svg([(title: title, sequence: try Self.merged(midi))])
    }

    // MARK: - Plans

    /// The edit plan for a recipe (planned once per recipe, then shared).
    func plan(for recipe: EditRecipe) throws -> PipelinePlan {
        let key = "edit|" + recipe.shifts.map { "\($0.attribute)=\($0.amount)" }.joined(separator: ",") + "|\(recipe.track)|\(recipe.keepTune)"
        return try cachedPlan(key) {
            let file = try recipe.pipeline(from: self.pipelines["edit"]!, model: nil)
            return try self.plan(file, ["track": .string(ModelSettings.track(recipe.track, modelEncoding: self.encoding))])
        }
    }

    private func cachedPlan(_ key: String, _ make: () throws -> PipelinePlan) throws -> PipelinePlan {
        try plans.value(for: key, make)
    }

    /// A bundled pipeline planned for memory: inputs and outputs are never listed or written, the model is ours.
    private func plan(_ file: PipelineFile, _ settings: [String: ParameterValue]) throws -> PipelinePlan {
        var all = settings
        if all["model"] == nil { all["model"] = .string(model) }
        if file.variables["bars"] != nil { all["bars"] = .int(bars) }
        do {
            return try PipelinePlan(file: file, settings: all, listSources: false, loadPlugins: false, context: self.settings.context)
        } catch let e as PipelineError {
            throw ExplorerError.server("\(file.path): \(e)")
        }
    }

    /// Runs a plan in memory; a stage's failure is the piece's problem (422), not the server's.
    static func run(_ plan: PipelinePlan, _ inputs: [[any PipelineValue]], name: String) throws -> [[any PipelineValue]] {
        try run { try PipelineRunner(plan: plan, threads: 1).runInMemory(inputs, name: name) }
    }

    /// `body`, with a stage's failure turned into the piece's problem (422).
    static func run<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as InputFailure {
            throw ExplorerError.nothingToEdit(failure.message)
        }
    }

    // MARK: - MIDI in and out

    /// The note sequences of a MIDI upload (a format-2 file gives one per track).
    static func sequences(_ midi: [UInt8], field: String) throws -> [NoteSequence] {
        do {
            return NoteSequence.sequences(from: try MIDIFile(bytes: midi), source: field)
        } catch let e as MIDIFileError {
            throw ExplorerError.notMIDI(field: field, reason: e.reason)
        }
    }

    /// One sequence for a whole upload (the first of a format-2 file).
    static func merged(_ midi: [UInt8]) throws -> NoteSequence {
        guard let first = try sequences(midi, field: "body").first else { throw ExplorerError.notMIDI(field: "body", reason: "no tracks") }
        return first
    }

    private func pieces(_ values: [any PipelineValue], missing: String) throws -> [[UInt8]] {
        let sequences = values.compactMap { ($0 as? any ScoreValue)?.score }
        guard !sequences.isEmpty else { throw ExplorerError.nothingToEdit(missing) }
        return try sequences.map { try $0.midiFile().bytes() }
    }
}

/// Where the explorer finds what it needs, and its limits.
public struct ExplorerSettings: Sendable {
    /// The model folder as the user gave it (nil: the default model).
    public var model: String?
    /// The folder of the bundled pipelines (edit.yaml, interpolate.yaml, grid.yaml, sample.yaml).
    public var pipelines: String
    /// The installation (default model, soundfonts).
    public var context: PipelineContext
    /// A soundfont the user chose (nil: the session's, the bundled one, then the system's).
    public var soundFont: String?
    /// Largest upload, in bytes (413 above).
    public var uploadLimit = 4 << 20
    /// Longest time a request may take, in seconds (503 after).
    public var timeLimit = 30.0
    /// Model and render jobs at once.
    public var workers = ProcessInfo.processInfo.activeProcessorCount
    /// Examples the page offers, by name (read at start).
    public var examples: [String: [UInt8]] = [:]

    /// Settings.
    public init(model: String?, pipelines: String, context: PipelineContext, soundFont: String? = nil) {
        self.model = model
        self.pipelines = pipelines
        self.context = context
        self.soundFont = soundFont
    }
}
