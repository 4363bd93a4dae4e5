import CubeFormats
import Foundation

/// Turns a datacube into network-ready spectra following a `PreprocessingRecipe`, in one
/// pass over the cube in row blocks.
///
/// Per pixel, over the cropped channels `cropStart..<cropEnd` (channels outside the crop are
/// never looked at): a pixel with no finite value is a pixel without data (outside an IFU's
/// field of view, a FITS null pixel) and is left out like background; in other pixels NaN,
/// infinite and negative values count as 0. The total counts decide the background mask
/// (total < threshold; for counts with read noise the level of the signed totals over a
/// neighbourhood, `PreprocessingRecipe.backgroundRadius`, once the pass has seen every
/// pixel), channels are summed into the recipe's bins, the transform is applied, then
/// optional box smoothing.
public struct Preprocessor: Sendable {
    public let recipe: PreprocessingRecipe

    public init(recipe: PreprocessingRecipe) {
        self.recipe = recipe
    }

    // MARK: - Recipe

    /// The recipe `parameters` give for `cube`: validated crop range, bin edges over the
    /// cropped channels, transform, smoothing and background threshold. With
    /// `background: .auto` the cube is read once to compute per-pixel totals and the
    /// threshold comes from `BackgroundThreshold` (0, masking nothing, when the totals show
    /// no clear background).
    ///
    /// - Throws: `SegmentationError.invalidParameter` for a bad crop range, bin count,
    ///   smoothing width or threshold; `SegmentationError.invalidData` for NaN/infinite
    ///   values met while computing totals.
    public static func recipe(for cube: Datacube, parameters: SegmentationParameters) throws -> PreprocessingRecipe {
        try plan(for: cube, parameters: parameters).recipe
    }

