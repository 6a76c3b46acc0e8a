import Foundation
import MusicVAE
import NeuralNet
import NoteSequences

/// `encode`: melody windows to latent codes (z = mu, or a draw from the posterior with `sample: true`).
enum Encode {
    static let definition = StageDefinition(
        name: "encode",
        summary: "encode melody windows into latent codes (mu, or a posterior draw); other lengths pass through",
        accepts: [MelodyWindow.typeName], output: .fixed(LatentCode.typeName),
        parameters: [
            ModelStore.parameter,
            ParameterSpec("sample", .bool, default: .bool(false), doc: "draw z = mu + sigma * eps instead of z = mu"),
            ParameterSpec("seed", .int, default: .int(0), range: 0...1e15, doc: "seed of the posterior draws"),
        ],
        make: { p in
            let (model, folder) = try ModelStore.model(parameter: p.string("model"))
            // The model's family (see `ModelStore.family`): windows of another bar grid go to the member made for it.
            let family = ModelStore.family(of: folder).dropFirst().map { (folder: $0.folder, config: $0.config) }
            let sample = p.bool("sample")
            let seed = UInt64(p.int("seed"))
            return StageNode(name: "encode", accepts: [MelodyWindow.typeName], output: .fixed(LatentCode.typeName)) { inputs, drops in
                let windows = inputs.compactMap { $0 as? MelodyWindow }
                // Which model takes each window: 0 the stage's model, k > 0 family member k - 1, nil none.
                let owner: [Int?] = windows.map { w in
                    if ModelStore.takes(model.config, w) { return 0 }
                    return family.firstIndex { ModelStore.takes($0.config, w) }.map { $0 + 1 }
                }
                var codes = [[Float]?](repeating: nil, count: windows.count)
                for k in Set(owner.compactMap { $0 }).sorted() {
                    let m = k == 0 ? model : try ModelStore.model(family[k - 1].folder)
                    let picked = windows.indices.filter { owner[$0] == k }
                    let posteriors = try ModelStore.inBatches(picked.map { windows[$0].events }) { batch, _ in
                        let (mu, sigma) = try m.encode(windows: batch)
                        return Array(zip(mu, sigma))
                    }
                    for (j, i) in picked.enumerated() {
                        var (z, sigma) = posteriors[j]
                        if sample {
                            var rng = SeededGenerator(seed: seed ^ UInt64(windows[i].window.index &* 7919 &+ windows[i].track))
                            for d in z.indices { z[d] += sigma[d] * rng.nextNormal() }
                        }
                        codes[i] = z
                    }
                }
                return windows.indices.map { i -> any PipelineValue in
                    let w = windows[i]
                    guard let k = owner[i] else {
                        let what = w.encoding == .drums ? "drum" : "\(w.window.timeSignature)"
                        drops.add("passed through unencoded: \(what) windows of \(w.events.count) steps, "
                                  + "no model for them (the model takes \(Self.describe(model.config))"
                                  + family.map { ", \(($0.folder as NSString).lastPathComponent) \(Self.describe($0.config))" }.joined() + ")")
                        return LatentCode(z: nil, window: w)
                    }
                    return LatentCode(z: codes[i], window: w, label: "window \(w.window.index + 1)", model: k == 0 ? nil : family[k - 1].folder)
                }
            }
        })
}

extension Encode {
    /// What a model takes, for messages: "32 steps" or "32-step drums".
    static func describe(_ c: MusicVAEConfig) -> String {
        c.lineEncoding == .drums ? "\(c.numSteps)-step drums" : "\(c.numSteps) steps"
    }
}

