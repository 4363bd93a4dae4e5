import Foundation
import Testing
@testable import CubeML

@Suite("Principal components")
struct PrincipalComponentsTests {
    @Test("the symmetric eigensolver returns the largest eigenpairs of a known matrix, descending")
    func eigenpairs() throws {
        // diag(1, 5, 3) rotated by 45 degrees in the (0, 1) plane.
        let c = 0.5.squareRoot()
        let q = [c, -c, 0, c, c, 0, 0, 0, 1]  // columns are the eigenvectors
        let lambda = [1.0, 5.0, 3.0]
        var a = [Double](repeating: 0, count: 9)
        for i in 0..<3 { for j in 0..<3 { for k in 0..<3 { a[i * 3 + j] += q[i * 3 + k] * lambda[k] * q[j * 3 + k] } } }
        let e = try #require(BLAS.symmetricEigen(a, n: 3, largest: 2))
        #expect(abs(e.values[0] - 5) < 1e-9 && abs(e.values[1] - 3) < 1e-9)
        // First vector is +-(-c, c, 0) (column 1 of q), second +-(0, 0, 1).
        #expect(abs(abs(e.vectors[0]) - c) < 1e-9 && abs(abs(e.vectors[1]) - c) < 1e-9 && abs(e.vectors[2]) < 1e-9)
        #expect(abs(abs(e.vectors[5]) - 1) < 1e-9)
        #expect(BLAS.symmetricEigen(a, n: 3, largest: 4) == nil)
    }

    @Test("PCA of points on a plane in 5-D finds the plane: two components reconstruct them exactly")
    func planeRecovered() throws {
        var g = SeededGenerator(seed: 7)
        let n = 500
        let u: [Float] = [1, 2, 0, -1, 0.5], v: [Float] = [0, 1, -1, 0, 2], offset: [Float] = [3, -2, 1, 0, 4]
        var x = Matrix(rows: n, cols: 5)
        for i in 0..<n {
            let s = Float(g.nextGaussian() * 3), t = Float(g.nextGaussian())
            for j in 0..<5 { x[i, j] = offset[j] + s * u[j] + t * v[j] }
        }
        let pca = try #require(PrincipalComponents.fit(x, components: 3))
        #expect(pca.variances[0] > pca.variances[1] && pca.variances[1] > 0.5)
        #expect(pca.variances[2] < 1e-3)
        #expect(pca.reconstructionError(components: 2) < 1e-4)
        #expect(abs(pca.reconstructionError(components: 0) - pca.totalVariance / 5) < 1e-9)
        let y = pca.reconstruct(pca.project(x))
        var worst: Float = 0
        for i in 0..<x.storage.count { worst = max(worst, abs(y.storage[i] - x.storage[i])) }
        #expect(worst < 1e-2)
        // Projections are centred.
        let z = pca.project(x)
        var mean0: Float = 0
        for i in 0..<n { mean0 += z[i, 0] }
        #expect(abs(mean0 / Float(n)) < 1e-2)
    }

    @Test("a PCA embedding survives the model file's tensors")
    func tensorsRoundTrip() throws {
        var g = SeededGenerator(seed: 1)
        let x = Matrix(rows: 50, cols: 6, values: (0..<300).map { _ in Float(g.nextGaussian()) })
        let pca = try #require(PrincipalComponents.fit(x, components: 2))
        let back = try PrincipalComponents(tensors: pca.tensors())
        #expect(back.project(x) == pca.project(x))
        #expect(throws: ModelFileError.self) { try PrincipalComponents(tensors: [pca.tensors()[0]]) }
    }
}
