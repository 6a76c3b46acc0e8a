import NoteSequences

/// `merge`: the values of several stages of one type, one after another (a join with no other work).
enum Merge {
    static let definition = StageDefinition(
        name: "merge",
        summary: "pass on the values of every stage named in 'from', in that order (all of one type)",
        accepts: ["Any"], output: .sameAsInput, ports: .many,
        make: { _ in
            StageNode.join(name: "merge", accepts: ["Any"], output: .sameAsInput) { ports, _ in ports.flatMap { $0 } }
        })
}
