import Foundation
import Testing
@testable import CubeFormats

@Suite struct InspectionTests {
    @Test("inspection reports shape, dtype, axis, value range and the empty pixel")
    func reference() throws {
        let cube = try CubeReader.open(Fixture.url("envi_u16.hdr"))
        let i = try CubeReader.inspect(cube)
        #expect(i.format == "envi" && i.dataType == "uint16" && i.height == 6 && i.width == 5 && i.channels == 16)
        #expect(i.minimum == Fixture.reference.min() && i.maximum == Fixture.reference.max())
        #expect(i.emptyPixelFraction == 1.0 / 30.0)  // pixel (0, 0)
        #expect(i.nanCount == 0 && i.infinityCount == 0)
        #expect(i.axis == .init(unit: .channel, quantity: .index, first: 0, last: 15))
        #expect(i.description.contains("6 x 5 pixels x 16 channels") && i.description.contains("3.33% of pixels"))
    }

    @Test("inspection round-trips through JSON")
    func json() throws {
        let i = try CubeReader.inspect(try CubeReader.open(Fixture.url("fits_u16.fits")))
        #expect(i.axis.unit == .angstrom && i.axis.first == 4000 && i.axis.last == 4037.5)
        let decoded = try JSONDecoder().decode(CubeInspection.self, from: JSONEncoder().encode(i))
        #expect(decoded == i)
    }

    @Test("a cube with no finite value has no range")
    func allNaN() throws {
        let cube = Datacube(height: 1, width: 2, channels: 2, values: [.nan, .nan, .nan, .infinity])
        let i = try CubeReader.inspect(cube)
        #expect(i.minimum == nil && i.maximum == nil && i.nanCount == 3 && i.infinityCount == 1 && i.emptyPixelFraction == 0)
    }
}
