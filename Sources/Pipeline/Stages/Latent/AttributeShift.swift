import Foundation
import MusicVAE
import NoteSequences

/// `attribute`: z' = z + amount * v for a named attribute vector of the model (or of the member of its family
/// whose latent space the code is in).
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
        ],
        stage: { p in
            let folder = try ModelStore.checkedFolder(p)
            let name = p.string("name"), kind = AttributeVectors.Direction(rawValue: p.string("direction")) ?? .disentangled
            /// What the edit adds for `name` in a model folder's attributes.json.
            func vector(_ folder: String) throws -> [Float]? {
                try AttributeVectors.load(from: URL(fileURLWithPath: folder))
                    .direction(name, kind, file: folder + "/" + AttributeVectors.fileName)
            }
            // The stage's model must have the vector unless a member of its family (another meter, the drums) does;
            // its attributes.json that is there but unreadable (or without the direction asked for) is an error.
            // A family member's such file is one only for the windows that go to that member (an edit of a 4/4 tune
            // need not fail over an old file beside the triple-meter model).
            var own: [Float]?
            var ownError: Error?
            do { own = try vector(folder) } catch {
                if FileManager.default.fileExists(atPath: folder + "/attributes.json") { throw error }
                ownError = error
            }
            var others: [String: [Float]] = [:], unusable: [String: MusicVAEError] = [:]
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
            return Body(name: name, amount: Float(p.double("amount")), own: own, family: others, unusable: unusable)
        })

    struct Body: Stage {
        let name: String
        let amount: Float
        /// The stage's model's vector, and those of its family by folder.
        let own: [Float]?
        let family: [String: [Float]]
        /// Why a family member's attributes.json gives no vector, by folder: an error for its windows.
        let unusable: [String: MusicVAEError]

        func process(_ c: LatentCode, drops: inout DropCounts) throws -> [LatentCode] {
            guard let z = c.z else { return [c] }
            if let member = c.model, let error = unusable[member] { throw error }
            guard let u = c.model.map({ family[$0] }) ?? own, z.count == u.count else {
                drops.add("no \(name) vector for \(c.model.map { ($0 as NSString).lastPathComponent } ?? "the model"): window kept")
                var kept = c
                kept.z = nil   // decoding gives the window back exactly
                return [kept]
            }
            var out = c
            out.z = Latent.add(z, u, amount: amount)
            return [out]
        }
    }
}
