/// Writes `bytes` to `path` so that a reader sees either the old file or the whole new one, never a part:
/// the data goes to a temporary file in the same folder, is flushed, then renamed over `path`.
public func writeFileAtomically(_ bytes: [UInt8], to path: String) throws {
    let slash = path.lastIndex(of: "/")
    let folder = slash.map { String(path[..<$0]) } ?? "."
    let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
    let template = (folder.isEmpty ? "" : folder + "/") + ".\(name).tmp-XXXXXX"
    var templateBytes = Array(template.utf8CString)
    let fd = templateBytes.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else {
        throw MIDIFileError.cannotWrite(path: path, reason: "cannot create a temporary file in \(folder.isEmpty ? "/" : folder): \(String(cString: strerror(errno)))")
    }
    let tempPath = templateBytes.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    let tracked = TemporaryFiles.track(tempPath)
    var ok = false
    defer {
        if !ok { unlink(tempPath) }
        TemporaryFiles.forget(tracked)
    }
    var written = 0
    let result: Int = bytes.withUnsafeBytes { raw in
        while written < raw.count {
            let n = write(fd, raw.baseAddress! + written, raw.count - written)
            if n <= 0 { return -1 }
            written += n
        }
        return 0
    }
    let failure = result != 0 ? String(cString: strerror(errno)) : nil
    fchmod(fd, 0o644)
    close(fd)
    if let failure { throw MIDIFileError.cannotWrite(path: path, reason: "write failed: \(failure)") }
    guard rename(tempPath, path) == 0 else {
        throw MIDIFileError.cannotWrite(path: path, reason: "rename failed: \(String(cString: strerror(errno)))")
    }
    ok = true
}
