import ArgumentParser
import CFluidSynth
import CSndFile
import NeuralNet

/// `musicvae version`: the tool's version and the versions of the C libraries it links.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version of musicvae and of the libraries it uses.")

    func run() throws {
        print("musicvae \(MusicVAEVersion.string)")
        print("fluidsynth \(String(cString: fluid_version_str()))")
        print("\(String(cString: sf_version_string()))")
        print("\(BLAS.configuration) (core \(BLAS.coreName))")
    }
}
