import Foundation
import MusicVAE
import NeuralNet
import NoteSequences

/// `interpolate`: codes between a start and an end code (slerp by default), the endpoints the inputs' own codes.
/// Each step gets a piece of its own named by its number ("01" ... "05"), so they can be written one file each.
enum Interpolate {
    static let definition = StageDefinition(
        name: "interpolate",
        summary: "n codes from the start code to the end code (from: [start, end]); endpoints are the inputs' codes",
        parameters: [
            ParameterSpec("steps", .int, default: .int(5), range: 2...1000, doc: "codes from start to end, both included"),
            ParameterSpec("method", .choice(Latent.Interpolation.allCases.map(\.rawValue)), default: .string("slerp"),
                          doc: "slerp (along the sphere, as the paper) or lerp (straight line)"),
            ParameterSpec("window", .int, default: .int(1), range: 1...100_000, doc: "which encoded window of each input to use (1 = the first)"),
        ],
        ports: .named(["start", "end"]),
        join: { p in
            Body(steps: p.int("steps"), method: Latent.Interpolation(rawValue: p.string("method")) ?? .slerp, which: p.int("window") - 1)
        })

    struct Body: JoinStage {
        let steps: Int
        let method: Latent.Interpolation
        /// Which encoded window of each input (0-based).
        let which: Int

        func process(ports: [[LatentCode]], drops: inout DropCounts) throws -> [LatentCode] {
            let ends = ports.map { $0.filter { $0.z != nil } }
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
            return Latent.interpolate(a.z!, b.z!, steps: steps, method: method).enumerated().map { i, z in
                let name = String(repeating: "0", count: max(0, width - String(i + 1).count)) + String(i + 1)
                var w = LatentCode.freshWindow(steps: a.window.events.count, name: name, encoding: a.window.encoding)
                // Keep the start's tempo, meter and instrument so the steps sound like the input.
                w.window.piece.sequence.tempos = a.window.window.piece.sequence.tempos
                w.program = a.window.program
                w.channel = a.window.channel
                return LatentCode(z: z, window: w, label: "step \(i + 1) of \(steps)", model: a.model)
            }
        }
    }
}