    /// The recipe of `recipe(for:parameters:)` with the automatic decisions behind it (data
    /// kind, bins, background) and their evidence, for `report.json`.
    public static func plan(for cube: Datacube, parameters: SegmentationParameters) throws -> PreprocessingPlan {
        let channels = cube.channels
        try parameters.validate(channels: channels)
        let start = parameters.cropStart ?? 0
        let end = parameters.cropEnd ?? channels
        if let bins = parameters.bins, bins < 0 || bins == 1 {
            throw SegmentationError.invalidParameter(name: "bins", reason: "must be 0 (keep every channel) or at least 2, got \(bins)")
        }
        guard parameters.smoothing >= 0 else {
            throw SegmentationError.invalidParameter(name: "smoothing", reason: "must be >= 0, got \(parameters.smoothing)")
        }
        if case .threshold(let v) = parameters.background, !(v.isFinite && v >= 0) {
            throw SegmentationError.invalidParameter(name: "background", reason: "threshold must be a finite number >= 0, got \(v)")
        }
        // One pass for what the automatic choices need: totals (background) and whether the
        // data are counts (automatic bins).
        let dropsSilent = parameters.silentChannels == .drop
        let needsStatistics = parameters.bins == nil || parameters.background == .auto || parameters.transform == nil
        var statistics = needsStatistics || dropsSilent ? try CubeStatistics.measure(cube, channels: start..<end) : nil
        // The cube and channels `statistics` describe.
        var measured = cube
        if let statistics, !statistics.hasData.contains(true) { throw noData(channels: start..<end) }
        // Data that are not counts lose their channels without spatial signal, and every
        // later decision is measured on the channels kept. Counts keep every channel: a
        // channel between lines is mostly empty and says so, and noise-adjusted PCA weighs
        // channels by their noise.
        var silent: SilentChannelsDecision? = nil
        var binned = start..<end
        if dropsSilent, let s = statistics, DataKindDecision(statistics: s, meanSignalTotal: 0).kind == .continuous {
            let decision = SilentChannels.decide(ratios: try SilentChannels.ratios(cube, channels: start..<end), channels: start..<end,
                                                pairs: SilentChannels.pairs(in: cube))
            silent = decision
            if !decision.channels.isEmpty {
                let left = Set(decision.channels)
                let kept = cube.selectingChannels((start..<end).filter { !left.contains($0) })
                binned = 0..<kept.channels
                statistics = try CubeStatistics.measure(kept, channels: binned)
                measured = kept
            }
        }
        // Given bins, transform and background need no evidence: no data decision either.
        if !needsStatistics { statistics = nil }
        // What the data are; their mean signal total follows once the background is known.
        var data = statistics.map { DataKindDecision(statistics: $0, meanSignalTotal: 0) }
        let threshold: Double?
        let background: BackgroundThreshold.Decision?
        // Read noise lifts every positive total: the automatic threshold reads the level of
        // signed totals over a neighbourhood instead (`BackgroundThreshold.readNoiseLevels`,
        // rule step 0).
        let backgroundRadius = parameters.background == .auto && data?.readNoiseVariance != nil
            ? BackgroundThreshold.readNoiseRadius : nil
        // The pixels the mask keeps, once it is known (row major).
        var signal: [Bool]? = nil
        switch parameters.background {
        case .none: threshold = nil; background = nil
        case .threshold(let v): threshold = v; background = nil
        case .auto:
            let s = statistics!
            let levels = backgroundRadius.map {
                BackgroundThreshold.readNoiseLevels(signedTotals: s.signedTotals, hasData: s.hasData, width: cube.width, radius: $0)
            } ?? s.totals
            var decision = BackgroundThreshold.decide(totals: zip(levels, s.hasData).compactMap { $1 ? $0 : nil },
                                                      unit: BackgroundThreshold.unit(for: data!))
            decision.radius = backgroundRadius
            background = decision
            threshold = decision.threshold
            if let backgroundRadius, decision.masks {
                let kept = BackgroundThreshold.readNoiseSignal(levels: levels, hasData: s.hasData, width: cube.width,
                                                               radius: backgroundRadius, threshold: decision.threshold)
                signal = kept
                // Read noise fills an empty background with pairs of noise, which the levels'
                // medians then measure: one count and the noise are measured again over the signal.
                let again = try s.measuringLevelsAgain(measured, channels: binned, kept: kept)
                var remeasured = DataKindDecision(statistics: again, meanSignalTotal: 0)
                if remeasured.readNoiseVariance != nil {
                    remeasured.reason += "; the levels measured over the \(kept.filter { $0 }.count) pixels the background mask keeps"
                    statistics = again; data = remeasured
                }
            }
        }
        var medianSignalTotal: Double? = nil
        if let statistics {
            let kept = signal ?? statistics.signal(threshold: threshold ?? 0)
            // Read noise adds its positive half to every total: its mean counts are the signed totals'.
            data!.meanSignalTotal = statistics.meanSignalTotal(of: kept, signed: data!.readNoiseVariance != nil)
            let totals = statistics.totals.indices.compactMap { kept[$0] ? statistics.totals[$0] : nil }
            if !totals.isEmpty { medianSignalTotal = Double(totals.sorted()[totals.count / 2]) }
        }
        let bins: Int?
        var linearBins: Int? = nil
        let binsReason: String
        switch parameters.bins {
        case 0?: bins = nil; binsReason = "one bin per channel (bins = 0)"
        case let b?: bins = b; binsReason = "bins = \(b) given"
        case nil:
            let d = data!
            let counts = d.kind == .counts
            bins = AutomaticBinning.bins(channels: binned.count, meanSignalCounts: d.meanSignalCounts, integral: counts)
            linearBins = AutomaticBinning.bins(channels: binned.count, meanSignalCounts: d.meanSignalCounts, integral: counts,
                                               perBin: AutomaticBinning.linearCountsPerBin)
            binsReason = counts
                ? "counts (\(String(format: "%.0f", d.meanSignalCounts)) per pixel): the largest power of two with at least \(AutomaticBinning.countsPerBin) mean counts per bin for the autoencoder (\(bins!)), \(AutomaticBinning.linearCountsPerBin) for PCA (\(linearBins!))"
                : "not counts: the paper's \(AutomaticBinning.paperLength) values (or one per channel when fewer)"
        }
        let (transform, linearTransform, givenReason) = Self.transforms(parameters.transform, data: data)
        var transformReason = givenReason
        let edges = Rebinning.edges(channels: binned.count, bins: bins)
        // Not counts: the unit is arbitrary, so log-max reads values in units of the typical one.
        let typicalTotal = data?.kind == .continuous ? medianSignalTotal : nil
        let scale = Self.intensityScale(for: transform, bins: edges.count - 1, medianSignalTotal: typicalTotal,
                                        countUnit: data?.countUnit)
        if let unit = data?.countUnit, unit != 1 {
            transformReason += "; values in counts (divided by \(String(format: "%.6g", unit)), one count's value in the cube's unit)"
            if let variance = data?.readNoiseVariance {
                transformReason += ", plus the read noise's variance (\(String(format: "%.3g", variance)) counts squared)"
            }
        } else if let scale {
            transformReason += "; values in units of the typical bin value (\(String(format: "%.4g", scale)), the median pixel total over \(edges.count - 1) bins), so the map does not depend on the cube's unit"
        }
        if parameters.smoothing > edges.count - 1 {
            throw SegmentationError.invalidParameter(
                name: "smoothing", reason: "width \(parameters.smoothing) is wider than the \(edges.count - 1) bins")
        }
        let recipe = PreprocessingRecipe(sourceChannels: channels, cropStart: start, cropEnd: end, binEdges: edges,
                                         transform: transform, smoothing: parameters.smoothing,
                                         backgroundThreshold: threshold, intensityScale: scale,
                                         excludedChannels: silent.flatMap { $0.channels.isEmpty ? nil : $0.channels },
                                         readNoiseVariance: data?.readNoiseVariance,
                                         backgroundRadius: background?.masks == true ? backgroundRadius : nil)
        return PreprocessingPlan(recipe: recipe, data: data, bins: edges.count - 1, binsReason: binsReason,
                                 linearBins: linearBins ?? edges.count - 1, linearTransform: linearTransform,
                                 transformReason: transformReason, background: background, typicalSignalTotal: typicalTotal,
                                 silentChannels: silent)
    }

