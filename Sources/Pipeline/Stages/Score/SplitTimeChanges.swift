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
