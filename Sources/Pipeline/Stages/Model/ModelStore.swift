import Foundation
import MusicVAE

/// Loaded models, shared by every stage of a run that names the same folder (a model is loaded once).
enum ModelStore {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var models: [String: MusicVAEModel] = [:]

    /// The folder a `model` parameter names: the given path, or the default model under `$MUSICVAE_HOME/Models`.
    static func folder(_ parameter: String, default name: String = "mel_2bar_small") throws -> String {
        if !parameter.isEmpty { return parameter }
        guard let home = ProcessInfo.processInfo.environment["MUSICVAE_HOME"] else {
            throw MusicVAEError.invalidInput("no model given and no default model (set MUSICVAE_HOME or pass model: DIR)")
        }
        return home + "/Models/" + name
    }

    /// The model in `folder`, loaded on first use.
    static func model(_ folder: String) throws -> MusicVAEModel {
        let key = URL(fileURLWithPath: folder).standardizedFileURL.path
        lock.lock()
        defer { lock.unlock() }
        if let m = models[key] { return m }
        guard FileManager.default.fileExists(atPath: key + "/weights_manifest.json") else {
            throw MusicVAEError.invalidInput("\(folder) is not a model folder (no weights_manifest.json)")
        }
        let m = try MusicVAEModel.load(from: URL(fileURLWithPath: key))
        models[key] = m
        return m
    }

    /// The model named by a stage's `model` parameter.
    static func model(parameter: String) throws -> (MusicVAEModel, String) {
        let f = try folder(parameter)
        return (try model(f), f)
    }

    /// A parameter for the model folder, shared by the model stages.
    static let parameter = ParameterSpec("model", .string, default: .string(""),
                                         doc: "model folder; empty: the default model Models/mel_2bar_small")
}
