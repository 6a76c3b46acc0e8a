import TestSupport
import Foundation
import Testing
import MusicVAE
import NoteSequences
@testable import Pipeline

/// A model folder's family: windows of another meter go to the model beside it made for their bar grid (3/4 and
/// 6/8 to a 12-steps-a-bar model), and meters no member takes pass through exactly, named in the counts.
@Suite(.serialized) struct ModelFamilyTests {
    let stages = ModelStageTests()

    /// Models/duple (32 steps, 16 a bar) and Models/triple (24 steps, 12 a bar), tiny and untrained, with
    /// attribute vectors, in a scratch folder; returns the duple model's folder.
    func family() throws -> String {
        let models = try temporaryFolder() + "/Models"
        for (name, steps, bar) in [("duple", 32, 16), ("triple", 24, 12)] {
            let config = MusicVAEConfig(name: name, numSteps: steps, zSize: 8, encoder: .init(kind: .bidirectional, layerSizes: [16]),
                                        decoder: .init(kind: .flat, layerSizes: [16]), barSteps: bar)
            let folder = URL(fileURLWithPath: models + "/" + name)
            try MusicVAEModel(config: config, seed: 3).save(to: folder)
            try ModelStageTests.attributeVectors(z: 8).save(to: folder)
        }
        return models + "/duple"
    }

    @Test func aWaltzGoesToTheTripleModel() throws {
        let model = try family()
        #expect(ModelStore.family(of: model).map { ($0.folder as NSString).lastPathComponent } == ["duple", "triple"])
        let out = try temporaryFolder()
        let waltz = SharedData.packageRoot.appendingPathComponent("Examples/melodies/scarborough-fair.mid").path
        // Unchecked: these untrained models decode noise, which a checked edit may turn down (the window as it was).
        let r = try stages.run("edit", ["model=\(model)", "attribute=note_density", "amount=2", "check=false", "output=\(out)/waltz.mid"], inputs: [waltz])
        #expect(r.failures.isEmpty)
        let encode = try #require(r.stages.first { $0.stage == "encode" })
        #expect(encode.dropped.isEmpty, "\(encode.dropped)")
        #expect(try NoteSequence(path: out + "/waltz.mid").notes != NoteSequence(path: waltz).notes)
        // Checked, the triple member's spreads and attribute names check its windows: the edit runs, and what it
        // does not change it counts.
        let checked = try stages.run("edit", ["model=\(model)", "attribute=note_density", "amount=2", "output=\(out)/waltz-checked.mid"], inputs: [waltz])
        #expect(checked.failures.isEmpty, "\(checked.failures)")
        let decode = try #require(checked.stages.first { $0.stage == "decode" })
        let kept = decode.dropped.first { $0.key.hasPrefix("edited windows kept as they were") }?.value ?? 0
        let changed = try NoteSequence(path: out + "/waltz-checked.mid").notes != NoteSequence(path: waltz).notes
        #expect(kept > 0 || changed, "\(decode.dropped)")
    }

