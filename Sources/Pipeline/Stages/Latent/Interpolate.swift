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
            methodParameter, windowParameter,
        ],
        ports: .named(["start", "end"]),
        join: { p in Body(steps: p.int("steps"), method: method(p), which: p.int("window") - 1) })

    /// slerp or lerp (shared with `grid`).
    static let methodParameter = ParameterSpec("method", .choice(Latent.Interpolation.allCases.map(\.rawValue)), default: .string("slerp"),
                                               doc: "slerp (along the sphere, as the paper) or lerp (straight line)")
    /// Which window of each input (shared with `grid`).
    static let windowParameter = ParameterSpec("window", .int, default: .int(1), range: 1...100_000,
                                               doc: "which encoded window of each input to use (1 = the first)")
    static func method(_ p: StageParameters) -> Latent.Interpolation { Latent.Interpolation(rawValue: p.string("method")) ?? .slerp }

    struct Body: JoinStage {
        let steps: Int
        let method: Latent.Interpolation
        /// Which encoded window of each input (0-based).
        let which: Int

        func process(ports: [[LatentCode]], drops: inout DropCounts) throws -> [LatentCode] {
            guard let ends = try Interpolate.codes(ports, window: which, stage: "interpolate", drops: &drops) else { return [] }
            let (a, b) = (ends[0], ends[1])
            return Latent.interpolate(a.z!, b.z!, steps: steps, method: method).enumerated().map { i, z in
                Interpolate.code(z, number: i + 1, of: steps, like: a, label: "step \(i + 1) of \(steps)")
            }
        }
    }

    /// Encoded window `window` (0-based) of each port, checked to be in one latent space; nil (counted) when a port
    /// has no such window.
    static func codes(_ ports: [[LatentCode]], window: Int, stage: String, drops: inout DropCounts) throws -> [LatentCode]? {
        let encoded = ports.map { $0.filter { $0.z != nil } }
        guard encoded.allSatisfy({ $0.count > window }) else {
            drops.add("an input has no encodable window \(window + 1)")
            return nil
        }
        let codes = encoded.map { $0[window] }
        try checkSameSpace(codes, stage: stage)
        return codes
    }

    /// Throws unless every code is in one latent space (same model, same encoding, same size).
    static func checkSameSpace(_ codes: [LatentCode], stage: String) throws {
        let first = codes[0]
        guard codes.allSatisfy({ $0.z!.count == first.z!.count && $0.model == first.model && $0.window.encoding == first.window.encoding }) else {
            throw PipelineError.inputFailed(path: stage, reason: "the windows are in different latent spaces ("
                + codes.map { c in "\(c.window.encoding == .drums ? "drums" : c.window.window.timeSignature.description), model \(c.model ?? "of the stage")" }.joined(separator: " vs ") + ")")
        }
    }

    /// Code number `number` of `count` made from nothing: a fresh window named by its zero-padded number ("01"), so
    /// steps can be written one file each, with `like`'s tempo, meter, instrument and model, so it sounds like the input.
    static func code(_ z: [Float], number: Int, of count: Int, like a: LatentCode, label: String) -> LatentCode {
        let name = LatentCode.numberedName(number, of: count)
        var w = LatentCode.freshWindow(steps: a.window.events.count, name: name, encoding: a.window.encoding)
        w.window.piece.sequence.tempos = a.window.window.piece.sequence.tempos
        w.program = a.window.program
        w.channel = a.window.channel
        return LatentCode(z: z, window: w, label: label, model: a.model)
    }
}
