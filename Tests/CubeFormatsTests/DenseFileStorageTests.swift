import Foundation
import Testing
@testable import CubeFormats

@Suite struct DenseFileStorageTests {
    @Test("small scratch buffers split reads into groups without changing any value",
          arguments: [("envi_bsq.img", Interleave.bsq, CubeDataType.float32, ByteOrder.little),
                      ("envi_bil.img", .bil, .float32, .little), ("envi_bip.img", .bip, .float32, .little),
                      ("envi_be_i2.img", .bil, .int16, .big), ("envi_u16.img", .bsq, .uint16, .little)])
    func groupedReads(_ file: String, _ interleave: Interleave, _ type: CubeDataType, _ order: ByteOrder) throws {
        for scratch in [1, 200, 700, 5000] {
            var storage = DenseFileStorage(file: try BinaryFile(path: Fixture.url(file).path), offset: 0, type: type, byteOrder: order,
                                           height: 6, width: 5, channels: 16, order: interleave.axisOrder)
            storage.scratchBytes = scratch
            let cube = Datacube(height: 6, width: 5, channels: 16, info: SourceInfo(format: "raw", dataType: type.rawValue), storage: storage)
            var assembled: [Float] = []
            try cube.forEachRowBlock(rowsPerBlock: 4) { _, values in assembled += values }
            #expect(assembled == Fixture.reference, "scratch \(scratch)")
        }
    }

    @Test("every stored axis order reads back pixel-major", arguments: AxisOrder.allCases)
    func axisOrders(_ order: AxisOrder) throws {
        // Store the reference cube in `order` (outermost first), as int16 big endian.
        let cube = [6, 5, 16]
        let axes = order.cubeAxes
        let dims = axes.map { cube[$0] }
        var bytes = [UInt8]()
        for a in 0..<dims[0] {
            for b in 0..<dims[1] {
                for c in 0..<dims[2] {
                    var yxc = [0, 0, 0]
                    yxc[axes[0]] = a; yxc[axes[1]] = b; yxc[axes[2]] = c
                    let v = Int16(Fixture.reference[(yxc[0] * 5 + yxc[1]) * 16 + yxc[2]])
                    bytes += [UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
                }
            }
        }
        try Fixture.withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("cube.bin")
            try Data(bytes).write(to: url)
            var storage = DenseFileStorage(file: try BinaryFile(path: url.path), offset: 0, type: .int16, byteOrder: .big,
                                           height: 6, width: 5, channels: 16, order: order)
            storage.scratchBytes = 300
            let read = Datacube(height: 6, width: 5, channels: 16, info: SourceInfo(format: "raw", dataType: "int16"), storage: storage)
            #expect(try read.readAll() == Fixture.reference)
            #expect(try read.readRows(3..<5) == Array(Fixture.reference[(3 * 80)..<(5 * 80)]))
        }
    }

    @Test("FITS channel groups of any size give the same pixel-major block", arguments: ["fits_f4.fits", "fits_rice.fits"])
    func fitsGroups(_ name: String) throws {
        let opened = try CubeReader.open(Fixture.url(name))
        let file = try FITSFile(path: Fixture.url(name).path)
        for staging in [1, 100, 500] {
            let storage = FITSStorage(file: file, hdu: Int(opened.info.details["hdu"]!)!, stagingBytes: staging)
            let cube = Datacube(height: 6, width: 5, channels: 16, info: opened.info, storage: storage)
            #expect(try cube.readRows(1..<4) == Array(Fixture.reference[80..<320]), "staging \(staging)")
        }
    }
}
