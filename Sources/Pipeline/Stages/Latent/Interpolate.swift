import Foundation
import MusicVAE
import NeuralNet

/// `interpolate`: codes between a start and an end code (slerp by default), the endpoints the inputs' own codes.
/// Each step gets a piece of its own named by its number ("01" ... "05"), so they can be written one file each.
enum Interpolate {
    static let definition = StageDefinition(
        name: "interpolate",
        summary: "n codes from the start code to the end code (from: [start, end]); endpoints are the inputs' codes",
        accepts: [LatentCode.typeName], output: .fixed(LatentCode.typeName),
        parameters: [
            ParameterSpec("steps", .int, default: .int(5), range: 2...1000, doc: "codes from start to end, both included"),
            ParameterSpec("method", .choice(Latent.Interpolation.allCases.map(\.rawValue)), default: .string("slerp"),
                          doc: "slerp (along the sphere, as the paper) or lerp (straight line)"),
            ParameterSpec("window", .int, default: .int(1), range: 1...100_000, doc: "which encoded window of each input to use (1 = the first)"),
        ],
        ports: .named(["start", "end"]),
        make: { p in
            let steps = p.int("steps")
            let method = Latent.Interpolation(rawValue: p.string("method")) ?? .slerp
            let which = p.int("window") - 1
            return StageNode.join(name: "interpolate", accepts: [LatentCode.typeName], output: .fixed(LatentCode.typeName)) { ports, drops in
                let ends = ports.map { port in port.compactMap { $0 as? LatentCode }.filter { $0.z != nil } }
                guard ends.count == 2, ends[0].count > which, ends[1].count > which else {
                    drops.add("an input has no encodable window \(which + 1)")
                    return []
                }
                let (a, b) = (ends[0][which], ends[1][which])
                guard a.z!.count == b.z!.count, a.model == b.model, a.window.encoding == b.window.encoding else {
                    throw PipelineError.inputFailed(path: "interpolate", reason: "the two windows are in different latent spaces ("
                        + [a, b].map { c in "\(c.window.encoding == .drums ? "drums" : c.window.window.timeSignature.description), model \(c.model ?? "of the stage")" }.joined(separator: " vs ") + ")")
                }
                let width = max(2, String(steps).count)
                return Latent.interpolate(a.z!, b.z!, steps: steps, method: method).enumerated().map { i, z -> any PipelineValue in
                    let name = String(repeating: "0", count: max(0, width - String(i + 1).count)) + String(i + 1)
                    var w = LatentCode.freshWindow(steps: a.window.events.count, name: name, encoding: a.window.encoding)
                    // Keep the start's tempo, meter and instrument so the steps sound like the input.
                    w.window.piece.sequence.tempos = a.window.window.piece.sequence.tempos
                    w.program = a.window.program
                    w.channel = a.window.channel
                    return LatentCode(z: z, window: w, label: "step \(i + 1) of \(steps)", model: a.model)
                }
            }
        })
}

/// `similar`: variations of each code, z' = s z + (1 - s) noise.
enum Similar {
    static let definition = StageDefinition(
        name: "similar",
        summary: "n variations of each code: s * z + (1 - s) * noise, noise from N(0, I)",
        accepts: [LatentCode.typeName], output: .fixed(LatentCode.typeName),
        parameters: [
            ParameterSpec("n", .int, default: .int(4), range: 1...1000, doc: "variations per code"),
            ParameterSpec("similarity", .double, default: .double(0.8), range: 0...1, doc: "how much of the code to keep"),
            ParameterSpec("seed", .int, default: .int(0), range: 0...1e15, doc: "seed of the noise"),
        ],
        make: { p in
            let n = p.int("n"), s = Float(p.double("similarity")), seed = UInt64(p.int("seed"))
            return StageNode(name: "similar", accepts: [LatentCode.typeName], output: .fixed(LatentCode.typeName)) { inputs, _ in
                var out: [any PipelineValue] = []
                for case let c as LatentCode in inputs {
                    guard let z = c.z else { out.append(c); continue }
                    for k in 0..<n {
                        var rng = SeededGenerator(seed: seed ^ UInt64(k &* 1_000_003 &+ c.window.window.index))
                        let noise = z.map { _ in rng.nextNormal() }
                        var w = c.window
                        let name = (w.window.piece.sequence.source.map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension } ?? "code")
                        w.window.piece.sequence.source = name + "-variation-\(k + 1)"
                        out.append(LatentCode(z: Latent.similar(z, similarity: s, noise: noise), window: w, label: "variation \(k + 1)", model: c.model))
                    }
                }
                return out
            }
        })
}

