import Foundation

/// What a model's `training.json` says about all the runs that made it: global steps, examples seen, and the
/// held-out curve measured during training. A run that resumes or continues a model's weights carries it on.
public struct TrainingHistory: Sendable, Equatable {
    /// One held-out measurement during training.
    public struct Point: Sendable, Equatable {
        /// Training examples seen so far (all runs).
        public var examples: Int
        /// Global step.
        public var step: Int
        /// KL weight in force.
        public var beta: Double
        /// Held-out figures at this point.
        public var evaluation: Evaluation

        /// Creates a point.
        public init(examples: Int, step: Int, beta: Double, evaluation: Evaluation) {
            self.examples = examples
            self.step = step
            self.beta = beta
            self.evaluation = evaluation
        }
    }

    /// Global steps taken.
    public var steps: Int
    /// Training examples seen (windows, all runs).
    public var examples: Int
    /// Held-out measurements, oldest first.
    public var curve: [Point]

    /// An empty history.
    public init(steps: Int = 0, examples: Int = 0, curve: [Point] = []) {
        self.steps = steps
        self.examples = examples
        self.curve = curve
    }

    /// The history in `folder/training.json`, or nil when there is none. Files written before examples were
    /// counted give steps × batch.
    public static func read(from folder: URL) -> TrainingHistory? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("training.json")),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        let steps = json["steps"] as? Int ?? 0
        let examples = json["examples_seen"] as? Int ?? steps * (json["batch"] as? Int ?? 0)
        let curve = (json["curve"] as? [[String: Any]] ?? []).compactMap { p -> Point? in
            guard let examples = p["examples"] as? Int, let step = p["step"] as? Int,
                  let e = try? JSONDecoder().decode(Evaluation.self, from: JSONSerialization.data(withJSONObject: p["held_out"] ?? [:]))
            else { return nil }
            return Point(examples: examples, step: step, beta: p["beta"] as? Double ?? 0, evaluation: e)
        }
        return TrainingHistory(steps: steps, examples: examples, curve: curve)
    }

    /// The keys this history contributes to training.json.
    var json: [String: Any] { ["steps": steps, "examples_seen": examples, "curve": curveJSON] }

    /// Writes the history alone as `folder/training.json` (inside checkpoints, so a resumed run finds its curve).
    func write(to folder: URL) throws {
        let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: folder.appendingPathComponent("training.json"), options: .atomic)
    }

    /// The JSON form of the curve for training.json.
    var curveJSON: [[String: Any]] {
        curve.map { p in
            ["examples": p.examples, "step": p.step, "beta": p.beta,
             "held_out": ["windows": p.evaluation.windows, "teacher_forced_accuracy": p.evaluation.teacherForcedAccuracy,
                          "sampling_accuracy": p.evaluation.samplingAccuracy, "kl": p.evaluation.kl,
                          "recon": p.evaluation.recon, "elbo": p.evaluation.elbo]]
        }
    }
}
