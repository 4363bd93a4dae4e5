/// Names for `KSelectionRule` in configuration files, job parameters and CLI options.
extension KSelectionRule {
    /// Every accepted name: the `KCriterion` raw values plus "silhouette_tolerance" and
    /// "recursive_silhouette".
    public static let names = KCriterion.allCases.filter { $0 != .recursiveSilhouette }.map(\.rawValue)
        + ["silhouette_tolerance", "recursive_silhouette"]

    /// The rule called `name` (see `names`); `parameter` is the tolerance (default 0.02) or
    /// the recursive threshold (default 0.45) and is ignored by the plain criteria. nil for
    /// an unknown name.
    public init?(name: String, parameter: Double? = nil) {
        if let c = KCriterion(rawValue: name), c != .recursiveSilhouette { self = .criterion(c); return }
        switch name {
        case "silhouette_tolerance": self = .silhouetteTolerance(parameter ?? 0.02)
        case "recursive_silhouette": self = .recursiveSilhouette(threshold: parameter ?? 0.45)
        default: return nil
        }
    }

    /// The rule's name (one of `names`).
    public var name: String {
        switch self {
        case .criterion(let c): return c.rawValue
        case .silhouetteTolerance: return "silhouette_tolerance"
        case .recursiveSilhouette: return "recursive_silhouette"
        }
    }
}

extension KSelectionRule {
    /// The rule for a `KCriterion` of the job parameters: the plain criteria as they are,
    /// `.recursiveSilhouette` with the studied threshold (`recommended`), `.auto` (not
    /// resolved by the data: `KCriterionRule`) as the consensus.
    public init(_ criterion: KCriterion) {
        switch criterion {
        case .recursiveSilhouette: self = .recommended
        case .auto: self = .criterion(.consensus)
        default: self = .criterion(criterion)
        }
    }
}
