import ArgumentParser
import Foundation

/// `musicvae pipelines`: the bundled pipeline files, and the guide to writing them.
struct Pipelines: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the bundled pipelines (with what each does), or print the pipeline file guide (--guide).")

    @Flag(help: "Print Pipelines/README.md: the file format, graphs, errors, batches and shards.")
    var guide = false

    func run() throws {
        guard let home = InstallPaths.home else { throw CLIError("cannot find the bundled Pipelines/ folder; set MUSICVAE_HOME") }
        let folder = home + "/Pipelines"
        if guide {
            print(try String(contentsOfFile: folder + "/README.md", encoding: .utf8))
            return
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".yaml") }.sorted()
        for name in files {
            let text = (try? String(contentsOfFile: folder + "/" + name, encoding: .utf8)) ?? ""
            let comments = text.split(separator: "\n").prefix { $0.hasPrefix("#") }.map { $0.dropFirst().trimmingCharacters(in: .whitespaces) }
            let summary = comments.first.map { $0.components(separatedBy: " - ").dropFirst().joined(separator: " - ") } ?? ""
            let example = comments.first { $0.hasPrefix("musicvae ") } ?? ""
            print("\((name as NSString).deletingPathExtension): \(summary)")
            if !example.isEmpty { print("    \(example)") }
        }
    }
}
