/// One part of a `multipart/form-data` body. Parts with a file name always stream to a file;
/// other fields stay in memory up to `maxInMemoryBody` bytes and spill to a file beyond.
public struct MultipartPart: Sendable {
    /// The form field name (`name=` of Content-Disposition).
    public var name: String
    /// The `filename=` of Content-Disposition, when the part is a file.
    public var filename: String?
    /// The part's own Content-Type, when sent.
    public var contentType: String?
    /// The part's content.
    public var body: HTTPBody

    public init(name: String, filename: String? = nil, contentType: String? = nil, body: HTTPBody) {
        self.name = name
        self.filename = filename
        self.contentType = contentType
        self.body = body
    }
}
