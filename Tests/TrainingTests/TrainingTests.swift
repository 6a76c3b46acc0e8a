import TestSupport
import Foundation
import Testing
import MusicVAE
import NoteSequences
@testable import Pipeline
@testable import Training

let tiny = MusicVAEConfig(name: "tiny", numSteps: 32, zSize: 8,
                          encoder: .init(kind: .bidirectional, layerSizes: [16]),
                          decoder: .init(kind: .flat, layerSizes: [16]), maxBeta: 0.2, betaRate: 0.99, learningRate: 0.01)

/// `tiny` for 2-bar drum patterns (512 classes).
let tiny2barDrums: MusicVAEConfig = {
    var c = tiny
    c.depth = DrumEncoding.classCount
    c.encoding = .drums
    return c
}()

func scratch() throws -> URL {
    let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("musicvae-train-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite(.serialized) struct TrainingTests {
    @Test func datasetSplitsByFileAndReadsMeters() throws {
        let folder = SharedData.folk + "/miscFolk"
        let d = try WindowDataset(paths: [folder], settings: .init(steps: 32))
        #expect(d.files == 185 && d.failed == 0)
        #expect(d.train.allSatisfy { $0.count == 32 } && d.heldOut.allSatisfy { $0.count == 32 })
        // The held-out files are exactly those whose path hashes to 0 modulo 20.
        let inputs = try listMIDIFiles(at: folder)
        #expect(d.heldOutFiles == inputs.filter { WindowDataset.isHeldOut($0, every: 20) }.count)
        #expect(d.heldOutFiles > 0 && !d.heldOut.isEmpty)
        // 2/4 tunes count: the same folder read as 4/4 only gives fewer windows.
        let fourFour = try WindowDataset(paths: [folder], settings: .init(steps: 32, meters: ["4/4"], heldOutEvery: 0))
        #expect(fourFour.train.count < d.train.count + d.heldOut.count)
        #expect(fourFour.heldOut.isEmpty)
    }

    /// Groove variants share a family: suffixes and numbers come off, the library folder stays; drum data is held
    /// out by family, so no held-out window comes from a variant of a training groove.
    @Test func drumsAreHeldOutByGrooveFamily() throws {
        func family(_ key: String) -> String { WindowDataset.family(of: InputFile(path: "/x/" + key, key: key)) }
        #expect(family("stdlib/50sRock1SusPlus.mid") == "stdlib/50sRock")
        #expect(family("stdlib/68MarchFill2.mid") == "stdlib/68March")
        #expect(family("yamaha/8Beat.mid") == "yamaha/8Beat")
        #expect(family("casio/Bossa2End.mid") == "casio/Bossa")
        let folder = SharedData.corpus + "/grooves/stdlib"
        let inputs = try listMIDIFiles(at: folder).filter { $0.key.hasPrefix("Bo") || $0.key.hasPrefix("Sw") }
        let d = try WindowDataset(paths: inputs.map(\.path), settings: .init(for: MusicVAEConfig.drums2barSmall, heldOutEvery: 20))
        // The split the dataset made, by the families of the files its windows came from.
        let families = { (origins: [WindowOrigin]) in Set(origins.map { family($0.file) }) }
        let heldOut = families(d.heldOutOrigins), trained = families(d.trainOrigins)
        #expect(!heldOut.isEmpty && !trained.isEmpty && heldOut.isDisjoint(with: trained), "held out \(heldOut.sorted())")
        #expect(d.train.allSatisfy { $0.count == 32 && $0.allSatisfy { (0..<512).contains($0) } })
        #expect(d.train.contains { $0.contains { $0 > 89 } })   // drum classes, not melody classes
    }

    /// The training data's stages are built through the API, not as YAML text: a folder whose name holds quotes,
    /// braces and `${...}` reads like any other.
    @Test func dataFromAFolderWithAnOddName() throws {
        let folder = try scratch().appendingPathComponent("it's \"odd\": {a, b} ${x}").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for f in SharedData.files(in: SharedData.folk + "/miscFolk", 3) {
            try FileManager.default.copyItem(atPath: f, toPath: folder + "/" + (f as NSString).lastPathComponent)
        }
        let d = try WindowDataset(paths: [folder], settings: .init(steps: 32, heldOutEvery: 0))
        #expect(d.files == 3 && d.failed == 0 && !d.train.isEmpty)
    }

    /// An export folder (windows.npy, index.json) reads back as the same windows, split and keys as the MIDI it
    /// was made from: the training cache.
    @Test func exportFolderIsTheWindowCache() throws {
        let folder = SharedData.folk + "/miscFolk"
        let fromMIDI = try WindowDataset(paths: [folder], settings: .init(steps: 32))
        let out = try scratch().path
        try NumpyFile.write(int32: fromMIDI.train + fromMIDI.heldOut, columns: 32, to: out + "/windows.npy")
        try JSONEncoder().encode(fromMIDI.indexRows).write(to: URL(fileURLWithPath: out + "/index.json"))
        let cached = try WindowDataset(paths: [out], settings: .init(steps: 32))
        #expect(cached.train == fromMIDI.train && cached.heldOut == fromMIDI.heldOut)
        #expect(cached.trainTonics == fromMIDI.trainTonics && cached.trainOrigins == fromMIDI.trainOrigins)
        #expect(cached.heldOutFiles <= fromMIDI.heldOutFiles && cached.files <= fromMIDI.files && cached.heldOutFiles > 0)   // files with windows only
        // Windows of another model's length are refused, not read as these.
        #expect(throws: NumpyFileError.self) { try WindowDataset(paths: [out], settings: .init(steps: 24, stepsPerBar: 12)) }
        // A header whose shape is negative or too large for memory is refused with the file's name, not trusted.
        for (shape, data) in [("(-1, -4)", 16), ("(4611686018427387904, 4)", 16), ("(2, 0)", 0)] {
            let header = "{'descr': '<i4', 'fortran_order': False, 'shape': \(shape), }\n"
            let bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 255), UInt8(header.utf8.count >> 8)]
                + Array(header.utf8) + [UInt8](repeating: 0, count: data)
            let bad = out + "/bad.npy"
            try Data(bytes).write(to: URL(fileURLWithPath: bad))
            #expect(throws: NumpyFileError.self, "shape \(shape)") { try NumpyFile.readInt32(bad) }
        }
    }

    @Test func transpositionStaysInRange() {
        let w = [2, 0, 1, 89, 0]       // A0 (lowest), C8 (highest)
        #expect(transposeWindow(w, by: 1) == w)            // C8 cannot go up: unchanged
        #expect(transposeWindow(w, by: -1) == w)           // A0 cannot go down
        #expect(transposeWindow([40, 0, 1, 50], by: 5) == [45, 0, 1, 55])
        #expect(transposeWindow([40, 0, 1, 50], by: 0) == [40, 0, 1, 50])
    }

    /// Training for 6 steps straight gives bit-identical weights to 3 steps, a checkpoint, a resume and 3 more.
    @Test func resumeRepeatsAnUninterruptedRun() throws {
        let windows = (0..<40).map { i in (0..<32).map { t in t % 4 == 0 ? 40 + (i + t) % 12 : 0 } }
        var options = TrainingOptions(steps: 6, batch: 4, seed: 7)
        options.checkpointSeconds = .infinity
        let straight = try scratch()
        _ = try TrainingRun(config: tiny, data: windows, output: straight, options: options, start: .fresh)
            .run(progress: { _ in }, shouldStop: { false })
        let split = try scratch()
        options.steps = 3
        _ = try TrainingRun(config: tiny, data: windows, output: split, options: options, start: .fresh)
            .run(progress: { _ in }, shouldStop: { false })
        options.steps = 6
        let resumed = try TrainingRun(config: tiny, data: windows, output: split, options: options, start: .resume(orStart: false))
        #expect(resumed.trainer.step == 3)
        var reported: [Double] = []
        let summary = try resumed.run(progress: { reported.append($0.accuracy) }, shouldStop: { false })
        #expect(summary.step == 6 && summary.stepsThisRun == 3)
        // The resumed run's first progress line measures the batch's accuracy too (it said 0 until step 25).
        #expect((reported.first ?? 0) > 0.5, "\(reported)")
        let a = try MusicVAEModel.load(from: straight), b = try MusicVAEModel.load(from: split)
        #expect(a.parameters.values == b.parameters.values)
        #expect(TrainingRun.checkpoints(in: split).map(\.lastPathComponent) == ["step-00000003", "step-00000006"])
    }

    /// Batches draw the sources as the balance says: 900 windows of source 0 beside 100 of source 1 give source 1
    /// a tenth of the draws by window, a quarter by square root (sqrt 100 / (sqrt 900 + sqrt 100)), half by source;
    /// per-source factors scale those shares (by window with source 1 weighted 3: 300 / (900 + 300) = a quarter;
    /// by source with source 1 weighted 0.25: 0.25 / 1.25 = a fifth).
    @Test func balanceDrawsSourcesAsItSays() throws {
        let windows = (0..<1000).map { i in [Int](repeating: i < 900 ? 40 : 60, count: 32) }
        let sources = (0..<1000).map { $0 < 900 ? 0 : 1 }
        #expect(DataBalance.sqrt.weights(counts: [900, 100, 0]) == [0.75, 0.25, 0])
        #expect(DataBalance.sources.weights(counts: [900, 0, 100]) == [0.5, 0, 0.5])
        #expect(DataBalance.sqrt.weights(counts: [900, 100, 0], scaledBy: [1, 3, 5]) == [0.5, 0.5, 0])
        #expect(DataBalance.windows.weights(counts: [900, 100], scaledBy: [0, 1]) == [0, 1])
        let cases: [(DataBalance, [Double]?, Double)] = [(.windows, nil, 0.1), (.sqrt, nil, 0.25), (.sources, nil, 0.5),
                                                          (.windows, [1, 3], 0.25), (.sources, [1, 0.25], 0.2)]
        for (balance, factors, share) in cases {
            var options = TrainingOptions(steps: 1, batch: 100, seed: 5)
            options.transposeRange = 0
            options.balance = balance
            options.sourceWeights = factors
            let run = try TrainingRun(config: tiny, data: windows, sources: sources, output: try scratch(), options: options, start: .fresh)
            let drawn = (0..<40).flatMap { run.batch(at: $0) }
            let fromSmall = Double(drawn.filter { $0[0] == 60 }.count) / Double(drawn.count)
            #expect(abs(fromSmall - share) < 0.03, "\(balance) \(factors ?? []): \(fromSmall)")
        }
        // Factors that leave nothing to draw, or do not match the sources, are refused before any training.
        for factors in [[0.0, 0], [1], [1, -1], [1, .nan]] {
            var options = TrainingOptions(steps: 1, batch: 100, seed: 5)
            options.sourceWeights = factors
            #expect(throws: MusicVAEError.self) {
                try TrainingRun(config: tiny, data: windows, sources: sources, output: try scratch(), options: options, start: .fresh)
            }
        }
        // The curve's windows are spread over the held-out set, not its first ones.
        #expect(TrainingRun.spread((0..<10).map { [$0] }, count: 4) == [[0], [2], [5], [7]])
        #expect(TrainingRun.spread([[1], [2]], count: 4) == [[1], [2]])
    }

    /// Drum recombination on real grooves: every recombined window has the kick, snare and toms of one training
    /// window and the cymbals of another, about the share asked for are new combinations, and without it every
    /// window is a training window as it is.
    @Test func drumRecombinationMixesTwoGroovesHalves() throws {
        let grooves = SharedData.files(in: SharedData.corpus + "/grooves/stdlib", 12)
        let d = try WindowDataset(paths: grooves, settings: .init(for: MusicVAEConfig.drums2barSmall, heldOutEvery: 0))
        let cymbals = DrumEncoding.cymbals.reduce(0) { $0 | (1 << $1) }
        let shells = Set(d.train.map { $0.map { $0 & ~cymbals } }), hats = Set(d.train.map { $0.map { $0 & cymbals } })
        let known = Set(d.train)
        #expect(recombineDrums([1 | 4, 2, 256], cymbalsFrom: [8, 4 | 1, 0]) == [1 | 8, 2 | 4, 0])
        var options = TrainingOptions(steps: 1, batch: 200, seed: 4)
        let plain = try TrainingRun(config: tiny2barDrums, data: d.train, output: try scratch(), options: options, start: .fresh)
        options.drumRecombination = 0.5
        let mixed = try TrainingRun(config: tiny2barDrums, data: d.train, output: try scratch(), options: options, start: .fresh)
        let drawn = (0..<5).flatMap { mixed.batch(at: $0) }
        #expect(drawn.allSatisfy { shells.contains($0.map { $0 & ~cymbals }) && hats.contains($0.map { $0 & cymbals }) })
        let new = Double(drawn.filter { !known.contains($0) }.count) / Double(drawn.count)
        #expect(new > 0.3 && new <= 0.5, "new combinations: \(new)")
        #expect((0..<5).flatMap { plain.batch(at: $0) }.allSatisfy { known.contains($0) })
    }

    /// A tiny model learns a handful of windows; evaluation reports what it learnt.
    @Test func evaluationMeasuresALearntModel() throws {
        let windows = [[Int]](repeating: [40, 0, 0, 0, 42, 0, 1, 0, 44, 0, 0, 0, 45, 0, 0, 0] + [47, 0, 0, 0, 45, 0, 44, 0, 42, 0, 0, 0, 40, 0, 0, 0], count: 8)
        var options = TrainingOptions(steps: 200, batch: 8, seed: 3)
        options.transposeRange = 0
        options.checkpointSeconds = .infinity
        let out = try scratch()
        let learner = MusicVAEConfig(name: "learner", numSteps: 32, zSize: 8, encoder: .init(kind: .bidirectional, layerSizes: [16]),
                                     decoder: .init(kind: .flat, layerSizes: [48]), maxBeta: 0.01, betaRate: 0.99,
                                     learningRate: 2e-2, decayRate: 0.999, minLearningRate: 1e-4)
        let run = try TrainingRun(config: learner, data: windows, output: out, options: options, start: .fresh)
        var stopped = false
        let summary = try run.run(progress: { _ in }, shouldStop: { stopped })
        stopped = true
        #expect(summary.step == 200)
        let e = try Evaluation.run(run.trainer.model, windows: windows)
        #expect(e.windows == 8)
        #expect(e.teacherForcedAccuracy == 1)
        // With every teacher-forced argmax right, greedy decoding follows the same path.
        #expect(e.samplingAccuracy == 1)
        #expect(e.elbo == -(e.recon + e.kl))
        #expect(e.kl > 0)
        // 22 of the window's 32 steps hold (class 0): the floor a model must beat.
        #expect(e.constantGuessAccuracy == 22.0 / 32.0)
        // The active dimensions are those of the posteriors of exactly these windows.
        let t = try run.trainer.model.trace(windows: windows, eps: [[Float]](repeating: [Float](repeating: 0, count: 8), count: 8), beta: 0)
        #expect(e.activeDimensions == Evaluation.activeDimensions(mu: t.mu, sigma: t.sigma))
    }

    /// The floor counts the most frequent class over all steps of all windows, whatever it is.
    @Test func constantGuessIsTheMostFrequentClassShare() {
        #expect(Evaluation.constantGuessAccuracy([[5, 5, 1, 2], [5, 3, 3, 3]]) == 0.375)
        #expect(Evaluation.constantGuessAccuracy([[7]]) == 1)
        #expect(Evaluation.constantGuessAccuracy([]) == 0)
    }

    /// A dimension is active when its KL to N(0, 1), averaged over the windows, exceeds 0.1 nats: a mean away from
    /// 0 or a narrow posterior counts; the prior itself does not, nor a mean of 0.2 in one window of two (0.01 nats).
    @Test func activeDimensionsAreThoseAwayFromThePrior() {
        // Per dimension and window: KL = (mu² + sigma² - 1) / 2 - ln sigma.
        let mu: [[Float]] = [[1, 0, 0, 0.2], [-1, 0, 0, 0]]
        let sigma: [[Float]] = [[1, 0.5, 1, 1], [1, 0.5, 1, 1]]
        // Means: 0.5, 0.318, 0, 0.01 nats.
        #expect(Evaluation.activeDimensions(mu: mu, sigma: sigma) == 2)
        #expect(Evaluation.activeDimensions(mu: [], sigma: []) == 0)
    }
}
