import Foundation

/// Attribute vectors of a model (`attributes.json` in its folder): for each attribute, the mean latent code of the
/// windows in the top quartile of that attribute minus the mean code of the bottom quartile, and a disentangled
/// direction fitted to move the attribute by as much with the other attributes held (how well it holds them, per
/// model: `musicvae attributes matrix`).
public struct AttributeVectors: Codable, Sendable, Equatable {
    /// Which vector an edit adds for an attribute.
    public enum Direction: String, CaseIterable, Sendable {
        /// The learnt direction (`directions`), fitted to hold the other attributes (the default).
        case disentangled
        /// The quartile vector without its components along the other attributes' quartile vectors, at its own
        /// length (weaker than the raw vector where the vectors are nearly parallel).
        case orthogonal
        /// The quartile vector as computed (moves every attribute correlated with this one, too).
        case raw
    }

    /// Quartile vector per attribute name.
    public var vectors: [String: [Float]]
    /// Disentangled direction per attribute name (`nil` in files written before they existed).
    public var directions: [String: [Float]]?
    /// Per attribute, the share of its variance over the windows that a linear fit on the other attributes
    /// explains (R²): the nearer 1, the less room its direction has to move it alone.
    public var explainedByOthers: [String: Double]?
    /// Mean attribute value in the top and bottom quartile, per attribute.
    public var quartileMeans: [String: [Double]]
    /// Per attribute, its standard deviation over the windows: the scale on which checked edits weigh changes
    /// (`nil` in files written before them).
    public var spreads: [String: Double]?
    /// Windows the vectors were computed from.
    public var windows: Int
    /// The data (paths) they came from.
    public var data: [String]
    /// How they were computed.
    public var method: String

    /// The file name inside a model folder.
    public static let fileName = "attributes.json"

    /// Creates vectors.
    public init(vectors: [String: [Float]], directions: [String: [Float]]? = nil, explainedByOthers: [String: Double]? = nil,
                quartileMeans: [String: [Double]], spreads: [String: Double]? = nil, windows: Int, data: [String], method: String) {
        self.vectors = vectors
        self.directions = directions
        self.explainedByOthers = explainedByOthers
        self.quartileMeans = quartileMeans
        self.spreads = spreads
        self.windows = windows
        self.data = data
        self.method = method
    }

    enum CodingKeys: String, CodingKey {
        case vectors, directions, windows, data, method, spreads
        case quartileMeans = "quartile_means"
        case explainedByOthers = "explained_by_others"
    }

    /// What an edit along `name` adds (`nil` when the file has no vector of that name). `file` names the
    /// attributes file in the error thrown when it predates disentangled directions.
    public func direction(_ name: String, _ kind: Direction, file: String) throws -> [Float]? {
        guard let raw = vectors[name] else { return nil }
        switch kind {
        case .raw:
            return raw
        case .orthogonal:
            return Latent.orthogonalized(raw, against: vectors.filter { $0.key != name }.sorted { $0.key < $1.key }.map(\.value))
        case .disentangled:
            guard let d = directions?[name] else {
                throw MusicVAEError.invalidInput("\(file) has no disentangled direction for \(name) (written before they existed); "
                    + "recompute it with `musicvae attributes compute`, or edit along the raw vector (direction raw)")
            }
            return d
        }
    }

    /// The standard deviations of `names` (for `CheckedEdit.spreads`), and the checked-edit move of `amount` times
    /// attribute `name`: its target is `amount` times the top-minus-bottom gap. Throws when the file predates
    /// spreads (`file` names it) or lacks one of the names.
    public func checkedMove(_ name: String, amount: Float, names: [String], file: String) throws -> (move: CheckedEdit.Move, spreads: [Double]) {
        let spread = names.map { spreads?[$0] }
        guard let k = names.firstIndex(of: name) else {
            throw MusicVAEError.invalidInput("\(name) is not one of this model's attributes (" + names.joined(separator: ", ") + ")")
        }
        guard let q = quartileMeans[name] else {
            throw MusicVAEError.invalidInput("\(file) has no quartile means for \(name); recompute it with `musicvae attributes compute`")
        }
        guard spread.allSatisfy({ $0 != nil }) else {
            throw MusicVAEError.invalidInput("\(file) has no spreads of " + names.joined(separator: ", ")
                + " (written before checked edits); recompute it with `musicvae attributes compute`, or edit without checking "
                + "(`--no-check`; in a pipeline, check false)")
        }
        let s = spread.map { $0! }
        let target = s[k] > 0 ? Double(abs(amount)) * abs(q[0] - q[1]) / s[k] : 0
        return (CheckedEdit.Move(attribute: k, sign: amount < 0 ? -1 : 1, target: target), s)
    }