    /// A member whose attributes.json predates the disentangled directions fails only the windows that go to it:
    /// a 4/4 tune still edits with the duple model, a waltz stops with the triple model's old file named, and
    /// nothing is written for it.
    @Test func anOldMemberFileFailsOnlyItsWindows() throws {
        let model = try family()
        let triple = URL(fileURLWithPath: (model as NSString).deletingLastPathComponent + "/triple")
        var old = try AttributeVectors.load(from: triple)
        old.directions = nil
        try old.save(to: triple)
        let out = try temporaryFolder()
        let ode = SharedData.packageRoot.appendingPathComponent("Examples/melodies/ode-to-joy.mid").path
        let waltz = SharedData.packageRoot.appendingPathComponent("Examples/melodies/scarborough-fair.mid").path
        let four = try stages.run("edit", ["model=\(model)", "attribute=note_density", "output=\(out)/ode.mid"], inputs: [ode])
        #expect(four.failures.isEmpty, "\(four.failures)")
        #expect(FileManager.default.fileExists(atPath: out + "/ode.mid"))
        let three = try stages.run("edit", ["model=\(model)", "attribute=note_density", "output=\(out)/waltz.mid"], inputs: [waltz])
        #expect(three.failures.count == 1 && three.failures.allSatisfy {
            $0.message.contains(triple.path + "/attributes.json has no disentangled direction for note_density")
        }, "\(three.failures)")
        #expect(!FileManager.default.fileExists(atPath: out + "/waltz.mid"))
    }

    /// A 9/8 tune: no member takes 18-step bars, so it comes back note for note, tick for tick.
    @Test func aMeterWithoutAModelPassesThroughExactly() throws {
        let model = try family()
        let out = try temporaryFolder()
        let tpq = 480, bar = 9 * tpq / 2
        var s = NoteSequence(ticksPerQuarter: tpq, notes: (0..<36).map { i in
            Note(pitch: 62 + i % 7, velocity: 80 + i % 3, start: i * tpq / 2 + 3, end: i * tpq / 2 + tpq / 2 - 20)
        }, timeSignatures: [TimeSignature(tick: 0, numerator: 9, denominator: 8)], totalTicks: 4 * bar)
        s.tracks = [TrackInfo(name: "Slip jig")]
        try s.write(to: out + "/slip.mid")
        let r = try stages.run("edit", ["model=\(model)", "attribute=note_density", "amount=2", "output=\(out)/slip-more.mid"],
                               inputs: [out + "/slip.mid"])
        #expect(r.failures.isEmpty)
        let encode = try #require(r.stages.first { $0.stage == "encode" })
        #expect(encode.dropped.keys.contains { $0.hasPrefix("passed through unencoded: 9/8 windows of 36 steps, no model for them") })
        let original = try NoteSequence(path: out + "/slip.mid"), back = try NoteSequence(path: out + "/slip-more.mid")
        #expect(back.notes.map { [$0.pitch, $0.velocity, $0.start, $0.end] } == original.notes.map { [$0.pitch, $0.velocity, $0.start, $0.end] })
    }

    /// Meters read through a member's grid: 3/8 bars in pairs, 6/4 and 12/8 bars in halves go to the triple
    /// model, 4/2 bars in halves (two 2/2 bars) to the duple one; 3/2 fits neither and passes through, named.
    @Test func pairedAndHalvedBarsReachTheirModel() throws {
        let model = try family()
        let out = try temporaryFolder()
        let tpq = 480
        for (numerator, denominator, passes) in [(3, 8, false), (6, 4, false), (12, 8, false), (4, 2, false), (3, 2, true)] {
            let bar = numerator * 4 * tpq / denominator
            var s = NoteSequence(ticksPerQuarter: tpq, notes: (0..<32).map { i in
                Note(pitch: 60 + i % 5, velocity: 90, start: i * bar / 4, end: i * bar / 4 + bar / 8)
            }, timeSignatures: [TimeSignature(tick: 0, numerator: numerator, denominator: denominator)], totalTicks: 8 * bar)
            s.tracks = [TrackInfo(name: "Tune")]
            let name = "\(numerator)-\(denominator)"
            try s.write(to: out + "/\(name).mid")
            // Unchecked: these untrained models decode noise, which a checked edit may turn down (the window as it was).
            let r = try stages.run("edit", ["model=\(model)", "attribute=note_density", "amount=2", "check=false", "output=\(out)/\(name)-more.mid"],
                                   inputs: [out + "/\(name).mid"])
            #expect(r.failures.isEmpty)
            let encode = try #require(r.stages.first { $0.stage == "encode" })
            if passes {
                #expect(encode.dropped.keys.contains { $0.hasPrefix("passed through unencoded: 3/2 windows of 48 steps, no model for them") }, "\(encode.dropped)")
                #expect(try NoteSequence(path: out + "/\(name)-more.mid").notes.map(\.pitch) == s.notes.map(\.pitch))
            } else {
                #expect(encode.dropped.isEmpty, "\(name): \(encode.dropped)")
                #expect(try NoteSequence(path: out + "/\(name)-more.mid").notes.map(\.pitch) != s.notes.map(\.pitch), "\(name)")
            }
        }
    }

    /// NaN weights and a malformed attributes file are clear errors naming the file, not empty output.
    @Test func damagedModelFilesAreClearErrors() throws {
        let folder = try temporaryFolder() + "/model"
        try FileManager.default.copyItem(atPath: ModelStageTests.golden, toPath: folder)
        let shard = URL(fileURLWithPath: folder + "/group1-shard1of3")
        var bytes = try Data(contentsOf: shard)
        bytes.replaceSubrange(0..<4, with: withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { Data($0) })
        try bytes.write(to: shard)
        do {
            _ = try MusicVAEModel.load(from: URL(fileURLWithPath: folder))
            Issue.record("a model with a NaN weight loaded")
        } catch let e as MusicVAEError {
            #expect("\(e)".contains(folder) && "\(e)".contains("holds nan at index 0"), "\(e)")
        }
        let model = try family()
        try Data(#"{"vectors": 3, "windows": 0, "data": [], "method": "x", "quartile_means": {}}"#.utf8)
            .write(to: URL(fileURLWithPath: model + "/attributes.json"))
        do {
            _ = try AttributeVectors.load(from: URL(fileURLWithPath: model))
            Issue.record("a malformed attributes.json loaded")
        } catch let e as MusicVAEError {
            #expect("\(e)".contains(model + "/attributes.json") && "\(e)".contains("'vectors' has the wrong type"), "\(e)")
        }
    }
}
