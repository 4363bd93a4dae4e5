/// Mean squared error over all elements, `L = (1/N) Σ (y - t)²` with N = `count`.
enum MSELoss {
    /// The loss (accumulated in double precision per row chunk); when `gradient` is given it
    /// receives dL/dy = 2 (y - t) / N.
    static func forwardBackward(output y: UnsafePointer<Float>, target t: UnsafePointer<Float>, count: Int,
                                gradient g: UnsafeMutablePointer<Float>?) -> Double {
        guard count > 0 else { return 0 }
        let scale = Float(2.0 / Double(count))
        var total: Double = 0
        var start = 0
        while start < count {
            let end = min(start + 1024, count)
            var partial: Float = 0
            if let g {
                for i in start..<end {
                    let d = y[i] - t[i]
                    partial += d * d
                    g[i] = scale * d
                }
            } else {
                for i in start..<end { let d = y[i] - t[i]; partial += d * d }
            }
            total += Double(partial)
            start = end
        }
        return total / Double(count)
    }

    /// The loss of a sigmoid output layer and, fused, the gradient with respect to the
    /// sigmoid's pre-activation: dL/dx = 2 (y - t) / N * y (1 - y), written into `gradient`.
    static func sigmoidForwardBackward(output y: UnsafePointer<Float>, target t: UnsafePointer<Float>, count: Int,
                                       preActivationGradient g: UnsafeMutablePointer<Float>) -> Double {
        guard count > 0 else { return 0 }
        let scale = Float(2.0 / Double(count))
        var total: Double = 0
        var start = 0
        while start < count {
            let end = min(start + 1024, count)
            var partial: Float = 0
            for i in start..<end {
                let v = y[i]
                let d = v - t[i]
                partial += d * d
                g[i] = scale * d * v * (1 - v)
            }
            total += Double(partial)
            start = end
        }
        return total / Double(count)
    }
}
