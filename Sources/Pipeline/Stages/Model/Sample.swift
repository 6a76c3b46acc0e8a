import Foundation
import MusicVAE
import NeuralNet
import NoteSequences

/// `sample`: random latent codes from N(0, I), each with a fresh window of its own to decode into (a drum window
/// on channel 10 for a drum model).
enum Sample {
    static let definition = StageDefinition(
        name: "sample",
        summary: "draw n latent codes from N(0, I) (starts a pipeline; each code gets a piece of its own)",
        parameters: [
            ModelStore.parameter,
            ParameterSpec("n", .int, default: .int(4), range: 1...10_000, doc: "how many codes"),
            ParameterSpec("seed", .int, default: .int(0), range: 0...1e15, doc: "seed of the draws"),
        ],
        sources: { _ in [InputFile(path: "sample", key: "sample")] },
        stage: { p in Body(folder: try ModelStore.checkedFolder(p), n: p.int("n"), seed: UInt64(p.int("seed"))) })

    struct Body: Stage {
        let folder: String
        let n: Int
        let seed: UInt64

        func process(_ input: InputFile, drops: inout DropCounts) throws -> [LatentCode] {
            let config = try ModelStore.model(folder).config
            var rng = SeededGenerator(seed: seed)
            return (1...n).map { i in
                let z = (0..<config.zSize).map { _ in rng.nextNormal() }
                let name = LatentCode.numberedName(i, of: n, minimumWidth: 1)
                return LatentCode(z: z, window: LatentCode.freshWindow(steps: config.numSteps, name: "sample-" + name, encoding: config.lineEncoding),
                                  label: "sample \(i)")
            }
        }
    }
}
