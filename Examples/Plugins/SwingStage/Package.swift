// swift-tools-version:6.0
// A third-party Swift package that adds a stage by depending on musicvae's library and registering it.
// Its tool runs any pipeline file with the extra stage available:
//   swift run --package-path Examples/Plugins/SwingStage musicvae-swing \
//       Examples/Plugins/SwingStage/swing.yaml Examples/melodies/twinkle.mid
import PackageDescription

let package = Package(
    name: "SwingStage",
    dependencies: [.package(name: "MusicVAE", path: "../../..")],
    targets: [
        .target(name: "Swing", dependencies: [.product(name: "MIDIPipeline", package: "MusicVAE")]),
        .executableTarget(name: "musicvae-swing", dependencies: ["Swing", .product(name: "MIDIPipeline", package: "MusicVAE")]),
    ]
)
