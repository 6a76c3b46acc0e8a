import ArgumentParser
import CFluidSynth
import COpenBLAS
import CSndFile

/// `musicvae version`: the tool's version and the versions of the C libraries it links.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version of musicvae and of the libraries it uses.")

    func run() throws {
        print("musicvae \(MusicVAEVersion.string)")
        print("fluidsynth \(String(cString: fluid_version_str()))")
        print("\(String(cString: sf_version_string()))")
        print("openblas \(String(cString: openblas_get_config())) (core \(String(cString: openblas_get_corename())))")
    }
}
