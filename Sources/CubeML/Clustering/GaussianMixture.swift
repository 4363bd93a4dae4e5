import Foundation

/// A Gaussian mixture with one full covariance matrix per component, fitted by expectation-
/// maximisation from a hard partition (k-means's), and the hard labels it gives: each row's
/// most probable component.
///
/// k-means gives every cluster the same round spread; a mixture lets each have its own size
/// and shape (a faint region's larger noise, a stretch along a continuous change such as a
/// velocity or a population mix). Internally in Double, on data centred on their mean.
/// Rows are processed in fixed blocks and per-block sums are added in block order, so the
/// result does not depend on the number of threads.
struct GaussianMixture: Sendable {
    /// The fitted mixture's hard partition.
    struct Fit: Sendable, Equatable {
        /// Most probable component of every row, 0..<k.
        var labels: [Int32]
        /// Mean of the rows of each label (k x d, row major): the centroids a nearest-centroid
        /// step (spatial regularisation, an applied model) uses.
        var centroids: Matrix
        /// Mean log-likelihood per row of the last iteration (natural log, data units).
        var meanLogLikelihood: Double
        /// EM iterations run.
        var iterations: Int
        /// The fitted mixture, which labels other rows (`labels(_:model:)`).
        var model: Model
    }

    /// A fitted mixture: the centre its data were taken about (d values) and its parameters
    /// in centred coordinates.
    struct Model: Sendable, Equatable {
        var centre: [Double]
        var parameters: Parameters
    }

    /// Rows per block of the E-step; fixed, so sums do not depend on the thread count.
    static let blockRows = 1024

    /// Fits a `k`-component mixture to the rows of `x` (n x d), starting from `labels`
    /// (0..<k, every label used), and returns its hard labels. Covariances get
    /// `regularisation` times the data's total variance added to their diagonal.
    ///
    /// Stops when the mean log-likelihood gains less than `tolerance` or after
    /// `maxIterations`. Nil when the mixture degenerates (a component loses all its weight
    /// or its rows, or a covariance is not positive definite), so the caller keeps its
    /// partition.
    static func fit(_ x: Matrix, labels: [Int32], k: Int, maxIterations: Int = 100, tolerance: Double = 1e-3,
                    regularisation: Double = 1e-6) -> Fit? {
        let n = x.rows, d = x.cols
        guard k >= 1, n > k, d >= 1, labels.count == n else { return nil }
        // Centre the data (raw second moments are then well conditioned).
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for a in 0..<d { mean[a] += Double(x.storage[i * d + a]) } }
        for a in 0..<d { mean[a] /= Double(n) }
        let z = centred(x, about: mean)
        var total = 0.0
        for v in z { total += v * v }
        total /= Double(n)
        guard total > 0, total.isFinite else { return nil }
        let reg = regularisation * total

        // Initial parameters: each label's share, mean and covariance.
        var stats = Moments(k: k, d: d)
        for i in 0..<n {
            let j = Int(labels[i])
            guard j >= 0, j < k else { return nil }
            stats.add(row: z, at: i, component: j, weight: 1)
        }
        guard var params = Parameters(stats, n: n, regularisation: reg) else { return nil }

