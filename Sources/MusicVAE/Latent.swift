import Foundation

/// Operations on latent codes (plain `[Float]` vectors of the model's z size).
public enum Latent {
    /// How to move between two codes.
    public enum Interpolation: String, Sendable, CaseIterable {
        /// Along the straight line.
        case lerp
        /// Along the great circle, the norm interpolated linearly (the MusicVAE paper's choice; codes from
        /// N(0, I) concentrate near a sphere, where straight lines cut through the low-density middle).
        case slerp
    }

    /// a + t (b - a).
    public static func lerp(_ a: [Float], _ b: [Float], _ t: Float) -> [Float] {
        zip(a, b).map { $0 + t * ($1 - $0) }
    }

    /// Spherical interpolation: sin((1-t)θ)/sin θ · a + sin(tθ)/sin θ · b, with θ the angle between a and b;
    /// falls back to lerp when the codes are (anti-)parallel within 1e-6, where the formula is undefined.
    public static func slerp(_ a: [Float], _ b: [Float], _ t: Float) -> [Float] {
        let na = norm(a), nb = norm(b)
        guard na > 0, nb > 0 else { return lerp(a, b, t) }
        let cosine = max(-1, min(1, Double(dot(a, b)) / (Double(na) * Double(nb))))
        let theta = acos(cosine)
        guard sin(theta) > 1e-6 else { return lerp(a, b, t) }
        let wa = Float(sin((1 - Double(t)) * theta) / sin(theta))
        let wb = Float(sin(Double(t) * theta) / sin(theta))
        return zip(a, b).map { wa * $0 + wb * $1 }
    }

    /// `steps` codes from a to b inclusive (t = i / (steps - 1)); the first is exactly a, the last exactly b.
    public static func interpolate(_ a: [Float], _ b: [Float], steps: Int, method: Interpolation = .slerp) -> [[Float]] {
        guard steps > 1 else { return [a] }
        return (0..<steps).map { i in
            if i == 0 { return a }
            if i == steps - 1 { return b }
            let t = Float(i) / Float(steps - 1)
            return method == .slerp ? slerp(a, b, t) : lerp(a, b, t)
        }
    }

    /// A `steps` × `steps` grid between four corners (row by row: top-left, top-right, bottom-left, bottom-right),
    /// interpolating down the left and right edges, then across each row.
    public static func grid(_ corners: [[Float]], steps: Int, method: Interpolation = .slerp) -> [[Float]] {
        precondition(corners.count == 4, "a grid has four corners")
        let left = interpolate(corners[0], corners[2], steps: steps, method: method)
        let right = interpolate(corners[1], corners[3], steps: steps, method: method)
        return zip(left, right).flatMap { interpolate($0, $1, steps: steps, method: method) }
    }

    /// s · z + (1 - s) · noise: a variation of z that keeps a fraction s of it.
    public static func similar(_ z: [Float], similarity s: Float, noise: [Float]) -> [Float] {
        zip(z, noise).map { s * $0 + (1 - s) * $1 }
    }

    /// z + amount · v.
    public static func add(_ z: [Float], _ v: [Float], amount: Float) -> [Float] {
        zip(z, v).map { $0 + amount * $1 }
    }

    /// `v` without its components along `others` (Gram-Schmidt against an orthonormal basis of their span),
    /// rescaled to `v`'s length: a direction that moves one attribute while the others' vectors stay put.
    /// Returns `v` unchanged when nothing of it is left outside that span.
    public static func orthogonalized(_ v: [Float], against others: [[Float]]) -> [Float] {
        var basis: [[Double]] = []
        for o in others {
            var u = o.map(Double.init)
            for b in basis {
                let d = zip(u, b).reduce(0) { $0 + $1.0 * $1.1 }
                for i in u.indices { u[i] -= d * b[i] }
            }
            let n = u.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if n > 1e-9 { basis.append(u.map { $0 / n }) }
        }
        var w = v.map(Double.init)
        for b in basis {
            let d = zip(w, b).reduce(0) { $0 + $1.0 * $1.1 }
            for i in w.indices { w[i] -= d * b[i] }
        }
        let nw = w.reduce(0) { $0 + $1 * $1 }.squareRoot(), nv = Double(norm(v))
        guard nw > 1e-6 * max(1, nv) else { return v }
        return w.map { Float($0 * nv / nw) }
    }

    /// The element-wise mean of codes.
    public static func mean(_ codes: [[Float]]) -> [Float] {
        guard let first = codes.first else { return [] }
        var sum = [Double](repeating: 0, count: first.count)
        for c in codes { for i in c.indices { sum[i] += Double(c[i]) } }
        return sum.map { Float($0 / Double(codes.count)) }
    }

    /// Euclidean norm.
    public static func norm(_ a: [Float]) -> Float { dot(a, a).squareRoot() }

    /// Dot product (accumulated in Double).
    public static func dot(_ a: [Float], _ b: [Float]) -> Float {
        Float(zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) })
    }

    /// Euclidean distance.
    public static func distance(_ a: [Float], _ b: [Float]) -> Float {
        Float(zip(a, b).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }.squareRoot())
    }
}

/// Attribute vectors of a model (`attributes.json` in its folder): for each attribute, the mean latent code of the
/// windows in the top quartile of that attribute minus the mean code of the bottom quartile.
public struct AttributeVectors: Codable, Sendable, Equatable {
    /// Vector per attribute name.
    public var vectors: [String: [Float]]
    /// Mean attribute value in the top and bottom quartile, per attribute.
    public var quartileMeans: [String: [Double]]
    /// Windows the vectors were computed from.
    public var windows: Int
    /// The data (paths) they came from.
    public var data: [String]
    /// How they were computed.
    public var method: String

    /// The file name inside a model folder.
    public static let fileName = "attributes.json"

    /// Creates vectors.
    public init(vectors: [String: [Float]], quartileMeans: [String: [Double]], windows: Int, data: [String], method: String) {
        self.vectors = vectors
        self.quartileMeans = quartileMeans
        self.windows = windows
        self.data = data
        self.method = method
    }

    enum CodingKeys: String, CodingKey {
        case vectors, windows, data, method
        case quartileMeans = "quartile_means"
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
    public static func compute(codes: [[Float]], values: [String: [Double]], data: [String]) -> AttributeVectors {
        var vectors: [String: [Float]] = [:]
        var means: [String: [Double]] = [:]
        for (name, v) in values {
            let (top, bottom) = groups(v)
            vectors[name] = zip(Latent.mean(top.map { codes[$0] }), Latent.mean(bottom.map { codes[$0] })).map { $0 - $1 }
            means[name] = [top.reduce(0) { $0 + v[$1] } / Double(top.count), bottom.reduce(0) { $0 + v[$1] } / Double(bottom.count)]
        }
        return AttributeVectors(vectors: vectors, quartileMeans: means, windows: codes.count, data: data,
                                method: "mean z (mu) of the top quartile minus mean z of the bottom quartile, per attribute "
                                    + "(where the middle half ties: the windows above the tied value against those at it, at it against below, or above against below)")
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
        let sizes = Set(vectors.vectors.values.map(\.count))
        if sizes.count > 1 { throw MusicVAEError.badCheckpoint("\(url.path): the vectors have different lengths \(sizes.sorted())") }
        if let (name, _) = vectors.vectors.first(where: { $0.value.contains { !$0.isFinite } }) {
            throw MusicVAEError.badCheckpoint("\(url.path): vector '\(name)' holds NaN or infinite values")
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
