import MIDIFiles

// MARK: - From MIDI

extension NoteSequence {
    /// Reads the score of a format-0 or format-1 file. Format 2 holds independent sequences: use `sequences(from:)`.
    ///
    /// Note-on with velocity 0 is a note-off; overlapping notes of the same pitch on one channel are paired
    /// first-in first-out; a note never released ends where its track ends. Tempo, time and key signatures are
    /// collected from every track (a later one at the same tick replaces an earlier one). With SMPTE division a
    /// quarter is taken as 0.5 s (120 per minute) so that seconds stay exact; tempo events are then ignored.
    public init(midi: MIDIFile, source: String? = nil) throws {
        if midi.format == 2 { throw NoteSequenceError.formatTwo(tracks: midi.tracks.count) }
        self = Self.convert(midi: midi, trackIndices: Array(midi.tracks.indices), source: source)
    }

    /// One sequence per independent sequence: format 2 gives one per track; formats 0 and 1 give one.
    public static func sequences(from midi: MIDIFile, source: String? = nil) -> [NoteSequence] {
        if midi.format == 2 {
            return midi.tracks.indices.map { convert(midi: midi, trackIndices: [$0], source: source) }
        }
        return [convert(midi: midi, trackIndices: Array(midi.tracks.indices), source: source)]
    }

    /// Reads a MIDI file from disk into a sequence.
    public init(path: String) throws {
        try self.init(midi: try MIDIFile(path: path), source: path)
    }

    private static func convert(midi: MIDIFile, trackIndices: [Int], source: String?) -> NoteSequence {
        let tpq: Int
        var smpte = false
        switch midi.division {
        case .ticksPerQuarter(let t): tpq = t
        case .smpte:
            tpq = max(1, Int((midi.division.smpteTicksPerSecond! / 2).rounded()))
            smpte = true
        }
        var tempos: [TempoChange] = []
        var signatures: [TimeSignature] = []
        var keys: [KeySignature] = []
        var notes: [Note] = []
        var tracks: [TrackInfo] = []
        var totalTicks = 0
        // Notes sounding now, in onset order: (channel * 128 + pitch, start, velocity, program). A release ends the
        // first open note of its slot (first in, first out). Few notes sound at once, so a scan beats a table.
        var open: [(slot: Int, start: Int, velocity: Int, program: Int)] = []
        open.reserveCapacity(16)
        for (outIndex, trackIndex) in trackIndices.enumerated() {
            let track = midi.tracks[trackIndex]
            let noteTrack = trackIndices.count == 1 ? 0 : outIndex
            var info = TrackInfo()
            var programs = [Int](repeating: 0, count: 16)
            var lastTick = 0
            for event in track.events {
                lastTick = event.tick
                switch event.message {
                case .noteOn(let c, let k, let v) where v > 0:
                    open.append((Int(c) * 128 + Int(k), event.tick, Int(v), programs[Int(c)]))
                case .noteOn(let c, let k, _), .noteOff(let c, let k, _):
                    let slot = Int(c) * 128 + Int(k)
                    if let i = open.firstIndex(where: { $0.slot == slot }) {
                        let o = open.remove(at: i)
                        notes.append(Note(pitch: Int(k), velocity: o.velocity, start: o.start, end: event.tick,
                                          track: noteTrack, program: o.program, channel: Int(c)))
                    }
                case .programChange(let c, let p):
                    programs[Int(c)] = Int(p)
                case .tempo(let us) where !smpte:
                    tempos.append(TempoChange(tick: event.tick, microsecondsPerQuarter: us))
                case .timeSignature(let n, let p, _, _):
                    signatures.append(TimeSignature(tick: event.tick, numerator: Int(n), denominator: 1 << min(Int(p), 30)))
                case .keySignature(let s, let minor):
                    keys.append(KeySignature(tick: event.tick, sharps: Int(s), isMinor: minor))
                case .text(.trackName, let b) where info.name == nil:
                    info.name = decodeMIDIText(b)
                case .text(.instrumentName, let b) where info.instrumentName == nil:
                    info.instrumentName = decodeMIDIText(b)
                default:
                    break
                }
            }
            // Notes never released end where the track ends.
            for o in open {
                notes.append(Note(pitch: o.slot % 128, velocity: o.velocity, start: o.start, end: max(o.start, lastTick),
                                  track: noteTrack, program: o.program, channel: o.slot / 128))
            }
            open.removeAll(keepingCapacity: true)
            totalTicks = max(totalTicks, lastTick)
            tracks.append(info)
        }
        var sequence = NoteSequence(ticksPerQuarter: tpq, notes: notes, tempos: dedupe(tempos, at: \.tick),
                                    timeSignatures: dedupe(signatures, at: \.tick), keySignatures: dedupe(keys, at: \.tick),
                                    tracks: tracks, source: source, totalTicks: totalTicks)
        sequence.sortNotes()
        return sequence
    }

