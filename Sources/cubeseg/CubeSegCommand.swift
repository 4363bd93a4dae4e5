import ArgumentParser
import CubeML

/// `cubeseg`: segment spectral datacubes by deep spectral clustering, offline or as a service.
@main
struct CubeSegCommand: AsyncParsableCommand {
    static func main() async {
        OpenBLASKernel.upgradeIfPossible()
        await main(nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "cubeseg",
        abstract: "Segment spectral datacubes (MA-XRF, IFU, EDS/EELS, hyperspectral) by deep spectral clustering.",
        subcommands: [SegmentCommand.self, SynthCommand.self, InspectCommand.self, ServeCommand.self, WorkerCommand.self])
}
