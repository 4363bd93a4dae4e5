import CubeFormats
import Foundation
import Testing
@testable import CubeSynth

/// Shared cube: 48 x 48 x 1024 at the default counts.
private let galaxy = SyntheticCubes.ifu(size: 48, seed: 11)

/// Mean spectrum of each class, (classCount x channels) as rows.
private func classMeans(_ s: SyntheticCube) throws -> [[Double]] {
    let c = s.cube.channels
    let v = try s.cube.readAll()
    var mean = [[Double]](repeating: [Double](repeating: 0, count: c), count: s.classCount)
    var n = [Double](repeating: 0, count: s.classCount)
    for p in 0..<s.cube.pixelCount {
        let l = Int(s.labels[p]); n[l] += 1
        for j in 0..<c { mean[l][j] += Double(v[p * c + j]) }
    }
    return mean.enumerated().map { l, m in m.map { $0 / max(1, n[l]) } }
}

/// Wavelength of the highest value of `spectrum` between `lo` and `hi` Angstrom.
private func peak(_ spectrum: [Double], axis: [Double], from lo: Double, to hi: Double) -> Double {
    var best = -Double.infinity, at = lo
    for (i, w) in axis.enumerated() where w >= lo && w <= hi && spectrum[i] > best { best = spectrum[i]; at = w }
    return at
}

/// Peak height of a line at `centre` (max within 4 A) above the median of the side bands
/// 40-80 A away.
private func height(_ spectrum: [Double], axis: [Double], at centre: Double) -> Double {
    var top = -Double.infinity
    var side: [Double] = []
    for (i, w) in axis.enumerated() {
        let d = abs(w - centre)
        if d <= 4 { top = max(top, spectrum[i]) }
        if d >= 40 && d <= 80 { side.append(spectrum[i]) }
    }
    side.sort()
    return top - side[side.count / 2]
}

@Suite("Synthetic IFU cubes")
struct IFUTests {
    @Test("the cube has the requested shape and a wavelength axis in Angstrom over 4500-7000")
    func shapeAndAxis() {
        let s = SyntheticCubes.ifu(size: 16, channels: 300, seed: 1)
        #expect(s.cube.height == 16 && s.cube.width == 16 && s.cube.channels == 300)
        #expect(s.cube.axis.unit == .angstrom && s.cube.axis.quantity == .wavelength)
        #expect(s.cube.axis.values.first == 4500)
        #expect(s.cube.axis.values.last! < 7000 && s.cube.axis.values.last! > 6990)
        #expect(s.labels.count == 256)
    }

    @Test("the same seed gives identical values and labels, another seed does not")
    func determinism() throws {
        let a = SyntheticCubes.ifu(size: 16, channels: 256, seed: 5)
        let b = SyntheticCubes.ifu(size: 16, channels: 256, seed: 5)
        let c = SyntheticCubes.ifu(size: 16, channels: 256, seed: 6)
        #expect(try a.cube.readAll() == b.cube.readAll())
        #expect(a.labels == b.labels)
        #expect(try a.cube.readAll() != c.cube.readAll())
    }

    @Test("sky, bulge, disc, HII knots and nucleus are all present")
    func classesPresent() {
        var counts = [Int](repeating: 0, count: galaxy.classCount)
        for l in galaxy.labels { counts[Int(l)] += 1 }
        #expect(galaxy.classNames.count == 5)
        for (c, n) in counts.enumerated() { #expect(n >= 3, "class \(c) (\(galaxy.classNames[c])) has \(n) spaxels") }
    }

    @Test("the mean signal per spaxel is close to the requested counts and the sky is subtracted")
    func countsAndSky() throws {
        let v = try galaxy.cube.readAll()
        let c = galaxy.cube.channels
        let mean = Double(v.reduce(0, +)) / Double(galaxy.cube.pixelCount)
        #expect(abs(mean - 20_000) / 20_000 < 0.03, "mean total \(mean)")
        // Sky spaxels: noise around zero, negative values present.
        var skyTotal = 0.0, skyCount = 0, negatives = 0
        for p in 0..<galaxy.cube.pixelCount where galaxy.labels[p] == 0 {
            skyCount += 1
            for j in 0..<c { skyTotal += Double(v[p * c + j]); if v[p * c + j] < 0 { negatives += 1 } }
        }
        #expect(skyCount > 0)
        #expect(abs(skyTotal / Double(skyCount)) < 200, "sky mean total \(skyTotal / Double(skyCount))")
        #expect(negatives > skyCount * c / 4)
    }

    @Test("emission lines sit at their redshifted wavelengths with region-specific ratios")
    func emissionLines() throws {
        let s = galaxy
        let axis = s.cube.axis.values
        let means = try classMeans(s)
        let z = 1.01
        // H-alpha is the strongest line of the HII knots, near 6562.8 * (1 + z).
        let hii = means[3]
        #expect(abs(peak(hii, axis: axis, from: 6450, to: 6800) - 6562.8 * z) < 8)
        // The disc's diffuse gas shows H-alpha too.
        let agn = means[4], disc = means[2]
        #expect(abs(peak(disc, axis: axis, from: 6450, to: 6800) - 6562.8 * z) < 8)
        // [OIII] 5007 / H-beta: Seyfert nucleus far above the HII knots.
        #expect(abs(peak(agn, axis: axis, from: 4850, to: 5100) - 5006.84 * z) < 8)
        let agnRatio = height(agn, axis: axis, at: 5006.84 * z) / height(agn, axis: axis, at: 4861.33 * z)
        let hiiRatio = height(hii, axis: axis, at: 5006.84 * z) / height(hii, axis: axis, at: 4861.33 * z)
        #expect(hiiRatio > 1.5 && hiiRatio < 6, "HII [OIII]/H-beta \(hiiRatio)")
        #expect(agnRatio > 1.5 * hiiRatio, "AGN [OIII]/H-beta \(agnRatio), HII \(hiiRatio)")
        // The sky has no line emission of its own.
        let sky = means[0]
        let i = axis.firstIndex { $0 >= 6562.8 * z }!
        #expect(abs(sky[i]) < 0.05 * hii[i])
    }

    @Test("the disc rotates: H-alpha centroids spread over more than 150 km/s")
    func rotation() throws {
        let s = galaxy
        let c = s.cube.channels
        let axis = s.cube.axis.values
        let v = try s.cube.readAll()
        let centre = 6562.8 * 1.01
        let window = axis.indices.filter { abs(axis[$0] - centre) < 10 }
        var velocities: [Double] = []
        for p in 0..<s.cube.pixelCount where s.labels[p] == 2 || s.labels[p] == 3 {
            var f = 0.0, fw = 0.0
            for j in window { let x = max(0, Double(v[p * c + j])); f += x; fw += x * axis[j] }
            if f > 0 { velocities.append((fw / f / centre - 1) * Galaxy.speedOfLight) }
        }
        velocities.sort()
        let spread = velocities[velocities.count * 95 / 100] - velocities[velocities.count * 5 / 100]
        #expect(spread > 150, "5-95% spread of H-alpha velocities \(spread) km/s")
    }
}
