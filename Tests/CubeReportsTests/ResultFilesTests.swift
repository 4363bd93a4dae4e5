import CubeImaging
import CubeML
import Foundation
import Testing
@testable import CubeReports

@Suite struct ResultFilesTests {
    let result = SampleResult.make()
    let cube = CubeSummary(name: "sample.fits", format: "fits", height: 3, width: 4, channels: 5, dtype: "float32",
                           axisUnit: "eV", sha256: String(repeating: "ab", count: 32))

    func object(_ data: Data?) throws -> [String: Any] {
        let bytes = try #require(data)
        return try #require(JSONSerialization.jsonObject(with: bytes) as? [String: Any])
    }

    @Test func everyFileIsProducedAndNothingElse() throws {
        let files = try ResultFiles.contents(of: result, cube: cube)
        let expected = ["clusters.json", "labels.json", "labels.npy", "labels.png", "labels_index.png", "labels_index_k2.png",
                        "labels_index_k3.png", "labels_k2.png", "labels_k3.png", "model.json", "report.json", "scores.json",
                        "scores.png", "spectra.png"]
        #expect(files.keys.sorted() == expected)
        #expect(ResultFiles.fileNames(for: result) == expected)
        #expect(files["labels.png"] == files["labels_k3.png"])
        #expect(files["labels_index.png"] == files["labels_index_k3.png"])
    }

