import CubeML
import Foundation

/// A painting-like map of regions over the unit square: a domain-warped Voronoi partition
/// (cells on a jittered grid, boundaries wobbled by a smooth warp field) inside an
/// unpainted margin, with every region class drawn from `0..<classCount`.
struct PaintingLayout: Sendable {
    let seeds: [(x: Double, y: Double)]
    let seedClass: [Int]
    let marginClass: Int
    let margin: Double
    let warp: SmoothField
    let warpY: SmoothField
    let wobble: SmoothField
    let wobbleY: SmoothField
    let warpAmplitude: Double
    let wobbleAmplitude: Double

    /// `grid x grid` cells; every class but `marginClass` gets
    /// `(grid * grid - 1) / (classCount - 1)` cells (at least 1), `marginClass` fills the
    /// margin and the leftover cells.
    init(classCount: Int, grid: Int = 5, marginClass: Int = 0, rng: inout SeededGenerator) {
        var seeds: [(x: Double, y: Double)] = []
        margin = 0.05
        let inner = 1 - 2 * margin
        for gy in 0..<grid {
            for gx in 0..<grid {
                let x = margin + inner * (Double(gx) + 0.2 + 0.6 * rng.nextDouble()) / Double(grid)
                let y = margin + inner * (Double(gy) + 0.2 + 0.6 * rng.nextDouble()) / Double(grid)
                seeds.append((x, y))
            }
        }
        let cells = grid * grid
        var classes: [Int] = []
        let others = (0..<classCount).filter { $0 != marginClass }
        let each = max(1, (cells - 1) / max(1, classCount - 1))
        for c in others { classes += Array(repeating: c, count: each) }
        while classes.count < cells { classes.append(marginClass) }
        classes = Array(classes.prefix(cells))
        classes.shuffle(using: &rng)
        self.seeds = seeds
        self.seedClass = classes
        self.marginClass = marginClass
        self.warp = SmoothField(terms: 5, minFrequency: 1, maxFrequency: 4, rng: &rng)
        self.warpY = SmoothField(terms: 5, minFrequency: 1, maxFrequency: 4, rng: &rng)
        self.wobble = SmoothField(terms: 6, minFrequency: 6, maxFrequency: 12, rng: &rng)
        self.wobbleY = SmoothField(terms: 6, minFrequency: 6, maxFrequency: 12, rng: &rng)
        self.warpAmplitude = 0.07
        self.wobbleAmplitude = 0.012
    }

    /// The class at point (x, y) of the unit square.
    func classAt(x: Double, y: Double) -> Int {
        if x < margin || y < margin || x > 1 - margin || y > 1 - margin { return marginClass }
        let wx = x + warpAmplitude * warp.value(x: x, y: y) + wobbleAmplitude * wobble.value(x: x, y: y)
        let wy = y + warpAmplitude * warpY.value(x: x, y: y) + wobbleAmplitude * wobbleY.value(x: x, y: y)
        var best = Double.infinity, cls = marginClass
        for (i, s) in seeds.enumerated() {
            let dx = wx - s.x, dy = wy - s.y
            let d = dx * dx + dy * dy
            if d < best { best = d; cls = seedClass[i] }
        }
        return cls
    }

    /// Class fractions of pixel (px, py) of a `size x size` image from `sub x sub`
    /// supersamples: the majority class, and the runner-up with its fraction (0 if none).
    func pixel(px: Int, py: Int, size: Int, sub: Int = 3) -> (main: Int, other: Int, otherFraction: Double) {
        let n = sub * sub
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: n) { cls in
            for sy in 0..<sub {
                for sx in 0..<sub {
                    let x = (Double(px) + (Double(sx) + 0.5) / Double(sub)) / Double(size)
                    let y = (Double(py) + (Double(sy) + 0.5) / Double(sub)) / Double(size)
                    cls[sy * sub + sx] = classAt(x: x, y: y)
                }
            }
            // Most frequent class (ties: the smaller class), then the runner-up.
            func count(_ c: Int) -> Int { var k = 0; for i in 0..<n where cls[i] == c { k += 1 }; return k }
            var main = cls[0], mainCount = 0
            for i in 0..<n {
                let k = count(cls[i])
                if k > mainCount || (k == mainCount && cls[i] < main) { main = cls[i]; mainCount = k }
            }
            var other = main, otherCount = 0
            for i in 0..<n where cls[i] != main {
                let k = count(cls[i])
                if k > otherCount || (k == otherCount && cls[i] < other) { other = cls[i]; otherCount = k }
            }
            return (main, other, Double(otherCount) / Double(n))
        }
    }
}

/// A smooth random field on the unit square: a sum of plane cosines with random
/// directions, frequencies (cycles per unit) and phases, scaled to lie in [-1, 1].
struct SmoothField: Sendable {
    let fx: [Double], fy: [Double], phase: [Double], amplitude: [Double]

    init(terms: Int, minFrequency: Double, maxFrequency: Double, rng: inout SeededGenerator) {
        var fx: [Double] = [], fy: [Double] = [], ph: [Double] = [], am: [Double] = []
        for _ in 0..<terms {
            let angle = 2 * Double.pi * rng.nextDouble()
            let f = minFrequency + (maxFrequency - minFrequency) * rng.nextDouble()
            fx.append(f * cos(angle)); fy.append(f * sin(angle))
            ph.append(2 * Double.pi * rng.nextDouble())
            am.append(0.5 + rng.nextDouble())
        }
        let total = am.reduce(0, +)
        self.fx = fx; self.fy = fy; self.phase = ph; self.amplitude = am.map { $0 / total }
    }

    func value(x: Double, y: Double) -> Double {
        var s = 0.0
        for k in 0..<fx.count { s += amplitude[k] * cos(2 * Double.pi * (fx[k] * x + fy[k] * y) + phase[k]) }
        return s
    }
}
