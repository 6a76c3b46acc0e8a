import Foundation
import MusicVAE
import NoteSequences

extension PipelinePlan {
    /// The model folders the plan's model stages use, resolved as the stages resolve them: each stage's own
    /// folder, then the members of its family that take the windows it does not (`ModelStore.family`, e.g.
    /// `Models/mel_2bar_triple` for the 3/4 windows of a run on `Models/mel_2bar_small`). What a report on the
    /// run must measure with, so its latent distances are in the space of the model that coded each window.
    public var modelFolders: [String] {
        var out: [String] = []
        for s in stages where s.parameters.values["model"] != nil {
            guard let f = try? ModelStore.folder(s.parameters.string("model"), context: s.parameters.context) else { continue }
            let family = ModelStore.family(of: f).map(\.folder)
            for member in family.isEmpty ? [f] : family where !out.contains(member) { out.append(member) }
        }
        return out
    }
}

/// Loaded models, shared by every stage of a run that names the same folder (a model is loaded once).
enum ModelStore {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var models: [String: MusicVAEModel] = [:]

    /// The folder a `model` parameter names: the given path, or the default model under the context's
    /// `home/Models`.
    static func folder(_ parameter: String, context: PipelineContext, default name: String = "mel_2bar_small") throws -> String {
        if !parameter.isEmpty { return parameter }
        guard let home = context.home else {
            throw MusicVAEError.invalidInput("no model given and no default model (no installation folder with Models/ is known; pass model: DIR)")
        }
        return home + "/Models/" + name
    }

    /// The model in `folder`, loaded on first use, set to run in `precision` (copies share the loaded weights).
    static func model(_ folder: String, precision: InferencePrecision) throws -> MusicVAEModel {
        var m = try model(folder)
        m.precision = precision
        return m
    }

    /// The model in `folder`, loaded on first use.
    static func model(_ folder: String) throws -> MusicVAEModel {
        let key = URL(fileURLWithPath: folder).standardizedFileURL.path
        lock.lock()
        defer { lock.unlock() }
        if let m = models[key] { return m }
        try ModelSettings.checkModelFolder(folder)
        let m = try MusicVAEModel.load(from: URL(fileURLWithPath: key))
        models[key] = m
        return m
    }

    /// The folder named by a stage's `model` parameter, checked to be a model folder without reading its weights
    /// (planning and `musicvae check` read none; the model stages load them on first use).
    static func checkedFolder(_ p: StageParameters) throws -> String {
        let f = try folder(p.string("model"), context: p.context)
        try ModelSettings.checkModelFolder(f)
        _ = try MusicVAEModel.storedConfig(in: URL(fileURLWithPath: f))   // a malformed config.json is an error now
        return f
    }

    /// The folders whose weights were read in this process (tests check that planning reads none).
    static var loadedFolders: Set<String> {
        lock.lock()
        defer { lock.unlock() }
        return Set(models.keys)
    }

    /// The Swift configuration in `folder/config.json` (nil when absent or unreadable), without loading weights.
    static func config(of folder: String) -> MusicVAEConfig? {
        (try? MusicVAEModel.storedConfig(in: URL(fileURLWithPath: folder))) ?? nil
    }

    /// The family of the model in `folder`: the model itself first, then the models beside it (sibling folders
    /// of the same parent) with as many bars per window but another bar grid or another encoding, e.g.
    /// `Models/mel_2bar_triple` (3/4 and 6/8, 12 steps a bar) and `Models/drums_2bar_small` (drum patterns) beside
    /// `Models/mel_2bar_small` (melodies, 16 steps a bar). Each window goes to the member that `takes` it.
    static func family(of folder: String) -> [(folder: String, config: MusicVAEConfig)] {
        guard let main = config(of: folder) else { return [] }
        var members = [(folder, main)]
        let url = URL(fileURLWithPath: folder).standardizedFileURL
        let parent = url.deletingLastPathComponent()
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []).sorted()
        for name in names where name != url.lastPathComponent {
            let sibling = parent.appendingPathComponent(name).path
            guard let c = config(of: sibling), c.bars == main.bars,
                  !members.contains(where: { $0.1.stepsPerBar == c.stepsPerBar && $0.1.lineEncoding == c.lineEncoding }) else { continue }
            members.append((sibling, c))
        }
        return members
    }

    /// Whether a model of `config` reads `window`: its encoding, its steps and its bar grid.
    static func takes(_ config: MusicVAEConfig, _ window: MelodyWindow) -> Bool {
        config.lineEncoding == window.encoding && config.numSteps == window.events.count && config.stepsPerBar == window.window.stepsPerBar
    }

    /// A parameter for the model folder, shared by the model stages.
    static let parameter = ParameterSpec("model", .string, default: .string(""),
                                         doc: "model folder; empty: the default model Models/mel_2bar_small")
}
