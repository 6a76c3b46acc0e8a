import Foundation
import Testing
@testable import MusicVAE
@testable import NeuralNet

@Suite("Golden vectors (shared/golden)")
struct GoldenTests {
    @Test(arguments: Golden.models)
    func loadsWithExpectedArchitecture(_ name: String) throws {
        let m = try MusicVAEModel.load(from: Golden.dir(name))
        #expect(m.parameterCount == (name.hasPrefix("mel_2bar") ? 34_442 : 22_230))
        #expect(m.config.depth == 90 && m.config.zSize == 8)
        switch name {
        case "mel_16bar_hier_tiny":
            #expect(m.config.encoder == .init(kind: .bidirectional, layerSizes: [12, 12]))
            #expect(m.config.decoder == .init(kind: .hierarchical, layerSizes: [10, 10], conductorSizes: [10, 10], numBars: 16, stepsPerBar: 16))
        case "mel_16bar_hierenc_tiny":
            #expect(m.config.encoder == .init(kind: .hierarchical, layerSizes: [12, 12], levelLengths: [16, 16]))
        default:
            #expect(m.config.encoder == .init(kind: .bidirectional, layerSizes: [24]))
            #expect(m.config.decoder == .init(kind: .flat, layerSizes: [16, 16]))
        }
    }

