import Foundation

/// The MIDI files at `path`, sorted by path:
/// - a file: itself (a `.txt` or `.list` file instead lists inputs, one path per line, relative to its folder;
///   blank lines and lines starting with `#` are skipped; a list naming none is an error);
/// - a folder: every `.mid`/`.midi`/`.smf` file below it (a folder with none is an error: a run over it would do
///   nothing and say it succeeded);
/// - a pattern with `*`, `?` or `[...]` (shell-style; `**` is not special, `*` does not cross `/`): the matching files.
/// Each input's `key` is its path relative to the folder, list or pattern root, so shards stay stable wherever the
/// corpus is mounted.
public func listMIDIFiles(at path: String) throws -> [InputFile] {
    if path.contains(where: { "*?[".contains($0) }) { return try globMIDIFiles(path) }
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
        throw PipelineError.inputFailed(path: path, reason: "no such file or folder")
    }
    if !isDir.boolValue {
        let ext = (path as NSString).pathExtension.lowercased()
        guard ext == "txt" || ext == "list" else {
            return [InputFile(path: path, key: (path as NSString).lastPathComponent)]
        }
        let folder = (path as NSString).deletingLastPathComponent
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let listed = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
            .map { line in InputFile(path: line.hasPrefix("/") || folder.isEmpty ? line : folder + "/" + line, key: line) }
        if listed.isEmpty { throw PipelineError.inputFailed(path: path, reason: "the list names no files") }
        return listed
    }
    guard let walker = FileManager.default.enumerator(atPath: path) else {
        throw PipelineError.inputFailed(path: path, reason: "cannot list folder")
    }
    var files: [String] = []
    let base = path.hasSuffix("/") ? path : path + "/"
    while let rel = walker.nextObject() as? String {
        if isMIDIName(rel) { files.append(rel) }
    }
    if files.isEmpty { throw PipelineError.inputFailed(path: path, reason: "no MIDI files (.mid, .midi, .smf) in this folder") }
    return files.sorted().map { InputFile(path: base + $0, key: $0) }
}

func isMIDIName(_ name: String) -> Bool {
    let ext = (name as NSString).pathExtension.lowercased()
    return ext == "mid" || ext == "midi" || ext == "smf"
}

/// Files matching a shell-style pattern: the folder part before the first wildcard is walked, and each file's
/// path relative to it is matched with fnmatch (so `*` stays within one folder level).
func globMIDIFiles(_ pattern: String) throws -> [InputFile] {
    let components = pattern.split(separator: "/", omittingEmptySubsequences: false)
    let firstWild = components.firstIndex { $0.contains(where: { "*?[".contains($0) }) }!
    var root = components[..<firstWild].joined(separator: "/")
    if root.isEmpty { root = pattern.hasPrefix("/") ? "/" : "." }
    let rest = components[firstWild...].joined(separator: "/")
    guard let walker = FileManager.default.enumerator(atPath: root) else {
        throw PipelineError.inputFailed(path: pattern, reason: "no folder \(root) to match the pattern in")
    }
    var matches: [String] = []
    while let rel = walker.nextObject() as? String {
        if fnmatch(rest, rel, FNM_PATHNAME) == 0 { matches.append(rel) }
    }
    let base = root.hasSuffix("/") ? root : root + "/"
    let files = matches.sorted().compactMap { rel -> InputFile? in
        var isDir: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: base + rel, isDirectory: &isDir)
        return isDir.boolValue ? nil : InputFile(path: base + rel, key: rel)
    }
    if files.isEmpty { throw PipelineError.inputFailed(path: pattern, reason: "no file matches the pattern") }
    return files
}
