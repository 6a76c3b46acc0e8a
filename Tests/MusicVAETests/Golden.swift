import Foundation
import Testing
@testable import MusicVAE
@testable import NeuralNet

/// The shared golden vectors: `../shared/golden` beside the package root (found from this file's path).
enum Golden {
    static let root: URL = {
        /// The nearest folder at or above `file` that holds a Package.swift.
        func packageRoot(_ file: URL) -> URL? {
            var dir = file.deletingLastPathComponent()
            while dir.path != "/" {
                if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) { return dir }
                dir = dir.deletingLastPathComponent()
            }
            return nil
        }
        let file = URL(fileURLWithPath: #filePath)
        // Try the package this file was compiled in, then (for symlinked side builds) the real one.
        for candidate in [file, file.resolvingSymlinksInPath()] {
            if let root = packageRoot(candidate) {
                let golden = root.appendingPathComponent("../shared/golden").standardizedFileURL
                if FileManager.default.fileExists(atPath: golden.path) { return golden }
            }
        }
        return URL(fileURLWithPath: "../shared/golden")
    }()

    static let models = ["mel_2bar_tiny", "mel_2bar_tiny_uint8", "mel_16bar_hier_tiny", "mel_16bar_hierenc_tiny"]

    static func dir(_ model: String) -> URL { root.appendingPathComponent(model) }

    /// One window of cases.json.
    struct Window {
        let input: [Int]
        let eps: [Float]
        let json: [String: Any]
        func vector(_ k: String) -> [Double] { (json[k] as! [NSNumber]).map(\.doubleValue) }
        func matrix(_ k: String) -> [[Double]] { (json[k] as! [[NSNumber]]).map { $0.map(\.doubleValue) } }
        func scalar(_ k: String) -> Double { (json[k] as! NSNumber).doubleValue }
        func ints(_ k: String) -> [Int] { (json[k] as! [NSNumber]).map(\.intValue) }
    }

    struct Cases {
        let json: [String: Any]
        let windows: [Window]
        var beta: Double { (json["beta"] as! NSNumber).doubleValue }
        var freeBits: Double { (json["free_bits"] as! NSNumber).doubleValue }
        var batch: [String: Double] { (json["batch"] as! [String: NSNumber]).mapValues(\.doubleValue) }
    }

    static func cases(_ model: String) throws -> Cases {
        let data = try Data(contentsOf: dir(model).appendingPathComponent("cases.json"))
        let j = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let ws = (j["windows"] as! [[String: Any]]).map { w in
            Window(input: (w["input"] as! [NSNumber]).map(\.intValue),
                   eps: (w["eps"] as! [NSNumber]).map { Float($0.doubleValue) }, json: w)
        }
        return Cases(json: j, windows: ws)
    }
}

/// |a − e| ≤ atol + rtol·|e| for every element; reports the worst offender.
func expectClose(_ a: [Float], _ e: [Double], atol: Double = 1e-5, rtol: Double = 1e-4, _ what: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == e.count, "\(what): \(a.count) values, expected \(e.count)", sourceLocation: sourceLocation)
    var worst = 0.0, at = 0
    for i in 0..<min(a.count, e.count) {
        let r = abs(Double(a[i]) - e[i]) / (atol + rtol * abs(e[i]))
        if r > worst { worst = r; at = i }
    }
    #expect(worst <= 1, "\(what): element \(at) = \(a.count > at ? a[at] : .nan), expected \(e.count > at ? e[at] : .nan) (\(worst)x tolerance)",
            sourceLocation: sourceLocation)
}

/// |a − e| ≤ rel·|e|.
func expectRelative(_ a: Double, _ e: Double, _ rel: Double = 1e-5, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(abs(a - e) <= rel * abs(e), "\(what): \(a) vs expected \(e)", sourceLocation: sourceLocation)
}