    @Test("labels.png is the enlarged map in the labels' colours with a legend swatch per cluster")
    func paletteLabelPNGsAreFiguresWithALegend() throws {
        let files = try ResultFiles.contents(of: result)
        let s = LabelFigure.scale(width: 4, height: 3)
        #expect(s == 8)
        for (k, labels) in [(2, SampleResult.labels2), (3, SampleResult.labels3)] {
            let image = try PNG.Decoder().decode(try #require(files["labels_k\(k).png"]))
            #expect(image.width > 8 + 4 * s + 8 + 24 && image.height >= 24 + 3 * s)
            for (i, label) in labels.enumerated() {
                // The centre of each enlarged pixel (the map starts at (8, 24)).
                let colour = image.color(x: 8 + (i % 4) * s + s / 2, y: 24 + (i / 4) * s + s / 2)
                #expect(colour == (label < 0 ? Palette.categorical.background : Palette.categorical.color(forLabel: Int(label))))
            }
            // One legend swatch per cluster, right of the map, in the cluster's colour.
            for label in 0..<k {
                #expect(image.color(x: 8 + 4 * s + 8 + 8, y: 24 + label * 14 + 5) == Palette.categorical.color(forLabel: label))
            }
            #expect(image.text.first == PNG.TextEntry(keyword: "Software", text: "CubeSeg \(ResultFiles.softwareVersion)"))
            #expect(image.text.contains { $0.keyword == "Description" && $0.text.contains("K = \(k)") })
        }
    }

    @Test func indexLabelPNGsDecodeToGreyValuesEqualToTheLabels() throws {
        for k in [2, 3] {
            let image = try PNG.Decoder().decode(try ResultFiles.labelsPNG(result, k: k, style: .index))
            #expect(image.colorType == .grayscale && image.bitDepth == 8)
            #expect(image.samples == result.labelsByK[k]!.map { $0 < 0 ? 255 : UInt8($0) })
        }
        #expect(try ResultFiles.labelsPNG(result) == ResultFiles.labelsPNG(result, k: 3, style: .palette))
    }

    @Test func theNpyFileIsInt32OfShapeHeightByWidth() throws {
        let npy = [UInt8](try ResultFiles.contents(of: result)["labels.npy"]!)
        #expect(Array(npy.prefix(8)) == [0x93] + Array("NUMPY".utf8) + [1, 0])
        let headerLength = Int(npy[8]) | Int(npy[9]) << 8
        let header = String(decoding: npy[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.contains("'descr': '<i4'") && header.contains("'fortran_order': False") && header.contains("'shape': (3, 4)"))
        #expect((10 + headerLength) % 64 == 0)
        let body = Array(npy[(10 + headerLength)...])
        #expect(body.count == 12 * 4)
        let values: [Int32] = (0..<12).map { i in
            let u = UInt32(body[4 * i]) | UInt32(body[4 * i + 1]) << 8 | UInt32(body[4 * i + 2]) << 16 | UInt32(body[4 * i + 3]) << 24
            return Int32(bitPattern: u)
        }
        #expect(values == SampleResult.labels3)
    }

    @Test func labelsJSONHoldsEveryMapRowMajor() throws {
        let data = try ResultFiles.contents(of: result)["labels.json"]
        let json = try object(data)
        #expect(json["height"] as? Int == 3 && json["width"] as? Int == 4 && json["k"] as? Int == 3)
        #expect(json["background"] as? Int == -1 && json["layout"] as? String == "row_major")
        #expect(json["labels"] as? [Int] == SampleResult.labels3.map(Int.init))
        let byK = try #require(json["by_k"] as? [String: [Int]])
        #expect(byK == ["2": SampleResult.labels2.map(Int.init), "3": SampleResult.labels3.map(Int.init)])
        let decoded = try JSONDecoder().decode(LabelsDocument.self, from: try #require(data))
        #expect(decoded == (try ResultFiles.labelsDocument(result)))
    }

    @Test func clustersJSONDescribesEveryClusterWithItsSpectra() throws {
        let json = try object(try ResultFiles.contents(of: result)["clusters.json"])
        #expect(json["k"] as? Int == 3 && json["signal_pixels"] as? Int == 10 && json["total_pixels"] as? Int == 12)
        let clusters = try #require(json["clusters"] as? [[String: Any]])
        #expect(clusters.count == 3)
        for (c, summary) in zip(clusters, result.clusters) {
            #expect(c["label"] as? Int == summary.label && c["pixels"] as? Int == summary.pixels)
            #expect(c["fraction"] as? Double == Double(summary.pixels) / 10)
            #expect(c["fraction_of_image"] as? Double == Double(summary.pixels) / 12)
            #expect(c["color"] as? String == Palette.categorical.color(forLabel: summary.label).description)
            #expect((c["centroid"] as? [Double])?.map(Float.init) == summary.centroid)
            let spectrum = try #require(c["mean_spectrum"] as? [String: Any])
            #expect(spectrum["x"] as? [Double] == result.spectralAxis && spectrum["unit"] as? String == "eV")
            #expect((spectrum["y"] as? [Double])?.map(Float.init) == summary.meanSpectrum)
            let reconstruction = try #require(c["mean_reconstruction"] as? [String: Any])
            #expect(reconstruction["x"] as? [Double] == result.reconstructionAxis)
            #expect((reconstruction["y"] as? [Double])?.map(Float.init) == summary.meanReconstruction)
            let input = try #require(c["mean_input"] as? [String: Any])
            #expect((input["y"] as? [Double])?.map(Float.init) == summary.meanInput)
        }
        let byK = try #require(json["by_k"] as? [String: [[String: Any]]])
        #expect(byK.keys.sorted() == ["2", "3"] && byK["2"]?.count == 2)
        #expect(byK["2"]?.map { $0["pixels"] as? Int } == [5, 5])
    }

    @Test func aSeriesWhoseAxisDoesNotFitFallsBackToChannelIndices() {
        var odd = result
        odd.spectralAxis = [1, 2]
        let c = ResultFiles.clustersDocument(odd).clusters[0]
        #expect(c.meanSpectrum.x == [0, 1, 2, 3, 4] && c.meanSpectrum.unit == "channel")
        #expect(c.meanReconstruction.x == result.reconstructionAxis && c.meanReconstruction.unit == "eV")
    }

    @Test func scoresJSONListsEveryKWithItsCriterionAndReason() throws {
        let json = try object(try ResultFiles.contents(of: result)["scores.json"])
        #expect(json["criterion"] as? String == "silhouette" && json["chosen_k"] as? Int == 3)
        #expect(json["reason"] as? String == result.selection.reason)
        let rows = try #require(json["scores"] as? [[String: Any]])
        #expect(rows.map { $0["k"] as? Int } == [2, 3])
        for (row, score) in zip(rows, result.selection.scores) {
            #expect(row["silhouette"] as? Double == score.silhouette)
            #expect(row["calinski_harabasz"] as? Double == score.calinskiHarabasz)
            #expect(row["davies_bouldin"] as? Double == score.daviesBouldin)
            #expect(row["inertia"] as? Double == score.inertia)
        }
    }

    @Test func nonFiniteScoresAreWrittenAsStrings() throws {
        var odd = result
        odd.selection.scores[0].daviesBouldin = .infinity
        odd.selection.scores[0].silhouette = .nan
        let json = try object(try ResultFiles.contents(of: odd)["scores.json"])
        let row = try #require((json["scores"] as? [[String: Any]])?.first)
        #expect(row["silhouette"] as? String == "NaN" && row["davies_bouldin"] as? String == "Infinity")
    }

    @Test func modelJSONDecodesToTheSameModel() throws {
        let data = try #require(try ResultFiles.contents(of: result)["model.json"])
        #expect(try TrainedModel.decode(data) == result.model)
    }

    @Test("model.json is snake_case like every other file, and a model.json of the old camelCase form still reads")
    func modelJSONIsSnakeCaseAndTheOldFormReads() throws {
        let data = try #require(try ResultFiles.contents(of: result)["model.json"])
        let json = try object(data)
        #expect(json["format"] as? String == TrainedModel.currentFormat)
        #expect(json["chosen_k"] != nil && json["k_min"] != nil && json["chosenK"] == nil)
        #expect((json["preprocessing"] as? [String: Any])?["bin_edges"] != nil)
        #expect((json["architecture"] as? [String: Any])?["input_length"] != nil)

        // The form CubeSeg wrote before: camelCase keys, format cubeseg-model/1.
        var old = result.model
        old.format = "cubeseg-model/1"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let oldData = try encoder.encode(old)
        #expect(String(decoding: oldData, as: UTF8.self).contains("\"chosenK\""))
        #expect(try TrainedModel.decode(oldData) == result.model)
        // A file of the format before this one (no read-noise fields) still loads.
        var previous = result.model
        previous.format = "cubeseg-model/3"
        #expect(try TrainedModel.decode(try previous.encoded()) == result.model)
        var future = result.model
        future.format = "cubeseg-model/9"
        #expect(throws: ModelFileError.unsupportedFormat("cubeseg-model/9")) { try TrainedModel.decode(try future.encoded()) }
    }

    @Test("report.json keeps the truth scores of every K when a truth was given, and none otherwise")
    func reportKeepsTruthScores() throws {
        let truth = result.labelsByK[3]!
        let scores = TruthScores(truth: truth, result: result, source: "truth.npy")
        #expect(scores.byK["3"]?.ari == 1 && scores.byK["3"]?.accuracy == 1)
        let json = try object(try ResultFiles.contents(of: result, truth: scores)["report.json"])
        let saved = try #require(json["truth"] as? [String: Any])
        #expect(saved["source"] as? String == "truth.npy")
        #expect(saved["classes"] as? Int == Set(truth.filter { $0 >= 0 }).count)
        #expect(((saved["by_k"] as? [String: Any])?["3"] as? [String: Any])?["ari"] as? Double == 1)
        #expect(try object(try ResultFiles.contents(of: result)["report.json"])["truth"] == nil)
    }

    @Test("clusters.json names the unit of its spectra and each cluster's parent at the previous K")
    func clustersCarryUnitAndParents() throws {
        var withParents = result
        withParents.clustersByK[3] = withParents.clustersByK[3]!.map { var c = $0; c.parent = c.label == 2 ? 0 : c.label; return c }
        let json = try object(try ResultFiles.contents(of: withParents)["clusters.json"])
        #expect(json["value_unit"] as? String == "intensity" || json["value_unit"] as? String == "counts")
        let k3 = try #require((json["by_k"] as? [String: Any])?["3"] as? [[String: Any]])
        #expect(k3.map { $0["parent"] as? Int } == [0, 1, 0])
        let k2 = try #require((json["by_k"] as? [String: Any])?["2"] as? [[String: Any]])
        #expect(k2.allSatisfy { $0["parent"] == nil })
    }

    @Test("the mean spectra are in counts only when the cube holds counts stored as counts")
    func spectraUnitFollowsTheDataKind() throws {
        func data(_ json: String) throws -> DataKindDecision {
            try JSONDecoder().decode(DataKindDecision.self, from: Data(json.utf8))
        }
        let fields = #""whole_numbers": true, "zero_fraction": 0.5, "dispersion": 1, "mean_signal_total": 100, "reason": "r""#
        var r = result
        for (json, unit) in [(#"{"kind": "counts", "count_unit": 1, \#(fields)}"#, "counts"),
                             (#"{"kind": "counts", \#(fields)}"#, "counts"), // a report written before count_unit
                             (#"{"kind": "counts", "count_unit": 0.25, \#(fields)}"#, "intensity"),
                             (#"{"kind": "continuous", \#(fields)}"#, "intensity")] {
            r.decisions.data = try data(json)
            #expect(ResultFiles.valueUnit(r) == unit, "\(json)")
            #expect(try object(try ResultFiles.contents(of: r)["clusters.json"])["value_unit"] as? String == unit)
        }
    }

    @Test func reportJSONRecordsParametersHistoryTimingsAndTheCube() throws {
        let data = try #require(try ResultFiles.contents(of: result, cube: cube)["report.json"])
        let json = try object(data)
        let parameters = try #require(json["parameters"] as? [String: Any])
        #expect(parameters["k_min"] as? Int == 2 && parameters["k_max"] as? Int == 3 && parameters["bins"] as? Int == 3)
        let reparsed = try JSONDecoder().decode(SegmentationParameters.self, from: JSONSerialization.data(withJSONObject: parameters))
        #expect(reparsed == result.parameters)
        #expect(json["chosen_k"] as? Int == 3 && json["criterion"] as? String == "silhouette")
        #expect(json["reason"] as? String == result.selection.reason)
        #expect(json["k_values"] as? [Int] == [2, 3])
        #expect(json["background_pixels"] as? Int == 2 && json["signal_pixels"] as? Int == 10)
        #expect(json["timings"] as? [String: Double] == result.timings)
        let history = try #require(json["history"] as? [[String: Any]])
        #expect(history.map { $0["epoch"] as? Int } == [1, 2])
        #expect(history[1]["learning_rate"] as? Double == 1e-3 && history[1]["validation"] as? Double == 0.28)
        #expect((json["scores"] as? [[String: Any]])?.count == 2)
        #expect(json["files"] as? [String] == ResultFiles.fileNames(for: result))
        let software = try #require(json["software"] as? [String: String])
        #expect(software == ["name": "CubeSeg", "version": ResultFiles.softwareVersion, "blas_kernel": BLAS.coreName])
        #expect(BLAS.coreName != "unknown" && !BLAS.coreName.isEmpty)
        // A report written before the kernel was recorded still reads.
        let old = try JSONDecoder().decode(ReportDocument.Software.self, from: Data(#"{"name":"CubeSeg","version":"0.9.0"}"#.utf8))
        #expect(old == ReportDocument.Software(name: "CubeSeg", version: "0.9.0") && old.blasKernel == nil)
        let cubeJSON = try #require(json["cube"] as? [String: Any])
        #expect(cubeJSON["axis_unit"] as? String == "eV")
        #expect(try JSONDecoder().decode(CubeSummary.self, from: JSONSerialization.data(withJSONObject: cubeJSON)) == cube)
        // Without a cube the key is absent.
        let without = try object(try ResultFiles.contents(of: result)["report.json"])
        #expect(without["cube"] == nil)
    }

    @Test func thePlotsAreRGBImagesDrawnInTheClusterColours() throws {
        let files = try ResultFiles.contents(of: result)
        let spectra = try PNG.Decoder().decode(try #require(files["spectra.png"]))
        #expect(spectra.colorType == .rgb && spectra.width == 800 && spectra.height == 480)
        var seen = Set<PNG.RGBA>()
        for y in 0..<spectra.height { for x in 0..<spectra.width { seen.insert(spectra.color(x: x, y: y)) } }
        for c in result.clusters { #expect(seen.contains(Palette.categorical.color(forLabel: c.label)), "cluster \(c.label)") }
        let scores = try PNG.Decoder().decode(try #require(files["scores.png"]))
        #expect(scores.colorType == .rgb && scores.text.contains { $0.keyword == "Description" && $0.text.contains("K = 3") })
        #expect(throws: ResultFilesError.unknownK(7, available: [2, 3])) { try ResultFiles.spectraPNG(result, k: 7) }
    }

    @Test("spectra.png leaves a gap where channels without spatial signal were left out, so their noise does not set the plot's range")
    func silentChannelsAreGapsInTheSpectraPlot() throws {
        var loud = result
        for i in loud.clusters.indices { loud.clusters[i].meanSpectrum[2] = 1e6 }
        loud.clustersByK[3] = loud.clusters
        var gapped = loud
        gapped.model.preprocessing.excludedChannels = [2]
        gapped.model.preprocessing.binEdges = [0, 2, 4]
        for c in gapped.clusters {
            let drawn = ResultFiles.plotted(c.meanSpectrum, of: gapped)
            #expect(drawn[2].isNaN)
            #expect(drawn.enumerated().filter { $0.offset != 2 }.map(\.element) == c.meanSpectrum.enumerated().filter { $0.offset != 2 }.map(\.element))
        }
        #expect(ResultFiles.plotted(loud.clusters[0].meanSpectrum, of: loud) == loud.clusters[0].meanSpectrum)
        let image = try PNG.Decoder().decode(try ResultFiles.spectraPNG(gapped))
        #expect(image.text.contains { $0.keyword == "Description" && $0.text.contains("1 channel without spatial signal left out (gaps)") })
        #expect(try ResultFiles.spectraPNG(gapped) != ResultFiles.spectraPNG(loud))
    }

    @Test func aResultWithNothingToPlotStillGetsItsPlotFiles() throws {
        var empty = result
        empty.clusters = empty.clusters.map { var c = $0; c.meanSpectrum = []; return c }
        empty.clustersByK[3] = empty.clusters
        let image = try PNG.Decoder().decode(try ResultFiles.spectraPNG(empty))
        #expect(image.colorType == .rgb)
    }

    @Test func equalResultsGiveEqualBytes() throws {
        #expect(try ResultFiles.contents(of: result, cube: cube) == ResultFiles.contents(of: SampleResult.make(), cube: cube))
    }

    @Test func unknownKsAndMalformedMapsAreErrorsWithEvidence() throws {
        #expect(throws: ResultFilesError.unknownK(5, available: [2, 3])) { try ResultFiles.labelsPNG(result, k: 5) }
        var short = result
        short.labelsByK[2] = [0, 1]
        #expect(throws: ResultFilesError.labelCountMismatch(k: 2, count: 2, expected: 12)) { try ResultFiles.contents(of: short) }
        var big = result
        big.labelsByK[3]![0] = 300
        #expect {
            try ResultFiles.labelsPNG(big, k: 3, style: .index)
        } throws: { error in
            guard case let ResultFilesError.image(k, reason) = error else { return false }
            return k == 3 && reason.contains("300")
        }
        var missing = result
        missing.chosenK = 4
        #expect(throws: ResultFilesError.unknownK(4, available: [2, 3])) { try ResultFiles.contents(of: missing) }
    }
}
