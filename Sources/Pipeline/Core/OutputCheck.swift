import Foundation

/// The paths a run will write, checked against its inputs and against each other before anything runs: no
/// output may replace an input, and no two outputs of a run may share a path.
///
/// A writer stage (one that gives `WrittenFile`s and has a `path` parameter) names its files by a template.
/// `{stem}` (the input's name without extension) and `{index}` make a name per value; a template without
/// `{stem}` gives every input of a batch the same file, which is refused. Two inputs with one stem (the same
/// file name in two folders) would write one file, and are refused too. Paths compare after making them
/// absolute and resolving links, so `./a.mid` and `a.mid` are one file.
///
/// A pipeline file is code: a writer whose path the file itself chose (its text or a variable's default) must
/// write inside `root` (the working folder) unless `allowOutside`; paths that start with a variable the user set
/// (an input, `--set output=...`, a command's `-o`) go where the user said.
extension PipelinePlan {
    /// Throws `PipelineError.outputCollision` for the first collision found, or for a path the file chose outside
    /// `root`.
    public func checkOutputs(root: String = FileManager.default.currentDirectoryPath, allowOutside: Bool = false) throws {
        let inside = Self.canonical(root)
        let inputs = Dictionary(stages.flatMap(\.sourceFiles).map { (Self.canonical($0.path), $0.path) }, uniquingKeysWith: { a, _ in a })
        let units = sources
        var fixed: [String: String] = [:]   // canonical literal output path -> the stage writing it
        for stage in stages where stage.outputType == WrittenFile.typeName {
            guard let template = stage.parameters.values["path"].flatMap({ if case .string(let s) = $0 { s } else { nil } }),
                  !template.isEmpty else { continue }
            func fail(_ reason: String) throws -> Never {
                throw PipelineError.outputCollision(stage.location, stage: stage.label, reason: reason)
            }
            if !allowOutside && !stage.pathChosenByUser {
                let fixedPart = String(template.prefix { $0 != "{" })
                let folder = fixedPart.hasSuffix("/") || template.contains("{") && !fixedPart.contains("/")
                    ? fixedPart : (fixedPart as NSString).deletingLastPathComponent
                let target = Self.canonical(folder.isEmpty ? "." : folder)
                if target != inside && !target.hasPrefix(inside.hasSuffix("/") ? inside : inside + "/") {
                    try fail("the pipeline file writes '\(template)', outside the working folder \(inside); pass --allow-outside to let it, or set the path yourself (--set)")
                }
            }
            if !template.contains("{stem}") {
                if units.count > 1 {
                    try fail("all \(units.count) inputs would be written to '\(template)'; put {stem} in the name (e.g. out/{stem}.mid)")
                }
                if !template.contains("{index}") {
                    let key = Self.canonical(template)
                    if let input = inputs[key] { try fail("'\(template)' is an input of this run (\(input)); choose another output") }
                    if let other = fixed[key] { try fail("'\(template)' is written by stage '\(other)' too") }
                    fixed[key] = stage.label
                }
                continue
            }
            if units.count > 1 {
                var byPath: [String: String] = [:]
                for u in units {
                    let path = OutputName.expand(template, source: u.path, index: 1)
                    if let input = inputs[Self.canonical(path)] { try fail("'\(path)' (for \(u.path)) is an input of this run (\(input))") }
                    if let other = byPath[path] {
                        try fail("\(other) and \(u.path) would both be written to '\(path)'; give the inputs distinct names"
                                 + (template.contains("{dir}") ? "" : " (or put {dir}, the input's folder name, in the output name)"))
                    }
                    byPath[path] = u.path
                }
            }
        }
    }

    /// The absolute, link-resolved form of a path (of its folder when the file does not exist yet).
    public static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}

/// The placeholders of a writer's path: `{stem}` (the input's file name without extension), `{dir}` (the name of
/// the folder it is in: `out/{dir}-{stem}.mid` keeps `casio/60sRock.mid` and `stdlib/60sRock.mid` apart) and
/// `{index}` (the value's position among the input's outputs, from 1).
public enum OutputName {
    /// `template` for a value of the input at `source` (nil: "output").
    public static func expand(_ template: String, source: String?, index: Int) -> String {
        let file = source.map { ($0 as NSString).lastPathComponent } ?? "output"
        let dir = source.map { (($0 as NSString).deletingLastPathComponent as NSString).lastPathComponent } ?? ""
        return template.replacingOccurrences(of: "{stem}", with: (file as NSString).deletingPathExtension)
            .replacingOccurrences(of: "{dir}", with: dir.isEmpty ? "." : dir)
            .replacingOccurrences(of: "{index}", with: String(index))
    }
}

/// The inputs of every run in progress in this process: writer stages refuse to write over any of them, whatever
/// their templates make of the names (an interpolation step called 05 in the folder of an input 05.mid).
public enum ProtectedInputs {
    nonisolated(unsafe) private static var counts: [String: Int] = [:]
    private static let lock = NSLock()

    /// Protects `paths` until the matching `release`.
    static func protect(_ paths: [String]) {
        let keys = paths.map(PipelinePlan.canonical)
        lock.lock(); defer { lock.unlock() }
        for k in keys { counts[k, default: 0] += 1 }
    }

    /// Ends one `protect` of `paths`.
    static func release(_ paths: [String]) {
        let keys = paths.map(PipelinePlan.canonical)
        lock.lock(); defer { lock.unlock() }
        for k in keys {
            let n = (counts[k] ?? 1) - 1
            counts[k] = n > 0 ? n : nil
        }
    }

    /// Whether `path` is an input of a run in progress.
    public static func contains(_ path: String) -> Bool {
        let key = PipelinePlan.canonical(path)
        lock.lock(); defer { lock.unlock() }
        return counts[key] != nil
    }
}
