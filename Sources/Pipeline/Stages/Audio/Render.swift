import Foundation
import NoteSequences
import Render

/// `render`: scores to WAV files through FluidSynth; one soundfont load per worker thread, shared by every
/// output of the run.
enum RenderStage {
    static let definition = StageDefinition(
        name: "render",
        summary: "render scores to WAV with FluidSynth (peak-limited, release tail bounded, written atomically)",
        parameters: [
            ParameterSpec("path", .path, doc: "output .wav; {stem} is the input's name, {index} counts outputs of one input"),
            ParameterSpec("soundfont", .string, default: .string(""),
                          doc: "soundfont (.sf2); empty: $MUSICVAE_SOUNDFONT, SoundFonts/*.sf2, then system folders"),
            ParameterSpec("sample_rate", .int, default: .int(44_100), range: 8000...192_000, doc: "samples per second"),
            ParameterSpec("format", .choice(["16", "24", "float"]), default: .string("16"), doc: "sample format"),
            ParameterSpec("gain", .double, default: .double(1.0), range: 0...10, doc: "FluidSynth master gain"),
            ParameterSpec("reverb", .bool, default: .bool(true), doc: "FluidSynth reverb"),
            ParameterSpec("chorus", .bool, default: .bool(true), doc: "FluidSynth chorus"),
            ParameterSpec("mono", .bool, default: .bool(false), doc: "one channel instead of two"),
            ParameterSpec("tempo", .double, default: .double(0), range: 0...1000,
                          doc: "play at this many quarters per minute (1...1000); 0 keeps the score's tempo map"),
        ],
        scores: { p in
            var options = RenderOptions()
            options.sampleRate = Double(p.int("sample_rate"))
            options.format = RenderOptions.SampleFormat(rawValue: p.string("format")) ?? .pcm16
            options.gain = p.double("gain")
            options.reverb = p.bool("reverb")
            options.chorus = p.bool("chorus")
            options.mono = p.bool("mono")
            let tempo = p.double("tempo")
            // The synthesizer plays 1...1000 quarters per minute; 0 keeps the score's tempo map. Refused here, at
            // check time, rather than when the first file renders.
            if tempo != 0 && tempo < 1 { throw ParameterProblem.outOfRange(value: tempo, range: 1...1000) }
            options.tempo = tempo > 0 ? tempo : nil
            let soundFont = try SoundFonts.locate(explicit: p.string("soundfont"), projectFolder: p.context.soundFontFolder,
                                                  session: p.context.soundFont)
            return Body(pool: SynthesizerPool(soundFont: soundFont, options: options), template: p.string("path"))
        })

    struct Body: GroupStage {
        let pool: SynthesizerPool
        let template: String
        func process(group sequences: [NoteSequence], drops: inout DropCounts) throws -> [WrittenFile] {
            try WriteMIDI.writeEach(sequences, template: template) { sequence, path in
                let audio = try pool.render(sequence)
                do {
                    try AudioFile.writeWAV(audio, to: path, format: pool.options.format)
                } catch let e as RenderError {
                    throw PipelineError.inputFailed(path: path, reason: e.description)
                }
                var note = String(format: "%.2f s, peak %.1f dBFS", audio.duration, 20 * log10(max(1e-9, Double(audio.peak))))
                if audio.scaledBy < 1 {
                    note += String(format: ", scaled by %.1f dB to avoid clipping", 20 * log10(Double(audio.scaledBy)))
                }
                return note
            }
        }
    }
}
