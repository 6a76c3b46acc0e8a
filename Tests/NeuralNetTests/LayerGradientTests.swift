import Testing
@testable import NeuralNet

@Suite("Finite-difference gradient checks: dense, activations, losses")
struct LayerGradientTests {
    @Test func dense() {
        var rng = SeededGenerator(seed: 1)
        let B = 3, I = 5, O = 4
        let theta = randomFloats(B * I + I * O + O, 1, &rng)
        let r = randomFloats(B * O, 1, &rng)
        func run(_ th: [Float], grad: Bool) -> (Double, [Float]) {
            th.withUnsafeBufferPointer { tp in
                let x = tp.baseAddress!, w = x + B * I, b = w + I * O
                var y = [Float](repeating: 0, count: B * O)
                y.withUnsafeMutableBufferPointer { Dense.forward($0.baseAddress!, x, w, b, batch: B, inputs: I, outputs: O) }
                let l = y.withUnsafeBufferPointer { dot(r, $0.baseAddress!) }
                guard grad else { return (l, []) }
                var g = [Float](repeating: 0, count: th.count)
                g.withUnsafeMutableBufferPointer { gp in
                    let dx = gp.baseAddress!, dw = dx + B * I, db = dw + I * O
                    Dense.backward(dx: dx, dw: dw, db: db, dy: r, x: x, w: w, batch: B, inputs: I, outputs: O)
                }
                return (l, g)
            }
        }
        checkGradient("dense", theta: theta, analytic: run(theta, grad: true).1) { run($0, grad: false).0 }
    }

    @Test(arguments: ["softplus", "tanh", "sigmoid"])
    func activation(_ kind: String) {
        var rng = SeededGenerator(seed: 2)
        let n = 21
        let theta = randomFloats(n, 3, &rng)
        let r = randomFloats(n, 1, &rng)
        func fwd(_ x: [Float]) -> [Float] {
            var y = [Float](repeating: 0, count: n)
            y.withUnsafeMutableBufferPointer { yp in
                switch kind {
                case "softplus": Activation.softplusForward(yp.baseAddress!, x, n)
                case "tanh": Activation.tanhForward(yp.baseAddress!, x, n)
                default: Activation.sigmoidForward(yp.baseAddress!, x, n)
                }
            }
            return y
        }
        let y = fwd(theta)
        var g = [Float](repeating: 0, count: n)
        g.withUnsafeMutableBufferPointer { gp in
            switch kind {
            case "softplus": Activation.softplusBackward(gp.baseAddress!, r, theta, n)
            case "tanh": Activation.tanhBackward(gp.baseAddress!, r, y, n)
            default: Activation.sigmoidBackward(gp.baseAddress!, r, y, n)
            }
        }
        checkGradient(kind, theta: theta, analytic: g) { th in fwd(th).withUnsafeBufferPointer { dot(r, $0.baseAddress!) } }
    }

    @Test func softmaxCrossEntropy() {
        var rng = SeededGenerator(seed: 3)
        let N = 6, V = 11
        let theta = randomFloats(N * V, 3, &rng)
        let targets: [Int32] = (0..<N).map { Int32($0 * 7 % V) }
        let scale: Float = 0.5
        func loss(_ th: [Float]) -> Double {
            var p = [Float](repeating: 0, count: N * V)
            return Double(scale) * p.withUnsafeMutableBufferPointer {
                Loss.softmaxCrossEntropyForward(probs: $0.baseAddress!, logits: th, targets: targets, rows: N, classes: V)
            }
        }
        var p = theta  // in place: logits -> probs -> dlogits
        p.withUnsafeMutableBufferPointer { pp in
            let l = Loss.softmaxCrossEntropyForward(probs: pp.baseAddress!, logits: pp.baseAddress!, targets: targets, rows: N, classes: V)
            #expect(abs(Double(scale) * l - loss(theta)) < 1e-9)
            Loss.softmaxCrossEntropyBackward(dlogits: pp.baseAddress!, probs: pp.baseAddress!, targets: targets, rows: N, classes: V, scale: scale)
        }
        checkGradient("softmax-CE", theta: theta, analytic: p, loss: loss)
    }

