import Foundation
import Testing
@testable import CubeReports

@Suite struct LabelsJSONTests {
    @Test func theHandWrittenJSONMatchesJSONEncoderForExtremeValues() throws {
        let values: [Int32] = [0, -1, 9, 10, -10, 254, 1_000_000, .max, .min]
        var out = [UInt8]()
        LabelsDocument.appendArray(values, to: &out)
        #expect(Data(out) == (try JSONEncoder().encode(values)))
        var empty = [UInt8]()
        LabelsDocument.appendArray([], to: &empty)
        #expect(String(decoding: empty, as: UTF8.self) == "[]")
    }

    @Test func theDocumentReadsBackEqualAndOrdersKsNumerically() throws {
        let doc = LabelsDocument(height: 1, width: 2, k: 10, background: -1, layout: "row_major", labels: [3, -1],
                                 byK: ["2": [1, 0], "10": [3, -1]])
        let data = doc.encodedJSON()
        #expect(try JSONDecoder().decode(LabelsDocument.self, from: data) == doc)
        let text = String(decoding: data, as: UTF8.self)
        let two = try #require(text.range(of: "\"2\":")), ten = try #require(text.range(of: "\"10\":"))
        #expect(two.lowerBound < ten.lowerBound)
    }
}
