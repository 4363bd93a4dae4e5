// libFuzzer entry point for the ripple (.rpl) header parser (built by scripts/fuzz.sh).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRPLHeader(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let header = try? RPLHeader.parse(text) {
        precondition(header.offset >= 0, "negative offset")
        // The axis is built only for plausible depths (the reader validates the shape first).
        if (1...4096).contains(header.depth) { precondition(header.axis().values.count == header.depth, "axis length") }
    }
    return 0
}
