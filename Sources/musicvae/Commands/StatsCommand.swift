import ArgumentParser
import Foundation
import Pipeline

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
                The files must come from one pipeline with the same stages, and each shard once, except that a shard \
                stopped by a signal (its stats say how many inputs it did not start) may come with the rerun that \
                finished it through the same --manifest: the inputs the rerun skipped as done are then counted once, \
                by the stopped part. The merged summary has the shape of a --stats file with no shard. Example, \
                after a job array of 4 whose task 3 was stopped and run again:
                musicvae stats merge stats/1.json stats/2.json stats/3-stopped.json stats/3.json stats/4.json -o stats/all.json
                """)

        @Argument(help: "The shards' --stats files.")
        var files: [String]

        @Option(name: .shortAndLong, help: "Write the merged summary here (default: standard output).")
        var output: String?

        func run() throws {
            var parts: [(path: String, json: RunSummary.JSON)] = []
            try checkDistinctOutputs(inputs: files, outputs: [output].compactMap { $0 })
            for path in files {
                do {
                    parts.append((path, try JSONDecoder().decode(RunSummary.JSON.self, from: Data(contentsOf: URL(fileURLWithPath: path)))))
                } catch {
                    throw CLIError("\(path): not a --stats file: \(error)")
                }
            }
            // Each shard once, but for stopped parts of it (not_started) beside the one run that finished it.
            var finishedShards = Set<String>(), stoppedShards = Set<String>()
            for (path, part) in parts {
                guard let shard = part.shard else { continue }
                if part.not_started != nil { stoppedShards.insert(shard); continue }
                guard finishedShards.insert(shard).inserted else { throw CLIError("\(path): shard \(shard) is given twice") }
            }
            // Shards of one split (K/N, the same N): the ones no file covers are named, since the merge would
            // otherwise read as the whole run.
            let splits = Set(parts.compactMap { $0.1.shard.flatMap(Shard.init)?.count })
            if splits.count > 1 {
                throw CLIError("the files come from different splits (" + splits.sorted().map { "of \($0)" }.joined(separator: ", ")
                               + " shards); merge the shards of one run")
            }
            var missing: [String] = []
            if let count = splits.first {
                let covered = Set(parts.compactMap { $0.1.shard.flatMap(Shard.init).map { $0.index + 1 } })
                missing = (1...count).filter { !covered.contains($0) }.map { "\($0)/\(count)" }
            }
            var merged: RunSummary.JSON?
            for (path, original) in parts {
                var part = original
                if let shard = part.shard {
                    if part.not_started != nil, finishedShards.contains(shard) { part.not_started = nil }
                    if part.not_started == nil, stoppedShards.contains(shard), let done = part.skipped?[PipelineRunner.doneEarlier] {
                        // Done by the stopped part, whose counters are in the merge already.
                        part = RunSummary.JSON(pipeline: part.pipeline, shard: part.shard, inputs: part.inputs - done, failed: part.failed,
                                               failures: part.failures, failed_by_reason: part.failed_by_reason, outputs: part.outputs,
                                               seconds: part.seconds, stages: part.stages, skipped: part.skipped?.filter { $0.key != PipelineRunner.doneEarlier })
                    }
                }
                guard var m = merged else { merged = part; continue }
                guard m.pipeline == part.pipeline, m.stages.map(\.stage) == part.stages.map(\.stage) else {
                    throw CLIError("\(path): another pipeline (\(part.pipeline), stages \(part.stages.map(\.stage).joined(separator: ", "))) than \(files[0])")
                }
                let notStarted = (m.not_started ?? 0) + (part.not_started ?? 0)
                m = RunSummary.JSON(
                    pipeline: m.pipeline, shard: nil, inputs: m.inputs + part.inputs, failed: m.failed + part.failed,
                    failures: m.failures.merging(part.failures) { a, _ in a },
                    failed_by_reason: m.failed_by_reason.merging(part.failed_by_reason, uniquingKeysWith: +),
                    outputs: m.outputs + part.outputs, seconds: m.seconds + part.seconds,
                    stages: zip(m.stages, part.stages).map { a, b in
                        .init(stage: a.stage, received: a.received + b.received, produced: a.produced + b.produced,
                              dropped: a.dropped.merging(b.dropped, uniquingKeysWith: +))
                    },
                    skipped: (m.skipped ?? [:]).merging(part.skipped ?? [:], uniquingKeysWith: +),
                    not_started: notStarted > 0 ? notStarted : nil)
                merged = m
            }
            guard var result = merged else { throw ValidationError("give at least one --stats file") }
            result.shard = nil
            result.written = nil
            if result.skipped?.isEmpty == true { result.skipped = nil }
            if let output { try writeStats(result, to: output) } else { print(try jsonString(result)) }
            printError("merged \(files.count) file\(files.count == 1 ? "" : "s"): \(counted(result.inputs, "input")), \(result.failed) failed, \(counted(result.outputs, "output"))")
            if !missing.isEmpty {
                printError("warning: no file for shard\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")): the merge covers "
                           + "\(splits.first! - missing.count) of \(splits.first!) shards, not the whole run")
            }
        }
    }
}
