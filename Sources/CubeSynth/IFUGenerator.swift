import CubeFormats
import CubeML
import Foundation

extension SyntheticCubes {
    /// Class names of `ifu`, indexed by label.
    static let ifuClassNames = [
        "sky background",
        "bulge (old stars, LINER-like gas)",
        "disc (stars and diffuse ionised gas)",
        "HII star-forming knots",
        "AGN nucleus (Seyfert, broad Balmer lines)",
    ]

    /// IFU-like cube of a spiral galaxy: `size x size` spaxels, `channels` wavelength
    /// channels over 4500...7000 Angstrom (axis in Angstrom), sky-subtracted counts.
    ///
    /// Components: an exponential bulge of old stars (4500 K continuum with Mg b, Na D, Fe
    /// absorption, weak LINER-like lines), an inclined exponential disc with two spiral arms
    /// (6500 K continuum, Balmer absorption, diffuse-ionised-gas lines), HII knots on the
    /// arms (blue continuum, strong H-alpha, H-beta, [OIII]), and an unresolved Seyfert
    /// nucleus (power law, narrow lines with [OIII]/H-beta ~ 10, broad H-alpha and
    /// H-beta), all at redshift 0.01 plus a rotation field
    /// `v = v_max tanh(r/r0) sin(i) cos(phi)` (v_max = 220 km/s, i = 50 degrees; stars
    /// rotate at 80%, the bulge not at all) and Gaussian velocity dispersions. Outside the
    /// disc lies blank sky.
    ///
    /// `counts` is the mean galaxy signal per spaxel summed over all channels. Noise: every
    /// channel is Poisson(signal + sky) minus the sky model (sky continuum and emission
    /// lines [OI] 5577, Na D, [OI] 6300/6364, OH), plus Gaussian read noise (sigma 3
    /// counts), so values can be negative. Labels: the component that dominates the
    /// spaxel's signal (AGN above 50%, HII knots above 35%), sky outside the disc.
    public static func ifu(size: Int = 64, channels: Int = 1024, counts: Double = 20_000, seed: UInt64 = 0) -> SyntheticCube {
        precondition(size >= 8 && channels >= 16 && counts > 0, "ifu: size >= 8, channels >= 16, counts > 0")
        let lambda0 = 4500.0, lambda1 = 7000.0
        let step = (lambda1 - lambda0) / Double(channels)
        let axis = SpectralAxis.linear(count: channels, start: lambda0, step: step, unit: .angstrom, quantity: .wavelength)
        let wavelengths = axis.values
        var rng = SeededGenerator(seed: seed, stream: 0x6966_75)  // "ifu"

        // Templates on a 0.5 A rest-frame grid.
        let range = 4300.0...7100.0
        let instrument = max(1.0, step)  // instrumental sigma, Angstrom
        let bulge = SpectrumTemplate(range: range, step: 0.5, continuum: { Galaxy.blackbody($0, temperature: 4500) },
                                     absorption: Galaxy.oldStarsAbsorption, lines: Galaxy.bulgeLines, lineFraction: 0.01,
                                     sigmaKms: 180, instrumentSigma: instrument)
        let disc = SpectrumTemplate(range: range, step: 0.5, continuum: { Galaxy.blackbody($0, temperature: 6500) },
                                    absorption: Galaxy.youngStarsAbsorption, lines: Galaxy.discLines, lineFraction: 0.04,
                                    sigmaKms: 50, instrumentSigma: instrument)
        let knot = SpectrumTemplate(range: range, step: 0.5, continuum: { Galaxy.blackbody($0, temperature: 20_000) },
                                    absorption: [], lines: Galaxy.hiiLines, lineFraction: 0.45,
                                    sigmaKms: 25, instrumentSigma: instrument)
        let agn = SpectrumTemplate(range: range, step: 0.5, continuum: { pow($0 / 5500, -1.5) },
                                   absorption: [], lines: Galaxy.agnLines, lineFraction: 0.35,
                                   sigmaKms: 250, instrumentSigma: instrument,
                                   broad: [(Galaxy.Line(wavelength: Galaxy.hAlpha, flux: 3), 1500),
                                           (Galaxy.Line(wavelength: Galaxy.hBeta, flux: 0.9), 1500)])

        // Geometry (unit: image size); centre slightly off the middle.
        let cx = 0.5 + 0.03 * (rng.nextDouble() - 0.5), cy = 0.5 + 0.03 * (rng.nextDouble() - 0.5)
        let inclination = 50 * Double.pi / 180
        let positionAngle = (20 + 40 * rng.nextDouble()) * Double.pi / 180
        let vMax = 220.0, r0 = 0.06, redshift = 0.01
        let discScale = 0.16, discEdge = 0.5
        let bulgeScale = 0.04
        let armPhase = 2 * Double.pi * rng.nextDouble(), pitch = 18 * Double.pi / 180
        let psf = 1.2 / Double(size)  // AGN point-spread sigma: 1.2 spaxels
        // HII knots along the arms.
        var knots: [(x: Double, y: Double, amplitude: Double)] = []
        for k in 0..<10 {
            let r = 0.12 + 0.3 * rng.nextDouble()
            let arm = Double(k % 2) * Double.pi
            let phi = armPhase + arm + log(r / 0.05) / tan(pitch) + 0.15 * rng.nextGaussian()
            knots.append((r * cos(phi), r * sin(phi), 0.6 + 0.8 * rng.nextDouble()))
        }
        let knotSigma = max(1.2 / Double(size), 0.02)

        // Per-spaxel component fluxes (arbitrary units), velocities and labels.
        let pixels = size * size
        var flux = [Double](repeating: 0, count: pixels * 4)  // bulge, disc, knots, agn
        var velocity = [Double](repeating: 0, count: pixels)
        var labels = [Int32](repeating: 0, count: pixels)
        for py in 0..<size {
            for px in 0..<size {
                let p = py * size + px
                let dx = (Double(px) + 0.5) / Double(size) - cx, dy = (Double(py) + 0.5) / Double(size) - cy
                // Sky plane -> disc plane.
                let xm = dx * cos(positionAngle) + dy * sin(positionAngle)
                let ym = (-dx * sin(positionAngle) + dy * cos(positionAngle)) / cos(inclination)
                let r = (xm * xm + ym * ym).squareRoot(), phi = atan2(ym, xm)
                velocity[p] = vMax * tanh(r / r0) * sin(inclination) * cos(phi)
                let rb = (xm * xm + pow(ym * cos(inclination) / 0.8, 2)).squareRoot()  // rounder bulge
                let b = 10 * exp(-rb / bulgeScale)
                let taper = r < discEdge ? 1 - pow(r / discEdge, 8) : 0
                let spiral = 1 + 0.6 * pow(max(0, cos(2 * (phi - armPhase - log(max(r, 0.01) / 0.05) / tan(pitch)))), 3)
                let d = exp(-r / discScale) * spiral * taper
                var k = 0.0
                for kn in knots {
                    // Knot positions are in the disc plane.
                    let ex = xm - kn.x, ey = ym - kn.y
                    k += kn.amplitude * exp(-0.5 * (ex * ex + ey * ey) / (knotSigma * knotSigma))
                }
                k *= taper
                let a = 25 * exp(-0.5 * (dx * dx + dy * dy) / (psf * psf))
                let galaxy = taper > 0
                flux[4 * p] = galaxy ? b : 0
                flux[4 * p + 1] = d
                flux[4 * p + 2] = k
                flux[4 * p + 3] = a
                let total = flux[4 * p] + d + k + a
                if !galaxy || total <= 0 { labels[p] = 0 }
                else if a > 0.5 * total { labels[p] = 4 }
                else if k > 0.35 * total { labels[p] = 3 }
                else if flux[4 * p] > d { labels[p] = 1 }
                else { labels[p] = 2 }
            }
        }
        var meanFlux = 0.0
        for p in 0..<pixels { meanFlux += flux[4 * p] + flux[4 * p + 1] + flux[4 * p + 2] + flux[4 * p + 3] }
        meanFlux /= Double(pixels)
        let scale = counts / meanFlux

        // Sky model, counts per channel: continuum plus night-sky lines.
        let skyLevel = 0.5 * counts / Double(channels)
        var sky = [Double](repeating: skyLevel, count: channels)
        let skyLines: [(Double, Double)] = [(5577.34, 25), (5889.95, 4), (5895.92, 4), (6300.30, 8), (6363.78, 3),
                                            (6498.7, 2), (6553.6, 2), (6863.9, 3), (6923.2, 3)]
        for (w, a) in skyLines {
            for i in 0..<channels {
                let d = (wavelengths[i] - w) / instrument
                if abs(d) < 6 { sky[i] += a * skyLevel * exp(-0.5 * d * d) }
            }
        }

        let templates = [bulge, disc, knot, agn]
        // Velocity factor of each component relative to the gas: bulge stars do not rotate.
        let rotation = [0.0, 0.8, 1.0, 0.0]
        // Each template's integral over the observed band at the systemic redshift, so
        // `flux` is the signal summed over the channels.
        let bandIntegral = templates.map { t in
            wavelengths.reduce(0.0) { $0 + t.value(at: $1 / (1 + redshift)) } * step
        }
        let f = flux, vel = velocity, skyModel = sky
        var values = [Float](repeating: 0, count: pixels * channels)
        values.withUnsafeMutableBufferPointer { buf in
            let shared = SharedPointer(base: buf.baseAddress!)
            forEachRowChunk(size) { rows in
                var spectrum = [Double](repeating: 0, count: channels)
                for py in rows {
                    var r = SeededGenerator(seed: seed, stream: 0x3_0000 + UInt64(py))
                    for px in 0..<size {
                        let p = py * size + px
                        for i in 0..<channels { spectrum[i] = 0 }
                        for c in 0..<4 where f[4 * p + c] > 0 {
                            let amp = f[4 * p + c] * scale * step / bandIntegral[c]
                            // Observed lambda -> rest lambda.
                            let shift = 1 / ((1 + redshift) * (1 + rotation[c] * vel[p] / Galaxy.speedOfLight))
                            let t = templates[c]
                            for i in 0..<channels { spectrum[i] += amp * t.value(at: wavelengths[i] * shift) }
                        }
                        let out = shared.base + p * channels
                        for i in 0..<channels {
                            let observed = Poisson.sample(spectrum[i] + skyModel[i], using: &r)
                            out[i] = Float(Double(observed) - skyModel[i] + 3 * r.nextGaussian())
                        }
                    }
                }
            }
        }
        let cube = Datacube(height: size, width: size, channels: channels, values: values, axis: axis,
                            info: SourceInfo(format: "memory", dataType: "float32",
                                             details: ["synthetic": "ifu", "seed": String(seed), "counts": String(counts)]))
        return SyntheticCube(cube: cube, labels: labels, classNames: ifuClassNames)
    }
}
