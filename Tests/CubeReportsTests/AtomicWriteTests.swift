import Foundation
import Testing
@testable import CubeReports

@Suite struct AtomicWriteTests {
    @Test func writingPutsEveryFileInPlaceAndLeavesNoTemporaries() throws {
        try withTemporaryDirectory { root in
            let result = SampleResult.make()
            let directory = root.appendingPathComponent("nested/run")
            let urls = try ResultFiles.write(result, to: directory)
            let listed = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            #expect(listed == ResultFiles.fileNames(for: result))
            #expect(urls.map(\.lastPathComponent) == listed)
            let contents = try ResultFiles.contents(of: result)
            for url in urls { #expect(try Data(contentsOf: url) == contents[url.lastPathComponent]) }

            // Writing again replaces the files in place.
            var second = result
            second.selection.reason = "a different reason"
            try ResultFiles.write(second, to: directory)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == listed)
            #expect(try Data(contentsOf: directory.appendingPathComponent("scores.json")) == ResultFiles.contents(of: second)["scores.json"])
        }
    }

    @Test func aFailedWriteLeavesNeitherTemporariesNorPartialFiles() throws {
        try withTemporaryDirectory { scratch in
            let directory = scratch.appendingPathComponent("run")
            // "b.txt" exists as a non-empty directory, so renaming a file onto it fails after
            // every temporary has been written.
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("b.txt/inside"), withIntermediateDirectories: true)
            #expect {
                try AtomicDirectoryWriter.write(["a.txt": Data("A".utf8), "b.txt": Data("B".utf8), "c.txt": Data("C".utf8)], to: directory)
            } throws: { error in
                guard case let ResultFilesError.io(operation, path, _, _) = error else { return false }
                return operation == "rename to" && path.hasSuffix("b.txt")
            }
            let listed = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            #expect(!listed.contains { $0.hasPrefix(".") })
            #expect(!listed.contains("c.txt"))
        }
    }

    @Test func extraFilesAreWrittenBesideTheResultButMayNotReplaceOne() throws {
        try withTemporaryDirectory { scratch in
            let root = scratch.appendingPathComponent("run")
            let urls = try ResultFiles.write(SampleResult.make(), adding: ["preview.png": Data([1, 2, 3])], to: root)
            #expect(urls.map(\.lastPathComponent) == (ResultFiles.fileNames(for: SampleResult.make()) + ["preview.png"]).sorted())
            #expect(try Data(contentsOf: root.appendingPathComponent("preview.png")) == Data([1, 2, 3]))
            #expect(throws: ResultFilesError.invalidFileName("labels.png (already a result file)")) {
                try ResultFiles.write(SampleResult.make(), adding: ["labels.png": Data()], to: root)
            }
        }
    }

    @Test func namesThatLeaveTheDirectoryAreRefused() throws {
        try withTemporaryDirectory { scratch in
            #expect(throws: ResultFilesError.invalidFileName("../x")) {
                try AtomicDirectoryWriter.write(["../x": Data()], to: scratch.appendingPathComponent("run-x"))
            }
            #expect(throws: ResultFilesError.invalidFileName(".hidden")) {
                try AtomicDirectoryWriter.write([".hidden": Data()], to: scratch.appendingPathComponent("run-hidden"))
            }
        }
    }

    @Test func aDirectoryPathThroughAFileIsAnIOError() throws {
        try withTemporaryDirectory { scratch in
            let file = scratch.appendingPathComponent("file")
            try Data("x".utf8).write(to: file)
            #expect {
                try ResultFiles.write(SampleResult.make(), to: file.appendingPathComponent("run"))
            } throws: { error in
                if case ResultFilesError.io = error { return true } else { return false }
            }
        }
    }
}
