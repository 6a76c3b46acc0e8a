// swift-tools-version:6.0
// libFuzzer target for the MIDI reader. Not part of `swift test` (a plain build cannot link libFuzzer's driver).
//   swift build -c release --package-path Fuzz/MIDIReader -Xswiftc -sanitize=fuzzer,address
//   SWIFT_BACKTRACE=enable=no Fuzz/MIDIReader/.build/release/midi-fuzz -max_total_time=60 CORPUS_DIR
import PackageDescription

let package = Package(
    name: "MIDIReaderFuzz",
    dependencies: [.package(name: "MusicVAE", path: "../..")],
    targets: [
        .executableTarget(name: "midi-fuzz", dependencies: [.product(name: "MIDIFiles", package: "MusicVAE")]),
    ]
)
