import Foundation
import NeuralNet

/// Saving and resuming training: the model checkpoint plus Adam's moments and the global step,
/// written together in one atomic folder replacement.
extension MusicVAETrainer {
    /// Trainer-state file names inside a checkpoint folder.
    public static let stateFile = "trainer_state.json"
    /// Adam moments: m then v, float32 little-endian, in parameter order.
    public static let momentsFile = "trainer_adam.bin"

    struct State: Codable {
        var step: Int
        var beta1: Float
        var beta2: Float
        var epsilon: Float
        var parameterCount: Int
        /// Adam's `momentsSince` (absent in checkpoints written before it existed: 0).
        var momentsSince: Int?
    }

    /// Writes the model (magenta.js layout) and the optimizer state to `dir`, atomically.
    public func save(to dir: URL) throws {
        let state = State(step: optimizer.step, beta1: optimizer.beta1, beta2: optimizer.beta2,
                          epsilon: optimizer.epsilon, parameterCount: model.parameterCount,
                          momentsSince: optimizer.momentsSince)
        var moments = Data(capacity: 8 * model.parameterCount)
        for a in [optimizer.m, optimizer.v] {
            a.withUnsafeBufferPointer { p in for x in p { withUnsafeBytes(of: x.bitPattern.littleEndian) { moments.append(contentsOf: $0) } } }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try TFJSCheckpoint.writeWeights(model.namedWeights, to: dir, extraFiles: [
            "config.json": try model.checkpointConfigJSON(),
            Self.stateFile: try encoder.encode(state),
            Self.momentsFile: moments,
        ])
    }

    /// Resumes from a folder written by `save(to:)` (or starts at step 0 from a plain checkpoint).
    /// Noise and sampling draws depend on (`seed`, step) only, so resuming repeats the uninterrupted run.
    public convenience init(resumingFrom dir: URL, seed: UInt64 = 0) throws {
        let model = try MusicVAEModel.load(from: dir)
        let stateURL = dir.appendingPathComponent(Self.stateFile)
        guard FileManager.default.fileExists(atPath: stateURL.path) else {
            self.init(model: model, seed: seed)
            return
        }
        let state: State
        do { state = try JSONDecoder().decode(State.self, from: Data(contentsOf: stateURL)) } catch {
            throw MusicVAEError.badCheckpoint("malformed \(Self.stateFile): \(error)")
        }
        let n = model.parameterCount
        guard state.parameterCount == n else {
            throw MusicVAEError.badCheckpoint("optimizer state is for \(state.parameterCount) parameters, model has \(n)")
        }
        let bytes: Data
        do { bytes = try Data(contentsOf: dir.appendingPathComponent(Self.momentsFile)) } catch {
            throw MusicVAEError.badCheckpoint("cannot read \(Self.momentsFile)")
        }
        guard bytes.count == 8 * n else {
            throw MusicVAEError.badCheckpoint("\(Self.momentsFile) holds \(bytes.count) bytes, expected \(8 * n) (two float32 moments per parameter): truncated or damaged")
        }
        var adam = Adam(count: n, beta1: state.beta1, beta2: state.beta2, epsilon: state.epsilon)
        bytes.withUnsafeBytes { raw in
            for i in 0..<n {
                adam.m[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                adam.v[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * (n + i), as: UInt32.self)))
            }
        }
        adam.step = state.step
        adam.momentsSince = state.momentsSince ?? 0
        self.init(model: model, optimizer: adam, seed: seed)
    }

    /// Continues training the weights of a model folder whose optimizer state is not at hand: the schedules (β,
    /// learning rate, scheduled sampling) go on from global step `step`, Adam's moments start afresh; `stage`
    /// changes the training settings (the next stage of a campaign).
    public convenience init(continuingWeightsOf dir: URL, atStep step: Int, stage: TrainingStage = TrainingStage(), seed: UInt64 = 0) throws {
        let model = try MusicVAEModel.load(from: dir).with(stage)
        var adam = Adam(count: model.parameterCount)
        adam.step = step
        adam.momentsSince = step
        self.init(model: model, optimizer: adam, seed: seed)
    }
}
