// swift-tools-version:6.1
// MusicVAE for Swift: MIDI in, a learned latent space, MIDI and audio out.
//
// The targets read bottom to top as the pipeline runs:
//   MIDIFiles      Standard MIDI File bytes <-> tracks of timed events
//   NoteSequences  the score, and the transforms on it (quantize, slice bars, extract melody, ...)
//   CKernels       SIMD kernels OpenBLAS lacks (bfloat16 matrix multiply), chosen at run time
//   NeuralNet      flat Float buffers on OpenBLAS: dense, LSTM, losses, Adam (no music in it)
//   MusicVAE       the model: encoder, flat and hierarchical decoders, checkpoints (Magenta layout)
//   Render         scores to audio (FluidSynth, libsndfile) and pictures
//   Training       windows from MIDI folders, the training loop with checkpoints, evaluation
//   Pipeline       typed stages, their registry, YAML pipeline files and the runner
//   Explorer       `musicvae serve`: the HTTP API and the page to steer, hear and keep edits (Hummingbird)
//   musicvae       the command-line tool
import PackageDescription

let package = Package(
    name: "MusicVAE",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "musicvae", targets: ["musicvae"]),
        .library(name: "MIDIFiles", targets: ["MIDIFiles"]),
        // The model alone, to embed in an app: MIDI files, note sequences, the network and MusicVAE; no FluidSynth,
        // no libsndfile (BLAS: Accelerate on Apple platforms, OpenBLAS elsewhere).
        .library(name: "MusicVAEModel", targets: ["MIDIFiles", "NoteSequences", "NeuralNet", "MusicVAE"]),
        .library(name: "MIDIPipeline", targets: ["MIDIFiles", "NoteSequences", "Render", "Pipeline", "MusicVAE", "NeuralNet"]),
        .library(name: "MusicVAEKit", targets: ["MIDIFiles", "NoteSequences", "NeuralNet", "MusicVAE", "Render", "Pipeline", "Training"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // The explorer's HTTP server; no default traits (swift-configuration is not needed).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        // multipart/form-data bodies (the two pieces of an interpolation).
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
    ],
    targets: [
        // System libraries, found through pkg-config (Debian: libopenblas-dev, libfluidsynth-dev, libsndfile1-dev).
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        // No pkgConfig here: fluidsynth's .pc carries -pthread, which SwiftPM refuses with a warning.
        .systemLibrary(name: "CFluidSynth", providers: [.apt(["libfluidsynth-dev"])]),
        .systemLibrary(name: "CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),

        // Hand-written SIMD kernels OpenBLAS lacks (bfloat16 matrix multiply for inference), chosen at run time.
        .target(name: "CKernels"),
        .target(name: "MIDIFiles"),
        .target(name: "NoteSequences", dependencies: ["MIDIFiles"]),
        // BLAS: Accelerate on Apple platforms (Sources/NeuralNet/BLAS.swift), OpenBLAS elsewhere.
        .target(name: "NeuralNet", dependencies: ["CKernels", .target(name: "COpenBLAS", condition: .when(platforms: [.linux, .windows, .android, .openbsd]))]),
        .target(name: "MusicVAE", dependencies: ["NeuralNet", "NoteSequences"]),
        .target(name: "Training", dependencies: ["MusicVAE", "NeuralNet", "NoteSequences", "Pipeline"]),
        .target(name: "Render", dependencies: ["NoteSequences", "CFluidSynth", "CSndFile"]),
        .target(name: "Pipeline", dependencies: [
            "MIDIFiles", "NoteSequences", "Render", "MusicVAE", "NeuralNet",
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "Explorer", dependencies: [
            "Pipeline", "MIDIFiles", "NoteSequences", "MusicVAE", "Render",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "MultipartKit", package: "multipart-kit"),
        ], resources: [
            // The page, compiled into the binary: served offline, nothing to install beside it.
            .embedInCode("Page/index.html"), .embedInCode("Page/explorer.js"), .embedInCode("Page/explorer.css"),
        ]),
        .executableTarget(name: "musicvae", dependencies: [
            "Pipeline", "Explorer", "MIDIFiles", "NoteSequences", "MusicVAE", "Training", "Render", "NeuralNet", "CFluidSynth", "CSndFile",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Test helpers (paths of ../shared, a seeded generator), shared by the test targets.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "MIDIFilesTests", dependencies: ["MIDIFiles", "TestSupport"]),
        .testTarget(name: "NoteSequencesTests", dependencies: ["TestSupport", "NoteSequences", "MIDIFiles"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet"]),
        .testTarget(name: "MusicVAETests", dependencies: ["MusicVAE", "NeuralNet"]),
        .testTarget(name: "RenderTests", dependencies: ["TestSupport", "Render", "NoteSequences"]),
        .testTarget(name: "TrainingTests", dependencies: ["TestSupport", "Training", "MusicVAE", "NeuralNet", "NoteSequences", "Pipeline"]),
        .testTarget(name: "PipelineTests", dependencies: ["TestSupport", "Pipeline", "NoteSequences", "MIDIFiles"]),
        .testTarget(name: "ExplorerTests", dependencies: ["TestSupport", "Explorer", "MIDIFiles", "NoteSequences"]),
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "musicvae", "MusicVAE", "NeuralNet", "NoteSequences"]),
    ]
)
