import Foundation

/// HyperSpy's own files (`.hspy`, written by HyperSpy and rosettasciio): HDF5 whose root
/// attribute `file_format` is "HyperSpy"; each signal is the dataset `data` of a group
/// `/Experiments/<title>`, and array dimension i (outermost first) is described by the
/// attributes of the sibling group `axis-<i>`: `name`, `units`, `offset`, `scale`, `size`,
/// `navigate`. Channel i of a uniform axis is at `offset + i * scale`.
enum HyperSpyLayout {
    /// Whether the file says it is HyperSpy's.
    static func isHyperSpy(_ file: HDF5File) -> Bool {
        file.stringAttribute("file_format", of: "/")?.first?.lowercased() == "hyperspy"
    }

    /// The first 3-D `data` dataset under `/Experiments`, when the file is HyperSpy's.
    static func signal(_ file: HDF5File) throws -> String? {
        guard isHyperSpy(file) else { return nil }
        for group in try file.groups() where group.hasPrefix("/Experiments/") && !group.dropFirst(13).contains("/") {
            if let info = try? file.datasetInfo(group + "/data"), info.shape.count == 3 { return info.path }
        }
        return nil
    }

    /// The stored order and spectral axis of the 3-D dataset at `dataset`, from its `axis-<i>`
    /// groups; nil when they are not there. The channel dimension is the one axis whose
    /// units are spectral (energy, wavelength, frequency, velocity), else the last one (a
    /// 1-D signal's axis, which HyperSpy stores innermost).
    static func calibration(_ file: HDF5File, dataset: String, shape: [Int]) -> (order: AxisOrder, axis: SpectralAxis)? {
        let group = (dataset as NSString).deletingLastPathComponent
        let axes = (0..<3).map { group + "/axis-\($0)" }
        let units = axes.map { file.stringAttribute("units", of: $0)?.first }
        guard axes.allSatisfy({ file.numberAttribute("scale", of: $0) != nil }) else { return nil }
        let spectral = (0..<3).filter { d in
            guard let u = units[d], let parsed = SpectralUnitName.parse(u) else { return false }
            return [.energy, .wavelength, .frequency, .velocity].contains(parsed.quantity)
        }
        let channelDim = spectral.count == 1 ? spectral[0] : 2
        let scale = file.numberAttribute("scale", of: axes[channelDim]) ?? 1
        let offset = file.numberAttribute("offset", of: axes[channelDim]) ?? 0
        let values = (0..<shape[channelDim]).map { offset + Double($0) * scale }
        let axis = SpectralUnitName.axis(values: values, unitName: units[channelDim], fallback: (.channel, .index))
        return ([AxisOrder.cyx, .ycx, .yxc][channelDim], axis)
    }
}
