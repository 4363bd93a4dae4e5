/// The clustering the trainer needs, given by the caller (the pipeline passes its k-means);
/// the trainer never clusters by itself.
public struct ClusteringHooks: Sendable {
    /// Latent mu of a sample (n x L) -> centroids (k x L, k >= 1) to pull towards (DCN term).
    public var centroids: @Sendable (Matrix) -> Matrix
    /// Latent mu of one batch (n x L) -> silhouette of its best k-means, in [-1, 1]
    /// (the paper's term).
    public var batchSilhouette: @Sendable (Matrix) -> Double

    /// Defaults, for tests and for runs without a clustering term: one centroid, the
    /// sample's mean; silhouette 0.
    public init(centroids: @escaping @Sendable (Matrix) -> Matrix = ClusteringHooks.meanCentroid,
                batchSilhouette: @escaping @Sendable (Matrix) -> Double = { _ in 0 }) {
        self.centroids = centroids
        self.batchSilhouette = batchSilhouette
    }

    /// The column means of `mu` (n x L) as one centroid (1 x L); zeros for an empty `mu`.
    @Sendable public static func meanCentroid(_ mu: Matrix) -> Matrix {
        var c = Matrix(rows: 1, cols: mu.cols)
        guard mu.rows > 0 else { return c }
        for i in 0..<mu.rows { for j in 0..<mu.cols { c[0, j] += mu[i, j] } }
        for j in 0..<mu.cols { c[0, j] /= Float(mu.rows) }
        return c
    }
}
