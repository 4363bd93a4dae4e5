// libFuzzer entry point for the ENVI header parser (built by scripts/fuzz.sh).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzENVIHeader(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let header = try? ENVIHeader.parse(text) {
        precondition(header.headerOffset >= 0, "negative header offset")
        if let w = header.wavelengths { precondition(w.count == header.bands, "wavelength count") }
    }
    return 0
}
