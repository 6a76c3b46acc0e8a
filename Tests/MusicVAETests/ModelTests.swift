import Foundation
import Testing
@testable import MusicVAE
@testable import NeuralNet

@Suite("Model: checkpoints, API, training")
struct ModelTests {
    static func tempDir() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("musicvae-tests-\(UUID().uuidString)")
    }

    @Test(arguments: Golden.models)
    func saveLoadRoundTripIsBitExact(_ name: String) throws {
        let m = try MusicVAEModel.load(from: Golden.dir(name))
        let tmp = Self.tempDir(), dir = tmp.appendingPathComponent("ckpt")
        defer { try? FileManager.default.removeItem(at: tmp) }
        try m.save(to: dir, shardBytes: 10_000)  // small shards: tensors straddle files
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(files.contains("config.json") && files.contains("weights_manifest.json") && files.contains { $0.hasSuffix("of\((m.parameterCount * 4 + 9_999) / 10_000)") })
        let back = try MusicVAEModel.load(from: dir)
        #expect(back.config == m.config)
        #expect(back.parameters.entries == m.parameters.entries)
        #expect(zip(back.parameters.values, m.parameters.values).allSatisfy { $0.bitPattern == $1.bitPattern })
        // magenta.js fields are present.
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("config.json"))) as! [String: Any]
        let args = (json["dataConverter"] as! [String: Any])["args"] as! [String: Any]
        #expect(json["type"] as? String == "MusicVAE" && (args["numSteps"] as! Int) == m.config.numSteps)
        // The manifest's keys are sorted (unsorted, their order changed from one process to the next).
        let manifest = try String(contentsOf: dir.appendingPathComponent("weights_manifest.json"), encoding: .utf8)
        let keys = manifest.matches(of: #/"(\w+)" :/#).map { String($0.output.1) }
        #expect(keys == ["paths", "weights"] + Array(repeating: ["dtype", "name", "shape"], count: m.parameters.entries.count).flatMap { $0 })
    }

    /// Scheduled sampling in a hierarchical decoder: within each bar the decoder reads its own draws, a bar's first
    /// step keeps the true last note of the bar before, and a window draws alike alone or in a batch.
    @Test func hierarchicalSamplingDrawsWithinBars() throws {
        let config = MusicVAEConfig(name: "hs", depth: 7, minPitch: 60, maxPitch: 64, numSteps: 8, zSize: 3,
                                    encoder: .init(kind: .bidirectional, layerSizes: [5]),
                                    decoder: .init(kind: .hierarchical, layerSizes: [6], conductorSizes: [4], numBars: 2, stepsPerBar: 4))
        var rng = SeededGenerator(seed: 8)
        var model = try MusicVAEModel(config: config, seed: 2)
        for i in model.parameters.values.indices { model.parameters.values[i] = (rng.nextUniform() * 2 - 1) * 0.8 }
        let windows = (0..<3).map { _ in (0..<8).map { _ in Int(rng.next() % 7) } }
        let eps = (0..<3).map { _ in (0..<3).map { _ in rng.nextNormal() } }
        func run(_ rows: Range<Int>, p: Double, _ ws: MusicVAEWorkspace) -> LossBreakdown {
            var unused = SeededGenerator(seed: 0)
            return ws.run(model, windows: Array(windows[rows]), eps: Array(eps[rows]), beta: 0.3, freeNats: 0,
                          samplingProbability: p, rng: &unused, gradients: nil, trace: false,
                          rowSeeds: rows.map { UInt64(100 + $0) }).0
        }
        let ws = MusicVAEWorkspace(for: model)
        let forced = run(0..<3, p: 0, ws), sampled = run(0..<3, p: 1, ws)
        let dec = ws.decoder(3)
        var drawn = 0
        for r in 0..<dec.rowsN {
            let (b, g) = dec.position(row: r, step: 0)
            #expect(dec.prev.pointer[r] == (g == 0 ? -1 : Int32(windows[b][g - 1])), "row \(r): a bar starts on the true note")
            for t in 1..<dec.steps where dec.prev.pointer[t * dec.rowsN + r] != Int32(windows[b][g + t - 1]) { drawn += 1 }
        }
        #expect(drawn > 0, "every step after a bar's first read the true note")
        #expect(forced.recon != sampled.recon)
        let alone = run(1..<2, p: 1, MusicVAEWorkspace(for: model))
        #expect(abs(alone.recon[0] - sampled.recon[1]) <= 1e-4 * abs(sampled.recon[1]))
    }

    @Test func saveReplacesAtomicallyAndKeepsOtherFiles() throws {
        let tmp = Self.tempDir(), dir = tmp.appendingPathComponent("m")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let a = try MusicVAEModel(config: Self.tinyFlat, seed: 1)
        try a.save(to: dir, shardBytes: 1000)
        try Data("card".utf8).write(to: dir.appendingPathComponent("README.md"))
        let b = try MusicVAEModel(config: Self.tinyFlat, seed: 2)
        try b.save(to: dir)  // one shard now: old shards must disappear
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: dir.path))
        #expect(files == ["README.md", "config.json", "weights_manifest.json", "group1-shard1of1"])
        #expect(try MusicVAEModel.load(from: dir).parameters.values == b.parameters.values)
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path) == ["m"])  // no temp folders left
    }

    @Test func loaderErrors() throws {
        let tmp = Self.tempDir()
        defer { try? FileManager.default.removeItem(at: tmp) }
        #expect(throws: MusicVAEError.self) { try MusicVAEModel.load(from: tmp) }
        let m = try MusicVAEModel(config: Self.tinyFlat, seed: 1)
        let dir = tmp.appendingPathComponent("x")
        try m.save(to: dir)
        // Truncated shard.
        let shard = dir.appendingPathComponent("group1-shard1of1")
        let d = try Data(contentsOf: shard)
        try d.prefix(d.count - 3).write(to: shard)
        #expect(throws: MusicVAEError.self) { try MusicVAEModel.load(from: dir) }
        // A wrong shape.
        var w = m.namedWeights
        w[0].tensor = Tensor(zeros: [1, 2])
        #expect(throws: MusicVAEError.self) { try MusicVAEModel(config: Self.tinyFlat, weights: w) }
        #expect(throws: MusicVAEError.self) { try m.encode(windows: [[1, 2, 3]]) }
        #expect(throws: MusicVAEError.self) { try m.encode(windows: [Array(repeating: 90, count: 8)]) }
        // A workspace belongs to one configuration.
        let other = try MusicVAEModel(config: ModelTests.tinyFlat.with { $0.name = "other"; $0.zSize = 5 }, seed: 1)
        #expect(throws: MusicVAEError.self) {
            try m.encode(windows: [Array(repeating: 1, count: 8)], workspace: MusicVAEWorkspace(for: other))
        }
    }

    /// The architectures are Magenta's; the KL and learning-rate schedules are set for batch 64 (see the preset).
    @Test func presetsMatchMagenta() throws {
        let s = MusicVAEConfig.mel2barSmall
        try s.validate()
        #expect(s.encoder.layerSizes == [512] && s.zSize == 256 && s.decoder.layerSizes == [256, 256])
        #expect(s.maxBeta == 0.2 && s.depth == 90 && s.numSteps == 32 && s.stepsPerBar == 16)
        #expect(s.freeBits == 64 && s.betaRate == 0.9999 && s.decayRate == 0.99995)
        let t = MusicVAEConfig.mel2barTriple
        try t.validate()
        #expect(t.numSteps == 24 && t.stepsPerBar == 12 && t.bars == 2 && t.meters == ["3/4", "6/8", "3/8"])
        #expect(t.with { $0.name = s.name; $0.numSteps = 32; $0.barSteps = nil } == s)
        let m = try MusicVAEModel(config: s, seed: 0)
        // cat-mel_2bar_small has 4,561,434 ... parameters: enc 2·(602·2048+2048) + mu/sigma 2·(1024·256+256)
        // + init (256·1024+1024) + dec (602·1024+1024) + (512·1024+1024) + out (256·90+90).
        #expect(m.parameterCount == 2 * (602 * 2048 + 2048) + 2 * (1024 * 256 + 256) + (256 * 1024 + 1024)
                + (602 * 1024 + 1024) + (512 * 1024 + 1024) + (256 * 90 + 90))
        let h = MusicVAEConfig.mel16barHier
        try h.validate()
        #expect(h.freeBits == 256 && h.numSteps == 256 && h.decoder.numBars == 16 && h.decoder.stepsPerBar == 16)
        let data = try JSONEncoder().encode(h)
        #expect(try JSONDecoder().decode(MusicVAEConfig.self, from: data) == h)
    }

    static let tinyFlat = MusicVAEConfig(
        name: "tiny", numSteps: 8, zSize: 4, encoder: .init(kind: .bidirectional, layerSizes: [16]),
        decoder: .init(kind: .flat, layerSizes: [32]), freeBits: 0, maxBeta: 0.2, betaRate: 0.99999, batchSize: 8,
        learningRate: 1e-2, decayRate: 0.9999, minLearningRate: 1e-5)

    /// A tiny model learns a handful of 32-step windows to 100% teacher-forced accuracy.
    @Test func overfitsAFewWindows() throws {
        let config = MusicVAEConfig(
            name: "overfit", numSteps: 32, zSize: 8, encoder: .init(kind: .bidirectional, layerSizes: [16]),
            decoder: .init(kind: .flat, layerSizes: [48]), freeBits: 0, maxBeta: 0.01, betaRate: 0.99, batchSize: 4,
            learningRate: 2e-2, decayRate: 0.999, minLearningRate: 1e-4)
        var rng = SeededGenerator(seed: 7)
        let windows: [[Int]] = (0..<4).map { _ in
            (0..<32).map { t in t % 4 == 0 ? 2 + Int(rng.next() % 40) : (t % 4 == 3 ? 1 : 0) }
        }
        let trainer = MusicVAETrainer(model: try MusicVAEModel(config: config, seed: 3), seed: 5)
        let start = Date()
        var accuracy = 0.0
        for step in 0..<300 {
            try trainer.train(windows: windows)
            if step % 20 == 19 {
                accuracy = try teacherForcedAccuracy(trainer.model, windows)
                if accuracy == 1 { break }
            }
        }
        print("overfit: accuracy \(accuracy) after \(trainer.step) steps, \(Date().timeIntervalSince(start)) s")
        #expect(accuracy == 1, "teacher-forced accuracy \(accuracy) after \(trainer.step) steps")
        #expect(Date().timeIntervalSince(start) < 60)
        // Greedy reconstruction from mu also works once the code is informative.
        let (mu, _) = try trainer.model.encode(windows: windows)
        let decoded = try trainer.model.decode(z: mu)
        let correct = zip(decoded.flatMap { $0 }, windows.flatMap { $0 }).filter { $0 == $1 }.count
        #expect(Double(correct) / Double(4 * 32) > 0.9)
    }

    /// Fraction of steps whose argmax teacher-forced logit is the true token (with z = mu).
    func teacherForcedAccuracy(_ m: MusicVAEModel, _ windows: [[Int]]) throws -> Double {
        let zeros = windows.map { _ in [Float](repeating: 0, count: m.config.zSize) }
        let tr = try m.trace(windows: windows, eps: zeros, beta: 0)
        var ok = 0, n = 0
        for (b, w) in windows.enumerated() {
            for t in 0..<w.count {
                let l = tr.logits[b][t]
                ok += l.indices.max { l[$0] < l[$1] } == w[t] ? 1 : 0; n += 1
            }
        }
        return Double(ok) / Double(n)
    }

    @Test func samplingIsSeededAndInRange() throws {
        let m = try MusicVAEModel(config: Self.tinyFlat, seed: 4)
        let a = try m.sample(count: 3, temperature: 1, seed: 9), b = try m.sample(count: 3, temperature: 1, seed: 9)
        #expect(a == b && a.count == 3 && a.allSatisfy { $0.count == 8 && $0.allSatisfy { (0..<90).contains($0) } })
        let hier = MusicVAEConfig(name: "h", numSteps: 8, zSize: 3, encoder: .init(kind: .hierarchical, layerSizes: [5, 6], levelLengths: [4, 2]),
                                  decoder: .init(kind: .hierarchical, layerSizes: [7], conductorSizes: [4, 5], numBars: 2, stepsPerBar: 4))
        let hm = try MusicVAEModel(config: hier, seed: 1)
        let s = try hm.sample(count: 2, temperature: 0.5, seed: 1)
        #expect(s.count == 2 && s.allSatisfy { $0.count == 8 })
    }

    /// Save + resume restores weights, Adam moments and the global step.
    @Test func trainerSavesAndResumes() throws {
        let tmp = Self.tempDir(), dir = tmp.appendingPathComponent("run")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let w = [[Int]](repeating: [2, 0, 0, 1, 5, 0, 1, 0], count: 3)
        let t = MusicVAETrainer(model: try MusicVAEModel(config: Self.tinyFlat, seed: 1), seed: 2)
        for _ in 0..<3 { try t.train(windows: w) }
        try t.save(to: dir)
        let r = try MusicVAETrainer(resumingFrom: dir, seed: 2)
        #expect(r.step == 3 && r.optimizer == t.optimizer)
        #expect(r.model.parameters.values == t.model.parameters.values)
        let a = try t.train(windows: w), b = try r.train(windows: w)
        #expect(a.step == 3 && b.step == 3 && a.learningRate == b.learningRate)
        // A plain checkpoint resumes at step 0, also when saved over a folder that held trainer state.
        try t.model.save(to: tmp.appendingPathComponent("plain"))
        #expect(try MusicVAETrainer(resumingFrom: tmp.appendingPathComponent("plain")).step == 0)
        try t.model.save(to: dir)
        #expect(try MusicVAETrainer(resumingFrom: dir).step == 0)
    }

    /// Scheduled sampling runs and with probability 0 equals plain teacher forcing.
    @Test func trainerStepsAndSchedules() throws {
        var c = Self.tinyFlat
        c.samplingSchedule = .inverseSigmoid; c.samplingRate = 1000
        #expect(abs(c.samplingProbability(atStep: 0) - (1 - 1000.0 / 1001)) < 1e-12)
        #expect(c.samplingProbability(atStep: 20_000) > 0.99)
        #expect(abs(c.beta(atStep: 100_000) - (1 - Foundation.pow(0.99999, 100_000)) * 0.2) < 1e-12)
        c.samplingSchedule = .constant; c.samplingRate = 0.5
        let t = MusicVAETrainer(model: try MusicVAEModel(config: c, seed: 1), seed: 2)
        let w = [[Int]](repeating: [2, 0, 0, 1, 5, 0, 1, 0], count: 4)
        let r0 = try t.train(windows: w)
        let r1 = try t.train(windows: w)
        #expect(r0.step == 0 && r1.step == 1 && t.step == 2)
        #expect(r0.samplingProbability == 0.5 && r0.loss.total.isFinite && r0.gradientNorm > 0)
        #expect(abs(r1.learningRate - ((1e-2 - 1e-5) * 0.9999 + 1e-5)) < 1e-12)
    }

    /// A config JSON round-trips with the schedule spelt as Magenta spells it, and a wrong entry is named.
    @Test func configJSONNamesTheWrongEntry() throws {
        let preset = MusicVAEConfig.presets["mel_2bar_small"]!
        let data = try JSONEncoder().encode(preset)
        #expect(String(decoding: data, as: UTF8.self).contains("\"samplingSchedule\":\"inverse_sigmoid\""))
        #expect(try MusicVAEConfig.decode(json: data) == preset)

        func problem(_ edit: (inout [String: Any]) -> Void) -> String {
            var object = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
            edit(&object)
            do {
                _ = try MusicVAEConfig.decode(json: try JSONSerialization.data(withJSONObject: object))
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        #expect(problem { $0["samplingSchedule"] = "linear" }
                == "invalid MusicVAE config: samplingSchedule: 'linear' is not one of constant, inverse_sigmoid")
        #expect(problem { $0["zSize"] = "big" } == "invalid MusicVAE config: 'zSize' is not a whole number")
        #expect(problem { $0["name"] = nil } == "invalid MusicVAE config: no 'name' entry")
        #expect(problem { $0["encoder"] = ["kind": "bidirectional"] } == "invalid MusicVAE config: no 'encoder.layerSizes' entry")
        #expect(problem { $0["barSteps"] = 12; $0["numSteps"] = 32 } == "invalid MusicVAE config: numSteps 32 is not whole bars of 12 steps")
    }
}

