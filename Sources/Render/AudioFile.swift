import CSndFile
import MIDIFiles
import Foundation

/// Reads and writes audio files through libsndfile.
public enum AudioFile {
    /// Writes `audio` as a WAV file at `path`, atomically (a temporary file beside it, then a rename).
    public static func writeWAV(_ audio: AudioBuffer, to path: String, format: RenderOptions.SampleFormat) throws {
        let bytes = try wavBytes(audio, format: format, name: path)
        do { try writeFileAtomically(bytes, to: path) } catch let e as MIDIFileError {
            throw RenderError.audioFile(path: path, reason: e.description)
        }
    }

    /// `audio` as the bytes of a WAV file, encoded by libsndfile in memory (`name` only for messages).
    public static func wavBytes(_ audio: AudioBuffer, format: RenderOptions.SampleFormat, name: String = "(memory)") throws -> [UInt8] {
        var info = SF_INFO()
        info.samplerate = Int32(audio.sampleRate.rounded())
        info.channels = Int32(audio.channels)
        let sub: Int
        switch format {
        case .pcm16: sub = SF_FORMAT_PCM_16
        case .pcm24: sub = SF_FORMAT_PCM_24
        case .float: sub = SF_FORMAT_FLOAT
        }
        info.format = Int32(SF_FORMAT_WAV | sub)
        let memory = MemoryFile()
        var io = MemoryFile.virtualIO
        let opened = withExtendedLifetime(memory) {
            sf_open_virtual(&io, Int32(SFM_WRITE), &info, Unmanaged.passUnretained(memory).toOpaque())
        }
        guard let file = opened else {
            throw RenderError.audioFile(path: name, reason: "cannot encode: " + String(cString: sf_strerror(nil)))
        }
        sf_command(file, Int32(SFC_SET_CLIPPING), nil, Int32(SF_TRUE))
        // No PEAK chunk in float files: libsndfile stamps it with the time of writing, so the same audio encoded
        // a second apart gave different bytes (the render test comparing a file with the in-memory encoding
        // failed when the two straddled a second).
        sf_command(file, Int32(SFC_SET_ADD_PEAK_CHUNK), nil, Int32(SF_FALSE))
        let written = audio.samples.withUnsafeBufferPointer { sf_writef_float(file, $0.baseAddress, sf_count_t(audio.frames)) }
        let closed = sf_close(file)
        guard written == audio.frames, closed == 0 else {
            throw RenderError.audioFile(path: name, reason: "encoding failed")
        }
        return withExtendedLifetime(memory) { memory.bytes }
    }

    /// What `read` reports about a file besides its samples.
    public struct Info: Sendable, Equatable {
        /// Frames per second.
        public var sampleRate: Int
        /// Channels.
        public var channels: Int
        /// libsndfile's format word (container | sample format).
        public var format: Int
        /// True for WAV.
        public var isWAV: Bool { format & SF_FORMAT_TYPEMASK == SF_FORMAT_WAV }
        /// The sample format, if it is one we write.
        public var sampleFormat: RenderOptions.SampleFormat? {
            switch format & SF_FORMAT_SUBMASK {
            case SF_FORMAT_PCM_16: return .pcm16
            case SF_FORMAT_PCM_24: return .pcm24
            case SF_FORMAT_FLOAT: return .float
            default: return nil
            }
        }
    }

    /// Reads any file libsndfile understands into float samples in -1...1.
    public static func read(_ path: String) throws -> (AudioBuffer, Info) {
        var info = SF_INFO()
        guard let file = sf_open(path, Int32(SFM_READ), &info) else {
            throw RenderError.audioFile(path: path, reason: String(cString: sf_strerror(nil)))
        }
        defer { sf_close(file) }
        var samples = [Float](repeating: 0, count: Int(info.frames) * Int(info.channels))
        let got = samples.withUnsafeMutableBufferPointer { sf_readf_float(file, $0.baseAddress, info.frames) }
        samples.removeLast(samples.count - Int(got) * Int(info.channels))
        return (AudioBuffer(samples: samples, channels: Int(info.channels), sampleRate: Double(info.samplerate)),
                Info(sampleRate: Int(info.samplerate), channels: Int(info.channels), format: Int(info.format)))
    }
}

/// A growing byte buffer that libsndfile writes through its virtual I/O callbacks (`sf_open_virtual`).
private final class MemoryFile {
    var bytes: [UInt8] = []
    var position = 0

    static func from(_ user: UnsafeMutableRawPointer?) -> MemoryFile { Unmanaged<MemoryFile>.fromOpaque(user!).takeUnretainedValue() }

    static let virtualIO = SF_VIRTUAL_IO(
        get_filelen: { user in sf_count_t(MemoryFile.from(user).bytes.count) },
        seek: { offset, whence, user in
            let m = MemoryFile.from(user)
            let base: Int
            switch whence {
            case Int32(SEEK_CUR): base = m.position
            case Int32(SEEK_END): base = m.bytes.count
            default: base = 0
            }
            m.position = max(0, base + Int(offset))
            return sf_count_t(m.position)
        },
        read: { pointer, count, user in
            let m = MemoryFile.from(user)
            let n = max(0, min(Int(count), m.bytes.count - m.position))
            if n > 0, let pointer {
                m.bytes.withUnsafeBytes { pointer.copyMemory(from: $0.baseAddress! + m.position, byteCount: n) }
            }
            m.position += n
            return sf_count_t(n)
        },
        write: { pointer, count, user in
            let m = MemoryFile.from(user)
            let n = Int(count)
            guard n > 0, let pointer else { return 0 }
            if m.position > m.bytes.count { m.bytes += [UInt8](repeating: 0, count: m.position - m.bytes.count) }
            let source = UnsafeRawBufferPointer(start: pointer, count: n)
            let overlap = min(n, m.bytes.count - m.position)
            if overlap > 0 { m.bytes.replaceSubrange(m.position..<(m.position + overlap), with: source.prefix(overlap)) }
            if overlap < n { m.bytes.append(contentsOf: source.dropFirst(overlap)) }
            m.position += n
            return sf_count_t(n)
        },
        tell: { user in sf_count_t(MemoryFile.from(user).position) })
}
