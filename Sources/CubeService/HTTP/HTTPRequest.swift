/// A complete request: head, body, and for `multipart/form-data` its parts (then `body` is
/// `.none`).
public struct HTTPRequest: Sendable {
    public var head: HTTPRequestHead
    public var body: HTTPBody
    public var parts: [MultipartPart]

    public init(head: HTTPRequestHead, body: HTTPBody = .none, parts: [MultipartPart] = []) {
        self.head = head
        self.body = body
        self.parts = parts
    }

    /// The first multipart part with this field name.
    public func part(named name: String) -> MultipartPart? {
        parts.first { $0.name == name }
    }
}
