import Foundation
import NoteSequences
import NeuralNet

/// A MusicVAE: its configuration and all weights, named and laid out as in Magenta checkpoints.
///
/// A value type (cheap to copy until mutated). Heavy calls take an optional `MusicVAEWorkspace`
/// that keeps activation memory between calls; without one, a temporary workspace is made.
public struct MusicVAEModel: Sendable {
    /// The architecture and training hyper-parameters (only the training ones change: `with(_:)`).
    public internal(set) var config: MusicVAEConfig
    /// All weights in Magenta's definition order (flat storage for the optimizer).
    public var parameters: ParameterStore { didSet { packedKernels = PackedKernelCache() } }
    let layout: ModelLayout
    /// The arithmetic of `encode`, `decode` and `sample` (float32 unless set; training is always float32).
    public var precision: InferencePrecision = .float32
    /// The LSTM kernels in bfloat16, packed on the first bfloat16 call.
    var packedKernels = PackedKernelCache()

    /// The bfloat16 kernels when `precision` asks for them and this CPU runs them, else nil (float32).
    var inferenceKernels: [Int: PackedLSTMKernel]? {
        precision.effective == .bfloat16 ? packedKernels.kernels(of: self) : nil
    }

    /// A freshly initialised model: Glorot-uniform kernels, N(0, 0.001²) for the mu/sigma and
    /// initial-state layers (as Magenta), zero biases; deterministic for a given seed.
    public init(config: MusicVAEConfig, seed: UInt64) throws {
        try config.validate()
        self.config = config
        layout = ModelLayout(config)
        parameters = ParameterStore()
        var rng = SeededGenerator(seed: seed)
        for v in layout.variables {
            let e = try parameters.add(v.name, shape: v.shape)
            switch v.initializer {
            case .zeros: break
            case .normal(let std):
                for i in 0..<e.count { parameters.values[e.offset + i] = std * rng.nextNormal() }
            case .glorotUniform:
                let limit = (6 / Float(v.shape[0] + v.shape[1])).squareRoot()
                for i in 0..<e.count { parameters.values[e.offset + i] = (rng.nextUniform() * 2 - 1) * limit }
            }
        }
    }

    /// A model over given weights; every variable of the config's layout must be present with its shape
    /// (extra tensors are ignored).
    public init(config: MusicVAEConfig, weights: [(name: String, tensor: Tensor)]) throws {
        try config.validate()
        self.config = config
        layout = ModelLayout(config)
        let byName = Dictionary(weights.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        parameters = ParameterStore()
        for v in layout.variables {
            guard let t = byName[v.name] else { throw MusicVAEError.missingWeight(v.name) }
            guard t.shape == v.shape else { throw MusicVAEError.weightShape(v.name, expected: v.shape, found: t.shape) }
            try parameters.add(v.name, shape: v.shape)
            try parameters.set(v.name, t)
        }
    }

    /// The number of trainable scalars.
    public var parameterCount: Int { parameters.count }

    /// The weights as (name, tensor) pairs in definition order.
    public var namedWeights: [(name: String, tensor: Tensor)] {
        parameters.entries.map { ($0.name, try! parameters.tensor($0.name)) }
    }

    // MARK: checkpoints

    /// Key under which `config.json` carries the full Swift configuration (magenta.js ignores it).
    public static let configKey = "musicvae_swift"

    /// Loads a magenta.js-layout checkpoint folder. The architecture comes from `config.json`'s
    /// `musicvae_swift` entry when present, otherwise it is inferred from the variable names and
    /// shapes plus `dataConverter.args` (training hyper-parameters then take default values).
    public static func load(from dir: URL) throws -> MusicVAEModel {
        let weights = try TFJSCheckpoint.readWeights(from: dir)
        if let config = try storedConfig(in: dir) { return try MusicVAEModel(config: config, weights: weights) }
        let config = try inferConfig(json: try configJSON(in: dir), weights: weights, name: dir.lastPathComponent)
        return try MusicVAEModel(config: config, weights: weights)
    }

    /// The Swift configuration under `musicvae_swift` in `dir/config.json`, without reading weights; nil when the
    /// folder's config.json is missing or lacks that entry (a magenta.js checkpoint).
    public static func storedConfig(in dir: URL) throws -> MusicVAEConfig? {
        guard let ours = try configJSON(in: dir)[configKey] else { return nil }
        do {
            return try MusicVAEConfig.decode(json: JSONSerialization.data(withJSONObject: ours))
        } catch MusicVAEError.invalidConfig(let problem) {
            throw MusicVAEError.badCheckpoint("\(dir.appendingPathComponent("config.json").path) '\(configKey)': \(problem)")
        }
    }

    /// `dir/config.json` as a JSON object (empty when the file is missing).
    static func configJSON(in dir: URL) throws -> [String: Any] {
        guard let data = try? Data(contentsOf: dir.appendingPathComponent("config.json")) else { return [:] }
        guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw MusicVAEError.badCheckpoint("malformed config.json")
        }
        return obj
    }