    /// What binned values are divided by before `transform`: for counts stored in another
    /// unit (`countUnit` other than 1), one count's value, for every transform, so that
    /// counts are read as counts; for `logMax` on data that are not counts
    /// (`medianSignalTotal` given), the typical bin value, the median total of the signal
    /// pixels over `bins` bins; nil (no division) otherwise. Of the transforms other data
    /// get, `logMax` is the only one whose output depends on the unit (`log(1 + x)` is
    /// linear for small x and logarithmic for large x); counts have a natural unit, one
    /// count, which `anscombe`'s 3/8 assumes.
    ///
    /// Measured with PCA(8) + k-means given the true K after CubeSeg's neighbourhood mean,
    /// on the 6 IFU cubes of `make quality` and the 2 real scenes: mean ARI 0.516 with the
    /// cubes' own units, 0.467 with the same cubes in units 1,000 times smaller, 0.522 in
    /// units of the typical value; on 8 IFU cubes of both simulators generated afterwards
    /// (new seeds and settings): 0.450 with their own units, 0.460 in units of the typical
    /// value (`scripts/unit_study.py`).
    public static func intensityScale(for transform: SpectrumTransform, bins: Int, medianSignalTotal: Double?,
                                      countUnit: Double? = nil) -> Double? {
        if let countUnit, countUnit != 1 { return countUnit }
        guard transform == .logMax, bins > 0, let total = medianSignalTotal, total > 0, total.isFinite else { return nil }
        return total / Double(bins)
    }

