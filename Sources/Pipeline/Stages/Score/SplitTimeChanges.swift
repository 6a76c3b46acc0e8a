import NoteSequences

/// `split-time-changes`: one sequence per stretch of constant tempo and time signature.
enum SplitTimeChanges {
    static let definition = StageDefinition(
        name: "split-time-changes",
        summary: "split a sequence where the tempo or time signature really changes",
        stage: { _ in Body() })

    struct Body: Stage {
        func process(_ input: NoteSequence, drops: inout DropCounts) throws -> [NoteSequence] {
            input.splitAtTimeChanges(drops: &drops)
        }
    }
}
