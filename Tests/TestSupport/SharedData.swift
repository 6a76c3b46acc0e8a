import Foundation

/// Paths of the shared test data: `../shared` beside the package root.
public enum SharedData {
    /// The folder holding Package.swift.
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url = url.deletingLastPathComponent()
        }
        return url
    }()
    /// The shared MIDI corpus.
    public static let corpus = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus").path
    /// The folk tunes.
    public static let folk = corpus + "/folk"
    /// The Bach chorales.
    public static let chorales = corpus + "/bach-chorales"

    /// The first `n` MIDI files of a folder, sorted.
    public static func files(in folder: String, _ n: Int = .max) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".mid") }.sorted().prefix(n).map { folder + "/" + $0 }
    }
}

/// A small deterministic generator (SplitMix64) so random tests repeat exactly.
public struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    /// Starts from `seed`.
    public init(seed: UInt64) { state = seed }
    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
