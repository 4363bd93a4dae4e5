/// Energy resolution of a silicon drift detector, shared by smoothing and peak naming.
///
/// FWHM(E) = sqrt(N² + 2.3548² · F · ε · E), all in keV, with electronic-noise FWHM N = 0.100 keV,
/// Fano factor F = 0.114 and ε = 3.65 eV per electron-hole pair in Si: about 0.11 keV at 1 keV,
/// 0.15 keV at Mn Ka (5.9 keV), 0.18 keV at 10 keV and 0.29 keV at 32 keV. Typical SDDs in
/// MA-XRF scanners are at, or somewhat better than, these numbers.
enum DetectorResolution {
    static let noiseFWHM = 0.100
    static let fanoFactor = 0.114
    static let pairEnergy = 0.00365

    /// FWHM in keV of a line at `energy` keV (negative energies count as 0).
    static func fwhm(at energy: Double) -> Double {
        (noiseFWHM * noiseFWHM + 2.3548 * 2.3548 * fanoFactor * pairEnergy * max(energy, 0)).squareRoot()
    }
}
