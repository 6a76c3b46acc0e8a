// Feeds libFuzzer's inputs to the MIDI reader; any crash, trap or sanitizer report is a bug.
// A file that parses must also serialise and parse again to the same tracks.
import MIDIFiles

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let file = try? MIDIFile(bytes: bytes) else { return 0 }
    if let again = try? MIDIFile(bytes: try file.bytes()) {
        precondition(again.tracks.count == file.tracks.count, "write -> read changed the track count")
    }
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32) -> Int32

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOne))

#if canImport(Glibc)
import Glibc
#endif
