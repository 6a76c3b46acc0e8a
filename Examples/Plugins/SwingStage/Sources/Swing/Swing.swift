import NoteSequences
import Pipeline

/// `swing`: delays every note that starts on an off-beat eighth by a fraction of an eighth (a swing feel).
public struct Swing: Stage {
    /// How far off-beat eighths move, as a fraction of an eighth (0 = straight, 1/3 = triplet swing).
    public let amount: Double

    /// Moves off-beat eighth onsets (and the ends that fall there) later.
    public func process(_ input: NoteSequence, drops: inout DropCounts) throws -> [NoteSequence] {
        let eighth = input.ticksPerQuarter / 2
        guard eighth > 0 else { return [input] }
        let shift = Int((Double(eighth) * amount).rounded())
        var out = input
        for i in out.notes.indices {
            if out.notes[i].start % input.ticksPerQuarter == eighth { out.notes[i].start += shift }
            if out.notes[i].end % input.ticksPerQuarter == eighth { out.notes[i].end += shift }
            if out.notes[i].end <= out.notes[i].start { drops.add("notes too short to swing"); out.notes[i].end = out.notes[i].start + 1 }
        }
        out.sortNotes()
        return [out]
    }

    /// The stage's registry entry.
    public static let definition = StageDefinition(
        name: "swing", summary: "delay off-beat eighths by a fraction of an eighth",
        accepts: [NoteSequence.typeName], output: .fixed(NoteSequence.typeName),
        parameters: [ParameterSpec("amount", .double, default: .double(1.0 / 3), range: 0...0.9, doc: "fraction of an eighth (1/3: triplet swing)")],
        make: { p in StageNode(name: "swing", Swing(amount: p.double("amount"))) })

    /// Adds `swing` to the shared registry (call once, before loading pipelines).
    public static func register() throws { try StageRegistry.shared.register(definition) }
}
