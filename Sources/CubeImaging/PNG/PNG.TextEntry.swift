extension PNG {
    /// One tEXt chunk: a Latin-1 keyword of 1-79 characters (no leading, trailing or double
    /// spaces) and a Latin-1 text, e.g. ("Software", "CubeSeg").
    public struct TextEntry: Sendable, Hashable {
        public var keyword: String
        public var text: String
        public init(keyword: String, text: String) {
            self.keyword = keyword; self.text = text
        }
    }
}
