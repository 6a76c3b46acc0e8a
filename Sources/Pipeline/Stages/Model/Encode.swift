import Foundation
import MusicVAE
import NeuralNet
import NoteSequences

/// `encode`: melody and drum windows to latent codes (z = mu, or a draw from the posterior with `sample: true`).
///
/// Each window goes to the member of the model's family that takes it (see `ModelStore.family`); a window no
/// member takes passes through as a code without `z`, counted by reason. Weights are read on first use, so
/// planning (and `musicvae check`) reads none.
enum Encode {
    static let definition = StageDefinition(
        name: "encode",
        summary: "encode melody or drum windows into latent codes (mu, or a posterior draw); windows no model takes pass through",
        parameters: [
            ModelStore.parameter,
            ParameterSpec("sample", .bool, default: .bool(false), doc: "draw z = mu + sigma * eps instead of z = mu"),
            ParameterSpec("seed", .int, default: .int(0), range: 0...1e15, doc: "seed of the posterior draws"),
        ],
        group: { p in Body(folder: try ModelStore.checkedFolder(p), sample: p.bool("sample"), seed: UInt64(p.int("seed")),
                           precision: p.context.precision) })

    struct Body: GroupStage {
        let folder: String
        let sample: Bool
        let seed: UInt64
        let precision: InferencePrecision

        func process(group windows: [MelodyWindow], drops: inout DropCounts) throws -> [LatentCode] {
            let model = try ModelStore.model(folder, precision: precision)
            // The model's family: windows of another bar grid or encoding go to the member made for them.
            let family = ModelStore.family(of: folder).dropFirst().map { (folder: $0.folder, config: $0.config) }
            // Which model takes each window: 0 the stage's model, k > 0 family member k - 1, nil none.
            let owner: [Int?] = windows.map { w in
                if ModelStore.takes(model.config, w) { return 0 }
                return family.firstIndex { ModelStore.takes($0.config, w) }.map { $0 + 1 }
            }
            var codes = [[Float]?](repeating: nil, count: windows.count)
            for k in Set(owner.compactMap { $0 }).sorted() {
                let m = k == 0 ? model : try ModelStore.model(family[k - 1].folder, precision: precision)
                let picked = windows.indices.filter { owner[$0] == k }
                let posteriors = try m.encodeInBatches(windows: picked.map { windows[$0].events })
                for (j, i) in picked.enumerated() {
                    var z = posteriors.mu[j]
                    let sigma = posteriors.sigma[j]
                    if sample {
                        var rng = SeededGenerator(seed: seed ^ UInt64(windows[i].window.index &* 7919 &+ windows[i].track))
                        for d in z.indices { z[d] += sigma[d] * rng.nextNormal() }
                    }
                    codes[i] = z
                }
            }
            return windows.indices.map { i in
                let w = windows[i]
                guard let k = owner[i] else {
                    let what = w.encoding == .drums ? "drum" : "\(w.window.timeSignature)"
                    drops.add("passed through unencoded: \(what) windows of \(w.events.count) steps, "
                              + "no model for them (the model takes \(Encode.describe(model.config))"
                              + family.map { ", \(($0.folder as NSString).lastPathComponent) \(Encode.describe($0.config))" }.joined() + ")")
                    return LatentCode(z: nil, window: w)
                }
                var code = LatentCode(z: codes[i], window: w, label: "window \(w.window.index + 1)", model: k == 0 ? nil : family[k - 1].folder)
                code.encoded = codes[i]
                return code
            }
        }
    }

    /// What a model takes, for messages: "32 steps" or "32-step drums".
    static func describe(_ c: MusicVAEConfig) -> String {
        c.lineEncoding == .drums ? "\(c.numSteps)-step drums" : "\(c.numSteps) steps"
    }
}
