// Runs a pipeline file with the `swing` stage registered: musicvae-swing FILE.yaml [INPUT...]
import Foundation
import Pipeline
import Swing

let args = Array(CommandLine.arguments.dropFirst())
guard let file = args.first else {
    FileHandle.standardError.write(Data("usage: musicvae-swing FILE.yaml [INPUT...]\n".utf8))
    exit(64)
}
do {
    try Swing.register()
    let plan = try PipelinePlan(file: try PipelineFile(path: file), positional: Array(args.dropFirst()))
    let report = PipelineRunner(plan: plan).run(collectOutputs: true)
    for s in report.stages { print("\(s.stage): \(s.received) in, \(s.produced) out", s.dropped.isEmpty ? "" : "\(s.dropped)") }
    for case let w as WrittenFile in report.outputs { print("wrote \(w.path)") }
    for f in report.failures { FileHandle.standardError.write(Data("failed: \(f.path): \(f.message)\n".utf8)) }
    exit(report.failures.isEmpty ? 0 : 1)
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
