import Foundation

/// Paths of the shared test data: `../shared` beside the package root.
enum SharedData {
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url = url.deletingLastPathComponent()
        }
        return url
    }()
    static let corpus = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus").path
    static let folk = corpus + "/folk"
    static let chorales = corpus + "/bach-chorales"

    /// The first `n` files of a folder, sorted.
    static func files(in folder: String, _ n: Int = .max) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".mid") }.sorted().prefix(n).map { folder + "/" + $0 }
    }
}

/// A small deterministic generator (SplitMix64) so random tests repeat exactly.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
