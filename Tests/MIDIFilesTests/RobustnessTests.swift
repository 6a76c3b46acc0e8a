import TestSupport
import Testing
@testable import MIDIFiles

/// Broken bytes must end in a thrown `MIDIFileError` or a valid parse, never a crash or a trap.
@Suite struct RobustnessTests {
    static let samples: [String] = [
        SharedData.files(in: SharedData.folk + "/airdsAirs", 1)[0],
        SharedData.files(in: SharedData.folk + "/essenFolksong", 1)[0],
        SharedData.files(in: SharedData.chorales, 1)[0],
    ]

    @Test(arguments: samples)
    func everyTruncation(path: String) throws {
        let bytes = try readFileBytes(path: path)
        var errors = 0
        for n in 0..<bytes.count {
            do {
                _ = try MIDIFile(bytes: Array(bytes[0..<n]))
            } catch is MIDIFileError {
                errors += 1
            }
        }
        // Every proper prefix cuts the last track chunk short, so each one must be refused.
        #expect(errors == bytes.count)
    }

    @Test(arguments: samples)
    func randomByteFlips(path: String) throws {
        let original = try readFileBytes(path: path)
        var rng = SplitMix(seed: 0x5EED)
        var parsed = 0, refused = 0
        for _ in 0..<3000 {
            var bytes = original
            let flips = Int.random(in: 1...8, using: &rng)
            for _ in 0..<flips {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[i] = UInt8.random(in: 0...255, using: &rng)
            }
            do {
                let file = try MIDIFile(bytes: bytes)
                // A file that parses must also serialise (or refuse cleanly) and parse again.
                if let again = try? MIDIFile(bytes: try file.bytes()) { #expect(again.tracks.count == file.tracks.count) }
                parsed += 1
            } catch is MIDIFileError {
                refused += 1
            }
        }
        // Flips land both in event data (the file still parses, and re-serialises) and in structure (refused).
        #expect(parsed > 0 && refused > 0, "parsed \(parsed), refused \(refused)")
        #expect(refused > 0)
    }

    @Test func randomGarbage() {
        var rng = SplitMix(seed: 42)
        for length in [0, 1, 4, 13, 14, 22, 100, 1000] {
            for _ in 0..<200 {
                var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
                if length >= 14 {
                    // A valid header so the track parser sees the garbage.
                    bytes.replaceSubrange(0..<14, with: Array("MThd".utf8) + [0, 0, 0, 6, 0, 1, 0, 1, 1, 0xE0])
                    if length >= 22 { bytes.replaceSubrange(14..<22, with: Array("MTrk".utf8) + [0, 0, 0, UInt8(truncatingIfNeeded: length - 22)]) }
                }
                _ = try? MIDIFile(bytes: bytes)
            }
        }
    }
}
