// midi-bench: read + quantize + extract over a MIDI corpus, single thread and all cores.
//
// Phases (each over every file, files/s and notes/s):
//   bytes     read the file's bytes only (the I/O floor, the in-run baseline for the others)
//   parse     bytes -> MIDIFile
//   sequence  bytes -> MIDIFile -> NoteSequence (what symusic's Score(path) does)
//   extract   ... -> quantize -> 2-bar 4/4 windows (hop 1) -> melodies, by direct calls
//   pipeline  the same through the PipelineRunner and the bundled stages (runner overhead vs `extract`)
import Dispatch
import Foundation
import MIDIFiles
import NoteSequences
import Pipeline

let args = CommandLine.arguments.dropFirst()
let root = args.first ?? "../shared/corpus/folk"
let repeats = Int(ProcessInfo.processInfo.environment["BENCH_REPEATS"] ?? "3") ?? 3
let limit = Int(ProcessInfo.processInfo.environment["BENCH_LIMIT"] ?? "") ?? Int.max
let only = ProcessInfo.processInfo.environment["BENCH_PHASES"].map { Set($0.split(separator: ",").map(String.init)) }
let files = Array(try listMIDIFiles(at: root).map(\.path).prefix(limit))
let cores = ProcessInfo.processInfo.activeProcessorCount
print("midi-bench: \(files.count) files under \(root), \(cores) cores, best of \(repeats)")

/// Runs `work` over every file on `threads` threads; returns seconds and the summed count it reports.
func timed(threads: Int, _ work: @escaping @Sendable (String) -> Int) -> (Double, Int) {
    var best = Double.infinity
    var total = 0
    for _ in 0..<repeats {
        let counter = Counter()
        let start = DispatchTime.now()
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            var local = 0
            var i = t
            while i < files.count {
                local += work(files[i])
                i += threads
            }
            counter.add(local)
        }
        let s = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        best = min(best, s)
        total = counter.value
    }
    return (best, total)
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var value = 0
    func add(_ n: Int) { lock.lock(); value += n; lock.unlock() }
}

let settings = BarSlicing(bars: 2, hop: 1, meters: ["4/4"])
let phases: [(String, @Sendable (String) -> Int)] = [
    ("bytes", { path in (try? readFileBytes(path: path).count).map { _ in 0 } ?? 0 }),
    ("parse", { path in (try? MIDIFile(path: path)).map { $0.tracks.reduce(0) { $0 + $1.events.count } } ?? 0 }),
    ("sequence", { path in (try? NoteSequence(path: path))?.notes.count ?? 0 }),
    ("extract", { path in
        guard let s = try? NoteSequence(path: path), let q = try? s.quantized() else { return 0 }
        var drops = DropCounts()
        return q.barWindows(settings, drops: &drops).reduce(0) { $0 + $1.melodies(drops: &drops).count }
    }),
]

var results: [String: (Double, Double)] = [:]
var notesTotal = 0
for (name, work) in phases where only?.contains(name) ?? true {
    let (t1, n1) = timed(threads: 1, work)
    let (tN, _) = timed(threads: cores, work)
    results[name] = (t1, tN)
    if name == "sequence" { notesTotal = n1 }
    let unit = name == "parse" ? "events" : name == "extract" ? "windows" : name == "sequence" ? "notes" : ""
    print(String(format: "%-9@ 1 thread: %7.3f s %9.0f files/s   %d threads: %7.3f s %9.0f files/s  (x%.2f)%@",
                 name as NSString, t1, Double(files.count) / t1, cores, tN, Double(files.count) / tN, t1 / tN,
                 unit.isEmpty ? "" : "   \(n1) \(unit)" as NSString))
}

// The same extract work through the pipeline runner.
let pipelineText = """
    stages:
      - read-midi: {path: "\(root)"}
      - quantize: {steps_per_quarter: 4}
      - slice-bars: {bars: 2, hop: 1, meters: [4/4]}
      - extract-melody: {min_notes: 1}
    """
let plan = try PipelinePlan(file: try PipelineFile(text: pipelineText, path: "bench.yaml"))
// With BENCH_LIMIT the pipeline reads the same first files as the phases above.
var limitedPlan = plan
limitedPlan.stages[0].sourceFiles = Array(plan.stages[0].sourceFiles.prefix(limit))
for threads in [1, cores] where only?.contains("pipeline") ?? true {
    var best = Double.infinity
    var windows = 0
    for _ in 0..<repeats {
        let report = PipelineRunner(plan: limitedPlan, threads: threads).run()
        best = min(best, report.seconds)
        windows = report.outputCount
    }
    if let (t1, tN) = results["extract"] {
        let direct = threads == 1 ? t1 : tN
        print(String(format: "pipeline  %d thread%@: %7.3f s %9.0f files/s   %d windows; overhead vs direct calls %+.1f%%",
                     threads, threads == 1 ? "" : "s", best, Double(files.count) / best, windows, (best / direct - 1) * 100))
    } else {
        print(String(format: "pipeline  %d thread%@: %7.3f s %9.0f files/s   %d windows", threads, threads == 1 ? "" : "s",
                     best, Double(files.count) / best, windows))
    }
}
guard only == nil else { exit(0) }

let seqN = results["sequence"]!.1
print(String(format: "read (sequence, all cores): %.0f files/s, %.2f M notes/s", Double(files.count) / seqN, Double(notesTotal) / seqN / 1e6))
print(String(format: "extract scaling 1 -> %d cores: x%.2f; sequence read is %.1fx the bare byte read",
             cores, results["extract"]!.0 / results["extract"]!.1, results["sequence"]!.1 / results["bytes"]!.1))
