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
            let (model, _) = try ModelStore.model(parameter: p.string("model"))
            let sample = p.bool("sample")
            let seed = UInt64(p.int("seed"))
            return StageNode(name: "encode", accepts: [MelodyWindow.typeName], output: .fixed(LatentCode.typeName)) { inputs, drops in
                let windows = inputs.compactMap { $0 as? MelodyWindow }
                let steps = model.config.numSteps
                let fit = windows.filter { $0.events.count == steps }
                var codes: [[Float]] = []
                if !fit.isEmpty {
                    let (mu, sigma) = try model.encode(windows: fit.map(\.events))
                    codes = mu
                    if sample {
                        for i in codes.indices {
                            var rng = SeededGenerator(seed: seed ^ UInt64(fit[i].window.index &* 7919 &+ fit[i].track))
                            for d in codes[i].indices { codes[i][d] += sigma[i][d] * rng.nextNormal() }
                        }
                    }
                }
                var next = 0
                return windows.map { w -> any PipelineValue in
                    guard w.events.count == steps else {
                        drops.add("passed through unencoded: \(w.window.timeSignature) windows of \(w.events.count) steps, the model takes \(steps)")
                        return LatentCode(z: nil, window: w)
                    }
                    defer { next += 1 }
                    return LatentCode(z: codes[next], window: w, label: "window \(w.window.index + 1)")
                }
            }
        })
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
                let encoded = codes.filter { $0.z != nil }
                let decoded = encoded.isEmpty ? [] : try model.decode(z: encoded.map { $0.z! }, temperature: temperature > 0 ? Float(temperature) : nil,
                                                                       seed: seed)
                var next = 0
                return codes.map { c -> any PipelineValue in
                    guard c.z != nil else { return c.window }
                    defer { next += 1 }
                    var w = c.window
                    w.events = decoded[next]
                    w.velocities = []
                    w.generated = true
                    return keepTune ? w.keepingTune(of: c.window) : w
                }
            }
        })
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
                    return LatentCode(z: z, window: LatentCode.freshWindow(steps: model.config.numSteps, name: "sample-" + name),
                                      label: "sample \(i)")
                }
            }
        })
}
