import CubeFormats
import Testing
@testable import CubeML

@Suite("Cluster mean spectra")
struct PreprocessingClusterSpectraTests {
    // 2 x 2 pixels, 4 channels: pixel p holds (p, 10 + p, -p, 100).
    let cube = Datacube(height: 2, width: 2, channels: 4,
                        values: (0..<4).flatMap { p in [Float(p), Float(10 + p), Float(-p), 100] })

    @Test("means average the measured spectra of each cluster over the channels asked, ignoring -1")
    func means() throws {
        let labels: [Int32] = [0, 1, -1, 0]
        let m = try ClusterSpectra.means(cube: cube, labels: labels, k: 3, channels: 1..<4)
        #expect(m.rows == 3 && m.cols == 3)
        #expect(m.row(0) == [11.5, -1.5, 100])  // pixels 0 and 3
        #expect(m.row(1) == [11, -1, 100])      // pixel 1
        #expect(m.row(2) == [0, 0, 0])          // empty cluster
        let (sums, counts) = try ClusterSpectra.sums(cube: cube, labels: labels, k: 3, channels: 0..<2)
        #expect(counts == [2, 1, 0])
        #expect(sums.row(0) == [3, 23])
    }

    @Test("labels that do not fit the cube or k are rejected")
    func rejects() {
        #expect(throws: SegmentationError.self) { try ClusterSpectra.means(cube: cube, labels: [0, 0, 0], k: 1, channels: 0..<4) }
        #expect(throws: SegmentationError.self) { try ClusterSpectra.means(cube: cube, labels: [0, 0, 0, 2], k: 2, channels: 0..<4) }
        #expect(throws: SegmentationError.self) { try ClusterSpectra.means(cube: cube, labels: [0, 0, 0, 0], k: 1, channels: 2..<5) }
    }
}
