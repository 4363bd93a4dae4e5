import CubeFormats
import Foundation
import Testing
@testable import CubeML

/// `cubeseg segment` as a user runs it: every argument that can be checked is checked before
/// the first epoch, and a mistake is one line that says what to do.
@Suite("cubeseg segment on the command line")
final class CommandLineTests {
    let dir = makeServiceTestDirectory()
    deinit { cleanUp(dir) }

    var binary: URL {
        Bundle.main.executableURL!.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("cubeseg")
    }

    /// Runs `cubeseg` and returns its exit status and standard error.
    func run(_ arguments: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = binary
        p.arguments = arguments
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    @Test("a wrong --truth, --out or --model is reported in one line before any result is made")
    func argumentsAreCheckedBeforeTraining() throws {
        let cube = dir.appendingPathComponent("cube.npy")
        try makeCubeNpy().0.write(to: cube)
        let wrongTruth = dir.appendingPathComponent("truth.npy")
        try NumPyWriter.encode([Int32](repeating: 0, count: 12), shape: [3, 4]).write(to: wrongTruth)
        let aFile = dir.appendingPathComponent("taken")
        try Data("x".utf8).write(to: aFile)
        let out = dir.appendingPathComponent("out")
        let cases: [([String], String)] = [
            (["--truth", wrongTruth.path], "--truth"),
            (["--model", wrongTruth.path], "is not a CubeSeg model"),
        ]
        for (extra, words) in cases {
            let (status, text) = try run(["segment", cube.path, "--out", out.path, "--epochs", "3", "--quiet"] + extra)
            #expect(status == 1)
            #expect(text.contains(words), "\(text)")
            #expect(text.split(separator: "\n").count == 1, "\(text)")
            #expect(!text.contains("NSCocoaErrorDomain") && !text.contains("DecodingError"), "\(text)")
            // Nothing was trained: the run stopped before writing any result.
            #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("labels.png").path))
        }
        let (status, text) = try run(["segment", cube.path, "--out", aFile.path, "--epochs", "3", "--quiet"])
        #expect(status == 1)
        #expect(text.contains("is a file; give a directory"), "\(text)")
        #expect(!text.contains("NSCocoaErrorDomain"), "\(text)")
    }

    @Test("a run records the OpenBLAS kernel it used: the best the CPU allows, or the one OPENBLAS_CORETYPE names")
    func theRunsKernelIsTheBestTheCPUAllows() throws {
        let cube = dir.appendingPathComponent("kernel.npy")
        try makeCubeNpy().0.write(to: cube)
        let out = dir.appendingPathComponent("kernel-out")
        let (status, text) = try run(["segment", cube.path, "--out", out.path, "--epochs", "2", "--quiet", "--k-max", "3"])
        #expect(status == 0, "\(text)")
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("report.json"))) as? [String: Any]
        let kernel = (report?["software"] as? [String: String])?["blas_kernel"]
        // This test process did not upgrade its kernel: what OpenBLAS picked for this CPU.
        let expected = ProcessInfo.processInfo.environment[OpenBLASKernel.variable] ??
            OpenBLASKernel.better(than: BLAS.coreName, flags: OpenBLASKernel.cpuFlags()) ?? BLAS.coreName
        #expect(kernel?.lowercased() == expected.lowercased(), "report says \(kernel ?? "nothing"), expected \(expected)")
    }
}