    /// Infers the architecture of a Magenta/magenta.js checkpoint from its variables.
    static func inferConfig(json: [String: Any], weights: [(name: String, tensor: Tensor)], name: String) throws -> MusicVAEConfig {
        let shapes = Dictionary(weights.map { ($0.name, $0.tensor.shape) }, uniquingKeysWith: { a, _ in a })
        let args = ((json["dataConverter"] as? [String: Any])?["args"] as? [String: Any]) ?? [:]
        func int(_ k: String) -> Int? { (args[k] as? NSNumber)?.intValue }
        let minPitch = int("minPitch") ?? 21, maxPitch = int("maxPitch") ?? 108
        let drums = ((json["dataConverter"] as? [String: Any])?["type"] as? String) == "DrumsConverter"
        let depth = drums ? DrumEncoding.classCount : maxPitch - minPitch + 1 + 2
        guard let numSteps = int("numSteps") else { throw MusicVAEError.badCheckpoint("config.json lacks dataConverter.args.numSteps") }
        let segments = int("numSegments")
        func units(_ scope: String) -> Int? { shapes[scope + "/bias"].map { $0[0] / 4 } }
        func collect(_ pattern: (Int) -> String) -> [Int] {
            var out: [Int] = []
            while let u = units(pattern(out.count)) { out.append(u) }
            return out
        }
        let flatEnc = collect { "encoder/cell_\($0)/bidirectional_rnn/fw/multi_rnn_cell/cell_0/lstm_cell" }
        let hierEnc = collect { "encoder/hierarchical_level_\($0)/cell_0/bidirectional_rnn/fw/multi_rnn_cell/cell_0/lstm_cell" }
        let encoder: MusicVAEConfig.Encoder
        if !flatEnc.isEmpty {
            encoder = .init(kind: .bidirectional, layerSizes: flatEnc)
        } else if hierEnc.count == 2, let s = segments, numSteps % s == 0 {
            encoder = .init(kind: .hierarchical, layerSizes: hierEnc, levelLengths: [numSteps / s, s])
        } else {
            throw MusicVAEError.badCheckpoint("cannot infer the encoder (need encoder/cell_0 or 2 hierarchical levels with numSegments)")
        }
        guard let z = shapes["encoder/mu/bias"]?[0] else { throw MusicVAEError.missingWeight("encoder/mu/bias") }
        let conductor = collect { "decoder/hierarchical_level_0/cell_\($0)/lstm_cell" }
        let decoder: MusicVAEConfig.Decoder
        if !conductor.isEmpty {
            guard let s = segments, numSteps % s == 0 else { throw MusicVAEError.badCheckpoint("hierarchical decoder needs numSegments") }
            let core = collect { "core_decoder/decoder/multi_rnn_cell/cell_\($0)/lstm_cell" }
            decoder = .init(kind: .hierarchical, layerSizes: core, conductorSizes: conductor, numBars: s, stepsPerBar: numSteps / s)
        } else {
            decoder = .init(kind: .flat, layerSizes: collect { "decoder/multi_rnn_cell/cell_\($0)/lstm_cell" })
        }
        return MusicVAEConfig(name: name, depth: depth, minPitch: minPitch, maxPitch: maxPitch, numSteps: numSteps,
                              zSize: z, encoder: encoder, decoder: decoder, encoding: drums ? .drums : nil)
    }

    /// The magenta.js `config.json` for this model (with the full Swift config under `musicvae_swift`).
    public func checkpointConfigJSON() throws -> Data {
        let drums = config.lineEncoding == .drums
        // magenta.js's converters: MelodyConverter (pitch range), DrumsConverter (9 drum classes, 512 one-hot).
        var args: [String: Any] = drums ? ["numSteps": config.numSteps]
            : ["numSteps": config.numSteps, "minPitch": config.minPitch, "maxPitch": config.maxPitch]
        if config.decoder.kind == .hierarchical { args["numSegments"] = config.decoder.numBars }
        else if config.encoder.kind == .hierarchical { args["numSegments"] = config.encoder.levelLengths.last! }
        let ours = try JSONSerialization.jsonObject(with: JSONEncoder().encode(config))
        let obj: [String: Any] = ["type": "MusicVAE",
                                  "dataConverter": ["type": drums ? "DrumsConverter" : "MelodyConverter", "args": args],
                                  Self.configKey: ours]
        return try JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys])
    }

    /// Writes a magenta.js-layout checkpoint folder (float32, 4 MB shards), atomically; other files
    /// already in the folder (model card, attributes) are kept, trainer state is removed.
    public func save(to dir: URL, shardBytes: Int = 4 * 1024 * 1024) throws {
        // A plain model save drops any trainer state of an earlier save into the same folder.
        try TFJSCheckpoint.writeWeights(namedWeights, to: dir, shardBytes: shardBytes,
                                        extraFiles: ["config.json": try checkpointConfigJSON()],
                                        ownedFiles: [MusicVAETrainer.stateFile, MusicVAETrainer.momentsFile])
    }

    // MARK: checks

    func check(windows: [[Int]]) throws {
        guard !windows.isEmpty else { throw MusicVAEError.invalidInput("no windows") }
        for (i, w) in windows.enumerated() {
            guard w.count == config.numSteps else {
                throw MusicVAEError.invalidInput("window \(i) has \(w.count) steps, expected \(config.numSteps)")
            }
            guard w.allSatisfy({ $0 >= 0 && $0 < config.depth }) else {
                throw MusicVAEError.invalidInput("window \(i) has a class outside 0..<\(config.depth)")
            }
        }
    }

    func check(vectors: [[Float]], _ what: String) throws {
        guard !vectors.isEmpty else { throw MusicVAEError.invalidInput("no \(what) vectors") }
        guard vectors.allSatisfy({ $0.count == config.zSize }) else {
            throw MusicVAEError.invalidInput("every \(what) vector must have \(config.zSize) values")
        }
    }
}