    /// The transforms of the autoencoder's and of PCA's spectra, and why: the given one for
    /// both; else `logMax` for the autoencoder (its sigmoid output fits values spread over
    /// [0, 1]) and, for PCA, `anscombe` on photon counts (PCA + k-means given the true K on
    /// the 24 MA-XRF cubes of `make quality`: mean ARI 0.810 against 0.765 for `logMax`,
    /// better on 21) and `logMax` on other data (IFU fluxes and reflectance scored lower
    /// with a square root).
    static func transforms(_ given: SpectrumTransform?, data: DataKindDecision?)
        -> (autoencoder: SpectrumTransform, pca: SpectrumTransform, reason: String) {
        if let given { return (given, given, "\(given.rawValue) given") }
        if data?.kind == .counts {
            return (.logMax, .anscombe, "counts: \(SpectrumTransform.anscombe.rawValue) (variance-stabilised, unit norm) for PCA, \(SpectrumTransform.logMax.rawValue) for the autoencoder")
        }
        return (.logMax, .logMax, "not counts: \(SpectrumTransform.logMax.rawValue), the paper's")
    }

    /// Total counts of every pixel over `channels` (negatives, NaN and infinities as 0),
    /// row-major (height, width), in one block pass.
    public static func totalCounts(_ cube: Datacube, channels: Range<Int>) throws -> [Float] {
        try CubeStatistics.measure(cube, channels: channels).totals
    }

    /// The error for a cube none of whose pixels holds a finite value in `channels`.
    static func noData(channels: Range<Int>) -> SegmentationError {
        .invalidData("every value of the cube in channels \(channels.lowerBound)..<\(channels.upperBound) is NaN or infinite: there is no data to segment")
    }

    // MARK: - Prepare

