import Testing
@testable import CubeImaging

@Suite struct LabelImageTests {
    // A 4 x 3 map with three clusters and two background pixels.
    let labels: [Int32] = [0, 1, 1, -1,
                           2, 2, 0, 0,
                           -1, 1, 2, 0]

    @Test func theIndexedImageStoresLabelsAsIndicesWithPaletteColours() throws {
        let image = try PNG.Decoder().decode(try LabelImage.indexed(labels: labels, width: 4, height: 3))
        #expect(image.colorType == .indexed && image.bitDepth == 8 && image.width == 4 && image.height == 3)
        #expect(image.samples == labels.map { $0 < 0 ? 255 : UInt8($0) })
        #expect(image.palette.count == 256)
        for (i, label) in labels.enumerated() {
            #expect(image.color(x: i % 4, y: i / 4) == Palette.categorical.color(forLabel: Int(label)))
        }
        #expect(image.palette[255] == Palette.black)
    }

    @Test func aTransparentBackgroundGoesIntoTRNS() throws {
        let png = try LabelImage.indexed(labels: labels, width: 4, height: 3, palette: .categoricalTransparent)
        let image = try PNG.Decoder().decode(png)
        #expect(image.color(x: 3, y: 0).a == 0)
        #expect(image.color(x: 0, y: 0).a == 255)
        #expect(chunks(of: png).contains { $0.type == "tRNS" })
        let opaque = try LabelImage.indexed(labels: labels, width: 4, height: 3)
        #expect(!chunks(of: opaque).contains { $0.type == "tRNS" })
    }

    @Test func theRawIndexImageIsGrayscaleWithTheLabelAsGreyValue() throws {
        let image = try PNG.Decoder().decode(try LabelImage.rawIndex(labels: labels, width: 4, height: 3,
                                                                     text: [PNG.TextEntry(keyword: "Software", text: "CubeSeg")]))
        #expect(image.colorType == .grayscale && image.bitDepth == 8)
        #expect(image.samples == [0, 1, 1, 255, 2, 2, 0, 0, 255, 1, 2, 0])
        #expect(image.text == [PNG.TextEntry(keyword: "Software", text: "CubeSeg")])
    }

    @Test func labelsAbove254AreRejectedWithThePixel() {
        var big = labels
        big[6] = 255
        #expect(throws: ImagingError.labelOutOfRange(label: 255, x: 2, y: 1, maximum: 254)) {
            try LabelImage.rawIndex(labels: big, width: 4, height: 3)
        }
        big[6] = -2
        #expect(throws: ImagingError.labelOutOfRange(label: -2, x: 2, y: 1, maximum: 254)) {
            try LabelImage.indexed(labels: big, width: 4, height: 3)
        }
        big[6] = 254
        #expect(throws: Never.self) { try LabelImage.rawIndex(labels: big, width: 4, height: 3) }
    }

    @Test func aLabelCountThatDoesNotFillTheImageIsRejected() {
        #expect(throws: ImagingError.sizeMismatch(count: 12, width: 5, height: 3)) {
            try LabelImage.indexed(labels: labels, width: 5, height: 3)
        }
    }
}