@Suite("Checkpoint dtypes")
struct CheckpointDTypeTests {
    /// uint16 and float16 storage (tfjs quantization dtypes) decode as tfjs does.
    @Test func uint16AndFloat16() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dtypes-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let manifest = """
        [{"paths": ["group1-shard1of2", "group1-shard2of2"], "weights": [
          {"name": "a", "shape": [3], "dtype": "float32", "quantization": {"min": -1.5, "scale": 0.001, "dtype": "uint16"}},
          {"name": "b", "shape": [2, 2], "dtype": "float32", "quantization": {"dtype": "float16"}},
          {"name": "c", "shape": [], "dtype": "float32"}]}]
        """
        try Data(manifest.utf8).write(to: dir.appendingPathComponent("weights_manifest.json"))
        var bytes: [UInt8] = []
        for q: UInt16 in [0, 1500, 65535] { bytes += [UInt8(q & 0xFF), UInt8(q >> 8)] }
        for h: UInt16 in [0x3C00, 0xC000, 0x0001, 0x7BFF] { bytes += [UInt8(h & 0xFF), UInt8(h >> 8)] }  // 1, -2, 2^-24, 65504
        for b in Float(0.25).bitPattern.littleEndianBytes { bytes.append(b) }
        try Data(bytes[..<7]).write(to: dir.appendingPathComponent("group1-shard1of2"))
        try Data(bytes[7...]).write(to: dir.appendingPathComponent("group1-shard2of2"))
        let w = Dictionary(uniqueKeysWithValues: try TFJSCheckpoint.readWeights(from: dir).map { ($0.name, $0.tensor) })
        #expect(w["a"]!.data == [Float(-1.5), Float(1500 * 0.001 - 1.5), Float(65535 * 0.001 - 1.5)])
        #expect(w["b"]!.data == [1, -2, Float(sign: .plus, exponent: -24, significand: 1), 65504])
        #expect(w["c"]!.shape == [] && w["c"]!.data == [0.25])
    }
}

extension UInt32 {
    var littleEndianBytes: [UInt8] { (0..<4).map { UInt8((self >> (8 * $0)) & 0xFF) } }
}

extension MusicVAEConfig {
    func with(_ change: (inout MusicVAEConfig) -> Void) -> MusicVAEConfig { var c = self; change(&c); return c }
}
