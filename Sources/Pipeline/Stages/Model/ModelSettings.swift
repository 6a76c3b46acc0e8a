import Foundation
import MusicVAE
import NoteSequences

/// The variables the bundled pipelines take from a model folder (the command-line tool and the explorer set them
/// the same way).
public enum ModelSettings {
    /// The `track` value for a model: `auto` and `all` mean the drums when the model is a drum model.
    public static func track(_ track: String, model folder: String) -> String {
        guard track == "auto" || track == "all" else { return track }
        return Self.track(track, modelEncoding: ModelStore.config(of: folder)?.lineEncoding)
    }

    /// The same for a model whose encoding is known (nil: unknown, taken as a melody model).
    public static func track(_ track: String, modelEncoding: LineEncoding?) -> String {
        (track == "auto" || track == "all") && modelEncoding == .drums ? "drums" : track
    }

    /// Whether `folder` holds a model (its weights_manifest.json), found without reading the weights.
    public static func isModelFolder(_ folder: String) -> Bool {
        FileManager.default.fileExists(atPath: folder + "/weights_manifest.json")
    }

    /// "DIR is not a model folder (no weights_manifest.json)".
    public static func notAModelFolder(_ folder: String) -> String { "\(folder) is not a model folder (no weights_manifest.json)" }

    /// Throws unless `folder` holds a model (`isModelFolder`).
    public static func checkModelFolder(_ folder: String) throws {
        guard isModelFolder(folder) else { throw MusicVAEError.invalidInput(notAModelFolder(folder)) }
    }

    /// Bars per window of the model in `folder` (its steps / 16), from config.json, or from the weights for a
    /// checkpoint without our configuration.
    public static func bars(model folder: String) throws -> Int {
        let url = URL(fileURLWithPath: folder)
        if let config = try MusicVAEModel.storedConfig(in: url) { return max(1, config.numSteps / 16) }
        return max(1, try MusicVAEModel.load(from: url).config.numSteps / 16)
    }
}

extension ModelSettings {
    /// The models a model stage naming `folder` uses (the model, then its family beside it: other meters, the
    /// drums), with their encoding: what the explorer lists and checks attribute names against.
    public static func family(of folder: String) -> [(folder: String, encoding: LineEncoding)] {
        ModelStore.family(of: folder).map { ($0.folder, $0.config.lineEncoding) }
    }

    /// The model folder a stage's `model` parameter names ("" is the default model under `context.home`).
    public static func folder(_ parameter: String, context: PipelineContext) throws -> String {
        try ModelStore.folder(parameter, context: context)
    }
}
