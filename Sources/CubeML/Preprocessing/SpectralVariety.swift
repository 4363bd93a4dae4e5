import CubeFormats

/// Whether a cube holds anything to segment: at least two pixels whose spectra differ, with
/// finite values. An all-zero or constant cube gives one cluster whatever K is asked for (and
/// a silhouette of 1), so it is refused before any training with the reason.
public enum SpectralVariety {
    /// Why `cube` cannot be segmented, or nil when it can. Reads pixels until two differ: one
    /// or two rows for a real cube, the whole cube only when it is constant.
    public static func problem(in cube: Datacube) throws -> String? {
        let c = cube.channels
        var first: [Float]? = nil
        var finiteSeen = false
        struct Found: Error {}
        do {
            try cube.forEachRowBlock { _, values in
                let pixels = values.count / c
                for p in 0..<pixels {
                    let s = UnsafeBufferPointer(rebasing: values[(p * c)..<((p + 1) * c)])
                    guard s.allSatisfy({ $0.isFinite }) else { continue }
                    finiteSeen = true
                    guard let reference = first else { first = Array(s); continue }
                    if !reference.elementsEqual(s) { throw Found() }
                }
            }
        } catch is Found {
            return nil
        }
        guard finiteSeen, let reference = first else {
            return "no pixel of this cube has a finite spectrum (every one holds NaN or infinity)"
        }
        let constant = reference.allSatisfy { $0 == 0 } ? "all values 0" : "the same \(c) values everywhere"
        return "every pixel of this cube has the same spectrum (\(constant)): there is nothing to segment"
    }
}
