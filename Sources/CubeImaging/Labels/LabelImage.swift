import Foundation

/// PNGs of label maps (row-major (height, width) Int32 labels, -1 for background).
///
/// Both styles store the label itself as the pixel value, with 255 for background, so
/// labels must be in -1 ... 254 (K <= 255):
/// - `indexed`: an indexed-colour PNG whose 256-entry palette maps index k to
///   `palette.color(forLabel: k)` and index 255 to the palette's background (transparent
///   through tRNS when the background's alpha is below 255). It looks right in any viewer
///   and a program still reads labels from the indices.
/// - `rawIndex`: an 8-bit grayscale PNG whose grey value is the label.
public enum LabelImage {
    /// The pixel value of background (label -1) in both styles.
    public static let backgroundIndex: UInt8 = 255
    /// The largest label either style can store.
    public static let maximumLabel = 254

    /// An indexed-colour PNG of `labels`. See the type for the layout.
    public static func indexed(labels: [Int32], width: Int, height: Int, palette: Palette = .categorical,
                               text: [PNG.TextEntry] = [], encoder: PNG.Encoder = PNG.Encoder()) throws -> [UInt8] {
        let indices = try pixelValues(labels: labels, width: width, height: height)
        var colors = (0..<255).map { palette.color(forLabel: $0) }
        colors.append(palette.background)
        return try encoder.encode(.indexed(width: width, height: height, indices: indices, palette: colors, text: text))
    }

    /// An 8-bit grayscale PNG whose grey value is the label (255: background).
    public static func rawIndex(labels: [Int32], width: Int, height: Int, text: [PNG.TextEntry] = [],
                                encoder: PNG.Encoder = PNG.Encoder()) throws -> [UInt8] {
        let values = try pixelValues(labels: labels, width: width, height: height)
        return try encoder.encode(.grayscale(width: width, height: height, pixels: values, text: text))
    }

    /// Labels as pixel values: k -> k, -1 -> 255. Throws on a size mismatch or a label
    /// outside -1 ... 254.
    public static func pixelValues(labels: [Int32], width: Int, height: Int) throws -> [UInt8] {
        guard width > 0, height > 0, labels.count == width * height else {
            throw ImagingError.sizeMismatch(count: labels.count, width: width, height: height)
        }
        var out = [UInt8](repeating: 0, count: labels.count)
        for (i, label) in labels.enumerated() {
            guard label >= -1, label <= Int32(maximumLabel) else {
                throw ImagingError.labelOutOfRange(label: label, x: i % width, y: i / width, maximum: maximumLabel)
            }
            out[i] = label < 0 ? backgroundIndex : UInt8(label)
        }
        return out
    }
}
