import Foundation
import Testing
@testable import MusicVAE

@Suite struct LatentTests {
    let a: [Float] = [3, 0, 0, 0]
    let b: [Float] = [0, 4, 0, 0]

    @Test func interpolationEndpointsAreTheInputs() {
        for method in Latent.Interpolation.allCases {
            let path = Latent.interpolate(a, b, steps: 5, method: method)
            #expect(path.count == 5)
            #expect(path.first == a && path.last == b)
        }
    }

    /// Between orthogonal codes the slerp midpoint is (a + b)/(2 cos 45°) (|a| sin45/sin90 a/|a| ...): hand-computed.
    @Test func slerpFollowsTheGreatCircle() {
        let mid = Latent.slerp(a, b, 0.5)
        let w = Float(sin(Double.pi / 4) / sin(Double.pi / 2))   // sin((1-t)θ)/sinθ with θ = 90°
        #expect(abs(mid[0] - 3 * w) < 1e-5 && abs(mid[1] - 4 * w) < 1e-5)
        // Unit vectors stay on the unit sphere all the way.
        let u: [Float] = [1, 0, 0], v: [Float] = [0, 0.6, 0.8]
        for t in stride(from: Float(0), through: 1, by: 0.125) {
            #expect(abs(Latent.norm(Latent.slerp(u, v, t)) - 1) < 1e-5)
        }
        // Lerp cuts through the middle: its midpoint is shorter.
        #expect(Latent.norm(Latent.lerp(u, v, 0.5)) < 0.75)
        // Parallel codes fall back to lerp.
        #expect(Latent.slerp([1, 0], [2, 0], 0.5) == [1.5, 0])
    }

    @Test func gridCornersAndEdges() {
        let c: [[Float]] = [[0, 0], [1, 0], [0, 1], [1, 1]]
        let g = Latent.grid(c, steps: 3, method: .lerp)
        #expect(g.count == 9)
        #expect(g[0] == c[0] && g[2] == c[1] && g[6] == c[2] && g[8] == c[3])
        #expect(g[4] == [0.5, 0.5])
    }

    @Test func similarAddMeanAndDistance() {
        #expect(Latent.similar([2, 4], similarity: 0.25, noise: [6, 0]) == [5, 1])
        #expect(Latent.similar([2, 4], similarity: 1, noise: [6, 0]) == [2, 4])
        #expect(Latent.add([1, 1], [2, -1], amount: 0.5) == [2, 0.5])
        #expect(Latent.mean([[1, 2], [3, 6]]) == [2, 4])
        #expect(Latent.distance([0, 0], [3, 4]) == 5)
    }
}
