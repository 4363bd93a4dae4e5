// Read benchmark for CubeFormats, compiled by scripts/bench_read.sh together with the
// CubeFormats sources (until the cubeseg-bench target takes it over).
// Usage: bench_read FILE [stream|all] [key=value options: format=, dataset=, ext=, order=,
//        raw=HxWxC:dtype:interleave[:byteorder[:offset]]]  (byteorder little|big, offset in bytes)
//        with raw=, also DenseFileStorage knobs: scratch=BYTES tile=CHANNELS workers=N
// e.g. the FITS cube as raw big-endian BSQ: raw=1024x1024x512:float32:bsq:big:2880
// Prints one line: format, mode, bytes, seconds, GB/s (of Float32 output) and peak RSS.
import Foundation
#if canImport(Glibc)
import Glibc
let RUSAGE_SELF_WHO = __rusage_who_t(RUSAGE_SELF.rawValue)
#else
let RUSAGE_SELF_WHO = RUSAGE_SELF
#endif

@main
struct ReadBench {
    static func main() throws {
        let args = CommandLine.arguments
        guard args.count >= 2 else {
            print("usage: bench_read FILE [stream|all] [format=F dataset=D ext=E order=O raw=HxWxC:dtype:interleave[:byteorder[:offset]]]")
            exit(2)
        }
        let url = URL(fileURLWithPath: args[1])
        let mode = args.count > 2 ? args[2] : "stream"
        var options = CubeOpenOptions()
        var knobs: [String: Int] = [:]
        for kv in args.dropFirst(3) {
            let parts = kv.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "format": options.format = CubeFormat(rawValue: parts[1])
            case "dataset": options.dataset = parts[1]
            case "ext": options.fitsExtension = parts[1]
            case "order": options.axisOrder = AxisOrder(rawValue: parts[1])
            case "raw":  // HxWxC:dtype:interleave[:byteorder[:offset]]
                let f = parts[1].split(separator: ":").map(String.init)
                let n = f[0].split(separator: "x").compactMap { Int($0) }
                options.raw = RawLayout(height: n[0], width: n[1], channels: n[2], dataType: CubeDataType(rawValue: f[1])!,
                                        byteOrder: f.count > 3 ? ByteOrder(rawValue: f[3])! : .little,
                                        interleave: Interleave(rawValue: f[2])!,
                                        headerOffset: f.count > 4 ? Int(f[4])! : 0)
            case "scratch", "tile", "workers": knobs[parts[0]] = Int(parts[1])!
            default: break
            }
        }
        let start = Date()
        let cube = try open(url, options: options, knobs: knobs)
        var checksum: Double = 0
        if mode == "all" {
            let values = try cube.readAll()
            checksum = Double(values[values.count / 2])
        } else {
            try cube.forEachRowBlock { _, block in checksum += Double(block[block.count - 1]) }
        }
        let seconds = Date().timeIntervalSince(start)
        var usage = rusage()
        getrusage(RUSAGE_SELF_WHO, &usage)
        let gb = Double(cube.float32Bytes) / 1e9
        func f(_ x: Double) -> String { String(format: "%.2f", x) }
        print("\(cube.info.format) \(cube.info.dataType) \(mode) \(cube.height)x\(cube.width)x\(cube.channels) "
              + "\(f(gb)) GB in \(f(seconds)) s = \(f(gb / seconds)) GB/s, peak RSS \(f(Double(usage.ru_maxrss) * 1024 / 1e9)) GB "
              + "(checksum \(checksum))")
    }

    /// `CubeReader.open`, except that a raw layout is read with `DenseFileStorage` directly
    /// when the file has trailing bytes (the FITS cube's block padding) or storage knobs are set.
    static func open(_ url: URL, options: CubeOpenOptions, knobs: [String: Int]) throws -> Datacube {
        guard let raw = options.raw else { return try CubeReader.open(url, options: options) }
        let file = try BinaryFile(path: url.path)
        guard file.size > raw.headerOffset + raw.height * raw.width * raw.channels * raw.dataType.byteSize || !knobs.isEmpty else {
            return try CubeReader.open(url, options: options)
        }
        var storage = DenseFileStorage(file: file, offset: raw.headerOffset, type: raw.dataType, byteOrder: raw.byteOrder,
                                       height: raw.height, width: raw.width, channels: raw.channels, order: raw.interleave.axisOrder)
        if let v = knobs["scratch"] { storage.scratchBytes = v }
        if let v = knobs["tile"] { storage.tileChannels = v }
        if let v = knobs["workers"] { storage.workers = v }
        return Datacube(height: raw.height, width: raw.width, channels: raw.channels,
                        info: SourceInfo(format: "raw", dataType: raw.dataType.rawValue, path: url.path), storage: storage)
    }
}