    /// Computes the vectors from codes and the attribute values of the same windows (`values[name][i]` belongs to
    /// `codes[i]`). Windows are ranked by value (ties by position) and split into quartiles by rank.
    ///
    /// A rare or saturated attribute ties the whole middle half (most windows have no 16th syncopation at all;
    /// most are entirely diatonic): the quartile boundaries are then one value, and ranks would cut that value's
    /// windows arbitrarily, filling a quartile with windows no different from the other one (measured on the
    /// melody model: its syncopation vectors moved their own attribute by -1% and +5%). There the groups are
    /// split by value instead: the windows above the tied value against those at it (or at it against those
    /// below it, or above against below where there are both).
    ///
    /// The disentangled directions come from the same codes and values: see `disentangledDirections`.
    public static func compute(codes: [[Float]], values: [String: [Double]], data: [String]) -> AttributeVectors {
        var vectors: [String: [Float]] = [:]
        var means: [String: [Double]] = [:], spreads: [String: Double] = [:]
        for (name, v) in values {
            let mean = v.reduce(0, +) / Double(max(1, v.count))
            spreads[name] = (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, v.count))).squareRoot()
            let (top, bottom) = groups(v)
            vectors[name] = zip(Latent.mean(top.map { codes[$0] }), Latent.mean(bottom.map { codes[$0] })).map { $0 - $1 }
            means[name] = [top.reduce(0) { $0 + v[$1] } / Double(top.count), bottom.reduce(0) { $0 + v[$1] } / Double(bottom.count)]
        }
        let names = values.keys.sorted()
        let (directions, explained) = disentangledDirections(codes: codes, values: names.map { values[$0]! },
                                                             gaps: names.map { means[$0]![0] - means[$0]![1] })
        return AttributeVectors(vectors: vectors, directions: Dictionary(uniqueKeysWithValues: zip(names, directions)),
                                explainedByOthers: Dictionary(uniqueKeysWithValues: zip(names, explained)),
                                quartileMeans: means, spreads: spreads, windows: codes.count, data: data,
                                method: "vectors: mean z (mu) of the top quartile minus mean z of the bottom quartile, per attribute "
                                    + "(where the middle half ties: the windows above the tied value against those at it, at it against below, or above against below); "
                                    + "directions: the least-squares fit of z on all the attributes together (z = c + B a, "
                                    + "B = Cov(z, a) Cov(a)^-1), each attribute's column of B times its top-minus-bottom gap: the "
                                    + "expected move of z when that attribute moves by the gap and the others stay; spreads: each attribute's "
                                    + "standard deviation over the windows")
    }

    /// The expected move of the code when one attribute moves by its gap and the others stay: the least-squares
    /// fit of the codes on all the attributes together, z ≈ c + B a, gives B = C Cov(a)⁻¹ with C = Cov(z, a), and
    /// attribute k's direction is column k of B times `gaps[k]`.
    ///
    /// Why this: attributes are correlated in the music (the widest windows are also the busiest), so the windows
    /// in the top quartile of one attribute also differ in others, and their mean code difference (the quartile
    /// vector) carries those too: mel_2bar_small's pitch-range vector adds more notes than range. The fit splits
    /// that difference by attribute.
    /// Measured on mel_2bar_small against two alternatives (`attributes matrix`, in standard deviations):
    /// removing the other quartile vectors' components (`orthogonal`) also removes what of this attribute's own
    /// direction lies along them, halving the density edit; the step of least Mahalanobis norm that moves a
    /// linear read-out of the attributes from z (C (Cᵀ Cov(z)⁻¹ C)⁻¹) is long where the codes predict an
    /// attribute poorly, and its diatonic step made windows less diatonic. The fit's steps stay among codes the
    /// encoder gives; an attribute the codes hold mostly through the others (pitch range: half its variance
    /// follows from them, and little of the rest shows in z) gets a short one that moves little.
    ///
    /// Also returns, per attribute, the R² of its fit on the others: 1 - 1 / (Var(a_k) (Cov(a)⁻¹)_kk), since
    /// 1 / (Cov(a)⁻¹)_kk is the variance the others leave unexplained.
    ///
    /// Shapes: codes N × Z, values K × N (attribute-major), gaps K; returns K directions of Z and K shares. An
    /// attribute with no spread over the windows gets a zero direction and share and is left out of the fit.
    static func disentangledDirections(codes: [[Float]], values: [[Double]], gaps: [Double]) -> (directions: [[Float]], explained: [Double]) {
        let n = codes.count, k = values.count, z = codes.first?.count ?? 0
        guard n > 1 else { return (values.map { _ in [Float](repeating: 0, count: z) }, values.map { _ in 0 }) }
        let codeMean = (0..<z).map { d in codes.reduce(0.0) { $0 + Double($1[d]) } / Double(n) }
        let centred = values.map { v in
            let mean = v.reduce(0, +) / Double(n)
            return v.map { $0 - mean }
        }
        // Attributes without spread cannot be moved or held: out of the fit.
        let fitted = (0..<k).filter { j in centred[j].contains { abs($0) > 1e-12 } }
        // Cov(a): F × F; C = Cov(z, a): Z × F.
        let covA = fitted.map { i in fitted.map { j in zip(centred[i], centred[j]).reduce(0.0) { $0 + $1.0 * $1.1 } / Double(n) } }
        var c = [[Double]](repeating: [Double](repeating: 0, count: fitted.count), count: z)
        for (w, code) in codes.enumerated() {
            for d in 0..<z {
                let x = Double(code[d]) - codeMean[d]
                for (r, j) in fitted.enumerated() { c[d][r] += x * centred[j][w] / Double(n) }
            }
        }
        let inverse = solve(covA, fitted.indices.map { i in fitted.indices.map { $0 == i ? 1.0 : 0 } })   // F × F
        var directions = [[Float]](repeating: [Float](repeating: 0, count: z), count: k)
        var explained = [Double](repeating: 0, count: k)
        for (r, j) in fitted.enumerated() {
            directions[j] = (0..<z).map { d in Float(gaps[j] * fitted.indices.reduce(0.0) { $0 + c[d][$1] * inverse[$1][r] }) }
            // A duplicated attribute (no pivot: 0 on the diagonal) is wholly explained by its twin.
            explained[j] = inverse[r][r] > 0 ? max(0, 1 - 1 / (covA[r][r] * inverse[r][r])) : 1
        }
        return (directions, explained)
    }

    /// X with A X = B (A n × n, B n × m), by Gauss-Jordan elimination with partial pivoting. A is symmetric
    /// positive (semi)definite here; a pivot below 1e-12 of the largest diagonal entry counts as zero, and its
    /// unknowns are set to 0.
    static func solve(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        let n = a.count, m = b.first?.count ?? 0
        var a = a, x = b
        let scale = max(1e-300, (0..<n).map { abs(a[$0][$0]) }.max() ?? 1)
        var singular = [Bool](repeating: false, count: n)
        for col in 0..<n {
            let pivot = (col..<n).max { abs(a[$0][col]) < abs(a[$1][col]) }!
            guard abs(a[pivot][col]) > 1e-12 * scale else { singular[col] = true; continue }
            a.swapAt(col, pivot); x.swapAt(col, pivot)
            let p = a[col][col]
            for row in 0..<n where row != col {
                let f = a[row][col] / p
                guard f != 0 else { continue }
                for c in col..<n { a[row][c] -= f * a[col][c] }
                for c in 0..<m { x[row][c] -= f * x[col][c] }
            }
        }
        return (0..<n).map { i in singular[i] ? [Double](repeating: 0, count: m) : x[i].map { $0 / a[i][i] } }
    }

    /// The windows of the top and the bottom group of one attribute's values (see `compute`).
    static func groups(_ v: [Double]) -> (top: [Int], bottom: [Int]) {
        let q = max(1, v.count / 4)
        let order = v.indices.sorted { v[$0] != v[$1] ? v[$0] < v[$1] : $0 < $1 }
        let low = v[order[q - 1]], high = v[order[v.count - q]]
        guard low == high else { return (Array(order.suffix(q)), Array(order.prefix(q))) }
        let above = order.filter { v[$0] > high }, at = order.filter { v[$0] == high }, below = order.filter { v[$0] < high }
        switch (above.isEmpty, below.isEmpty) {
        case (false, false): return (above, below)
        case (false, true): return (above, at)
        case (true, false): return (at, below)
        case (true, true): return (order, order)  // every value equal: nothing to tell apart, a zero vector
        }
    }

    /// Reads `attributes.json` from a model folder.
    public static func load(from folder: URL) throws -> AttributeVectors {
        let url = folder.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw MusicVAEError.invalidInput("\(folder.path) has no \(fileName); run `musicvae attributes compute --model \(folder.path) --data ...`")
        }
        let vectors: AttributeVectors
        do {
            vectors = try JSONDecoder().decode(AttributeVectors.self, from: Data(contentsOf: url))
        } catch let DecodingError.keyNotFound(key, _) {
            throw MusicVAEError.badCheckpoint("\(url.path): no '\(key.stringValue)' entry; recompute it with `musicvae attributes compute`")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let at = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            throw MusicVAEError.badCheckpoint("\(url.path): '\(at)' has the wrong type; recompute it with `musicvae attributes compute`")
        } catch {
            throw MusicVAEError.badCheckpoint("\(url.path): not a valid attributes file (\(error is DecodingError ? "malformed JSON" : "\(error)"))")
        }
        let all = Array(vectors.vectors.values) + Array((vectors.directions ?? [:]).values)
        let sizes = Set(all.map(\.count))
        if sizes.count > 1 { throw MusicVAEError.badCheckpoint("\(url.path): the vectors have different lengths \(sizes.sorted())") }
        for (kind, table) in [("vector", vectors.vectors), ("direction", vectors.directions ?? [:])] {
            if let (name, _) = table.sorted(by: { $0.key < $1.key }).first(where: { $0.value.contains { !$0.isFinite } }) {
                throw MusicVAEError.badCheckpoint("\(url.path): \(kind) '\(name)' holds NaN or infinite values")
            }
        }
        return vectors
    }

    /// Writes `attributes.json` into a model folder, atomically.
    public func save(to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(self).write(to: folder.appendingPathComponent(Self.fileName), options: .atomic)
    }
}
