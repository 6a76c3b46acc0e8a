import Foundation
import MusicVAE
import NoteSequences

/// `decode`: latent codes back to melody or drum windows (greedy at temperature 0, else sampled). A code decodes
/// with the model it was encoded by (a member of the stage's model's family, when it says so); a code an
/// attribute stage moved with checking on decodes as its `CheckedEdit` chooses, and where it chooses no edit, its
/// window comes back as it was.
enum Decode {
    static let definition = StageDefinition(
        name: "decode",
        summary: "decode latent codes into melody or drum windows (temperature 0: greedy); unencoded windows come back as they were",
        parameters: [
            ModelStore.parameter,
            ParameterSpec("temperature", .double, default: .double(0), range: 0...10, doc: "0: most likely class at each step; higher: more random"),
            ParameterSpec("seed", .int, default: .int(0), range: 0...1e15, doc: "seed of the sampling"),
            ParameterSpec("keep_tune", .bool, default: .bool(false),
                          doc: "move each decoded melody window by whole semitones to the key and register of the window it was encoded from"),
        ],
        group: { p in
            Body(folder: try ModelStore.checkedFolder(p), temperature: p.double("temperature"),
                 seed: UInt64(p.int("seed")), keepTune: p.bool("keep_tune"), precision: p.context.precision)
        })

    struct Body: GroupStage {
        let folder: String
        let temperature: Double
        let seed: UInt64
        let keepTune: Bool
        let precision: InferencePrecision

        func process(group codes: [LatentCode], drops: inout DropCounts) throws -> [MelodyWindow] {
            var decoded = [[Int]?](repeating: nil, count: codes.count)
            var kept = Set<Int>()
            for owner in Set(codes.filter { $0.z != nil }.map { $0.model ?? "" }).sorted() {
                let m = try ModelStore.model(owner.isEmpty ? folder : owner, precision: precision)
                let all = codes.indices.filter { codes[$0].z != nil && (codes[$0].model ?? "") == owner }
                // Checked edits (greedy decoding only: a sampled decode says little about the step).
                let edited = all.filter { i in codes[i].edit.map { $0.edited == codes[i].z } ?? false }
                if temperature > 0 && !edited.isEmpty {
                    drops.add("edited windows decoded unchecked: checking needs greedy decoding (temperature 0)", edited.count)
                }
                let checked = temperature > 0 ? [] : edited
                let chosen = try CheckedEdit.decode(checked.map { codes[$0].edit! }, tonics: checked.map { codes[$0].window.majorTonic }, model: m)
                let nothingBetter = "no step length moved the attribute the way asked without moving the others more"
                for (j, i) in checked.enumerated() {
                    if chosen[j].length == nil && codes[i].edit!.base == codes[i].encoded {
                        // Nothing did better than no edit of the window's own code: the window as it was, not the
                        // model's reconstruction of it.
                        kept.insert(i)
                        drops.add("edited windows kept as they were: " + nothingBetter)
                    } else {
                        if chosen[j].length == nil { drops.add("edited codes decoded without the step: " + nothingBetter) }
                        decoded[i] = chosen[j].events
                    }
                }
                let picked = all.filter { decoded[$0] == nil && !kept.contains($0) }
                // Each batch draws from its own seed, so sampled windows past the first batch are not repeats.
                let ids = try MusicVAEModel.inBatches(picked.map { codes[$0].z! }) { batch, k in
                    try m.decode(z: batch, temperature: temperature > 0 ? Float(temperature) : nil, seed: seed &+ UInt64(k))
                }
                for (j, i) in picked.enumerated() { decoded[i] = ids[j] }
            }
            return codes.indices.map { i in
                let c = codes[i]
                guard let events = decoded[i] else { return c.window }
                var w = c.window
                w.events = events
                w.velocities = w.encoding == .drums ? Decode.keptVelocities(of: c.window, in: events) : []
                w.generated = true
                return keepTune ? w.keepingTune(of: c.window) : w
            }
        }
    }

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
