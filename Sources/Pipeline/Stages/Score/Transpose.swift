import NoteSequences

/// `transpose`: moves pitched notes up or down.
enum Transpose {
    static let types = [NoteSequence.typeName, QuantizedSequence.typeName, MelodyWindow.typeName]
    static let definition = StageDefinition(
        name: "transpose",
        summary: "shift pitched notes by N semitones (drums stay); out-of-range results are dropped",
        accepts: types, output: .sameAsInput,
        parameters: [
            ParameterSpec("semitones", .int, default: .int(0), range: -48...48, doc: "semitones up (positive) or down (negative)"),
        ],
        make: { p in
            let n = p.int("semitones")
            return StageNode(name: "transpose", accepts: types, output: .sameAsInput) { inputs, drops in
                inputs.compactMap { value -> (any PipelineValue)? in
                    switch value {
                    case let s as NoteSequence:
                        return s.transposed(by: n, drops: &drops)
                    case var q as QuantizedSequence:
                        q.sequence = q.sequence.transposed(by: n, drops: &drops)
                        return q
                    case let m as MelodyWindow:
                        guard let moved = m.transposed(by: n) else { drops.add("transposed out of melody range"); return nil }
                        return moved
                    default:
                        return nil
                    }
                }
            }
        })
}
