import CubeFormats
import Foundation
import Testing
@testable import CubeSynth

/// Shared small cube: 64 x 64 x 512 at the default counts.
private let small = SyntheticCubes.maxrf(size: 64, channels: 512, seed: 7)

@Suite("Synthetic MA-XRF cubes")
struct MAXRFTests {
    @Test("the cube has the requested shape and an energy axis in keV up to 20.48")
    func shapeAndAxis() {
        let s = small
        #expect(s.cube.height == 64 && s.cube.width == 64 && s.cube.channels == 512)
        #expect(s.cube.axis.unit == .keV)
        #expect(s.cube.axis.quantity == .energy)
        #expect(s.cube.axis.values.count == 512)
        #expect(s.cube.axis.values.first == 0)
        #expect(abs(s.cube.axis.values.last! - 20.48 * 511 / 512) < 1e-9)
        #expect(s.labels.count == 64 * 64)
        #expect(s.classNames.count == MAXRFOptions().classes)
    }

    @Test("the same seed gives identical values and labels, another seed does not")
    func determinism() throws {
        let a = SyntheticCubes.maxrf(size: 32, channels: 256, seed: 3)
        let b = SyntheticCubes.maxrf(size: 32, channels: 256, seed: 3)
        let c = SyntheticCubes.maxrf(size: 32, channels: 256, seed: 4)
        #expect(try a.cube.readAll() == b.cube.readAll())
        #expect(a.labels == b.labels)
        #expect(try a.cube.readAll() != c.cube.readAll())
    }

    @Test("every class is present with a sizeable area")
    func classesPresent() {
        for seed: UInt64 in [0, 1, 2, 7] {
            let s = seed == 7 ? small : SyntheticCubes.maxrf(size: 48, channels: 64, seed: seed)
            var counts = [Int](repeating: 0, count: s.classNames.count)
            for l in s.labels { counts[Int(l)] += 1 }
            for (c, n) in counts.enumerated() {
                #expect(n >= s.labels.count / 100, "seed \(seed): class \(c) has \(n) pixels")
            }
        }
    }

    @Test("counts are sparse integers with a mean total per pixel close to the requested one")
    func countsMatch() throws {
        for target in [30.0, 120.0, 1000.0] {
            let s = target == 120 ? small : SyntheticCubes.maxrf(size: 48, channels: 256, counts: target, seed: 5)
            let v = try s.cube.readAll()
            #expect(v.allSatisfy { $0 >= 0 && $0 == $0.rounded() })
            let mean = Double(v.reduce(0, +)) / Double(s.cube.pixelCount)
            #expect(abs(mean - target) / target < 0.03, "mean total \(mean) for \(target)")
        }
        // At 120 counts over 512 channels most channels hold 0 or 1 count.
        let v = try small.cube.readAll()
        let zeroOrOne = v.lazy.filter { $0 <= 1 }.count
        #expect(Double(zeroOrOne) / Double(v.count) > 0.95)
    }

