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
    @Option(help: "Threads for products and parallel loops; the result does not depend on it.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "No progress output.")
    var quiet = false
    @OptionGroup(title: "Input") var input: InputOptions
    @OptionGroup(title: "Engine") var engine: EngineOptions

    func run() throws {
        let parameters = try engine.parameters()
        try failingWithOneLine {
            BLAS.setThreads(threads)
            // Everything that can be checked is checked before the first epoch.
            let directory = try OutputDirectory.prepare(out)
            let datacube = try CubeReader.open(URL(fileURLWithPath: cube), options: try input.openOptions(cube: URL(fileURLWithPath: cube)))
            let trained = try model.map { try ModelFile.read($0) }
            let labels = try truth.map { path in
                do { return try NumPyLabelMap.read(URL(fileURLWithPath: path), height: datacube.height, width: datacube.width) }
                catch { throw CommandLineProblem("--truth \(path): \(OutputDirectory.reason(error)); give a .npy label map of \(datacube.height) x \(datacube.width)") }
            }
            let terminal = TerminalProgress(enabled: !quiet)
            let result = try Segmenter(parameters: parameters).segment(
                datacube, model: trained, observer: SegmentationObserver(progress: terminal.show))
            terminal.finish()
            let scores = labels.map { TruthScores(truth: $0, result: result, source: URL(fileURLWithPath: truth!).lastPathComponent) }
            let files = try ResultFiles.write(result, cube: CubeSummary(name: URL(fileURLWithPath: cube).lastPathComponent, cube: datacube),
                                              truth: scores, to: directory)
            print(Summary.line(result, files: files.count, directory: out))
            if let scores { print(Summary.scores(scores)) }
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

/// `failingWithOneLine` for async work (`serve`).
func failingWithOneLine(_ body: () async throws -> Void) async throws {
    do { try await body() } catch let exit as ExitCode { throw exit } catch {
        FileHandle.standardError.write(Data("cubeseg: error: \(error)\n".utf8))
        throw ExitCode.failure
    }
}

/// A problem with the command line, said in one line with what to do.
struct CommandLineProblem: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// `--out`: made (with its parents) before any work, so that a file in the way or a
/// directory that cannot be written is reported at once, not after training.
enum OutputDirectory {
    static func prepare(_ path: String) throws -> URL {
        let url = URL(fileURLWithPath: path, isDirectory: true)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw CommandLineProblem("--out \(path) is a file; give a directory (it is created if missing)")
        }
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        catch { throw CommandLineProblem("--out \(path): cannot create the directory (\(reason(error))); choose a writable place") }
        guard FileManager.default.isWritableFile(atPath: url.path) else {
            throw CommandLineProblem("--out \(path) is not writable; choose a writable directory")
        }
        return url
    }

    /// The human part of a Foundation or POSIX error, without its dictionary dump.
    static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        if ns.domain == NSCocoaErrorDomain {
            switch CocoaError.Code(rawValue: ns.code) {
            case .fileReadNoSuchFile, .fileNoSuchFile: return "no such file"
            case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
            case .fileWriteFileExists: return "a file is in the way"
            default: break
            }
        }
        return String(describing: error)
    }
}

/// `--model`: a model.json written by `cubeseg segment` or the service.
enum ModelFile {
    static func read(_ path: String) throws -> TrainedModel {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) }
        catch { throw CommandLineProblem("--model \(path): \(OutputDirectory.reason(error))") }
        do { return try TrainedModel.decode(data) }
        catch let error as ModelFileError {
            if case .unreadable = error {
                throw CommandLineProblem("--model \(path) is not a CubeSeg model; give the model.json that `cubeseg segment` wrote (not labels or scores)")
            }
            throw CommandLineProblem("--model \(path): \(error)")
        } catch {
            throw CommandLineProblem("--model \(path) is not a CubeSeg model; give the model.json that `cubeseg segment` wrote (not labels or scores)")
        }
    }
}
