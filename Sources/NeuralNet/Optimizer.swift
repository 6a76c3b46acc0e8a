import Foundation

/// Adam with TensorFlow's update rule (`tf.train.AdamOptimizer`):
/// lr_t = lr·√(1−β2^t)/(1−β1^t); m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; θ −= lr_t·m/(√v + ε).
public struct Adam: Sendable, Equatable {
    /// β1, the first-moment decay (TF default 0.9).
    public var beta1: Float
    /// β2, the second-moment decay (TF default 0.999).
    public var beta2: Float
    /// ε, added to √v (TF's "epsilon hat", default 1e-8).
    public var epsilon: Float
    /// First moments, one per parameter.
    public var m: [Float]
    /// Second moments, one per parameter.
    public var v: [Float]
    /// Updates applied so far (the global step before the next update).
    public var step: Int
    /// The step at which `m` and `v` were last zero: bias correction counts updates from here, so a run that
    /// continues from weights without their moments (`step` > 0, moments new) starts Adam afresh.
    public var momentsSince: Int = 0

    /// Zero moments for `count` parameters.
    public init(count: Int, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        m = [Float](repeating: 0, count: count)
        v = [Float](repeating: 0, count: count)
        step = 0
    }

    /// Applies one update to `parameters` from `gradients` (same length) at `learningRate`.
    public mutating func update(_ parameters: inout [Float], gradients: [Float], learningRate: Float) {
        precondition(parameters.count == m.count && gradients.count == m.count, "Adam: size mismatch")
        gradients.withUnsafeBufferPointer { g in
            parameters.withUnsafeMutableBufferPointer { p in
                update(p.baseAddress!, gradients: g.baseAddress!, learningRate: learningRate)
            }
        }
    }

    /// Applies one update through raw pointers (`count` = the moment count). Each element's update depends on that
    /// element alone, so a large model's elements are updated in two halves side by side (`Parallel.pair`).
    @_optimize(speed)
    public mutating func update(_ p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, learningRate: Float) {
        step += 1
        let t = Double(step - momentsSince)
        let lrt = Float(Double(learningRate) * (1 - Foundation.pow(Double(beta2), t)).squareRoot()
                        / (1 - Foundation.pow(Double(beta1), t)))
        let b1 = beta1, b2 = beta2, eps = epsilon, n = m.count
        m.withUnsafeMutableBufferPointer { mb in
            v.withUnsafeMutableBufferPointer { vb in
                let mp = mb.baseAddress!, vp = vb.baseAddress!
                // Elements [start, end): the moments, then the parameter.
                func apply(_ start: Int, _ end: Int) {
                    var i = start
                    while i + 8 <= end {
                        let gv = load8(g + i)
                        let mv = b1 * load8(mp + i) + (1 - b1) * gv
                        let vv = b2 * load8(vp + i) + (1 - b2) * gv * gv
                        store8(mv, mp + i); store8(vv, vp + i)
                        store8(load8(p + i) - lrt * mv / (vv.squareRoot() + eps), p + i)
                        i += 8
                    }
                    while i < end {
                        let gv = g[i]
                        mp[i] = b1 * mp[i] + (1 - b1) * gv
                        vp[i] = b2 * vp[i] + (1 - b2) * gv * gv
                        p[i] -= lrt * mp[i] / (vp[i].squareRoot() + eps)
                        i += 1
                    }
                }
                if n >= Self.pairedCount {
                    let middle = n / 16 * 8
                    Parallel.pair({ apply(0, middle) }, { apply(middle, n) })
                } else {
                    apply(0, n)
                }
            }
        }
    }

    /// From this many parameters on, `update` runs in two halves side by side (a batch-64 step of mel_2bar_small
    /// spent about 3% of its time here on one core).
    static let pairedCount = 1 << 20
}

/// Magenta's learning-rate schedule: lr = (lr0 − lrMin) · decay^step + lrMin.
public struct ExponentialDecay: Sendable, Equatable, Codable {
    /// lr0 (Magenta default 1e-3).
    public var initial: Double
    /// The per-step decay factor (default 0.9999).
    public var decayRate: Double
    /// The floor (default 1e-5).
    public var minimum: Double

    /// A schedule with Magenta's defaults.
    public init(initial: Double = 1e-3, decayRate: Double = 0.9999, minimum: Double = 1e-5) {
        self.initial = initial; self.decayRate = decayRate; self.minimum = minimum
    }

    /// The learning rate at a global step.
    public func callAsFunction(_ step: Int) -> Double {
        (initial - minimum) * Foundation.pow(decayRate, Double(step)) + minimum
    }
}

/// Global-norm gradient clipping (`tf.clip_by_global_norm`).
public enum GradientClipping {
    /// √(Σ g²) over `count` values, accumulated in Double.
    public static func globalNorm(_ g: UnsafePointer<Float>, count: Int) -> Double {
        Vec.sumOfSquares(g, count).squareRoot()
    }

    /// Scales g by clipNorm / max(norm, clipNorm) and returns the norm before clipping.
    /// With `zeroAbove` (Magenta's `grad_norm_clip_to_zero`, 10000), a norm at or above it zeroes g instead.
    @discardableResult
    public static func clipByGlobalNorm(_ g: UnsafeMutablePointer<Float>, count: Int, clipNorm: Double,
                                        zeroAbove: Double? = nil) -> Double {
        let norm = globalNorm(g, count: count)
        if let z = zeroAbove, !(norm < z) {
            Vec.zero(g, count)
            return norm
        }
        if norm > clipNorm { Vec.scale(g, by: Float(clipNorm / norm), count) }
        return norm
    }

    /// Array convenience for `clipByGlobalNorm`.
    @discardableResult
    public static func clipByGlobalNorm(_ g: inout [Float], clipNorm: Double, zeroAbove: Double? = nil) -> Double {
        let n = g.count
        return g.withUnsafeMutableBufferPointer { clipByGlobalNorm($0.baseAddress!, count: n, clipNorm: clipNorm, zeroAbove: zeroAbove) }
    }
}
