import ArgumentParser
import CubeFormats
import Foundation

/// `cubeseg inspect FILE`: what CubeSeg sees in a file.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print a cube's format, shape, type, spectral axis, value range and fraction of empty pixels.")

    @Argument(help: "The cube file.") var file: String
    @Flag(help: "Print JSON instead of text.") var json = false
    @OptionGroup(title: "Input") var input: InputOptions

    func run() throws {
        try failingWithOneLine {
            let cube = try CubeReader.open(URL(fileURLWithPath: file), options: try input.openOptions(cube: URL(fileURLWithPath: file)))
            let inspection = try CubeReader.inspect(cube)
            if json {
                let e = JSONEncoder()
                e.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try e.encode(inspection), as: UTF8.self))
            } else {
                print(inspection.description)
            }
        }
    }
}