/// `attribute`: z' = z + amount * v for a named attribute vector of the model.
enum AttributeShift {
    static let definition = StageDefinition(
        name: "attribute",
        summary: "add amount times an attribute vector of the model (note_density: more notes; negative: fewer)",
        accepts: [LatentCode.typeName], output: .fixed(LatentCode.typeName),
        parameters: [
            ModelStore.parameter,
            ParameterSpec("name", .choice(["note_density", "average_interval", "pitch_range", "syncopation_16th", "syncopation_8th", "diatonic"]),
                          doc: "the attribute vector to add"),
            ParameterSpec("amount", .double, default: .double(1), range: -10...10, doc: "how many times the vector to add"),
            ParameterSpec("isolate", .bool, default: .bool(false),
                          doc: "remove from the vector its components along the model's other attribute vectors (where those are nearly parallel, as quartile vectors of correlated attributes are, little of the edit is left)"),
        ],
        make: { p in
            let folder = try ModelStore.folder(p.string("model"))
            let name = p.string("name"), isolate = p.bool("isolate")
            let amount = Float(p.double("amount"))
            /// The vector of `name` in a model folder's attributes.json (isolated from the others when asked).
            func vector(_ folder: String) throws -> [Float] {
                let vectors = try AttributeVectors.load(from: URL(fileURLWithPath: folder))
                guard let raw = vectors.vectors[name] else {
                    throw MusicVAEError.invalidInput("\(folder)/attributes.json has no vector for \(name)")
                }
                return isolate ? Latent.orthogonalized(raw, against: vectors.vectors.filter { $0.key != name }.sorted { $0.key < $1.key }.map(\.value))
                               : raw
            }
            let v = try vector(folder)
            // Members of the model's family (other meters) that have the vector, by folder.
            var others: [String: [Float]] = [:]
            for member in ModelStore.family(of: folder).dropFirst() {
                if let w = try? vector(member.folder) { others[member.folder] = w }
            }
            let familyVectors = others
            return StageNode(name: "attribute", accepts: [LatentCode.typeName], output: .fixed(LatentCode.typeName)) { inputs, drops in
                inputs.compactMap { $0 as? LatentCode }.map { c -> any PipelineValue in
                    guard let z = c.z else { return c }
                    guard let u = c.model.map({ familyVectors[$0] }) ?? v, z.count == u.count else {
                        drops.add("no \(name) vector for \(c.model.map { ($0 as NSString).lastPathComponent } ?? "the model"): window kept")
                        var kept = c
                        kept.z = nil   // decoding gives the window back exactly
                        return kept
                    }
                    var out = c
                    out.z = Latent.add(z, u, amount: amount)
                    return out
                }
            }
        })
}

/// `average`: the mean of every code of one input (mixing them into one).
enum Average {
    static let definition = StageDefinition(
        name: "average",
        summary: "the mean of all codes of one input (a mix); it decodes into the first code's window",
        accepts: [LatentCode.typeName], output: .fixed(LatentCode.typeName),
        make: { _ in
            StageNode(name: "average", accepts: [LatentCode.typeName], output: .fixed(LatentCode.typeName), mode: .group) { inputs, _ in
                let codes = inputs.compactMap { $0 as? LatentCode }.filter { $0.z != nil }
                guard let first = codes.first else { return [] }
                // Codes of one latent space only (a piece's drum codes live in another model's space).
                let same = codes.filter { $0.model == first.model && $0.window.encoding == first.window.encoding }
                return [LatentCode(z: Latent.mean(same.map { $0.z! }), window: first.window, label: "average of \(same.count)", model: first.model)]
            }
        })
}