    @Test("each class's mean spectrum peaks at its elements' main lines")
    func elementLines() throws {
        let s = small
        let c = s.cube.channels
        let v = try s.cube.readAll()
        let k = s.classNames.count
        var mean = [Double](repeating: 0, count: k * c)
        var n = [Int](repeating: 0, count: k)
        for p in 0..<s.cube.pixelCount {
            let l = Int(s.labels[p]); n[l] += 1
            for j in 0..<c { mean[l * c + j] += Double(v[p * c + j]) }
        }
        let e = s.cube.axis.values
        let step = e[1] - e[0]
        // The strongest channel within +-0.3 keV of a line is within 2 channels of it.
        func peak(_ cls: Int, near energy: Double) -> Double {
            let lo = Int((energy - 0.3) / step), hi = Int((energy + 0.3) / step)
            var best = lo
            for j in lo...hi where mean[cls * c + j] > mean[cls * c + best] { best = j }
            return e[best]
        }
        let expectations: [(Int, String, Double)] = [
            (0, "Pb L-alpha", 10.551), (0, "Pb L-beta", 12.614), (0, "Ca K-alpha", 3.692),
            (1, "Hg L-alpha", 9.989), (1, "Hg L-beta", 11.823), (1, "Pb L-alpha (ground)", 10.551),
            (2, "Cu K-alpha", 8.048), (2, "Pb L-alpha (ground)", 10.551),
            (3, "Fe K-alpha", 6.404), (3, "Mn K-alpha", 5.899),
            (4, "Co K-alpha", 6.930), (4, "K K-alpha", 3.314),
            (5, "Pb L-alpha", 10.551), (5, "Sn L-alpha", 3.444),
            (6, "Zn K-alpha", 8.639), (6, "Ti K-alpha/Ba L-alpha", 4.49),
        ]
        for (cls, line, energy) in expectations {
            let at = peak(cls, near: energy)
            #expect(abs(at - energy) <= 2 * step + 0.03, "class \(cls) (\(s.classNames[cls])): \(line) peak at \(at) keV, expected \(energy)")
        }
        // Hg is absent from the ground class: no peak at 9.99 keV stands out there.
        let hgChannel = Int(9.989 / step), pbChannel = Int(10.551 / step)
        #expect(mean[hgChannel] < 0.1 * mean[pbChannel])
    }

    @Test("nearest-class-mean classification of log1p-normalised spectra is above 90% accurate")
    func separability() throws {
        let s = small
        let c = s.cube.channels
        let v = try s.cube.readAll()
        let k = s.classNames.count
        let pixels = s.cube.pixelCount
        // log(1 + x) / max per pixel.
        var x = [Float](repeating: 0, count: v.count)
        for p in 0..<pixels {
            var m: Float = 0
            for j in 0..<c { let t = log1p(v[p * c + j]); x[p * c + j] = t; m = max(m, t) }
            if m > 0 { for j in 0..<c { x[p * c + j] /= m } }
        }
        // Class means from even pixels, tested on odd pixels.
        var mean = [Float](repeating: 0, count: k * c)
        var n = [Float](repeating: 0, count: k)
        for p in stride(from: 0, to: pixels, by: 2) {
            let l = Int(s.labels[p]); n[l] += 1
            for j in 0..<c { mean[l * c + j] += x[p * c + j] }
        }
        for l in 0..<k where n[l] > 0 { for j in 0..<c { mean[l * c + j] /= n[l] } }
        var correct = 0, total = 0
        for p in stride(from: 1, to: pixels, by: 2) {
            var best = Float.infinity, bestL = -1
            for l in 0..<k {
                var d: Float = 0
                for j in 0..<c { let t = x[p * c + j] - mean[l * c + j]; d += t * t }
                if d < best { best = d; bestL = l }
            }
            if bestL == Int(s.labels[p]) { correct += 1 }
            total += 1
        }
        let accuracy = Double(correct) / Double(total)
        #expect(accuracy > 0.9, "accuracy \(accuracy)")
    }

    @Test("writing gives OUT.npy with the cube and OUT_labels.npy with int32 labels")
    func writesNumPy() throws {
        let s = SyntheticCubes.maxrf(size: 16, channels: 32, seed: 1)
        let (cube, labels) = try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("painting.npy")
            try s.write(to: url)
            return (try Data(contentsOf: url), try Data(contentsOf: dir.appendingPathComponent("painting_labels.npy")))
        }
        let cubeHeader = String(decoding: cube.prefix(128), as: UTF8.self)
        let labelHeader = String(decoding: labels.prefix(128), as: UTF8.self)
        #expect(cubeHeader.contains("'descr': '<f4'") && cubeHeader.contains("(16, 16, 32)"))
        #expect(labelHeader.contains("'descr': '<i4'") && labelHeader.contains("(16, 16)"))
        #expect(cube.count == 128 + 16 * 16 * 32 * 4)
        #expect(labels.count == 128 + 16 * 16 * 4)
        // The last label is stored little-endian at the end of the file.
        let last = labels.suffix(4).withUnsafeBytes { Int32(littleEndian: $0.loadUnaligned(as: Int32.self)) }
        #expect(last == s.labels.last)
    }
}
