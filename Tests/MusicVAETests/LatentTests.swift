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

    /// Quartiles by rank: the vector is the mean code of the top quarter minus that of the bottom quarter.
    @Test func attributeVectorsFromQuartiles() throws {
        let codes: [[Float]] = (0..<8).map { [Float($0), 1] }
        let values = ["x": [0.0, 1, 2, 3, 4, 5, 6, 7], "y": [7.0, 6, 5, 4, 3, 2, 1, 0]]
        let v = AttributeVectors.compute(codes: codes, values: values, data: ["d"])
        // Quartile of 8 is 2: top x = windows 6, 7 (mean code 6.5), bottom = 0, 1 (mean 0.5).
        #expect(v.vectors["x"] == [6, 0])
        #expect(v.vectors["y"] == [-6, 0])
        #expect(v.quartileMeans["x"] == [6.5, 0.5])
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("attr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try v.save(to: folder)
        #expect(try AttributeVectors.load(from: folder) == v)
    }

    /// A rare attribute (2 windows of 12 above zero) ties both quartile boundaries at 0: the vector is the mean
    /// code of the windows above zero minus that of the windows at zero, not of two arbitrary thirds of zeros.
    /// A saturated one (10 of 12 at 1) compares the windows at the top value with those below it.
    @Test func attributeVectorsWhereTheMiddleHalfTies() {
        let codes: [[Float]] = (0..<12).map { [Float($0)] }
        let rare: [Double] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0.25]
        let saturated: [Double] = [1, 1, 0.5, 1, 1, 1, 1, 1, 1, 1, 0.75, 1]
        let constant = [Double](repeating: 3, count: 12)
        let v = AttributeVectors.compute(codes: codes, values: ["rare": rare, "saturated": saturated, "constant": constant], data: [])
        // rare: above zero = windows 10, 11 (mean code 10.5); at zero = 0...9 (mean 4.5).
        #expect(v.vectors["rare"] == [6])
        #expect(v.quartileMeans["rare"] == [0.375, 0])
        // saturated: at 1 = ten windows (mean code (66 - 2 - 10) / 10 = 5.4); below = 2, 10 (mean 6).
        #expect(abs(v.vectors["saturated"]![0] - (5.4 - 6)) < 1e-5)
        #expect(v.quartileMeans["saturated"] == [1, 0.625])
        #expect(v.vectors["constant"] == [0])
    }
}
