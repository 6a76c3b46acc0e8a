import Foundation

/// Loss functions: softmax cross-entropy, Gaussian KL divergence, free-bits hinge.
public enum Loss {
    /// Row-wise softmax cross-entropy; writes the softmax into `probs` (may alias `logits`) and
    /// returns Σ_n −log softmax(logits_n)[y_n] (in Double). `perRow`, when given, receives each row's loss.
    /// shapes: logits, probs [N,V], targets [N] (class indices)
    @discardableResult
    @_optimize(speed)
    public static func softmaxCrossEntropyForward(probs: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>,
                                                  targets: UnsafePointer<Int32>, rows: Int, classes: Int,
                                                  perRow: UnsafeMutablePointer<Float>? = nil) -> Double {
        var total = 0.0
        for n in 0..<rows {
            let l = logits + n * classes
            let p = probs + n * classes
            var mx = -Float.infinity
            for v in 0..<classes { mx = max(mx, l[v]) }
            let target = l[Int(targets[n])]
            var s: Float = 0
            var v = 0
            while v + 8 <= classes {
                let e = vexp(load8(l + v) - mx)
                store8(e, p + v)
                s += e.sum()
                v += 8
            }
            while v < classes { let e = sexp(l[v] - mx); p[v] = e; s += e; v += 1 }
            let inv = 1 / s
            Vec.scale(p, by: inv, classes)
            let loss = Double(mx - target) + Foundation.log(Double(s))
            perRow?[n] = Float(loss)
            total += loss
        }
        return total
    }

    /// dlogits = scale · (probs − onehot(y)); OVERWRITES (so it may run in place on `probs`).
    /// shapes: probs, dlogits [N,V], targets [N]
    @_optimize(speed)
    public static func softmaxCrossEntropyBackward(dlogits: UnsafeMutablePointer<Float>, probs: UnsafePointer<Float>,
                                                   targets: UnsafePointer<Int32>, rows: Int, classes: Int, scale: Float) {
        for n in 0..<rows {
            let p = probs + n * classes
            let d = dlogits + n * classes
            for v in 0..<classes { d[v] = scale * p[v] }
            d[Int(targets[n])] -= scale
        }
    }

    /// KL(N(mu, sigma²) ‖ N(0, 1)) of one dimension, in nats: ½ (mu² + sigma² − 1 − 2 ln sigma).
    @inline(__always)
    public static func gaussianKL(mu: Float, sigma: Float) -> Double {
        let m = Double(mu), sg = Double(sigma)
        return 0.5 * (m * m + sg * sg - 1 - 2 * Foundation.log(sg))
    }

    /// KL(N(mu, sigma²) ‖ N(0, I)) = Σ_d `gaussianKL(mu_d, sigma_d)` per row, in nats.
    /// shapes: mu, sigma [B,Z], kl [B] (out)
    @_optimize(speed)
    public static func gaussianKLForward(kl: UnsafeMutablePointer<Float>, mu: UnsafePointer<Float>,
                                         sigma: UnsafePointer<Float>, batch: Int, width: Int) {
        for b in 0..<batch {
            var s = 0.0
            for d in 0..<width { s += gaussianKL(mu: mu[b * width + d], sigma: sigma[b * width + d]) }
            kl[b] = Float(s)
        }
    }

    /// dmu += dkl · mu, dsigma += dkl · (sigma − 1/sigma) (each skipped when nil).
    /// shapes: dkl [B], mu, sigma, dmu, dsigma [B,Z]
    @_optimize(speed)
    public static func gaussianKLBackward(dmu: UnsafeMutablePointer<Float>?, dsigma: UnsafeMutablePointer<Float>?,
                                          dkl: UnsafePointer<Float>, mu: UnsafePointer<Float>,
                                          sigma: UnsafePointer<Float>, batch: Int, width: Int) {
        for b in 0..<batch {
            let g = dkl[b]
            for d in 0..<width {
                let i = b * width + d
                dmu?[i] += g * mu[i]
                dsigma?[i] += g * (sigma[i] - 1 / sigma[i])
            }
        }
    }

    /// The free-bits hinge max(kl − freeNats, 0) and its derivative w.r.t. kl (1 above the threshold, else 0).
    @inlinable
    public static func freeBitsHinge(_ kl: Float, freeNats: Float) -> (value: Float, gradient: Float) {
        kl > freeNats ? (kl - freeNats, 1) : (0, 0)
    }
}
