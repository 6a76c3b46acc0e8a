import Testing
import Foundation
@testable import NeuralNet

@Suite("Adam, learning-rate schedule, clipping")
struct OptimizerTests {
    @Test func adamTwoSteps() {
        // Hand computation (TF rule), lr = 0.1, g1 = [0.5, -2], g2 = [0.1, -1].
        var adam = Adam(count: 2)
        var p: [Float] = [1, -1]
        adam.update(&p, gradients: [0.5, -2], learningRate: 0.1)
        // t=1: m = 0.1 g, v = 0.001 g², lr_t = 0.1·√0.001/0.1 = √0.001
        // step = lr_t · m/(√v+ε) = √0.001 · 0.1g/(√0.001|g| + 1e-8) ≈ 0.1·sign(g)
        let lr1 = 0.1 * (0.001).squareRoot() / 0.1
        let e1 = [1 - lr1 * 0.05 / ((0.001 * 0.25).squareRoot() + 1e-8), -1 + lr1 * 0.2 / ((0.001 * 4).squareRoot() + 1e-8)]
        #expect(abs(Double(p[0]) - e1[0]) < 1e-6 && abs(Double(p[1]) - e1[1]) < 1e-6)
        adam.update(&p, gradients: [0.1, -1], learningRate: 0.1)
        let m = [0.9 * 0.05 + 0.1 * 0.1, 0.9 * -0.2 + 0.1 * -1]
        let v = [0.999 * 0.00025 + 0.001 * 0.01, 0.999 * 0.004 + 0.001 * 1]
        let lr2 = 0.1 * (1 - 0.999 * 0.999).squareRoot() / (1 - 0.81)
        let e2 = (0..<2).map { e1[$0] - lr2 * m[$0] / (v[$0].squareRoot() + 1e-8) }
        #expect(abs(Double(p[0]) - e2[0]) < 1e-6 && abs(Double(p[1]) - e2[1]) < 1e-6)
        #expect(adam.step == 2)
        // The vector path (8 lanes) and the scalar tail agree.
        var a9 = Adam(count: 9), p9 = [Float](repeating: 1, count: 9)
        a9.update(&p9, gradients: [Float](repeating: 0.5, count: 9), learningRate: 0.1)
        #expect(p9.allSatisfy { $0 == p9[8] })
    }

    /// A model large enough to be updated in two halves side by side gets, element by element, the update of
    /// small Adams over its pieces (the halves meet at an odd element count).
    @Test func largeUpdatesInHalvesGiveEachElementsUpdate() {
        let n = Adam.pairedCount + 13
        var rng = SeededGenerator(seed: 4)
        var p = (0..<n).map { _ in rng.nextNormal() }
        let g1 = (0..<n).map { _ in rng.nextNormal() }, g2 = (0..<n).map { _ in rng.nextNormal() }
        var pieces = p, big = Adam(count: n)
        big.update(&p, gradients: g1, learningRate: 0.01)
        big.update(&p, gradients: g2, learningRate: 0.01)
        for start in stride(from: 0, to: n, by: 100_003) {
            let end = min(n, start + 100_003)
            var piece = Array(pieces[start..<end]), small = Adam(count: end - start)
            small.update(&piece, gradients: Array(g1[start..<end]), learningRate: 0.01)
            small.update(&piece, gradients: Array(g2[start..<end]), learningRate: 0.01)
            pieces.replaceSubrange(start..<end, with: piece)
        }
        #expect(p.map(\.bitPattern) == pieces.map(\.bitPattern))
        #expect(big.m.contains { $0 != 0 })
    }

    @Test func learningRateSchedule() {
        let s = ExponentialDecay()
        #expect(abs(s(0) - 1e-3) < 1e-15)
        #expect(abs(s(1) - ((1e-3 - 1e-5) * 0.9999 + 1e-5)) < 1e-15)
        #expect(abs(s(10_000) - ((1e-3 - 1e-5) * Foundation.pow(0.9999, 10_000) + 1e-5)) < 1e-15)
        #expect(abs(s(10_000) - 3.7420e-4) < 1e-7)  // 0.99e-3 · e^{-1.00005} + 1e-5
        #expect(abs(s(10_000_000) - 1e-5) < 1e-12)
    }

    @Test func clipping() {
        var g: [Float] = [3, 4, 0, 0, 0, 0, 0, 0, 0, 12]  // norm 13
        let n = GradientClipping.clipByGlobalNorm(&g, clipNorm: 1)
        #expect(abs(n - 13) < 1e-9)
        #expect(abs(g[0] - 3.0 / 13) < 1e-7 && abs(g[9] - 12.0 / 13) < 1e-7)
        var small: [Float] = [0.3, 0.4]
        GradientClipping.clipByGlobalNorm(&small, clipNorm: 1)
        #expect(small == [0.3, 0.4])
        var huge: [Float] = [2e4, 0]
        GradientClipping.clipByGlobalNorm(&huge, clipNorm: 1, zeroAbove: 1e4)
        #expect(huge == [0, 0])
    }

    @Test func parameterStoreAndTensor() throws {
        var s = ParameterStore()
        try s.add("a", shape: [2, 3]); try s.add("b", shape: [4])
        #expect(throws: NeuralNetError.duplicateParameter("a")) { try s.add("a", shape: [1]) }
        try s.set("b", Tensor(shape: [4], data: [1, 2, 3, 4]))
        #expect(s.values[6...] == [1, 2, 3, 4])
        #expect(try s.tensor("b")[2] == 3)
        #expect(throws: NeuralNetError.self) { try s.set("a", Tensor(zeros: [3, 2])) }
        #expect(throws: NeuralNetError.self) { try Tensor(shape: [2], data: [1]) }
    }

    /// Moments started afresh at a later global step (training continued from weights alone) get a fresh
    /// Adam's bias correction: the first update equals a brand-new optimizer's, not a 3x larger one.
    @Test func adamMomentsStartedLateCorrectTheirBias() {
        let g: [Float] = [0.5, -0.25, 1e-3]
        var fresh = Adam(count: 3), late = Adam(count: 3)
        late.step = 20_000
        late.momentsSince = 20_000
        var a: [Float] = [1, 2, 3], b: [Float] = [1, 2, 3]
        fresh.update(&a, gradients: g, learningRate: 1e-3)
        late.update(&b, gradients: g, learningRate: 1e-3)
        #expect(a == b)
        #expect(late.step == 20_001)
        var stale = Adam(count: 3)
        stale.step = 20_000   // without momentsSince the zero moments would be taken as settled
        var c: [Float] = [1, 2, 3]
        stale.update(&c, gradients: g, learningRate: 1e-3)
        #expect(abs(c[0] - 1) > 2 * abs(a[0] - 1))
    }
}
