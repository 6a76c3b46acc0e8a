import MIDIFiles

/// Writes text to a file atomically.
func writeTextAtomically(_ text: String, to path: String) throws {
    try writeFileAtomically(Array(text.utf8), to: path)
}
