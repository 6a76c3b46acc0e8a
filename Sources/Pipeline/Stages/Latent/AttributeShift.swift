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
            ParameterSpec("isolate", .bool, default: .bool(false),
                          doc: "remove from the vector its components along the model's other attribute vectors (where those are nearly parallel, as quartile vectors of correlated attributes are, little of the edit is left)"),
        ],
        stage: { p in
            let folder = try ModelStore.checkedFolder(p)
            let name = p.string("name"), isolate = p.bool("isolate")
            /// The vector of `name` in a model folder's attributes.json (isolated from the others when asked).
            func vector(_ folder: String) throws -> [Float]? {
                let vectors = try AttributeVectors.load(from: URL(fileURLWithPath: folder))
                guard let raw = vectors.vectors[name] else { return nil }
                return isolate ? Latent.orthogonalized(raw, against: vectors.vectors.filter { $0.key != name }.sorted { $0.key < $1.key }.map(\.value))
                               : raw
            }
            // The stage's model must have the vector unless a member of its family (another meter, the drums) does;
            // an attributes.json that is there but unreadable is an error either way.
            var own: [Float]?
            var ownError: Error?
            do { own = try vector(folder) } catch {
                if FileManager.default.fileExists(atPath: folder + "/attributes.json") { throw error }
                ownError = error
            }
            var others: [String: [Float]] = [:]
            for member in ModelStore.family(of: folder).dropFirst() {
                if let w = (try? vector(member.folder)) ?? nil { others[member.folder] = w }
            }
            guard own != nil || !others.isEmpty else {
                if let ownError { throw ownError }
                throw MusicVAEError.invalidInput("\(folder)/attributes.json has no vector for \(name)")
            }
            return Body(name: name, amount: Float(p.double("amount")), own: own, family: others)
        })

    struct Body: Stage {
        let name: String
        let amount: Float
        /// The stage's model's vector, and those of its family by folder.
        let own: [Float]?
        let family: [String: [Float]]

        func process(_ c: LatentCode, drops: inout DropCounts) throws -> [LatentCode] {
            guard let z = c.z else { return [c] }
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