    /// Preprocesses every pixel of `cube` (see the type's description), reading it once in
    /// row blocks; pixels inside a block are processed on all cores.
    ///
    /// - Throws: `SegmentationError.modelMismatch` if the cube's channel count differs from
    ///   the recipe's `sourceChannels`.
    public func prepare(_ source: Datacube) throws -> PreparedSpectra {
        guard source.channels == recipe.sourceChannels else {
            throw SegmentationError.modelMismatch("the recipe expects \(recipe.sourceChannels) channels, the cube has \(source.channels)")
        }
        let bins = recipe.binEdges.count - 1
        let excluded = recipe.excludedChannels ?? []
        guard recipe.cropStart >= 0, recipe.cropEnd <= source.channels, recipe.cropStart < recipe.cropEnd, bins >= 1,
              recipe.binEdges.first == 0, recipe.binEdges.last == recipe.binnedChannelCount,
              excluded.allSatisfy({ (recipe.cropStart..<recipe.cropEnd).contains($0) }),
              zip(excluded, excluded.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw SegmentationError.invalidParameter(name: "preprocessing", reason: "crop \(recipe.cropStart)..<\(recipe.cropEnd), left-out channels and bin edges do not fit a \(source.channels)-channel cube")
        }
        // Channels left out: read a view of the binned ones, whose crop is all of it.
        let cube = excluded.isEmpty ? source : source.selectingChannels(recipe.binnedChannels)
        let r = excluded.isEmpty ? recipe : recipe.onBinnedChannels
        let width = cube.width
        let threshold = r.backgroundThreshold.map { Float($0) }
        // A threshold on neighbourhood levels of signed totals is applied once every pixel's
        // signed total is known: the pass keeps every pixel with data, then drops the rows.
        let radius = (threshold ?? 0) > 0 ? r.backgroundRadius : nil
        let pixelThreshold = radius == nil ? threshold : nil
        var totals = [Float](repeating: 0, count: cube.pixelCount)
        let signedTotals = UnsafeMutableBufferPointer<Float>.allocate(capacity: radius == nil ? 0 : cube.pixelCount)
        signedTotals.initialize(repeating: 0)
        defer { signedTotals.deallocate() }
        // Reserved for every pixel: pages of unused capacity are never touched, and the
        // appends below never reallocate.
        var out: [Float] = []
        out.reserveCapacity(cube.pixelCount * bins)
        var index: [Int32] = []
        index.reserveCapacity(cube.pixelCount)
        var blockOut: [Float] = []
        var blockSignal: [Bool] = []
        var missing = MissingValues()
        let workers = ParallelBlocks.workers

        try cube.forEachRowBlock { rows, values in
            let pixels = rows.count * width
            let first = rows.lowerBound * width
            if blockOut.count < pixels * bins { blockOut = [Float](repeating: 0, count: pixels * bins) }
            if blockSignal.count < pixels { blockSignal = [Bool](repeating: false, count: pixels) }
            let chunks = min(pixels, workers * 4)
            // Per chunk: pixels without data, and non-finite values in the other pixels.
            var bad = [MissingValues](repeating: MissingValues(), count: chunks)
            totals.withUnsafeMutableBufferPointer { tot in
                blockOut.withUnsafeMutableBufferPointer { dst in
                    blockSignal.withUnsafeMutableBufferPointer { sig in
                        bad.withUnsafeMutableBufferPointer { badp in
                            let shared = BlockPointers(values: values, totals: tot.baseAddress! + first,
                                                       signedTotals: radius == nil ? nil : signedTotals.baseAddress! + first,
                                                       out: dst.baseAddress!, signal: sig.baseAddress!,
                                                       bad: badp.baseAddress!)
                            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                                let lo = chunk * pixels / chunks, hi = (chunk + 1) * pixels / chunks
                                shared.bad[chunk] = Self.processPixels(
                                    lo..<hi, values: shared.values, recipe: r, bins: bins, threshold: pixelThreshold,
                                    totals: shared.totals, signedTotals: shared.signedTotals, out: shared.out, signal: shared.signal)
                            }
                        }
                        for m in bad { missing.pixelsWithoutData += m.pixelsWithoutData; missing.nonFiniteValues += m.nonFiniteValues }
                        // Append signal rows in pixel order.
                        for p in 0..<pixels where sig[p] {
                            index.append(Int32(first + p))
                            out.append(contentsOf: UnsafeBufferPointer(rebasing: dst[(p * bins)..<((p + 1) * bins)]))
                        }
                    }
                }
            }
        }
        if let radius, let threshold = r.backgroundThreshold {
            Self.dropBackground(threshold: threshold, radius: radius, signedTotals: Array(signedTotals), width: width,
                                bins: bins, index: &index, spectra: &out)
        }
        let signal = index.count
        return PreparedSpectra(spectra: Matrix(rows: signal, cols: bins, values: out), pixelIndex: index,
                               totals: totals, backgroundCount: cube.pixelCount - signal, missing: missing)
    }

    /// Keeps the rows of `spectra` (row major, `index.count` x `bins`) and the entries of
    /// `index` whose pixel `BackgroundThreshold.readNoiseSignal` finds signal, from the
    /// signed totals (`signedTotals`, row major (height, width)) of the pixels with data
    /// (those of `index`) (`PreprocessingRecipe.backgroundRadius`).
    static func dropBackground(threshold: Double, radius: Int, signedTotals: [Float], width: Int, bins: Int,
                               index: inout [Int32], spectra: inout [Float]) {
        var hasData = [Bool](repeating: false, count: signedTotals.count)
        for p in index { hasData[Int(p)] = true }
        let levels = BackgroundThreshold.readNoiseLevels(signedTotals: signedTotals, hasData: hasData, width: width, radius: radius)
        let signal = BackgroundThreshold.readNoiseSignal(levels: levels, hasData: hasData, width: width, radius: radius,
                                                         threshold: threshold)
        var kept = 0
        spectra.withUnsafeMutableBufferPointer { rows in
            for row in index.indices where signal[Int(index[row])] {
                if kept != row {
                    (rows.baseAddress! + kept * bins).update(from: rows.baseAddress! + row * bins, count: bins)
                    index[kept] = index[row]
                }
                kept += 1
            }
        }
        index.removeLast(index.count - kept)
        spectra.removeLast(spectra.count - kept * bins)
    }

    /// Processes block pixels `range`: writes totals (and signed totals, when asked), signal
    /// flags and (for signal pixels) the prepared spectrum at `out + p * bins`. Returns what
    /// was missing in the range.
    static func processPixels(_ range: Range<Int>, values: UnsafeBufferPointer<Float>, recipe r: PreprocessingRecipe,
                              bins: Int, threshold: Float?, totals: UnsafeMutablePointer<Float>,
                              signedTotals: UnsafeMutablePointer<Float>? = nil,
                              out: UnsafeMutablePointer<Float>, signal: UnsafeMutablePointer<Bool>) -> MissingValues {
        var missing = MissingValues()
        guard !range.isEmpty else { return missing }
        let c = r.sourceChannels, start = r.cropStart, end = r.cropEnd
        let inverseScale = Float(1 / (r.intensityScale ?? 1))
        let pedestal = Float(r.readNoiseVariance ?? 0)
        let wantsSigned = signedTotals != nil
        let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: bins + 1)
        defer { scratch.deallocate() }
        return r.binEdges.withUnsafeBufferPointer { edges -> MissingValues in
            for p in range {
                let src = values.baseAddress! + p * c
                // Total the cropped raw spectrum; count what is not finite.
                var total: Double = 0, signed: Double = 0
                var nonFinite = 0
                for ch in start..<end {
                    let v = src[ch]
                    if !v.isFinite { nonFinite += 1 } else {
                        if v > 0 { total += Double(v) }
                        if wantsSigned { signed += Double(v) }
                    }
                }
                let t = Float(total)
                totals[p] = t
                signedTotals?[p] = Float(signed)
                if nonFinite == end - start {
                    missing.pixelsWithoutData += 1
                    signal[p] = false
                    continue
                }
                missing.nonFiniteValues += nonFinite
                let isSignal = threshold.map { t >= $0 } ?? true
                signal[p] = isSignal
                guard isSignal else { continue }
                // Rebin by summing (negatives and non-finite values as 0; with read noise, see
                // `PreprocessingRecipe.readNoiseVariance`).
                let y = UnsafeMutableBufferPointer(start: out + p * bins, count: bins)
                let crop = src + start
                if pedestal > 0 {
                    // In counts, plus the read noise's variance, each value (then clipped).
                    for b in 0..<bins {
                        var s: Float = 0
                        for ch in edges[b]..<edges[b + 1] where crop[ch].isFinite {
                            s += max(0, crop[ch] * inverseScale + pedestal)
                        }
                        y[b] = s
                    }
                } else {
                    for b in 0..<bins {
                        var s: Float = 0
                        if nonFinite == 0 {
                            for ch in edges[b]..<edges[b + 1] { s += max(0, crop[ch]) }
                        } else {
                            for ch in edges[b]..<edges[b + 1] where crop[ch].isFinite { s += max(0, crop[ch]) }
                        }
                        y[b] = s * inverseScale
                    }
                }
                SpectrumTransforms.apply(r.transform, to: y, scratch: scratch)
                if r.smoothing > 1 { SpectrumTransforms.boxSmooth(y, width: r.smoothing, scratch: scratch) }
            }
            return missing
        }
    }
}

/// The buffers of one row block, shared by the workers of `concurrentPerform`.
/// `@unchecked Sendable` is safe because each worker reads `values` only and writes only
/// its own pixel range of `totals`, `signedTotals`, `out` and `signal` and its own slot of `bad`, and the
/// buffers outlive the `concurrentPerform` call.
private struct BlockPointers: @unchecked Sendable {
    let values: UnsafeBufferPointer<Float>
    let totals: UnsafeMutablePointer<Float>
    let signedTotals: UnsafeMutablePointer<Float>?
    let out: UnsafeMutablePointer<Float>
    let signal: UnsafeMutablePointer<Bool>
    let bad: UnsafeMutablePointer<MissingValues>
}
