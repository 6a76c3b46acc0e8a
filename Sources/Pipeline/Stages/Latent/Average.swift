import MusicVAE
import NoteSequences

/// `average`: the mean of every code of one input (mixing them into one).
enum Average {
    static let definition = StageDefinition(
        name: "average",
        summary: "the mean of all codes of one input (a mix); it decodes into the first code's window",
        group: { _ in Body() })

    struct Body: GroupStage {
        func process(group: [LatentCode], drops: inout DropCounts) throws -> [LatentCode] {
            let codes = group.filter { $0.z != nil }
            drops.add("windows passed through unencoded left out of the average", group.count - codes.count)
            guard let first = codes.first else {
                drops.add("no encoded window to average")
                return []
            }
            // Codes of one latent space only (a piece's drum codes live in another model's space).
            let same = codes.filter { $0.model == first.model && $0.window.encoding == first.window.encoding }
            drops.add("codes of another latent space left out of the average", codes.count - same.count)
            return [LatentCode(z: Latent.mean(same.map { $0.z! }), window: first.window, label: "average of \(same.count)", model: first.model)]
        }
    }
}
