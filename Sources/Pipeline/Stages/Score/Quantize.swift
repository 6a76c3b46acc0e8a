import NoteSequences

/// `quantize`: snaps a sequence to a grid of steps per quarter note.
enum Quantize {
    static let definition = StageDefinition(
        name: "quantize",
        summary: "snap notes to a grid of N steps per quarter (nearest step, halves round later)",
        parameters: [
            ParameterSpec("steps_per_quarter", .int, default: .int(4), range: 1...96, doc: "grid steps per quarter note (4 = 16ths)"),
        ],
        stage: { p in Body(stepsPerQuarter: p.int("steps_per_quarter")) })

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
