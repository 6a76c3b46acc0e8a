import Testing
@testable import NeuralNet

/// Central finite differences of `loss` at `theta`, compared entry by entry with `analytic`.
/// Float forward passes: h = 5e-3 balances truncation (h²) and rounding (ε·|L|/h) error.
func checkGradient(_ name: String, theta: [Float], analytic: [Float], h: Float = 5e-3,
                   atol: Double = 2e-3, rtol: Double = 2e-2, loss: ([Float]) -> Double,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(theta.count == analytic.count, "\(name): size", sourceLocation: sourceLocation)
    var worst = 0.0, worstIndex = -1
    var errSq = 0.0, refSq = 0.0
    var t = theta
    for i in 0..<theta.count {
        let x = t[i]
        t[i] = x + h; let lp = loss(t)
        t[i] = x - h; let lm = loss(t)
        t[i] = x
        let fd = (lp - lm) / Double(2 * h)
        let a = Double(analytic[i])
        let ratio = abs(fd - a) / (atol + rtol * abs(a))
        errSq += (fd - a) * (fd - a); refSq += a * a
        if ratio > worst { worst = ratio; worstIndex = i }
    }
    #expect(worst <= 1, "\(name): worst entry \(worstIndex) off by \(worst)x tolerance", sourceLocation: sourceLocation)
    let rel = (errSq / max(refSq, 1e-30)).squareRoot()
    #expect(rel < 5e-3, "\(name): relative error norm \(rel)", sourceLocation: sourceLocation)
    #expect(refSq > 0, "\(name): gradient is all zero", sourceLocation: sourceLocation)
}

/// Uniform random floats in [-a, a).
func randomFloats(_ n: Int, _ a: Float = 1, _ rng: inout SeededGenerator) -> [Float] {
    (0..<n).map { _ in (rng.nextUniform() * 2 - 1) * a }
}

/// Σ r_i x_i in Double.
func dot(_ r: [Float], _ x: UnsafePointer<Float>) -> Double {
    var s = 0.0
    for i in 0..<r.count { s += Double(r[i]) * Double(x[i]) }
    return s
}

/// Copies `n` floats from `p` into an array.
func array(_ p: UnsafePointer<Float>, _ n: Int) -> [Float] { Array(UnsafeBufferPointer(start: p, count: n)) }
