import NoteSequences

/// `split-time-changes`: one sequence per stretch of constant tempo and time signature.
enum SplitTimeChanges {
    static let definition = StageDefinition(
        name: "split-time-changes",
        summary: "split a sequence where the tempo or time signature really changes",
        accepts: [NoteSequence.typeName], output: .fixed(NoteSequence.typeName),
        make: { _ in StageNode(name: "split-time-changes", Body()) })

    struct Body: Stage {
        func process(_ input: NoteSequence, drops: inout DropCounts) throws -> [NoteSequence] {
            input.splitAtTimeChanges(drops: &drops)
        }
    }
}

/// `quantize`: snaps a sequence to a grid of steps per quarter note.
enum Quantize {
    static let definition = StageDefinition(
        name: "quantize",
        summary: "snap notes to a grid of N steps per quarter (nearest step, halves round later)",
        accepts: [NoteSequence.typeName], output: .fixed(QuantizedSequence.typeName),
        parameters: [
            ParameterSpec("steps_per_quarter", .int, default: .int(4), range: 1...96, doc: "grid steps per quarter note (4 = 16ths)"),
        ],
        make: { p in StageNode(name: "quantize", Body(stepsPerQuarter: p.int("steps_per_quarter"))) })

    struct Body: Stage {
        let stepsPerQuarter: Int
        func process(_ input: NoteSequence, drops: inout DropCounts) throws -> [QuantizedSequence] {
            if input.notes.isEmpty {
                drops.add("no notes")
                return []
            }
            return [try input.quantized(stepsPerQuarter: stepsPerQuarter)]
        }
    }
}

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
