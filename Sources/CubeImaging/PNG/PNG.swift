/// Portable Network Graphics (ISO/IEC 15948): a namespace for the encoder, the decoder and
/// the image they exchange. Codecs work on bytes only and never touch the file system.
public enum PNG {
    /// The eight bytes every PNG file starts with.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
}
