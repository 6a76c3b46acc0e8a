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
        print("kernels: LSTM cell \(SIMDKernels.avx512 ? "AVX-512" : "portable (SIMD8)"), "
              + "--precision bfloat16 \(SIMDKernels.bfloat16 ? "AVX-512 BF16" : "not on this CPU (runs as float32)")")
    }
}
