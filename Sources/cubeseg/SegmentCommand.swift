import ArgumentParser
import CubeFormats
import CubeML
import CubeReports
import Foundation

/// `cubeseg segment CUBE --out DIR`: the whole pipeline offline, with progress on the terminal.
struct SegmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment",
        abstract: "Segment a datacube and write label maps, cluster summaries, the model and a report.",
        discussion: """
        Writes labels.png (palette), labels_index.png (grey value = cluster index), labels.json,
        labels.npy, clusters.json, scores.json, model.json and report.json into --out, plus
        labels_k<K>.png for every K tried.
        """)

    @Argument(help: "The cube: NumPy .npy, ENVI .hdr, Lispix .rpl, FITS, HDF5, or raw with --shape/--dtype.")
    var cube: String
    @Option(name: .shortAndLong, help: "Directory for the results (created if missing).")
    var out: String
    @Option(help: "Segment with this trained model.json instead of training.")
    var model: String?
    @Option(help: "Ground-truth labels (.npy, height x width) to score the result against: ARI, NMI, accuracy.")
    var truth: String?
    @Option(help: "OpenBLAS threads.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "No progress output.")
    var quiet = false
    @OptionGroup(title: "Input") var input: InputOptions
    @OptionGroup(title: "Engine") var engine: EngineOptions

    func run() throws {
        let parameters = try engine.parameters()
        try failingWithOneLine {
            BLAS.setThreads(threads)
            let datacube = try CubeReader.open(URL(fileURLWithPath: cube), options: try input.openOptions())
            let trained = try model.map { try TrainedModel.decode(try Data(contentsOf: URL(fileURLWithPath: $0))) }
            let terminal = TerminalProgress(enabled: !quiet)
            let result = try Segmenter(parameters: parameters).segment(
                datacube, model: trained, observer: SegmentationObserver(progress: terminal.show))
            terminal.finish()
            let directory = URL(fileURLWithPath: out, isDirectory: true)
            let files = try ResultFiles.write(result, cube: CubeSummary(name: URL(fileURLWithPath: cube).lastPathComponent, cube: datacube), to: directory)
            print(Summary.line(result, files: files.count, directory: out))
            if let truth {
                let labels = try NumPyLabelMap.read(URL(fileURLWithPath: truth), height: datacube.height, width: datacube.width)
                print(Summary.scores(truth: labels, predicted: result.labels))
            }
        }
    }
}

/// Runs `body`; any error becomes one line on standard error and exit status 1.
func failingWithOneLine(_ body: () throws -> Void) throws {
    do { try body() } catch let exit as ExitCode { throw exit } catch {
        FileHandle.standardError.write(Data("cubeseg: error: \(error)\n".utf8))
        throw ExitCode.failure
    }
}
