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
            abstract: "Encode the training windows and store, per attribute, its quartile vector and its disentangled direction.",
            discussion: "The vector: mean z of the top quartile minus mean z of the bottom quartile. Where most windows share "
                + "one value (no syncopation at all, entirely diatonic), the groups are split by value instead: the windows "
                + "above that value against those at it, or at it against those below. The direction (what edits add by "
                + "default): z regressed on all the attributes together (least squares), the attribute's coefficients times "
                + "its top-minus-bottom gap: the expected move of z when that attribute moves by the gap and the others stay. "
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
                let v = vectors.vectors[name]!, d = vectors.directions?[name] ?? v
                print(String(format: "  %-18@ mean of the top group %.3f, of the bottom %.3f, |vector| %.2f, |direction| %.2f, cosine %.2f, R² from the others %.2f",
                             name as NSString, q[0], q[1], Latent.norm(v), Latent.norm(d),
                             Latent.dot(v, d) / max(1e-12, Latent.norm(v) * Latent.norm(d)), vectors.explainedByOthers?[name] ?? 0))
            }
        }
    }

    /// `musicvae attributes matrix --model DIR --data PATH...`.
    struct Matrix: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "For every attribute's direction (or vector) added to every window, how far every attribute moves.",
            discussion: """
                Rows: the vector added (amount times it); columns: the attribute measured, over the windows, all \
                decoded greedily from z = mu (before) and z = mu + amount * v (after; checked as edits are: the \
                step at 0.5 to 3 times its length, each window keeping the decode that moves the attribute and holds \
                the others best, or its reconstruction; --no-check: the step as it is). The first table gives each \
                change in standard deviations of that attribute over the windows before: (mean after - mean before) \
                / sd before, a scale on which attributes near zero (syncopation) or near their ceiling (diatonic) \
                compare with the rest; an edit is dominant when it moves its own attribute the way asked and more \
                than any other. The second table gives the relative change (mean after - mean before) / mean before.
                """)

        @OptionGroup var model: ModelOption

        @Option(parsing: .upToNextOption, help: "MIDI files or folders.")
        var data: [String]

        @Option(parsing: .unconditional, help: "How many times each vector to add (negative: the other way).")
        var amount: Float = 1

        @Option(help: "Windows used (held-out ones first, spread evenly).")
        var limit: Int = 1000

        @Option(help: ArgumentHelp("""
            Which vector to add per attribute (as edits do): disentangled (learnt, fitted to hold the others), raw \
            (the quartile vector) or orthogonal (the quartile vector without its components along the others).
            """, valueName: "disentangled|raw|orthogonal"))
        var direction: AttributeVectors.Direction = .disentangled

        @Flag(inversion: .prefixedNo, help: "Check each edit as `musicvae edit` does (--no-check: decode the plain step).")
        var check = true

        @Flag(help: "Print JSON.")
        var json = false

        struct Result: Encodable {
            let attributes: [String]
            let amount: Float
            let direction: String
            let checked: Bool
            let windows: Int
            /// Per row, the windows a checked edit left as their reconstruction (no step length did better).
            let kept_as_reconstructed: [Int]
            let baseline: [String: Double]
            let baseline_sd: [String: Double]
            let standardized_change: [[Double]]
            let relative_change: [[Double]]
            /// The edits that move their own attribute the way asked and more than any other (in standard deviations).
            let dominant: [String]
            /// Mean |standardized change| off the diagonal: how much the edits move the attributes they do not name.
            let mean_off_diagonal: Double
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
            /// Mean and standard deviation of each attribute over decoded windows (one per picked window, in order).
            func moments(_ decoded: [[Int]]) -> (mean: [Double], sd: [Double]) {
                let a = zip(decoded, tonics).map { encoding.attributeValues(of: $0.0, majorTonic: $0.1) }
                let count = Double(a.count)
                let mean: [Double] = (0..<names.count).map { k in a.reduce(0.0) { $0 + $1[k] } / count }
                let sd: [Double] = (0..<names.count).map { k -> Double in
                    let squares: Double = a.reduce(0.0) { sum, w in sum + (w[k] - mean[k]) * (w[k] - mean[k]) }
                    return (squares / count).squareRoot()
                }
                return (mean, sd)
            }
            let (before, sd) = moments(try m.decode(z: mu))
            var relative: [[Double]] = [], standardized: [[Double]] = [], kept: [Int] = []
            let file = folder + "/" + AttributeVectors.fileName
            for name in names {
                guard let v = try vectors.direction(name, direction, file: file) else {
                    throw CLIError("attributes.json has no vector for \(name)")
                }
                let after: [Double]
                if check {
                    let (move, spreads) = try vectors.checkedMove(name, amount: amount, names: names, file: file)
                    let edits = mu.map { CheckedEdit(base: $0, edited: Latent.add($0, v, amount: amount), moves: [move], spreads: spreads) }
                    let chosen = try CheckedEdit.decode(edits, tonics: tonics, model: m)
                    after = moments(chosen.map(\.events)).mean
                    kept.append(chosen.filter { $0.length == nil }.count)
                } else {
                    after = moments(try m.decode(z: mu.map { Latent.add($0, v, amount: amount) })).mean
                    kept.append(0)
                }
                relative.append(zip(after, before).map { $1 != 0 ? ($0 - $1) / abs($1) : $0 - $1 })
                standardized.append((0..<names.count).map { k in sd[k] > 0 ? (after[k] - before[k]) / sd[k] : 0 })
            }
            // Dominant: the own attribute moved the way asked, and more than any other.
            let dominant = names.indices.filter { i in
                standardized[i][i] * Double(amount) > 0
                    && names.indices.allSatisfy { j in j == i || abs(standardized[i][i]) > abs(standardized[i][j]) }
            }
            let offDiagonal = names.indices.flatMap { i in names.indices.filter { $0 != i }.map { abs(standardized[i][$0]) } }
            let leak = offDiagonal.reduce(0, +) / Double(max(1, offDiagonal.count))
            if json {
                print(try jsonString(Result(attributes: names, amount: amount, direction: direction.rawValue, checked: check,
                                            windows: windows.count, kept_as_reconstructed: kept,
                                            baseline: Dictionary(uniqueKeysWithValues: zip(names, before)),
                                            baseline_sd: Dictionary(uniqueKeysWithValues: zip(names, sd)),
                                            standardized_change: standardized, relative_change: relative, dominant: dominant.map { names[$0] },
                                            mean_off_diagonal: leak)))
                return
            }
            let short = encoding == .drums ? ["density", "sync", "cymbals"] : ["density", "interval", "range", "sync16", "sync8", "diatonic"]
            let header = "".padding(toLength: 18, withPad: " ", startingAt: 0) + short.map { $0.padding(toLength: 10, withPad: " ", startingAt: 0) }.joined()
            print("\(windows.count) windows, amount \(amount), \(direction.rawValue) directions, \(check ? "checked" : "unchecked"); "
                  + "rows: vector added, columns: attribute measured")
            print("\nchange in standard deviations of the attribute (* marks the row's largest):\n" + header)
            for (i, row) in standardized.enumerated() {
                var line = names[i].padding(toLength: 18, withPad: " ", startingAt: 0)
                let top = row.indices.max { abs(row[$0]) < abs(row[$1]) }
                for (j, x) in row.enumerated() { line += String(format: "%+8.2f", x) + (j == top ? "* " : "  ") }
                print(line)
            }
            print("\(dominant.count) of \(names.count) edits move their own attribute the way asked and most"
                  + (dominant.count < names.count ? " (not: " + names.indices.filter { !dominant.contains($0) }.map { names[$0] }.joined(separator: ", ") + ")" : "")
                  + String(format: "; mean |change| off the diagonal %.2f", leak))
            if check {
                print("windows kept as reconstructed (no step length did better): "
                      + zip(names, kept).map { "\($0.0) \($0.1)" }.joined(separator: ", "))
            }
            print("\nrelative change of the mean:\n" + header)
            for (i, row) in relative.enumerated() {
                var line = names[i].padding(toLength: 18, withPad: " ", startingAt: 0)
                for x in row { line += String(format: "%+8.0f%% ", 100 * x) }
                print(line)
            }
            print("baseline means: " + zip(short, before).map { String(format: "%@ %.3f", $0.0 as NSString, $0.1) }.joined(separator: ", ")
                  + "\nstandard deviations: " + zip(short, sd).map { String(format: "%@ %.3f", $0.0 as NSString, $0.1) }.joined(separator: ", "))
        }
    }
}

/// At most `limit` indices of `0..<count`, evenly spread.
func evenlySpread(_ count: Int, limit: Int) -> [Int] {
    Array(stride(from: 0, to: count, by: max(1, count / max(1, limit))).prefix(limit))
}
