import CubeFormats
import CubeML
import Foundation

/// An uploaded cube as the routes hand it over: its file (and, for ENVI and Lispix, its
/// header file), how to open it, and the name to list it under.
struct CubeUpload: Sendable {
    var body: HTTPBody
    var filename: String?
    var header: HTTPBody?
    var open: CubeOpenRequest
    var name: String
}

/// Cubes, behind the routes: ingest with its one rollback path, look-up, deletion, preview.
/// Blocking (file I/O and parsing); the routes run it off the HTTP threads.
struct CubeLibrary: Sendable {
    let configuration: ServiceConfiguration
    let store: any JobStore
    let blobs: BlobStore
    let engine: ServiceEngine
    let metrics: ServiceMetrics

    /// Stores an upload as a cube: moves it into the blob store, opens it to learn its shape,
    /// type and axis (415 unknown format, 422 unusable or nothing to segment), records it.
    /// Any failure after the first byte is stored removes everything stored.
    func ingest(_ upload: CubeUpload, owner: String) throws -> CubeRecord {
        let id = "cub_" + Identifiers.random()
        let pair = try upload.header.map { try Self.twoFileNames($0, format: upload.open.format) }
        let fileName = pair?.data ?? Self.storedFileName(upload.filename, format: upload.open.format)
        let size = upload.body.count
        guard upload.body.content != nil else { throw APIError.badRequest("missing_body", "no cube file in the request") }
        if size > configuration.maxCubeBytes { throw ProblemDetails.payloadTooLarge(limit: configuration.maxCubeBytes, declared: size) }
        if size == 0 { throw APIError.badRequest("missing_body", "the uploaded file is empty") }
        do {
            var openPath = try blobs.storeCubeFile(id, fileName, upload.body.content!)
            // A two-file cube is opened (now and by the workers) through its header, which
            // finds its data file by name (cube.hdr -> cube.img, cube.rpl -> cube.raw).
            if let pair, let header = upload.header?.content {
                openPath = try blobs.storeCubeFile(id, pair.header, header)
            }
            let cube = try open(blobs.url(relative: openPath), upload.open)
            let record = CubeRecord(
                id: id, owner: owner, name: upload.name, format: cube.info.format, shape: [cube.height, cube.width, cube.channels],
                dtype: cube.info.dataType, axisJSON: (try? JSONEncoder().encode(cube.axis)) ?? Data("null".utf8),
                size: size, sha256: upload.body.sha256Hex, createdAt: Date(), blobPath: openPath,
                openOptionsJSON: (try? JSONEncoder().encode(upload.open)) ?? Data("{}".utf8))
            try store.insertCube(record)
            metrics.recordUpload(bytes: size)
            return record
        } catch {
            blobs.removeCube(id)
            throw error
        }
    }

    /// Opens a stored cube and checks that it holds something to segment.
    private func open(_ url: URL, _ request: CubeOpenRequest) throws -> Datacube {
        let cube: Datacube
        do { cube = try engine.openCube(url, request) }
        catch CubeOpenFailure.unknownFormat(let s) { throw APIError.unsupportedMediaType("unknown_format", "cannot tell the cube's format: \(s)") }
        catch CubeOpenFailure.unusable(let s) { throw APIError.unprocessable("unusable_cube", s) }
        catch { throw APIError.unprocessable("unusable_cube", "\(error)") }
        // Refused now rather than "segmented" into one cluster after a training run.
        let nothingToSegment: String?
        do { nothingToSegment = try SpectralVariety.problem(in: cube) }
        catch { throw APIError.unprocessable("unusable_cube", "\(error)") }
        if let nothingToSegment { throw APIError.unprocessable("unsegmentable_cube", nothingToSegment) }
        return cube
    }

    func cube(_ id: String, scope: String?) throws -> CubeRecord {
        guard let c = try store.cube(id: id, owner: scope) else { throw APIError.notFound("cube_not_found", "no cube \(id)") }
        return c
    }

    /// Removes the row (409 while a job uses it), then the files.
    func deleteCube(_ id: String, scope: String?) throws {
        guard let c = try store.deleteCube(id: id, owner: scope) else { throw APIError.notFound("cube_not_found", "no cube \(id)") }
        blobs.removeCube(c.id)
    }

    /// The preview already drawn, if any.
    func storedPreview(_ cube: CubeRecord) -> URL? {
        let url = blobs.previewURL(cube.id)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// Draws the grayscale preview of each pixel's total and keeps it beside the cube.
    func drawPreview(_ cube: CubeRecord) throws -> Data {
        let data = try engine.renderPreview(try engine.openCube(blobs.url(relative: cube.blobPath), cube.openRequest))
        try blobs.writePreview(data, cubeID: cube.id)
        return data
    }

    /// The spectrum of pixel (`row`, `col`) on the cube's axis. Reads one image row.
    /// - Throws: 400 `invalid_query` for a pixel outside the image.
    func spectrum(_ cube: CubeRecord, row: Int, col: Int) throws -> PixelSpectrumView {
        let datacube = try engine.openCube(blobs.url(relative: cube.blobPath), cube.openRequest)
        guard (0..<datacube.height).contains(row), (0..<datacube.width).contains(col) else {
            throw APIError.badRequest("invalid_query", "pixel (row \(row), col \(col)) is outside the \(datacube.height) x \(datacube.width) image")
        }
        let values = try datacube.readRows(row..<(row + 1))
        let start = col * datacube.channels
        return PixelSpectrumView(row: row, col: col, spectrum: .init(
            x: datacube.axis.values, unit: datacube.axis.unit.rawValue, y: values[start..<(start + datacube.channels)].map { $0.isFinite ? $0 : nil }))
    }

    /// Stored names of a two-file cube given its header part: ENVI (`format` envi, or a header
    /// starting with "ENVI") as cube.hdr + cube.img, otherwise Lispix as cube.rpl + cube.raw.
    /// - Throws: 400 for an empty header or one over 1 MiB (headers are text of a few KB).
    static func twoFileNames(_ header: HTTPBody, format: String?) throws -> (data: String, header: String) {
        guard header.count > 0, header.count <= 1 << 20 else {
            throw APIError.badRequest("invalid_header_part", "the header part must hold 1 byte to 1 MiB, not \(header.count) bytes")
        }
        let start = (try? header.readData().prefix(4)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let isENVI = format?.lowercased() == "envi" || (format == nil && start == "ENVI")
        return isENVI ? ("cube.img", "cube.hdr") : ("cube.raw", "cube.rpl")
    }

    /// A safe file name for the stored cube: the client's base name if it is plain, else
    /// `cube.<format>`.
    static func storedFileName(_ filename: String?, format: String?) -> String {
        if let f = filename.map({ ($0 as NSString).lastPathComponent }), !f.isEmpty, f != ".", f != "..", f != "preview.png",
           f.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }), f.count <= 128 {
            return f
        }
        return "cube." + (format ?? "bin")
    }
}

extension HTTPBody {
    /// The body as blob content; nil for no body.
    var content: BlobContent? {
        switch self {
        case .none: return nil
        case .data(let d): return .data(d)
        case .file(let f): return .file(f.url)
        }
    }
}

extension CubeRecord {
    /// How to open the stored file: the reader options given with the upload (kept as JSON
    /// with the cube), or only its format for a row that has none.
    var openRequest: CubeOpenRequest {
        (try? JSONDecoder().decode(CubeOpenRequest.self, from: openOptionsJSON)) ?? CubeOpenRequest(format: format)
    }
}
