import ArgumentParser
import CubeFormats
import CubeSynth
import Foundation

/// `cubeseg synth maxrf|ifu OUT.npy`: a realistic synthetic cube with its ground truth.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write a synthetic cube (OUT.npy, float32 height x width x channels) its ground truth (OUT_labels.npy, int32) and its spectral axis (OUT_axis.json).")

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        /// Macro X-ray fluorescence scan of a painting: pigments as element line mixtures, Poisson counts.
        case maxrf
        /// Integral-field spectrograph cube of a galaxy: continuum, emission lines, rotation.
        case ifu
    }

    @Argument(help: "maxrf (X-ray fluorescence scan of a painting) or ifu (integral-field cube of a galaxy).")
    var kind: Kind
    @Argument(help: "Output .npy path; the labels go to the same name with _labels.")
    var out: String
    @Option(help: "Image side in pixels (square).") var size: Int = 128
    @Option(help: "Spectral channels.") var channels: Int = 1024
    @Option(help: "Mean total counts per pixel (maxrf default 120; ifu: continuum level).") var counts: Double?
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(help: "maxrf: classes, the ground and pigments (3...12, default 7).") var classes: Int = 7
    @Flag(help: "maxrf: the last class covers about 1% of the pixels.") var rareClass = false
    @Flag(help: "maxrf: the last class is a dark material holding few counts.") var darkClass = false
    @Option(help: "maxrf: fraction of pixels mixing 35% of another pigment into their own (default 0).") var mixing: Double = 0
    @Option(help: "maxrf: amplitude of a smooth intensity gain across the image, counts times exp(v * field) (default 0).") var intensityVariation: Double = 0
    @Option(help: "maxrf: multiplier of the scattered tube radiation every pixel shares (default 1).") var scatter: Double = 1

    func validate() throws {
        guard (2...8192).contains(size) else { throw ValidationError("--size must be in 2...8192, got \(size)") }
        guard (8...65_536).contains(channels) else { throw ValidationError("--channels must be in 8...65536, got \(channels)") }
        if let counts, !(counts > 0 && counts.isFinite) { throw ValidationError("--counts must be a positive number, got \(counts)") }
        guard MAXRFOptions.classRange.contains(classes) else { throw ValidationError("--classes must be in 3...12, got \(classes)") }
        guard (0...1).contains(mixing) else { throw ValidationError("--mixing must be in 0...1, got \(mixing)") }
        guard intensityVariation >= 0 && intensityVariation <= 5 else { throw ValidationError("--intensity-variation must be in 0...5, got \(intensityVariation)") }
        guard scatter > 0 && scatter <= 100 else { throw ValidationError("--scatter must be in (0, 100], got \(scatter)") }
        guard out.hasSuffix(".npy") else { throw ValidationError("the output must end in .npy, got \(out)") }
    }

    func run() throws {
        try failingWithOneLine {
            let synthetic: SyntheticCube
            switch kind {
            case .maxrf:
                let options = MAXRFOptions(classes: classes, rareClass: rareClass, darkClass: darkClass, mixing: mixing,
                                           intensityVariation: intensityVariation, scatter: scatter)
                synthetic = SyntheticCubes.maxrf(size: size, channels: channels, counts: counts ?? 120, seed: seed, options: options)
            case .ifu: synthetic = counts.map { SyntheticCubes.ifu(size: size, channels: channels, counts: $0, seed: seed) }
                ?? SyntheticCubes.ifu(size: size, channels: channels, seed: seed)
            }
            let url = URL(fileURLWithPath: out)
            try synthetic.write(to: url)
            let c = synthetic.cube
            print("Wrote \(out) (\(c.height) x \(c.width) x \(c.channels) float32, axis \(c.axis.values.first ?? 0)...\(c.axis.values.last ?? 0) \(c.axis.unit.rawValue) in \(AxisCalibration.sidecarURL(for: url).lastPathComponent), which segment reads) and its labels: \(synthetic.classNames.count) classes (\(synthetic.classNames.joined(separator: ", "))).")
        }
    }
}