    @Test func softmaxCrossEntropyValue() {
        // logits [0, ln 2, ln 3]: softmax = [1, 2, 3]/6; −log p[2] = ln 2.
        let logits: [Float] = [0, Float(0.6931471805599453), Float(1.0986122886681098)]
        var p = [Float](repeating: 0, count: 3)
        let l = p.withUnsafeMutableBufferPointer {
            Loss.softmaxCrossEntropyForward(probs: $0.baseAddress!, logits: logits, targets: [2], rows: 1, classes: 3)
        }
        #expect(abs(l - 0.6931471805599453) < 1e-6)
        #expect(abs(p[0] - 1.0 / 6) < 1e-6 && abs(p[1] - 2.0 / 6) < 1e-6)
    }

    @Test func gaussianKL() {
        var rng = SeededGenerator(seed: 4)
        let B = 3, Z = 5
        let mu = randomFloats(B * Z, 1, &rng)
        let sigma = randomFloats(B * Z, 0.6, &rng).map { $0 + 1 }
        let r = randomFloats(B, 1, &rng)
        let theta = mu + sigma
        func loss(_ th: [Float]) -> Double {
            var kl = [Float](repeating: 0, count: B)
            kl.withUnsafeMutableBufferPointer {
                Loss.gaussianKLForward(kl: $0.baseAddress!, mu: Array(th[0..<B * Z]), sigma: Array(th[(B * Z)...]), batch: B, width: Z)
            }
            return kl.withUnsafeBufferPointer { dot(r, $0.baseAddress!) }
        }
        var g = [Float](repeating: 0, count: 2 * B * Z)
        g.withUnsafeMutableBufferPointer { gp in
            Loss.gaussianKLBackward(dmu: gp.baseAddress!, dsigma: gp.baseAddress! + B * Z, dkl: r, mu: mu, sigma: sigma, batch: B, width: Z)
        }
        checkGradient("KL", theta: theta, analytic: g, h: 1e-3, loss: loss)
        // Value: mu = 0, sigma = 1 gives 0; mu = 1, sigma = e gives ½(1 + e² − 1 − 2) per dim.
        var kl: [Float] = [0, 0]
        let e = Float(2.718281828459045)
        kl.withUnsafeMutableBufferPointer {
            Loss.gaussianKLForward(kl: $0.baseAddress!, mu: [0, 1], sigma: [1, e], batch: 2, width: 1)
        }
        #expect(kl[0] == 0)
        #expect(abs(Double(kl[1]) - 0.5 * (Double(e) * Double(e) - 2)) < 1e-5)
    }

    @Test func freeBitsHinge() {
        let free: Float = 256 * Float(0.6931471805599453)
        #expect(Loss.freeBitsHinge(150, freeNats: free) == (0, 0))
        let (v, g) = Loss.freeBitsHinge(200, freeNats: 100)
        #expect(v == 100 && g == 1)
        // Finite difference on both sides of the kink.
        for kl: Float in [90, 110] {
            let fd = (Loss.freeBitsHinge(kl + 0.01, freeNats: 100).value - Loss.freeBitsHinge(kl - 0.01, freeNats: 100).value) / 0.02
            #expect(abs(fd - Loss.freeBitsHinge(kl, freeNats: 100).gradient) < 1e-3)
        }
    }

    @Test func vectorMathAccuracy() {
        var worstExp: Float = 0, worstTanh: Float = 0, worstSig: Float = 0
        var x: Float = -30
        while x < 30 {
            let v = FloatVector(repeating: x)
            let e = Double(vexp(v)[0]), re = Foundation_exp(Double(x))
            worstExp = max(worstExp, Float(abs(e - re) / re))
            worstTanh = max(worstTanh, Float(abs(Double(vtanh(v)[0]) - Foundation_tanh(Double(x)))))
            worstSig = max(worstSig, Float(abs(Double(vsigmoid(v)[0]) - 1 / (1 + Foundation_exp(-Double(x))))))
            x += 0.00731
        }
        #expect(worstExp < 5e-7)
        #expect(worstTanh < 3e-7)
        #expect(worstSig < 2e-7)
    }
}