        var previous = -Double.infinity
        var iterations = 0
        var meanLogLikelihood = -Double.infinity
        while iterations < maxIterations {
            guard let step = expectation(z, n: n, d: d, params: params, wantLabels: false) else { return nil }
            iterations += 1
            meanLogLikelihood = step.logLikelihood / Double(n)
            guard let next = Parameters(step.moments, n: n, regularisation: reg) else { return nil }
            params = next
            if meanLogLikelihood - previous < tolerance { break }
            previous = meanLogLikelihood
        }
        guard let last = expectation(z, n: n, d: d, params: params, wantLabels: true) else { return nil }
        let hard = last.labels
        // Centroids of the hard partition, in the data's own coordinates.
        var sums = [Double](repeating: 0, count: k * d)
        var counts = [Int](repeating: 0, count: k)
        for i in 0..<n {
            let j = Int(hard[i]); counts[j] += 1
            for a in 0..<d { sums[j * d + a] += z[i * d + a] }
        }
        guard counts.allSatisfy({ $0 > 0 }) else { return nil }
        var centroids = Matrix(rows: k, cols: d)
        for j in 0..<k { for a in 0..<d { centroids.storage[j * d + a] = Float(sums[j * d + a] / Double(counts[j]) + mean[a]) } }
        return Fit(labels: hard, centroids: centroids, meanLogLikelihood: meanLogLikelihood, iterations: iterations,
                   model: Model(centre: mean, parameters: params))
    }

    /// The most likely of the mixtures EM reaches from `starts` (partitions of the rows of
    /// `x`, n x d, each 0..<k with every label used). Each start runs `trialIterations`
    /// iterations on at most `trialRows` rows (a random sample drawn with `seed`); the most
    /// likely trial labels every row and EM runs on from there to convergence (from its own
    /// start's partition should that degenerate). When every trial on the sample
    /// degenerates, the trials run on every row. Nil when every start degenerates.
    static func mostLikely(_ x: Matrix, starts: [[Int32]], k: Int, trialIterations: Int, trialRows: Int,
                           seed: UInt64) -> Fit? {
        let sample = x.rows > trialRows ? TrainingSample.indices(count: trialRows, of: x.rows, seed: seed) : nil
        let trialData = sample.map { x.gatherRows($0) } ?? x
        var best: (fit: Fit, start: Int)?
        for (index, start) in starts.enumerated() where start.count == x.rows {
            let labels = sample.map { $0.map { start[$0] } } ?? start
            guard let trial = fit(trialData, labels: labels, k: k, maxIterations: trialIterations) else { continue }
            if best == nil || trial.meanLogLikelihood > best!.fit.meanLogLikelihood { best = (trial, index) }
        }
        guard let best else {
            // A small cluster may have no row in the sample: then every start runs on all rows.
            return sample == nil ? nil : mostLikely(x, starts: starts, k: k, trialIterations: trialIterations,
                                                     trialRows: x.rows, seed: seed)
        }
        let labels = sample == nil ? best.fit.labels : Self.labels(x, model: best.fit.model)
        if let labels, let fit = fit(x, labels: labels, k: k) { return fit }
        return fit(x, labels: starts[best.start], k: k)
    }

    /// Each row's most probable component under `model` (the rows of `x`, n x d, in the
    /// coordinates the model was fitted in); nil when a likelihood is not finite.
    static func labels(_ x: Matrix, model: Model) -> [Int32]? {
        guard x.rows > 0, x.cols == model.parameters.d, model.centre.count == x.cols else { return nil }
        return expectation(centred(x, about: model.centre), n: x.rows, d: x.cols, params: model.parameters,
                           wantLabels: true)?.labels
    }

    /// The rows of `x` (n x d) less `centre`, in Double, row major.
    static func centred(_ x: Matrix, about centre: [Double]) -> [Double] {
        let n = x.rows, d = x.cols
        var z = [Double](repeating: 0, count: n * d)
        for i in 0..<n { for a in 0..<d { z[i * d + a] = Double(x.storage[i * d + a]) - centre[a] } }
        return z
    }

    /// Weighted zeroth, first and raw second moments per component.
    struct Moments {
        let k: Int, d: Int
        var weight: [Double]
        var first: [Double]
        /// Upper triangle used (a <= b), k x d x d.
        var second: [Double]

        init(k: Int, d: Int) {
            self.k = k; self.d = d
            weight = [Double](repeating: 0, count: k)
            first = [Double](repeating: 0, count: k * d)
            second = [Double](repeating: 0, count: k * d * d)
        }

        /// Adds row `i` of `z` (n x d, row major) to component `j` with weight `r`.
        mutating func add(row z: [Double], at i: Int, component j: Int, weight r: Double) {
            z.withUnsafeBufferPointer { add(row: UnsafeMutablePointer(mutating: $0.baseAddress! + i * d), component: j, weight: r) }
        }

        /// Adds the row of `d` values at `z` to component `j` with weight `r`.
        mutating func add(row z: UnsafeMutablePointer<Double>, component j: Int, weight r: Double) {
            weight[j] += r
            first.withUnsafeMutableBufferPointer { f in
                second.withUnsafeMutableBufferPointer { sc in
                    for a in 0..<d {
                        let ra = r * z[a]
                        f[j * d + a] += ra
                        let s = (j * d + a) * d
                        for b in a..<d { sc[s + b] += ra * z[b] }
                    }
                }
            }
        }

        mutating func add(_ o: Moments) {
            for t in weight.indices { weight[t] += o.weight[t] }
            for t in first.indices { first[t] += o.first[t] }
            for t in second.indices { second[t] += o.second[t] }
        }
    }

    /// Mixing weights, means and the Cholesky factors of the covariances.
    struct Parameters: Sendable, Equatable {
        let k: Int, d: Int
        var means: [Double]
        /// Lower-triangular Cholesky factor of each covariance (k x d x d, row major).
        var cholesky: [Double]
        /// log(weight) - (d log(2 pi) + log det covariance) / 2, per component.
        var constant: [Double]

        /// The M-step: nil when a component has lost its weight or its covariance is not
        /// positive definite.
        init?(_ m: Moments, n: Int, regularisation reg: Double) {
            k = m.k; d = m.d
            means = [Double](repeating: 0, count: k * d)
            cholesky = [Double](repeating: 0, count: k * d * d)
            constant = [Double](repeating: 0, count: k)
            let minimumWeight = 1e-9 * Double(n)
            for j in 0..<k {
                let w = m.weight[j]
                guard w > minimumWeight, w.isFinite else { return nil }
                for a in 0..<d { means[j * d + a] = m.first[j * d + a] / w }
                var cov = [Double](repeating: 0, count: d * d)
                for a in 0..<d {
                    for b in a..<d {
                        let v = m.second[(j * d + a) * d + b] / w - means[j * d + a] * means[j * d + b]
                        cov[a * d + b] = v; cov[b * d + a] = v
                    }
                    cov[a * d + a] += reg
                }
                guard let l = Self.choleskyFactor(cov, d: d) else { return nil }
                var logDet = 0.0
                for a in 0..<d { logDet += 2 * log(l[a * d + a]) }
                for t in 0..<(d * d) { cholesky[j * d * d + t] = l[t] }
                constant[j] = log(w / Double(n)) - 0.5 * (Double(d) * log(2 * Double.pi) + logDet)
            }
        }

        /// Lower-triangular L with L L^T = a (d x d, row major); nil unless positive definite.
        static func choleskyFactor(_ a: [Double], d: Int) -> [Double]? {
            var l = [Double](repeating: 0, count: d * d)
            for i in 0..<d {
                for j in 0...i {
                    var s = a[i * d + j]
                    for t in 0..<j { s -= l[i * d + t] * l[j * d + t] }
                    if i == j {
                        guard s > 0, s.isFinite else { return nil }
                        l[i * d + i] = s.squareRoot()
                    } else {
                        l[i * d + j] = s / l[j * d + j]
                    }
                }
            }
            return l
        }
    }

    /// Responsibilities below this add nothing to the moments (their rows lie far out in
    /// that component's tail; skipping them keeps the M-step's sums at about one component
    /// per row instead of k).
    static let negligibleResponsibility = 1e-12

    /// log(weight_j N(row | mean_j, covariance_j)) of one centred row (d values) for every
    /// component j, written to `logp` (k values); returns the most probable component.
    /// `scratch` holds d values.
    @inline(__always)
    static func componentLogDensities(_ row: UnsafePointer<Double>, k: Int, d: Int, means: UnsafePointer<Double>,
                                      cholesky: UnsafePointer<Double>, constant: [Double],
                                      scratch y: UnsafeMutablePointer<Double>, into logp: UnsafeMutablePointer<Double>) -> Int {
        var best = 0
        for j in 0..<k {
            // Solve L y = z_i - mean_j; the Mahalanobis distance is |y|^2.
            let l = cholesky + j * d * d, mu = means + j * d
            var maha = 0.0
            for a in 0..<d {
                var s = row[a] - mu[a]
                let la = l + a * d
                for t in 0..<a { s -= la[t] * y[t] }
                let v = s / la[a]
                y[a] = v
                maha += v * v
            }
            logp[j] = constant[j] - 0.5 * maha
            if logp[j] > logp[best] { best = j }
        }
        return best
    }

    /// log(weight_j N(x_i | component j)) under `model` for every row of `x` (n x d, in the
    /// coordinates the model was fitted in): n x k, row major; nil when a value is not finite.
    static func logDensities(_ x: Matrix, model: Model) -> [Double]? {
        let p = model.parameters, n = x.rows, d = x.cols, k = p.k
        guard d == p.d, model.centre.count == d else { return nil }
        let z = centred(x, about: model.centre)
        var out = [Double](repeating: 0, count: n * k)
        var y = [Double](repeating: 0, count: d)
        z.withUnsafeBufferPointer { zb in
            p.means.withUnsafeBufferPointer { mb in
                p.cholesky.withUnsafeBufferPointer { cb in
                    y.withUnsafeMutableBufferPointer { yb in
                        out.withUnsafeMutableBufferPointer { ob in
                            for i in 0..<n {
                                _ = componentLogDensities(zb.baseAddress! + i * d, k: k, d: d, means: mb.baseAddress!,
                                                          cholesky: cb.baseAddress!, constant: p.constant,
                                                          scratch: yb.baseAddress!, into: ob.baseAddress! + i * k)
                            }
                        }
                    }
                }
            }
        }
        return out.allSatisfy(\.isFinite) ? out : nil
    }

    /// The E-step over every row: the moments weighted by the responsibilities, the total
    /// log-likelihood and (when asked) each row's most probable component.
    static func expectation(_ z: [Double], n: Int, d: Int, params p: Parameters, wantLabels: Bool)
        -> (moments: Moments, logLikelihood: Double, labels: [Int32])? {
        let k = p.k
        let blocks = ParallelBlocks.blockCount(count: n, blockSize: blockRows)
        var partial = [Moments](repeating: Moments(k: k, d: d), count: blocks)
        var partialLL = [Double](repeating: 0, count: blocks)
        var labels = [Int32](repeating: 0, count: wantLabels ? n : 0)
        z.withUnsafeBufferPointer { zb in
        p.means.withUnsafeBufferPointer { mb in
        p.cholesky.withUnsafeBufferPointer { cb in
        partial.withUnsafeMutableBufferPointer { pm in
            partialLL.withUnsafeMutableBufferPointer { pl in
                labels.withUnsafeMutableBufferPointer { lb in
                    let moments = SharedPointer(pm.baseAddress!), lls = SharedPointer(pl.baseAddress!)
                    let out = wantLabels ? SharedPointer(lb.baseAddress!) : nil
                    let zp = SharedPointer(UnsafeMutablePointer(mutating: zb.baseAddress!))
                    let means = SharedPointer(UnsafeMutablePointer(mutating: mb.baseAddress!))
                    let chol = SharedPointer(UnsafeMutablePointer(mutating: cb.baseAddress!))
                    let constant = p.constant
                    // Each block writes only its own partial and its own rows' labels.
                    ParallelBlocks.run(count: n, blockSize: blockRows) { b, rows, _ in
                        var m = Moments(k: k, d: d)
                        var ll = 0.0
                        var diff = [Double](repeating: 0, count: d)
                        var logp = [Double](repeating: 0, count: k)
                        diff.withUnsafeMutableBufferPointer { y in
                        logp.withUnsafeMutableBufferPointer { lp in
                            for i in rows {
                                let row = zp.base + i * d
                                let best = componentLogDensities(row, k: k, d: d, means: means.base, cholesky: chol.base,
                                                                 constant: constant, scratch: y.baseAddress!, into: lp.baseAddress!)
                                let top = lp[best]
                                var sum = 0.0
                                for j in 0..<k { sum += exp(lp[j] - top) }
                                let rowLL = top + log(sum)
                                ll += rowLL
                                for j in 0..<k {
                                    let r = exp(lp[j] - rowLL)
                                    if r > negligibleResponsibility { m.add(row: row, component: j, weight: r) }
                                }
                                if let out { out.base[i] = Int32(best) }
                            }
                        }
                        }
                        moments.base[b] = m
                        lls.base[b] = ll
                    }
                }
            }
        }
        }
        }
        }
        var total = Moments(k: k, d: d)
        var ll = 0.0
        for b in 0..<blocks { total.add(partial[b]); ll += partialLL[b] }
        guard ll.isFinite else { return nil }
        return (total, ll, labels)
    }
}
