import ArgumentParser
import Foundation
import MusicVAE
import NoteSequences
import Training

/// `musicvae attributes compute|matrix`: attribute vectors of a model, and how well they work.
struct Attributes: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute a model's attribute vectors, or measure how each one moves every attribute.",
        subcommands: [Compute.self, Matrix.self])

    /// `musicvae attributes compute --model DIR --data PATH...`.
    struct Compute: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Encode the training windows and store, per attribute, mean z of the top quartile minus mean z of the bottom quartile.",
            discussion: "Where most windows share one value (no syncopation at all, entirely diatonic), the groups are "
                + "split by value instead: the windows above that value against those at it, or at it against those below. "
                + "Writes attributes.json into the model folder. Melody models: " + MelodyAttributes.names.joined(separator: ", ")
                + "; drum models: " + DrumAttributes.names.joined(separator: ", ") + ".")

        @OptionGroup var model: ModelOption

        @Option(parsing: .upToNextOption, help: "MIDI files or folders (the model's training data).")
        var data: [String]

        @Option(help: "Use at most this many windows (spread evenly over the data).")
        var limit: Int = 40_000

        func validate() throws {
            if limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        func run() throws {
            let folder = try model.folder()
            let m = try model.load(folder)
            let d = try WindowDataset(paths: data, settings: .init(for: m.config))
            let picked = evenlySpread(d.train.count, limit: limit)
            let windows = picked.map { d.train[$0] }
            let tonics = picked.map { d.trainTonics[$0] }
            guard windows.count >= 8 else { throw CLIError("too few windows (\(windows.count)) in \(data.joined(separator: ", "))") }
            let codes = try m.encodeInBatches(windows: windows).mu
            let encoding = m.config.lineEncoding, names = encoding.attributeNames
            let attributes = zip(windows, tonics).map { encoding.attributeValues(of: $0.0, majorTonic: $0.1) }
            var values: [String: [Double]] = [:]
            for (k, name) in names.enumerated() { values[name] = attributes.map { $0[k] } }
            let vectors = AttributeVectors.compute(codes: codes, values: values, data: data)
            try vectors.save(to: URL(fileURLWithPath: folder))
            print("\(windows.count) windows encoded; attributes.json written to \(folder)")
            for name in names {
                let q = vectors.quartileMeans[name]!
                print(String(format: "  %-18@ mean of the top group %.3f, of the bottom %.3f, |v| %.2f", name as NSString, q[0], q[1],
                             Latent.norm(vectors.vectors[name]!)))
            }
        }
    }

    /// `musicvae attributes matrix --model DIR --data PATH...`.
    struct Matrix: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "For every attribute vector added to every window, the mean relative change of every attribute.",
            discussion: """
                Rows: the vector added (amount times it); columns: the attribute measured. A cell is \
                (mean after - mean before) / mean before, over the windows, both decoded greedily from z = mu \
                (before) and z = mu + amount * v (after). A good model moves the diagonal a lot and the rest little.
                """)

        @OptionGroup var model: ModelOption

        @Option(parsing: .upToNextOption, help: "MIDI files or folders.")
        var data: [String]

        @Option(parsing: .unconditional, help: "How many times each vector to add (negative: the other way).")
        var amount: Float = 1

        @Option(help: "Windows used (held-out ones first, spread evenly).")
        var limit: Int = 1000

        @Flag(help: """
            Add each vector without its components along the other vectors (what the attribute stage's isolate \
            parameter does).
            """)
        var isolate = false

        @Flag(help: "Print JSON.")
        var json = false

        struct Result: Encodable {
            let attributes: [String]
            let amount: Float
            let windows: Int
            let baseline: [String: Double]
            let relative_change: [[Double]]
        }

        func validate() throws {
            if limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        func run() throws {
            let folder = try model.folder()
            let m = try model.load(folder)
            let vectors = try AttributeVectors.load(from: URL(fileURLWithPath: folder))
            let d = try WindowDataset(paths: data, settings: .init(for: m.config))
            let pool = d.heldOut.isEmpty ? d.train : d.heldOut
            let poolTonics = d.heldOut.isEmpty ? d.trainTonics : d.heldOutTonics
            let picked = evenlySpread(pool.count, limit: limit)
            guard !picked.isEmpty else { throw CLIError("no windows in \(data.joined(separator: ", "))") }
            let windows = picked.map { pool[$0] }, tonics = picked.map { poolTonics[$0] }
            let mu = try m.encodeInBatches(windows: windows).mu
            let encoding = m.config.lineEncoding, names = encoding.attributeNames
            func means(_ z: [[Float]]) throws -> [Double] {
                let decoded = try m.decode(z: z)
                let a = zip(decoded, tonics).map { encoding.attributeValues(of: $0.0, majorTonic: $0.1) }
                return (0..<names.count).map { k in a.reduce(0) { $0 + $1[k] } / Double(a.count) }
            }
            let before = try means(mu)
            var matrix: [[Double]] = []
            for name in names {
                guard let raw = vectors.vectors[name] else { throw CLIError("attributes.json has no vector for \(name)") }
                let v = isolate ? Latent.orthogonalized(raw, against: vectors.vectors.filter { $0.key != name }
                                                                    .sorted { $0.key < $1.key }.map(\.value)) : raw
                let after = try means(mu.map { Latent.add($0, v, amount: amount) })
                matrix.append(zip(after, before).map { $1 != 0 ? ($0 - $1) / abs($1) : $0 - $1 })
            }
            if json {
                print(try jsonString(Result(attributes: names, amount: amount, windows: windows.count,
                                            baseline: Dictionary(uniqueKeysWithValues: zip(names, before)), relative_change: matrix)))
                return
            }
            print("\(windows.count) windows, amount \(amount)\(isolate ? ", vectors isolated" : ""); rows: vector added, columns: relative change of the attribute")
            let short = encoding == .drums ? ["density", "sync", "cymbals"] : ["density", "interval", "range", "sync16", "sync8", "diatonic"]
            print("".padding(toLength: 18, withPad: " ", startingAt: 0) + short.map { $0.padding(toLength: 10, withPad: " ", startingAt: 0) }.joined())
            for (i, row) in matrix.enumerated() {
                var line = names[i].padding(toLength: 18, withPad: " ", startingAt: 0)
                for x in row { line += String(format: "%+8.0f%% ", 100 * x) }
                print(line)
            }
            print("\nheat map (darker = larger change; + up, - down):")
            let shades = [" ", "░", "▒", "▓", "█"]
            for (i, row) in matrix.enumerated() {
                let cells = row.map { x -> String in
                    let k = min(4, Int((abs(x) * 8).rounded(.up)))
                    return (x >= 0 ? "+" : "-") + String(repeating: shades[k], count: 3)
                }
                print(names[i].padding(toLength: 18, withPad: " ", startingAt: 0) + cells.joined(separator: " "))
            }
            print("baseline means: " + zip(short, before).map { String(format: "%@ %.3f", $0.0 as NSString, $0.1) }.joined(separator: ", "))
        }
    }
}

/// At most `limit` indices of `0..<count`, evenly spread.
func evenlySpread(_ count: Int, limit: Int) -> [Int] {
    Array(stride(from: 0, to: count, by: max(1, count / max(1, limit))).prefix(limit))
}
