import TestSupport
import Foundation
import Testing
@testable import MIDIFiles

@Suite struct MIDIFileWriterTests {
    @Test func handBuiltFileRoundTripsExactly() throws {
        let events: [MIDIEvent] = [
            MIDIEvent(tick: 0, .text(.trackName, Array("Lead".utf8))),
            MIDIEvent(tick: 0, .tempo(microsecondsPerQuarter: 428_571)),
            MIDIEvent(tick: 0, .timeSignature(numerator: 6, denominatorPower: 3, clocksPerClick: 36, thirtySecondsPerQuarter: 8)),
            MIDIEvent(tick: 0, .keySignature(sharps: 3, minor: false)),
            MIDIEvent(tick: 0, .programChange(channel: 2, program: 73)),
            MIDIEvent(tick: 0, .noteOn(channel: 2, key: 72, velocity: 90)),
            MIDIEvent(tick: 200_000, .noteOff(channel: 2, key: 72, velocity: 40)),  // a 3-byte delta
            MIDIEvent(tick: 200_000, .pitchBend(channel: 2, value: 16383)),
            MIDIEvent(tick: 200_001, .sysex([0x43, 0x10, 0xF7])),
            MIDIEvent(tick: 200_001, .noteOn(channel: 2, key: 74, velocity: 1)),
            MIDIEvent(tick: 200_002, .noteOn(channel: 2, key: 74, velocity: 0)),
            MIDIEvent(tick: 200_010, .endOfTrack),
        ]
        let file = MIDIFile(format: 0, division: .ticksPerQuarter(960), tracks: [MIDITrack(events: events)])
        let back = try MIDIFile(bytes: try file.bytes())
        #expect(back == file)
    }

    @Test func runningStatusIsUsedAndEndOfTrackAdded() throws {
        let file = MIDIFile(format: 0, division: .ticksPerQuarter(96), tracks: [MIDITrack(events: [
            MIDIEvent(tick: 0, .noteOn(channel: 0, key: 60, velocity: 64)),
            MIDIEvent(tick: 10, .noteOn(channel: 0, key: 60, velocity: 0)),
        ])])
        let bytes = try file.bytes()
        // Track body: 00 90 3C 40 | 0A 3C 00 | 00 FF 2F 00 = 11 bytes.
        #expect(Array(bytes[22...]) == [0x00, 0x90, 0x3C, 0x40, 0x0A, 0x3C, 0x00, 0x00, 0xFF, 0x2F, 0x00])
        #expect(Array(bytes[18..<22]) == [0, 0, 0, 11])
    }

    @Test func refusesValuesThatCannotBeWritten() {
        let bad = MIDIFile(format: 0, division: .ticksPerQuarter(96), tracks: [MIDITrack(events: [
            MIDIEvent(tick: 0, .noteOn(channel: 0, key: 200, velocity: 64)),
        ])])
        #expect(throws: MIDIFileError.self) { try bad.bytes() }
        let backwards = MIDIFile(format: 0, division: .ticksPerQuarter(96), tracks: [MIDITrack(events: [
            MIDIEvent(tick: 10, .noteOn(channel: 0, key: 60, velocity: 64)),
            MIDIEvent(tick: 5, .noteOn(channel: 0, key: 60, velocity: 0)),
        ])])
        #expect(throws: MIDIFileError.self) { try backwards.bytes() }
    }

    /// Real files from the corpus: read -> write -> read gives the same events.
    @Test func corpusFilesRoundTrip() throws {
        let files = SharedData.files(in: SharedData.folk + "/ryansMammoth", 20) + SharedData.files(in: SharedData.chorales, 10)
        #expect(files.count == 30)
        for path in files {
            let file = try MIDIFile(path: path)
            let again = try MIDIFile(bytes: try file.bytes())
            #expect(again == file, "\(path)")
        }
    }

    @Test func atomicWriteReplacesWholeFile() throws {
        let dir = NSTemporaryDirectoryPath() + "/atomic-\(UInt64.random(in: 0...UInt64.max))"
        try makeDirectory(dir)
        let path = dir + "/x.mid"
        try writeFileAtomically([1, 2, 3], to: path)
        try writeFileAtomically([4, 5], to: path)
        #expect(try readFileBytes(path: path) == [4, 5])
        // Nothing else is left in the folder (no temporary files).
        #expect(try listDirectory(dir) == ["x.mid"])
        #expect(throws: MIDIFileError.self) { try writeFileAtomically([1], to: dir + "/missing/y.mid") }
    }

    /// The temporary files of writes in progress are tracked, and a signal handler's `removeAll` deletes them
    /// (here only those under this test's folder: other tests' writes are in progress beside it).
    @Test func temporaryFilesOfUnfinishedWritesAreRemoved() throws {
        let dir = NSTemporaryDirectory() + "tmpfiles-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let unfinished = dir + "/.out.wav.tmp-1", finished = dir + "/.done.tmp-2"
        for p in [unfinished, finished] { FileManager.default.createFile(atPath: p, contents: Data([1, 2, 3])) }
        let a = TemporaryFiles.track(unfinished), b = TemporaryFiles.track(finished)
        #expect(a != nil && b != nil && a != b)
        TemporaryFiles.forget(b)
        (dir + "/").withCString { TemporaryFiles.removeAll(under: $0) }
        #expect(!FileManager.default.fileExists(atPath: unfinished))
        #expect(FileManager.default.fileExists(atPath: finished))
        TemporaryFiles.forget(a)
    }
}

import Foundation

func NSTemporaryDirectoryPath() -> String { NSTemporaryDirectory().hasSuffix("/") ? String(NSTemporaryDirectory().dropLast()) : NSTemporaryDirectory() }
func makeDirectory(_ path: String) throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
func listDirectory(_ path: String) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path).sorted() }
