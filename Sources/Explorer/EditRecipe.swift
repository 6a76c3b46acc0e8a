import Foundation
import Pipeline

/// One state of the explorer's sliders: how far to move along each attribute, which tracks, and whether to
/// keep the tune. It becomes a pipeline file (the bundled edit.yaml with one `attribute` stage per moved slider),
/// which the explorer runs in memory and "save as pipeline" writes out, so a saved file does exactly what was heard.
public struct EditRecipe: Sendable, Hashable {
    /// One slider: an attribute and how many times its vector to add.
    public struct Shift: Sendable, Hashable {
        /// Attribute name ("note_density").
        public var attribute: String
        /// How far (negative: the other way).
        public var amount: Double
        /// A shift.
        public init(attribute: String, amount: Double) {
            self.attribute = attribute
            self.amount = amount
        }
    }

    /// The moved sliders, in the order they are applied (sliders at 0 are left out).
    public var shifts: [Shift]
    /// Which tracks are edited (edit.yaml's `track`: auto, drums, a name, indices, first, all).
    public var track: String
    /// Move each decoded window back to the key and register of its input window.
    public var keepTune: Bool

    /// A recipe; shifts of amount 0 are dropped.
    public init(shifts: [Shift], track: String = "auto", keepTune: Bool = true) {
        self.shifts = shifts.filter { $0.amount != 0 }
        self.track = track
        self.keepTune = keepTune
    }

    /// `base` (edit.yaml) with its one `attribute` stage replaced by one per shift (none: a plain reconstruction
    /// of the chosen tracks), the recipe's track and keep_tune set as the file's variables, and `model` as the
    /// model variable when given.
    public func pipeline(from base: PipelineFile, model: String?) throws -> PipelineFile {
        guard let k = base.stages.firstIndex(where: { $0.kind == "attribute" }) else {
            throw ExplorerError.server("\(base.path) has no attribute stage")
        }
        var file = base
        let template = base.stages[k]
        file.stages.replaceSubrange(k...k, with: shifts.map { shift in
            var stage = template
            stage.parameters = stage.parameters.map { p in
                var p = p
                switch p.name {
                case "name": p.text = shift.attribute
                case "amount": p.text = ParameterSpec.format(shift.amount)
                default: break
                }
                return p
            }
            return stage
        })
        func set(_ name: String, _ value: String) {
            let at = file.variables[name]?.location ?? SourceLocation(file: file.path, line: 1, column: 1)
            file.variables[name] = (value, at)
        }
        set("track", track)
        set("keep_tune", keepTune ? "true" : "false")
        if let model { set("model", model) }
        // The attribute and amount variables now live in the stages.
        file.variables["attribute"] = nil
        file.variables["amount"] = nil
        return file
    }

    /// The comment lines of a saved pipeline.
    var comments: [String] {
        let moves = shifts.isEmpty ? "no attribute moved (a reconstruction)"
            : shifts.map { "\($0.attribute) \($0.amount >= 0 ? "+" : "")\(ParameterSpec.format($0.amount))" }.joined(separator: ", ")
        return ["Saved from musicvae serve: \(moves); track \(track); keep_tune \(keepTune).",
                "",
                "  musicvae run THIS.yaml IN.mid --set output=OUT.mid"]
    }
}
