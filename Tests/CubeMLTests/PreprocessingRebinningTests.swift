import Testing
@testable import CubeML

@Suite("Rebinning edges and training subsamples")
struct PreprocessingRebinningTests {
    @Test("edges cover every channel exactly once with bin sizes differing by at most one")
    func edgesCoverAllChannels() {
        for channels in [1, 2, 3, 7, 100, 1000, 1023, 1024, 1025, 3000, 4096] {
            for bins in [1, 2, 3, 5, 100, 1023, 1024, 2048] where bins < channels {
                let e = Rebinning.edges(channels: channels, bins: bins)
                #expect(e.count == bins + 1)
                #expect(e.first == 0 && e.last == channels)
                let sizes = zip(e.dropFirst(), e).map { $0 - $1 }
                #expect(sizes.allSatisfy { $0 >= 1 }, "\(channels) -> \(bins): empty bin")
                #expect(sizes.reduce(0, +) == channels)
                #expect(sizes.max()! - sizes.min()! <= 1, "\(channels) -> \(bins): sizes \(Set(sizes))")
            }
        }
    }

    @Test("3000 channels into 1024 bins use sizes 2 and 3 and keep the tail")
    func paperCase() {
        let e = Rebinning.edges(channels: 3000, bins: 1024)
        let sizes = zip(e.dropFirst(), e).map { $0 - $1 }
        #expect(Set(sizes) == [2, 3])
        #expect(sizes.filter { $0 == 3 }.count == 3000 - 2 * 1024)
        #expect(e.last == 3000)
    }

    @Test("bins at or above the channel count, or nil, give one channel per bin")
    func identity() {
        #expect(Rebinning.edges(channels: 5, bins: 5) == [0, 1, 2, 3, 4, 5])
        #expect(Rebinning.edges(channels: 5, bins: 9) == [0, 1, 2, 3, 4, 5])
        #expect(Rebinning.edges(channels: 4, bins: nil) == [0, 1, 2, 3, 4])
    }

    @Test("training subsamples are sorted, distinct, in range and reproducible")
    func subsample() {
        for (count, n) in [(10, 1000), (600, 1000), (999, 1000), (20_000, 65_536)] {
            let a = TrainingSample.indices(count: count, of: n, seed: 42)
            #expect(a.count == count)
            #expect(zip(a, a.dropFirst()).allSatisfy { $0 < $1 }, "sorted and distinct")
            #expect(a.first! >= 0 && a.last! < n)
            #expect(a == TrainingSample.indices(count: count, of: n, seed: 42))
            #expect(a != TrainingSample.indices(count: count, of: n, seed: 43))
        }
        #expect(TrainingSample.indices(count: 50, of: 20, seed: 1) == Array(0..<20))
        #expect(TrainingSample.indices(count: 0, of: 20, seed: 1).isEmpty)
    }

    @Test("training subsamples are spread uniformly over the pixels")
    func subsampleUniform() {
        // 5000 of 10000: each tenth of the range should get about 500.
        let a = TrainingSample.indices(count: 5000, of: 10_000, seed: 9)
        var hist = [Int](repeating: 0, count: 10)
        for i in a { hist[i / 1000] += 1 }
        #expect(hist.allSatisfy { abs($0 - 500) < 80 }, "\(hist)")
        let b = TrainingSample.indices(count: 500, of: 100_000, seed: 9)
        var hist2 = [Int](repeating: 0, count: 5)
        for i in b { hist2[i / 20_000] += 1 }
        #expect(hist2.allSatisfy { abs($0 - 100) < 40 }, "\(hist2)")
    }
}
