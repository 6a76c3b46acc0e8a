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
