import Foundation
import MusicVAE
import NeuralNet
import NoteSequences

/// `similar`: variations of each code, z' = s z + (1 - s) noise.
enum Similar {
    static let definition = StageDefinition(
        name: "similar",
        summary: "n variations of each code: s * z + (1 - s) * noise, noise from N(0, I)",
        parameters: [
            ParameterSpec("n", .int, default: .int(4), range: 1...1000, doc: "variations per code"),
            ParameterSpec("similarity", .double, default: .double(0.8), range: 0...1, doc: "how much of the code to keep"),
            ParameterSpec("seed", .int, default: .int(0), range: 0...1e15, doc: "seed of the noise"),
        ],
        stage: { p in Body(n: p.int("n"), similarity: Float(p.double("similarity")), seed: UInt64(p.int("seed"))) })

    struct Body: Stage {
        let n: Int
        let similarity: Float
        let seed: UInt64

        /// Variation k of every window goes to piece "NAME-variation-k", which join-bars puts back together; a
        /// window passed through unencoded goes into every variation as it is, so each variation is the whole piece.
        func process(_ c: LatentCode, drops: inout DropCounts) throws -> [LatentCode] {
            (0..<n).map { k in
                var w = c.window
                let name = (w.window.piece.sequence.source.map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension } ?? "code")
                // Renamed, not edited: the piece keeps its unquantized original, so joining takes every note the
                // model does not replace (other tracks, windows extract-melody dropped) tick for tick.
                w.window.piece.rename(source: name + "-variation-\(k + 1)")
                guard let z = c.z else { return LatentCode(z: nil, window: w, label: c.label, model: c.model) }
                var rng = SeededGenerator(seed: seed ^ UInt64(k &* 1_000_003 &+ c.window.window.index))
                let noise = z.map { _ in rng.nextNormal() }
                return LatentCode(z: Latent.similar(z, similarity: similarity, noise: noise), window: w, label: "variation \(k + 1)", model: c.model)
            }
        }
    }
}
