/// `labels.json`: the label maps as flat row-major arrays (`labels[y * width + x]`), -1 for
/// background. Keys: height, width, k (the chosen K), background (-1), layout ("row_major"),
/// labels (the chosen K's map), by_k ({"<k>": map} for every K tried, including the chosen).
public struct LabelsDocument: Sendable, Codable, Equatable {
    public var height: Int
    public var width: Int
    public var k: Int
    public var background: Int
    public var layout: String
    public var labels: [Int32]
    public var byK: [String: [Int32]]

    enum CodingKeys: String, CodingKey {
        case height, width, k, background, layout, labels, byK = "by_k"
    }
}
