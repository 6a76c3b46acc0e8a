import Foundation
import MusicVAE
import NoteSequences

/// `grid`: a square of codes between four corner codes (as magenta.js's Beat Blender): down the left and right
/// edges, then across each row. Codes come row by row, numbered 01 ... (steps²), the corners the inputs' own codes.
enum Grid {
    static let definition = StageDefinition(
        name: "grid",
        summary: "steps × steps codes between four corner codes (from: [top_left, top_right, bottom_left, bottom_right])",
        parameters: [
            ParameterSpec("steps", .int, default: .int(5), range: 2...32, doc: "codes along each side, corners included"),
            Interpolate.methodParameter, Interpolate.windowParameter,
        ],
        ports: .named(["top_left", "top_right", "bottom_left", "bottom_right"]),
        join: { p in Body(steps: p.int("steps"), method: Interpolate.method(p), which: p.int("window") - 1) })

    struct Body: JoinStage {
        let steps: Int
        let method: Latent.Interpolation
        /// Which encoded window of each input (0-based).
        let which: Int

        func process(ports: [[LatentCode]], drops: inout DropCounts) throws -> [LatentCode] {
            guard let codes = try Interpolate.codes(ports, window: which, stage: "grid", drops: &drops) else { return [] }
            return Latent.grid(codes.map { $0.z! }, steps: steps, method: method).enumerated().map { i, z in
                Interpolate.code(z, number: i + 1, of: steps * steps, like: codes[0],
                                 label: "row \(i / steps + 1), column \(i % steps + 1) of \(steps)")
            }
        }
    }
}