    /// float32 weights equal the raw little-endian bytes of the concatenated shards, bit for bit
    /// (checked with an independent reading of the manifest), including tensors that straddle shards.
    @Test(arguments: ["mel_2bar_tiny", "mel_16bar_hier_tiny", "mel_16bar_hierenc_tiny"])
    func float32LoaderIsBitExact(_ name: String) throws {
        let dir = Golden.dir(name)
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("weights_manifest.json"))) as! [[String: Any]]
        var bytes = Data()
        for p in manifest[0]["paths"] as! [String] { bytes.append(try Data(contentsOf: dir.appendingPathComponent(p))) }
        let loaded = Dictionary(uniqueKeysWithValues: try TFJSCheckpoint.readWeights(from: dir).map { ($0.name, $0.tensor) })
        var offset = 0, straddling = 0
        let shard = (manifest[0]["paths"] as! [String]).count > 1 ? try Data(contentsOf: dir.appendingPathComponent("group1-shard1of3")).count : Int.max
        for w in manifest[0]["weights"] as! [[String: Any]] {
            let n = (w["shape"] as! [Int]).reduce(1, *)
            let t = try #require(loaded[w["name"] as! String])
            for i in 0..<n {
                let b = bytes[(offset + 4 * i)..<(offset + 4 * i + 4)]
                let bits = UInt32(b[b.startIndex]) | UInt32(b[b.startIndex + 1]) << 8 | UInt32(b[b.startIndex + 2]) << 16 | UInt32(b[b.startIndex + 3]) << 24
                if t.data[i].bitPattern != bits { Issue.record("\(w["name"]!)[\(i)] differs"); return }
            }
            if offset / shard != (offset + 4 * n - 1) / shard { straddling += 1 }
            offset += 4 * n
        }
        #expect(offset == bytes.count)
        #expect(straddling > 0, "the golden files are meant to split tensors across shards")
        // And the model holds exactly these values.
        let m = try MusicVAEModel.load(from: dir)
        for e in m.parameters.entries { #expect(try m.parameters.tensor(e.name) == loaded[e.name]!) }
    }

    /// uint8 weights dequantize bit-exactly to `dequantized/`.
    @Test func uint8DequantizationIsBitExact() throws {
        let q = try TFJSCheckpoint.readWeights(from: Golden.dir("mel_2bar_tiny_uint8"))
        let d = Dictionary(uniqueKeysWithValues: try TFJSCheckpoint.readWeights(from: Golden.dir("mel_2bar_tiny_uint8").appendingPathComponent("dequantized")).map { ($0.name, $0.tensor) })
        #expect(q.count == d.count && q.count == 16)
        for (name, t) in q {
            let e = try #require(d[name])
            #expect(t.shape == e.shape)
            #expect(zip(t.data, e.data).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(name) differs")
        }
    }

    @Test(arguments: Golden.models)
    func forwardMatches(_ name: String) throws {
        let model = try MusicVAEModel.load(from: Golden.dir(name))
        let cases = try Golden.cases(name)
        let tr = try model.trace(windows: cases.windows.map(\.input), eps: cases.windows.map(\.eps),
                                 beta: cases.beta, freeBits: cases.freeBits)
        for (b, w) in cases.windows.enumerated() {
            expectClose(tr.encoderOutput[b], w.vector("encoder_output"), "\(name) w\(b) encoder_output")
            expectClose(tr.mu[b], w.vector("mu"), "\(name) w\(b) mu")
            expectClose(tr.sigma[b], w.vector("sigma"), "\(name) w\(b) sigma")
            expectClose(tr.z[b], w.vector("z"), "\(name) w\(b) z")
            if model.config.decoder.kind == .flat {
                expectClose(tr.decoderInitialState[b], w.vector("decoder_initial_state"), "\(name) w\(b) decoder_initial_state")
            } else {
                expectClose(tr.conductorInitialState[b], w.vector("conductor_initial_state"), "\(name) w\(b) conductor_initial_state")
                expectClose(tr.conductorEmbeddings[b].flatMap { $0 }, w.matrix("conductor_embeddings").flatMap { $0 },
                            "\(name) w\(b) conductor_embeddings")
            }
            expectClose(tr.logits[b].flatMap { $0 }, w.matrix("teacher_forced_logits").flatMap { $0 }, "\(name) w\(b) logits")
            expectRelative(tr.loss.recon[b], w.scalar("recon_loss"), 1e-5, "\(name) w\(b) recon")
            expectRelative(tr.loss.kl[b], w.scalar("kl"), 1e-5, "\(name) w\(b) kl")
        }
        expectRelative(tr.loss.reconMean, cases.batch["recon_mean"]!, 1e-5, "\(name) recon_mean")
        expectRelative(tr.loss.klMean, cases.batch["kl_mean"]!, 1e-5, "\(name) kl_mean")
        expectRelative(tr.loss.total, cases.batch["total_loss"]!, 1e-5, "\(name) total_loss")
    }

    @Test(arguments: Golden.models)
    func greedyDecodeMatches(_ name: String) throws {
        let model = try MusicVAEModel.load(from: Golden.dir(name))
        let cases = try Golden.cases(name)
        let mu = cases.windows.map { $0.vector("mu").map(Float.init) }
        var rng = SeededGenerator(seed: 0)
        let (ids, logits) = try model.decodeWithLogits(z: mu, rng: &rng)
        for (b, w) in cases.windows.enumerated() {
            #expect(ids[b] == w.ints("greedy_from_mu"), "\(name) w\(b) greedy ids")
            expectClose(logits[b].flatMap { $0 }, w.matrix("greedy_logits").flatMap { $0 }, "\(name) w\(b) greedy logits")
        }
        // Batch size does not change the result.
        #expect(try model.decode(z: [mu[1]]) == [ids[1]])
    }

    /// Gradients of every weight; `copies` > 1 repeats the batch (same mean loss, same gradients),
    /// which takes the multi-threaded paths used for larger batches.
    @Test(arguments: ["mel_2bar_tiny", "mel_16bar_hier_tiny", "mel_16bar_hierenc_tiny"], [1, 6])
    func gradientsMatch(_ name: String, copies: Int) throws {
        let model = try MusicVAEModel.load(from: Golden.dir(name))
        let cases = try Golden.cases(name)
        let windows = Array([[[Int]]](repeating: cases.windows.map(\.input), count: copies).joined())
        let eps = Array([[[Float]]](repeating: cases.windows.map(\.eps), count: copies).joined())
        let (loss, grads) = try model.lossAndGradients(windows: windows, eps: eps, beta: cases.beta, freeBits: cases.freeBits)
        expectRelative(loss.total, cases.batch["total_loss"]!, 1e-5, "\(name) total_loss")
        let expected = try TFJSCheckpoint.readWeights(from: Golden.dir(name).appendingPathComponent("grads"))
        #expect(expected.count == model.parameters.entries.count)
        for (wname, e) in expected {
            let g = try model.parameters.slice(wname, of: grads)
            #expect(g.shape == e.shape)
            let scale = e.data.reduce(Float(0)) { max($0, abs($1)) }
            var worst: Float = 0, zeroViolation: Float = 0
            for (a, x) in zip(g.data, e.data) {
                worst = max(worst, abs(a - x))
                if x == 0 { zeroViolation = max(zeroViolation, abs(a)) }
            }
            #expect(worst <= 1e-4 * scale, "\(name) d/d \(wname): max error \(worst) vs max |g| \(scale)")
            #expect(zeroViolation <= 1e-7, "\(name) d/d \(wname): exact zeros came out as \(zeroViolation)")
        }
    }
}