    /// Sorts by tick (stable) and keeps the last of several events at the same tick.
    private static func dedupe<T>(_ items: [T], at tick: KeyPath<T, Int>) -> [T] {
        let sorted = items.enumerated().sorted { ($0.element[keyPath: tick], $0.offset) < ($1.element[keyPath: tick], $1.offset) }
        var out: [T] = []
        for (_, item) in sorted {
            if let last = out.last, last[keyPath: tick] == item[keyPath: tick] { out[out.count - 1] = item } else { out.append(item) }
        }
        return out
    }
}

// MARK: - To MIDI

extension NoteSequence {
    /// The sequence as a MIDI file, with tempo, time and key signatures in track 0 and each note in the track of
    /// its `track` index (format 0 when everything fits one track, else format 1). Program changes are written
    /// before a note whenever its program differs from the one in force on its channel.
    public func midiFile() -> MIDIFile {
        let trackCount = max(1, (notes.map(\.track).max() ?? 0) + 1, tracks.count)
        var events = [[MIDIEvent]](repeating: [], count: trackCount)
        for (i, info) in tracks.enumerated() {
            if let name = info.name { events[i].append(MIDIEvent(tick: 0, .text(.trackName, Array(name.utf8)))) }
            if let name = info.instrumentName { events[i].append(MIDIEvent(tick: 0, .text(.instrumentName, Array(name.utf8)))) }
        }
        for t in tempos {
            events[0].append(MIDIEvent(tick: t.tick, .tempo(microsecondsPerQuarter: t.microsecondsPerQuarter)))
        }
        for ts in timeSignatures {
            let power = UInt8(max(0, min(255, ts.denominator.trailingZeroBitCount)))
            events[0].append(MIDIEvent(tick: ts.tick, .timeSignature(numerator: UInt8(clamping: ts.numerator), denominatorPower: power,
                                                                      clocksPerClick: 24, thirtySecondsPerQuarter: 8)))
        }
        for k in keySignatures {
            events[0].append(MIDIEvent(tick: k.tick, .keySignature(sharps: Int8(clamping: k.sharps), minor: k.isMinor)))
        }
        // Note events: offs sort before ons at the same tick so that repeated notes re-strike.
        var noteEvents = [[(tick: Int, order: Int, message: MIDIMessage)]](repeating: [], count: trackCount)
        var currentProgram = [[Int]](repeating: [Int](repeating: -1, count: 16), count: trackCount)
        for note in notes {
            let ch = UInt8(clamping: max(0, min(15, note.channel)))
            let key = UInt8(clamping: max(0, min(127, note.pitch)))
            let t = note.track
            if !note.isDrum && currentProgram[t][Int(ch)] != note.program {
                currentProgram[t][Int(ch)] = note.program
                noteEvents[t].append((note.start, 1, .programChange(channel: ch, program: UInt8(clamping: max(0, min(127, note.program))))))
            }
            noteEvents[t].append((note.start, 2, .noteOn(channel: ch, key: key, velocity: UInt8(clamping: max(1, min(127, note.velocity))))))
            noteEvents[t].append((note.end, 0, .noteOff(channel: ch, key: key, velocity: 0)))
        }
        var midiTracks: [MIDITrack] = []
        for t in 0..<trackCount {
            var meta = events[t]
            meta.sort { $0.tick < $1.tick }
            let sortedNotes = noteEvents[t].enumerated().sorted {
                ($0.element.tick, $0.element.order, $0.offset) < ($1.element.tick, $1.element.order, $1.offset)
            }.map { MIDIEvent(tick: $0.element.tick, $0.element.message) }
            // Merge: meta events come first at equal ticks.
            var merged: [MIDIEvent] = []
            merged.reserveCapacity(meta.count + sortedNotes.count + 1)
            var i = 0, j = 0
            while i < meta.count || j < sortedNotes.count {
                if j >= sortedNotes.count || (i < meta.count && meta[i].tick <= sortedNotes[j].tick) {
                    merged.append(meta[i]); i += 1
                } else {
                    merged.append(sortedNotes[j]); j += 1
                }
            }
            let endTick = max(merged.last?.tick ?? 0, t == 0 ? totalTicks : 0)
            merged.append(MIDIEvent(tick: endTick, .endOfTrack))
            midiTracks.append(MIDITrack(events: merged))
        }
        return MIDIFile(format: trackCount == 1 ? 0 : 1, division: .ticksPerQuarter(ticksPerQuarter), tracks: midiTracks)
    }

    /// Writes the sequence as a MIDI file, atomically.
    public func write(to path: String) throws {
        try midiFile().write(to: path)
    }
}
