import CSndFile
import MIDIFiles
import Foundation

/// Reads and writes audio files through libsndfile.
public enum AudioFile {
    /// Writes `audio` as a WAV file at `path`, atomically (a temporary file beside it, then a rename).
    public static func writeWAV(_ audio: AudioBuffer, to path: String, format: RenderOptions.SampleFormat) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let temp = (folder.isEmpty ? "." : folder) + "/." + (path as NSString).lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
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
        let tracked = TemporaryFiles.track(temp)
        defer { TemporaryFiles.forget(tracked) }
        guard let file = sf_open(temp, Int32(SFM_WRITE), &info) else {
            throw RenderError.audioFile(path: path, reason: "cannot write: " + String(cString: sf_strerror(nil)))
        }
        sf_command(file, Int32(SFC_SET_CLIPPING), nil, Int32(SF_TRUE))
        let written = audio.samples.withUnsafeBufferPointer { sf_writef_float(file, $0.baseAddress, sf_count_t(audio.frames)) }
        let closed = sf_close(file)
        guard written == audio.frames, closed == 0 else {
            unlink(temp)
            throw RenderError.audioFile(path: path, reason: "write failed (disk full?)")
        }
        guard rename(temp, path) == 0 else {
            unlink(temp)
            throw RenderError.audioFile(path: path, reason: "cannot rename into place: " + String(cString: strerror(errno)))
        }
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