/// `decode`: latent codes back to melody windows (greedy at temperature 0, else sampled).
enum Decode {
    static let definition = StageDefinition(
        name: "decode",
        summary: "decode latent codes into melody windows (temperature 0: greedy); unencoded windows come back as they were",
        accepts: [LatentCode.typeName], output: .fixed(MelodyWindow.typeName),
        parameters: [
            ModelStore.parameter,
            ParameterSpec("temperature", .double, default: .double(0), range: 0...10, doc: "0: most likely class at each step; higher: more random"),
            ParameterSpec("seed", .int, default: .int(0), range: 0...1e15, doc: "seed of the sampling"),
            ParameterSpec("keep_tune", .bool, default: .bool(false),
                          doc: "move each decoded window by whole semitones to the key and register of the window it was encoded from"),
        ],
        make: { p in
            let (model, _) = try ModelStore.model(parameter: p.string("model"))
            let keepTune = p.bool("keep_tune")
            let temperature = p.double("temperature")
            let seed = UInt64(p.int("seed"))
            return StageNode(name: "decode", accepts: [LatentCode.typeName], output: .fixed(MelodyWindow.typeName)) { inputs, _ in
                let codes = inputs.compactMap { $0 as? LatentCode }
                var decoded = [[Int]?](repeating: nil, count: codes.count)
                // Codes of a family member (another meter) decode with the model they were encoded by.
                for owner in Set(codes.filter { $0.z != nil }.map { $0.model ?? "" }).sorted() {
                    let m = owner.isEmpty ? model : try ModelStore.model(owner)
                    let picked = codes.indices.filter { codes[$0].z != nil && (codes[$0].model ?? "") == owner }
                    // Each batch draws from its own seed, so sampled windows past the first batch are not repeats.
                    let ids = try ModelStore.inBatches(picked.map { codes[$0].z! }) { batch, k in
                        try m.decode(z: batch, temperature: temperature > 0 ? Float(temperature) : nil, seed: seed &+ UInt64(k))
                    }
                    for (j, i) in picked.enumerated() { decoded[i] = ids[j] }
                }
                return codes.indices.map { i -> any PipelineValue in
                    let c = codes[i]
                    guard let events = decoded[i] else { return c.window }
                    var w = c.window
                    w.events = events
                    w.velocities = w.encoding == .drums ? Self.keptVelocities(of: c.window, in: events) : []
                    w.generated = true
                    return keepTune ? w.keepingTune(of: c.window) : w
                }
            }
        })
}

extension Decode {
    /// The velocities of the original drum hits that the decoded pattern still strikes (same drum, same step);
    /// 0 (the default velocity) for new hits.
    static func keptVelocities(of original: MelodyWindow, in events: [Int]) -> [Int] {
        let n = DrumEncoding.drumCount
        guard original.velocities.count == original.events.count * n, original.events.count == events.count else { return [] }
        var v = [Int](repeating: 0, count: events.count * n)
        for (i, c) in events.enumerated() where c != 0 {
            for d in DrumEncoding.drums(inClass: c) where original.events[i] & (1 << d) != 0 { v[i * n + d] = original.velocities[i * n + d] }
        }
        return v
    }
}

/// `sample`: random latent codes from N(0, I), each with a fresh window of its own to decode into.
enum Sample {
    static let definition = StageDefinition(
        name: "sample",
        summary: "draw n latent codes from N(0, I) (starts a pipeline; each code gets a piece of its own)",
        accepts: [InputFile.typeName], output: .fixed(LatentCode.typeName),
        parameters: [
            ModelStore.parameter,
            ParameterSpec("n", .int, default: .int(4), range: 1...10_000, doc: "how many codes"),
            ParameterSpec("seed", .int, default: .int(0), range: 0...1e15, doc: "seed of the draws"),
        ],
        sources: { _ in [InputFile(path: "sample", key: "sample")] },
        make: { p in
            let (model, _) = try ModelStore.model(parameter: p.string("model"))
            let n = p.int("n")
            let seed = UInt64(p.int("seed"))
            return StageNode(name: "sample", accepts: [InputFile.typeName], output: .fixed(LatentCode.typeName)) { _, _ in
                var rng = SeededGenerator(seed: seed)
                let width = String(n).count
                return (1...n).map { i -> any PipelineValue in
                    let z = (0..<model.config.zSize).map { _ in rng.nextNormal() }
                    let name = String(repeating: "0", count: max(0, width - String(i).count)) + String(i)
                    return LatentCode(z: z, window: LatentCode.freshWindow(steps: model.config.numSteps, name: "sample-" + name,
                                                                                    encoding: model.config.lineEncoding),
                                      label: "sample \(i)")
                }
            }
        })
}
