// swift-tools-version:6.0
// Benchmarks for MusicVAE for Swift. Each prints its figures and ratios against a baseline measured in the same run.
//   swift run -c release --package-path Benchmarks midi-bench ../shared/corpus/folk
//   swift run -c release --package-path Benchmarks render-bench
//   swift run -c release --package-path Benchmarks nn-bench [--quick]
import PackageDescription

let package = Package(
    name: "MusicVAEBenchmarks",
    dependencies: [.package(name: "MusicVAE", path: "..")],
    targets: [
        .executableTarget(name: "midi-bench", dependencies: [.product(name: "MIDIPipeline", package: "MusicVAE")]),
        .executableTarget(name: "render-bench", dependencies: [.product(name: "MIDIPipeline", package: "MusicVAE")]),
        .executableTarget(name: "latent-eval", dependencies: [.product(name: "MusicVAEKit", package: "MusicVAE")]),
        .executableTarget(name: "nn-bench", dependencies: [.product(name: "MusicVAEKit", package: "MusicVAE")], path: "NeuralNet"),
    ]
)
