import Foundation

/// The per-spectrum steps of preprocessing, in place on one contiguous spectrum.
///
/// Each function works on `UnsafeMutableBufferPointer<Float>` so the hot loop of
/// `Preprocessor` allocates nothing per pixel; `scratch` must hold at least as many floats
/// as the spectrum.
public enum SpectrumTransforms {
    /// The regulariser `r` of the robust transform.
    public static let robustR: Float = 1e-8

    /// Applies `transform` to `x` in place.
    @inlinable
    public static func apply(_ transform: SpectrumTransform, to x: UnsafeMutableBufferPointer<Float>,
                             scratch: UnsafeMutableBufferPointer<Float>) {
        switch transform {
        case .logMax: logMax(x)
        case .anscombe: anscombe(x)
        case .robust: robust(x, scratch: scratch)
        case .identity: break
        }
    }

    /// `y = log(1 + x) / max_j log(1 + x_j)`; a spectrum whose maximum is 0 stays 0.
    /// Expects `x >= 0` (outputs in [0, 1]).
    @inlinable
    public static func logMax(_ x: UnsafeMutableBufferPointer<Float>) {
        var m: Float = 0
        for i in 0..<x.count where x[i] != 0 {  // zeros stay zero: sparse spectra skip the log
            let v = log1p(x[i])
            x[i] = v
            m = max(m, v)
        }
        guard m > 0 else { return }
        let inv = 1 / m
        for i in 0..<x.count { x[i] *= inv }
    }

    /// `y = (sqrt(x + 3/8) - sqrt(3/8)) / ||sqrt(x + 3/8) - sqrt(3/8)||_2`; a spectrum of
    /// zeros stays 0. Expects `x >= 0` (outputs in [0, 1], Euclidean norm 1).
    ///
    /// For photon counts: Anscombe's transform gives Poisson noise the same variance (1/4)
    /// in every channel whatever its mean, which is what PCA and k-means assume; the shift
    /// keeps empty channels at 0, so a dim pixel's many empty channels do not make its
    /// spectrum look flat; the norm (over every channel, so less noisy than a maximum)
    /// removes the pixel's brightness (thickness, illumination).
    @inlinable
    public static func anscombe(_ x: UnsafeMutableBufferPointer<Float>) {
        let offset: Float = 0.375, root = offset.squareRoot()
        var sumSquares: Float = 0
        for i in 0..<x.count where x[i] != 0 {  // zeros stay zero
            let v = (x[i] + offset).squareRoot() - root
            x[i] = v
            sumSquares += v * v
        }
        guard sumSquares > 0 else { return }
        let inv = 1 / sumSquares.squareRoot()
        for i in 0..<x.count { x[i] *= inv }
    }

