import ArgumentParser
import Foundation

/// `musicvae stats merge S1.json S2.json ...`: the `--stats` files of the shards of one run, as one summary.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Work with the --stats files of runs.",
        subcommands: [Merge.self])

    /// `musicvae stats merge`.
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge the --stats files of the shards of one run (run --shard K/N --stats SK.json) into one summary.",
            discussion: """
                Inputs, failures, outputs and every stage's counters (in, out, dropped by reason) are summed; the \
                failures are listed together; seconds are summed (the compute the shards spent, not a wall time). \
                The files must come from one pipeline with the same stages, and each shard once; the merged summary \
                has the shape of a --stats file with no shard. Example, after a job array of 4:
                musicvae stats merge stats/1.json stats/2.json stats/3.json stats/4.json -o stats/all.json
                """)

        @Argument(help: "The shards' --stats files.")
        var files: [String]

        @Option(name: .shortAndLong, help: "Write the merged summary here (default: standard output).")
        var output: String?

        func run() throws {
            var merged: RunSummary.JSON?
            var shards = Set<String>()
            for path in files {
                let part: RunSummary.JSON
                do {
                    part = try JSONDecoder().decode(RunSummary.JSON.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
                } catch {
                    throw CLIError("\(path): not a --stats file: \(error)")
                }
                if let shard = part.shard {
                    guard shards.insert(shard).inserted else { throw CLIError("\(path): shard \(shard) is given twice") }
                }
                guard var m = merged else { merged = part; continue }
                guard m.pipeline == part.pipeline, m.stages.map(\.stage) == part.stages.map(\.stage) else {
                    throw CLIError("\(path): another pipeline (\(part.pipeline), stages \(part.stages.map(\.stage).joined(separator: ", "))) than \(files[0])")
                }
                m = RunSummary.JSON(
                    pipeline: m.pipeline, shard: nil, inputs: m.inputs + part.inputs, failed: m.failed + part.failed,
                    failures: m.failures.merging(part.failures) { a, _ in a },
                    failed_by_reason: m.failed_by_reason.merging(part.failed_by_reason, uniquingKeysWith: +),
                    outputs: m.outputs + part.outputs, seconds: m.seconds + part.seconds,
                    stages: zip(m.stages, part.stages).map { a, b in
                        .init(stage: a.stage, received: a.received + b.received, produced: a.produced + b.produced,
                              dropped: a.dropped.merging(b.dropped, uniquingKeysWith: +))
                    },
                    skipped: (m.skipped ?? [:]).merging(part.skipped ?? [:], uniquingKeysWith: +))
                merged = m
            }
            guard var result = merged else { throw ValidationError("give at least one --stats file") }
            result.shard = nil
            result.written = nil
            if result.skipped?.isEmpty == true { result.skipped = nil }
            if let output { try writeStats(result, to: output) } else { print(try jsonString(result)) }
            printError("merged \(files.count) file\(files.count == 1 ? "" : "s"): \(result.inputs) inputs, \(result.failed) failed, \(result.outputs) outputs")
        }
    }
}
