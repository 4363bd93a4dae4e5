// libFuzzer entry point for the .npy header parser (built by scripts/fuzz.sh).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNumPyHeader(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    if let header = try? NumPyHeader.parse(bytes) {
        precondition(header.dataOffset >= 10 && header.dataOffset <= size, "data offset outside the input")
        precondition(header.shape.allSatisfy { $0 >= 0 }, "negative shape")
    }
    return 0
}
