import NoteSequences

/// `extract-melody`: one 90-class melody per non-drum track of a window.
enum ExtractMelody {
    static let definition = StageDefinition(
        name: "extract-melody",
        summary: "take the monophonic line (highest note) of each non-drum track in a window, as 90-class steps",
        accepts: [BarWindow.typeName], output: .fixed(MelodyWindow.typeName),
        parameters: [
            ParameterSpec("min_pitch", .int, default: .int(21), range: 21...108, doc: "lowest pitch kept; windows reaching below are dropped"),
            ParameterSpec("max_pitch", .int, default: .int(108), range: 21...108, doc: "highest pitch kept; windows reaching above are dropped"),
            ParameterSpec("min_notes", .int, default: .int(1), range: 0...1000, doc: "fewest note onsets a window must hold"),
        ],
        make: { p in
            StageNode(name: "extract-melody", Body(settings: MelodyExtraction(
                minPitch: p.int("min_pitch"), maxPitch: p.int("max_pitch"), minNotes: p.int("min_notes"))))
        })

    struct Body: Stage {
        let settings: MelodyExtraction
        func process(_ input: BarWindow, drops: inout DropCounts) throws -> [MelodyWindow] {
            input.melodies(settings, drops: &drops)
        }
    }
}
