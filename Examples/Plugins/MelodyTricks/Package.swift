// swift-tools-version:6.0
// An out-of-tree musicvae plugin: a shared library speaking the C ABI of `PluginLoader` (see its docs), with no
// dependency on musicvae itself. Build and use:
//   swift build -c release --package-path Examples/Plugins/MelodyTricks
//   musicvae run Examples/Plugins/MelodyTricks/invert.yaml Examples/melodies/twinkle.mid \
//       --plugin Examples/Plugins/MelodyTricks/.build/release/libMelodyTricks.so
import PackageDescription

let package = Package(
    name: "MelodyTricks",
    products: [.library(name: "MelodyTricks", type: .dynamic, targets: ["MelodyTricks"])],
    targets: [.target(name: "MelodyTricks")]
)
