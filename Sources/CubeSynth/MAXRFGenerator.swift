import CubeFormats
import CubeML
import Foundation

extension SyntheticCubes {
    /// MA-XRF-like cube of a painting: `size x size` pixels, `channels` energy channels
    /// over 0...20.48 keV (axis in keV, channel i at `i * 20.48 / channels`), Poisson
    /// counts with a mean of `counts` total counts per pixel.
    ///
    /// Seven classes (see `classNames`): the exposed lead-white/chalk ground and six painted
    /// regions (vermilion, azurite, umber, smalt, lead-tin yellow, a modern zinc/titanium
    /// retouching) laid out as a domain-warped Voronoi partition inside an unpainted
    /// margin. Every pixel's spectrum is the sum of: the fluorescence of its region's
    /// pigment (thickness varying smoothly, with brush-stroke texture), the lead-white
    /// ground under it attenuated by the paint layer, and the scattered tube radiation (Mo
    /// Rayleigh and Compton peaks, bremsstrahlung). Lines are Gaussians with a silicon
    /// drift detector's width (130 eV FWHM at Mn K-alpha), each with its Si escape peak
    /// (1%, 1.74 keV below). Boundary pixels mix the two regions they straddle (3 x 3
    /// supersampling); their label is the majority region.
    ///
    /// Counts are exact Poisson: per pixel the total N ~ Poisson(mean) is split among the
    /// components and channels by sampling the spectra (alias tables), O(N) per pixel.
    ///
    /// `options` vary the painting (class count, a rare or dark class, mixed pixels, an
    /// intensity gradient, stronger scatter); the defaults give the painting described above.
    public static func maxrf(size: Int = 128, channels: Int = 1024, counts: Double = 120, seed: UInt64 = 0,
                             options: MAXRFOptions = MAXRFOptions()) -> SyntheticCube {
        precondition(size >= 8 && channels >= 16 && counts > 0, "maxrf: size >= 8, channels >= 16, counts > 0")
        precondition(MAXRFOptions.classRange.contains(options.classes), "maxrf: classes in \(MAXRFOptions.classRange)")
        let step = 20.48 / Double(channels)
        let axis = SpectralAxis.linear(count: channels, start: 0, step: step, unit: .keV, quantity: .energy)
        let energies = axis.values
        var rng = SeededGenerator(seed: seed, stream: 0x6D61_7872_66)  // "maxrf"
        var chosen = Array(Painting.pigments.prefix(options.classes))
        if options.darkClass { chosen[chosen.count - 1] = Painting.dark }
        let pigments = chosen
        // A rare class gets no layout cell: it is painted as a small patch afterwards.
        let layoutClasses = options.rareClass ? pigments.count - 1 : pigments.count
        let layout = PaintingLayout(classCount: layoutClasses, grid: max(5, Int((Double(layoutClasses) * 2.5).squareRoot().rounded(.up))),
                                    marginClass: 0, rng: &rng)
        let thicknessField = SmoothField(terms: 6, minFrequency: 0.5, maxFrequency: 3, rng: &rng)
        let strokes = SmoothField(terms: 3, minFrequency: 10, maxFrequency: 18, rng: &rng)
        let groundField = SmoothField(terms: 4, minFrequency: 0.5, maxFrequency: 2, rng: &rng)

        // Component spectra: one per pigment, then the ground, then the scatter.
        let groundIndex = pigments.count, scatterIndex = pigments.count + 1
        var extras = SeededGenerator(seed: seed, stream: 0x6F70_7473)  // "opts": only non-default options draw
        let gainField = options.intensityVariation > 0 ? SmoothField(terms: 4, minFrequency: 0.5, maxFrequency: 1.5, rng: &extras) : nil
        let rarePatch = options.rareClass
            ? (x: 0.2 + 0.6 * extras.nextDouble(), y: 0.2 + 0.6 * extras.nextDouble(), radius: (0.01 / Double.pi).squareRoot())
            : nil
        var tables: [AliasTable?] = pigments.map { p in
            p.elements.isEmpty ? nil : AliasTable(weights: XRF.fluorescence(p.elements, energies: energies, step: step))
        }
        tables.append(AliasTable(weights: XRF.fluorescence(Painting.ground, energies: energies, step: step)))
        tables.append(AliasTable(weights: XRF.scatter(energies: energies, step: step, comptonToRayleigh: 1.6, continuum: 0.55)))

        // Per-pixel component weights (4 per pixel: pigment a, pigment b, ground, scatter),
        // their component indices, and labels.
        let pixels = size * size
        var weights = [Double](repeating: 0, count: pixels * 4)
        var components = [Int32](repeating: 0, count: pixels * 2)
        var labels = [Int32](repeating: 0, count: pixels)
        weights.withUnsafeMutableBufferPointer { wb in
            components.withUnsafeMutableBufferPointer { cb in
                labels.withUnsafeMutableBufferPointer { lb in
                    let w = SharedPointer(base: wb.baseAddress!), comp = SharedPointer(base: cb.baseAddress!)
                    let lab = SharedPointer(base: lb.baseAddress!)
                    forEachRowChunk(size) { rows in
                        for py in rows {
                            var jitter = SeededGenerator(seed: seed, stream: 0x2_0000 + UInt64(py))
                            for px in 0..<size {
                                let p = py * size + px
                                var (main, other, f) = layout.pixel(px: px, py: py, size: size)
                                let x0 = (Double(px) + 0.5) / Double(size), y0 = (Double(py) + 0.5) / Double(size)
                                if let r = rarePatch, (x0 - r.x) * (x0 - r.x) + (y0 - r.y) * (y0 - r.y) < r.radius * r.radius {
                                    main = pigments.count - 1; other = main; f = 0
                                }
                                if options.mixing > 0 {
                                    var mix = SeededGenerator(seed: seed, stream: 0x3_0000 + UInt64(p))
                                    if mix.nextDouble() < options.mixing {
                                        other = (main + 1 + mix.nextInt(below: pigments.count - 1)) % pigments.count
                                        f = 0.35
                                    }
                                }
                                lab.base[p] = Int32(main)
                                comp.base[2 * p] = Int32(main); comp.base[2 * p + 1] = Int32(other)
                                let x = (Double(px) + 0.5) / Double(size), y = (Double(py) + 0.5) / Double(size)
                                let thickness = max(0.2, (1 + 0.4 * thicknessField.value(x: x, y: y)
                                                          + 0.12 * strokes.value(x: x, y: y)) * exp(0.08 * jitter.nextGaussian()))
                                let ground = 1 + 0.3 * groundField.value(x: x, y: y)
                                let a = pigments[main], b = pigments[other]
                                let fa = 1 - f, fb = f
                                w.base[4 * p] = fa * a.strength * thickness
                                w.base[4 * p + 1] = fb * b.strength * thickness
                                w.base[4 * p + 2] = ground * (fa * exp(-a.attenuation * thickness) + fb * exp(-b.attenuation * thickness))
                                w.base[4 * p + 3] = (fa * a.scatter + fb * b.scatter) * (0.8 + 0.2 * thickness) * options.scatter
                                if let g = gainField {
                                    let gain = exp(options.intensityVariation * g.value(x: x, y: y))
                                    for t in 0..<4 { w.base[4 * p + t] *= gain }
                                }
                            }
                        }
                    }
                }
            }
        }
        var meanWeight = 0.0
        for v in weights { meanWeight += v }
        meanWeight /= Double(pixels)
        let scale = counts / meanWeight

        var values = [Float](repeating: 0, count: pixels * channels)
        let w = weights, comp = components, t = tables
        values.withUnsafeMutableBufferPointer { buf in
            let shared = SharedPointer(base: buf.baseAddress!)
            forEachRowChunk(size) { rows in
                for py in rows {
                    var r = SeededGenerator(seed: seed, stream: 0x1_0000 + UInt64(py))
                    for px in 0..<size {
                        let p = py * size + px
                        let w0 = w[4 * p], w1 = w[4 * p + 1], w2 = w[4 * p + 2], w3 = w[4 * p + 3]
                        let total = w0 + w1 + w2 + w3
                        let n = Poisson.sample(total * scale, using: &r)
                        guard n > 0 else { continue }
                        let c1 = w0 / total, c2 = c1 + w1 / total, c3 = c2 + w2 / total
                        let tA = t[Int(comp[2 * p])], tB = t[Int(comp[2 * p + 1])]
                        let tG = t[groundIndex]!, tS = t[scatterIndex]!
                        let out = shared.base + p * channels
                        for _ in 0..<n {
                            let u = r.nextDouble()
                            let ch: Int
                            if u < c1, let a = tA { ch = a.sample(using: &r) }
                            else if u >= c1 && u < c2, let b = tB { ch = b.sample(using: &r) }
                            else if u < c3 { ch = tG.sample(using: &r) }
                            else { ch = tS.sample(using: &r) }
                            out[ch] += 1
                        }
                    }
                }
            }
        }
        let cube = Datacube(height: size, width: size, channels: channels, values: values, axis: axis,
                            info: SourceInfo(format: "memory", dataType: "float32",
                                             details: ["synthetic": "maxrf", "seed": String(seed), "counts": String(counts)]))
        return SyntheticCube(cube: cube, labels: labels, classNames: pigments.map(\.name))
    }
}