    /// The paper's robust transform, outputs in [-1, 1] (tanh saturates in Float):
    /// `y = log(1 + (x - m)/(m + r) + r)` with `m` the spectrum mean and `r = 1e-8`,
    /// computed as the algebraically equal `log((x + r)/(m + r) + r)`, whose argument is
    /// positive for every `x >= 0` (a negative or zero argument, possible only for
    /// negative input, is clamped to the smallest normal float before the log). Then the
    /// 25% and 75% quantiles of `y` (linear interpolation between order statistics, as
    /// NumPy's default) are mapped to -1 and +1 by an affine map and `tanh` is applied:
    /// `z = tanh((2y - q25 - q75) / (q75 - q25))`.
    ///
    /// Zero interquartile range (common for sparse spectra, where most channels are 0):
    /// the full range `max(y) - min(y)` replaces `q75 - q25`, keeping the centre
    /// `(q25 + q75)/2`; if that is 0 too (a constant spectrum), the output is all 0.
    @inlinable
    public static func robust(_ x: UnsafeMutableBufferPointer<Float>, scratch: UnsafeMutableBufferPointer<Float>) {
        let n = x.count
        guard n > 0 else { return }
        let r = robustR
        var sum: Float = 0
        for i in 0..<n { sum += x[i] }
        let m = sum / Float(n)
        let denom = m + r
        // Zero channels (most of a sparse spectrum) share one value, computed once.
        let yZero = log(max(Float.leastNormalMagnitude, r / denom + r))
        var lo = Float.infinity, hi = -Float.infinity
        for i in 0..<n {
            let v = x[i] == 0 ? yZero : log(max(Float.leastNormalMagnitude, (x[i] + r) / denom + r))
            x[i] = v
            scratch[i] = v
            lo = min(lo, v); hi = max(hi, v)
        }
        let s = UnsafeMutableBufferPointer(rebasing: scratch[0..<n])
        let q25 = quantile(s, 0.25)
        let q75 = quantile(s, 0.75)
        var spread = q75 - q25
        if !(spread > 0) { spread = hi - lo }
        guard spread > 0 else {
            for i in 0..<n { x[i] = 0 }
            return
        }
        let centre = q25 + q75
        let scale = 1 / spread
        let zZero = tanh((2 * yZero - centre) * scale)
        for i in 0..<n { x[i] = x[i] == yZero ? zZero : tanh((2 * x[i] - centre) * scale) }
    }

    /// Box smoothing along channels, in place: `y_i` = mean of `x_j` for `j` in
    /// `i - (width-1)/2 ... i + width/2`, the window shrunk to the channels that exist at
    /// both ends (so a constant spectrum stays constant). `width <= 1` does nothing.
    @inlinable
    public static func boxSmooth(_ x: UnsafeMutableBufferPointer<Float>, width: Int,
                                 scratch: UnsafeMutableBufferPointer<Float>) {
        let n = x.count
        guard width > 1, n > 1 else { return }
        // scratch[i] = sum of x[0..<i] (prefix sums; needs n + 1 floats).
        var acc: Float = 0
        scratch[0] = 0
        for i in 0..<n { acc += x[i]; scratch[i + 1] = acc }
        let left = (width - 1) / 2, right = width / 2
        for i in 0..<n {
            let a = max(0, i - left), b = min(n - 1, i + right)
            x[i] = (scratch[b + 1] - scratch[a]) / Float(b - a + 1)
        }
    }

    /// The `p` quantile (0...1) of `values`, linear interpolation between order statistics
    /// at position `p * (n - 1)` (NumPy's default). Reorders `values` (quickselect).
    @inlinable
    public static func quantile(_ values: UnsafeMutableBufferPointer<Float>, _ p: Float) -> Float {
        let n = values.count
        precondition(n > 0, "quantile of nothing")
        let pos = p * Float(n - 1)
        let k = min(n - 1, max(0, Int(pos.rounded(.down))))
        let frac = pos - Float(k)
        let a = select(values, k)
        guard frac > 0, k + 1 < n else { return a }
        // The next order statistic is the minimum of what lies after position k.
        var b = Float.infinity
        for i in (k + 1)..<n { b = min(b, values[i]) }
        return a + frac * (b - a)
    }

    /// The k-th smallest element (0-based) of `v`; afterwards `v[k]` holds it, everything
    /// before is <= and everything after is >= (Hoare quickselect, median-of-three pivot).
    @inlinable
    public static func select(_ v: UnsafeMutableBufferPointer<Float>, _ k: Int) -> Float {
        var lo = 0, hi = v.count - 1
        while hi > lo {
            let mid = lo + (hi - lo) / 2
            // Median of three as the pivot value.
            let a = v[lo], b = v[mid], c = v[hi]
            let pivot = max(min(a, b), min(max(a, b), c))
            var i = lo, j = hi
            while i <= j {
                while v[i] < pivot { i += 1 }
                while v[j] > pivot { j -= 1 }
                if i <= j { v.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return v[k] }
        }
        return v[k]
    }
}
