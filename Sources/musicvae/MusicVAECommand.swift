import ArgumentParser

/// The `musicvae` command: MIDI in, a learned latent space, MIDI and audio out.
@main
struct MusicVAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "musicvae",
        abstract: "MusicVAE for Swift: read, slice, encode, edit and write MIDI through typed pipelines.",
        discussion: """
            Most work is a pipeline file (YAML) of typed stages: read-midi -> quantize -> slice-bars -> \
            extract-melody -> ... -> write-midi. Bundled pipelines live in Pipelines/; run one with \
            `musicvae run roundtrip IN.mid --set output=OUT.mid`, check one with `musicvae check FILE.yaml`, \
            and list the stages with `musicvae stages`.
            """,
        version: MusicVAEVersion.string,
        subcommands: [Run.self, Check.self, Inspect.self, Extract.self, Stages.self, Version.self]
    )
}
