import ArgumentParser
import CubeFormats
import Foundation

/// `cubeseg-bench read`: how fast CubeFormats turns a cube file into Float32 pixel-major
/// values. `stream` reads ~16 MiB row blocks into one reused buffer (what the engine does);
/// `all` reads the whole cube into one new array (its page faults included). The first read
/// warms the page cache and is not timed; the median and the best of the timed repeats are
/// reported, in GB of Float32 output per second.
struct ReadBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "read",
                                                    abstract: "Read throughput of one cube file (stream or whole array).")
    @Argument(help: "The cube file.") var file: String
    @Option(help: "'stream' (row blocks) or 'all' (one array).") var mode: String = "stream"
    @Option(help: "Timed repetitions after one warm-up read.") var repeats: Int = 5
    @Option(help: "Format override (npy, raw, envi, rpl, fits, hdf5).") var format: String?
    @Option(help: "HDF5 dataset path.") var dataset: String?
    @Option(name: .customLong("extension"), help: "FITS extension (EXTNAME or index).") var fitsExtension: String?
    @Option(help: "Stored axis order (yxc, cyx, ycx, ...).") var axisOrder: String?
    @Option(help: "Raw layout: HxWxC:dtype:interleave[:little|big[:header offset]].") var raw: String?

    func validate() throws {
        guard ["stream", "all"].contains(mode) else { throw ValidationError("--mode must be 'stream' or 'all', not '\(mode)'") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    }

    func run() throws {
        var options = CubeOpenOptions(dataset: dataset, fitsExtension: fitsExtension)
        if let format {
            guard let f = CubeFormat(rawValue: format) else { throw ValidationError("unknown format '\(format)'") }
            options.format = f
        }
        if let axisOrder {
            guard let o = AxisOrder(rawValue: axisOrder) else { throw ValidationError("unknown axis order '\(axisOrder)'") }
            options.axisOrder = o
        }
        if let raw { options.raw = try Self.rawLayout(raw) }
        let url = URL(fileURLWithPath: file)
        var seconds: [Double] = []
        var peak = 0
        var description = ""
        var checksum: Float = 0  // printed, so the reads cannot be optimised away
        for r in 0...repeats {
            BenchSupport.resetPeakRSS()
            let t0 = BenchSupport.now()
            let cube = try CubeReader.open(url, options: options)
            checksum = 0
            if mode == "all" {
                let values = try cube.readAll()
                checksum = values[values.count / 2]
            } else {
                try cube.forEachRowBlock { _, block in checksum += block[block.count - 1] }
            }
            let t = BenchSupport.now() - t0
            if r > 0 { seconds.append(t) }
            peak = max(peak, BenchSupport.procStatusBytes("VmHWM") ?? 0)
            description = "\(cube.height)x\(cube.width)x\(cube.channels)"
            let gb = Double(cube.float32Bytes) / 1e9
            if r == repeats {
                let sorted = seconds.sorted()
                let median = sorted[sorted.count / 2]
                print(BenchSupport.jsonLine([
                    ("bench", "read"), ("file", url.lastPathComponent), ("format", cube.info.format), ("data_type", cube.info.dataType),
                    ("path", cube.info.details["read"] ?? cube.info.details["interleave"] ?? ""), ("mode", mode),
                    ("shape", description), ("float32_gb", gb), ("seconds_median", median), ("seconds_best", sorted[0]),
                    ("gb_per_s_median", gb / median), ("peak_rss_gb", Double(peak) / 1e9),
                    ("runs", "[" + seconds.map { String(format: "%.3f", $0) }.joined(separator: ", ") + "]"),
                    ("checksum", Double(checksum)),
                ]))
            }
        }
    }

    /// Parses `HxWxC:dtype:interleave[:little|big[:offset]]`.
    static func rawLayout(_ text: String) throws -> RawLayout {
        let f = text.split(separator: ":").map(String.init)
        let n = f.first?.split(separator: "x").compactMap { Int($0) } ?? []
        guard f.count >= 3, n.count == 3, let type = CubeDataType(rawValue: f[1]), let interleave = Interleave(rawValue: f[2]) else {
            throw ValidationError("--raw must look like 1024x1024x512:float32:bsq[:big[:2880]], not '\(text)'")
        }
        var layout = RawLayout(height: n[0], width: n[1], channels: n[2], dataType: type, interleave: interleave)
        if f.count > 3 {
            guard let order = ["little": ByteOrder.little, "big": .big][f[3]] else { throw ValidationError("byte order must be little or big") }
            layout.byteOrder = order
        }
        if f.count > 4 {
            guard let offset = Int(f[4]), offset >= 0 else { throw ValidationError("header offset must be a non-negative integer") }
            layout.headerOffset = offset
        }
        return layout
    }
}
