import Foundation
import MusicVAE
import NoteSequences

/// `attribute`: z' = z + amount * v for a named attribute vector of the model (or of the member of its family
/// whose latent space the code is in); checked (the default), the decode stage tries the step at several lengths
/// and keeps, per window, the one that moves this attribute and holds the others best (`CheckedEdit`).
enum AttributeShift {
    /// Every attribute name, melody and drum.
    static let names = LineEncoding.allAttributeNames

    static let definition = StageDefinition(
        name: "attribute",
        summary: "add amount times an attribute vector of the model (note_density: more notes or hits; negative: fewer)",
        parameters: [
            ModelStore.parameter,
            ParameterSpec("name", .choice(names),
                          doc: "the attribute vector to add (drum models: note_density, syncopation, cymbal_share)"),
            ParameterSpec("amount", .double, default: .double(1), range: -10...10, doc: "how many times the vector to add"),
            ParameterSpec("direction", .choice(AttributeVectors.Direction.allCases.map(\.rawValue)), default: .string("disentangled"),
                          doc: "disentangled: the model's learnt direction for the attribute, fitted to hold the other attributes (the default); raw: the quartile vector, which also moves every attribute correlated with this one; orthogonal: the quartile vector without its components along the other vectors (weak where they are nearly parallel)"),
            ParameterSpec("check", .bool, default: .bool(true),
                          doc: "decode the step at 0.5, 1, 1.5, 2 and 3 times its length and keep, per window, the decode that moves this attribute the way asked while moving the others least (the window as it was where none does better; greedy decoding only); false: decode the step as it is"),
        ],
        stage: { p in
            let folder = try ModelStore.checkedFolder(p)
            let name = p.string("name"), kind = AttributeVectors.Direction(rawValue: p.string("direction")) ?? .disentangled
            let amount = Float(p.double("amount")), check = p.bool("check")
            /// What the edit adds for `name` in a model folder's attributes.json, and how it is checked.
            func vector(_ folder: String) throws -> Step? {
                let file = folder + "/" + AttributeVectors.fileName
                let vectors = try AttributeVectors.load(from: URL(fileURLWithPath: folder))
                guard let v = try vectors.direction(name, kind, file: file) else { return nil }
                guard check else { return Step(vector: v, checked: nil) }
                let names = (ModelStore.config(of: folder)?.lineEncoding ?? .melody).attributeNames
                return Step(vector: v, checked: try vectors.checkedMove(name, amount: amount, names: names, file: file))
            }
            // The stage's model must have the vector unless a member of its family (another meter, the drums) does;
            // its attributes.json that is there but unreadable (or without the direction asked for) is an error.
            // A family member's such file is one only for the windows that go to that member (an edit of a 4/4 tune
            // need not fail over an old file beside the triple-meter model).
            var own: Step?
            var ownError: Error?
            do { own = try vector(folder) } catch {
                if FileManager.default.fileExists(atPath: folder + "/attributes.json") { throw error }
                ownError = error
            }
            var others: [String: Step] = [:], unusable: [String: MusicVAEError] = [:]
            for member in ModelStore.family(of: folder).dropFirst() {
                guard FileManager.default.fileExists(atPath: member.folder + "/" + AttributeVectors.fileName) else { continue }
                do {
                    if let w = try vector(member.folder) { others[member.folder] = w }
                } catch {
                    unusable[member.folder] = error as? MusicVAEError ?? .invalidInput("\(member.folder)/\(AttributeVectors.fileName): \(error)")
                }
            }
            guard own != nil || !others.isEmpty || !unusable.isEmpty else {
                if let ownError { throw ownError }
                throw MusicVAEError.invalidInput("\(folder)/attributes.json has no vector for \(name)")
            }
            return Body(name: name, amount: amount, own: own, family: others, unusable: unusable)
        })

    /// A model's step for the attribute, and its checked-edit move with the attribute spreads (nil: unchecked).
    struct Step {
        let vector: [Float]
        let checked: (move: CheckedEdit.Move, spreads: [Double])?
    }

    struct Body: Stage {
        let name: String
        let amount: Float
        /// The stage's model's vector, and those of its family by folder.
        let own: Step?
        let family: [String: Step]
        /// Why a family member's attributes.json gives no vector, by folder: an error for its windows.
        let unusable: [String: MusicVAEError]

        func process(_ c: LatentCode, drops: inout DropCounts) throws -> [LatentCode] {
            guard let z = c.z else { return [c] }
            if let member = c.model, let error = unusable[member] { throw error }
            guard let step = c.model.map({ family[$0] }) ?? own, z.count == step.vector.count else {
                drops.add("no \(name) vector for \(c.model.map { ($0 as NSString).lastPathComponent } ?? "the model"): window kept")
                var kept = c
                kept.z = nil   // decoding gives the window back exactly
                return [kept]
            }
            var out = c
            let edited = Latent.add(z, step.vector, amount: amount)
            out.z = edited
            if let (move, spreads) = step.checked {
                // A further edit of a checked one (the explorer's several sliders) is checked as one edit.
                out.edit = c.edit.flatMap { $0.edited == z ? $0.adding(move, to: edited) : nil }
                    ?? CheckedEdit(base: z, edited: edited, moves: [move], spreads: spreads)
            } else {
                out.edit = nil
            }
            return [out]
        }
    }
}
