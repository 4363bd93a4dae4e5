import Testing

@testable import CubeML

@Suite("Choosing the K criterion from the data")
struct KCriterionRuleTests {
    private func data(_ kind: DataKindDecision.Kind, share: Double) -> DataKindDecision {
        let s = CubeStatistics(totals: [], hasData: [], wholeNumbers: kind == .counts,
                               countQuantum: kind == .counts ? 1 : nil, zeroFraction: 0.5,
                               halfFluxChannelShare: share, dispersion: kind == .counts ? 1 : 0.05)
        return DataKindDecision(statistics: s, meanSignalTotal: 100)
    }

    @Test("auto takes Calinski-Harabasz for line spectra, in counts or any other unit")
    func lineSpectra() {
        let counts = KCriterionRule.resolve(.auto, data: data(.counts, share: 0.05))
        #expect(counts.criterion == .calinskiHarabasz)
        #expect(counts.reason.contains("half the summed spectrum's flux lies in 5% of the channels"))
        #expect(KCriterionRule.resolve(.auto, data: data(.continuous, share: 0.19)).criterion == .calinskiHarabasz)
    }

    @Test("auto takes the consensus for continua, bands and data whose kind was not measured")
    func everythingElse() {
        let continuum = KCriterionRule.resolve(.auto, data: data(.continuous, share: 0.43))
        #expect(continuum.criterion == .consensus)
        #expect(continuum.reason.contains("spreads half over 43% of the channels"))
        #expect(KCriterionRule.resolve(.auto, data: data(.counts, share: 0.2)).criterion == .consensus)
        let unmeasured = KCriterionRule.resolve(.auto, data: nil)
        #expect(unmeasured.criterion == .consensus)
        #expect(unmeasured.reason.contains("not measured"))
    }

    @Test("a criterion asked for is used as it is, whatever the data")
    func askedFor() {
        for criterion in KCriterion.allCases where criterion != .auto {
            let resolved = KCriterionRule.resolve(criterion, data: data(.counts, share: 0.05))
            #expect(resolved.criterion == criterion)
            #expect(resolved.reason == "\(criterion.rawValue), as requested")
        }
    }

    @Test("auto, where no data decide it, chooses as the consensus does")
    func autoWithoutData() {
        // Calinski-Harabasz 5, elbow 3; without spatial coherence the consensus takes the smaller.
        let c = [(2, 100.0, 50.0), (3, 200, 20), (4, 250, 12), (5, 300, 10)].map { k, ch, inertia in
            KClustering(k: k, labels: [], centroids: Matrix(rows: 1, cols: 1),
                        score: KScore(k: k, silhouette: 0.5, calinskiHarabasz: ch, daviesBouldin: 1, inertia: inertia),
                        scoresDefined: true, iterations: 0)
        }
        let auto = KSelectionRule(.auto)
        #expect(auto == .criterion(.consensus))
        #expect(auto.reportedCriterion == .consensus)
        #expect(KSelectionRule.criterion(.calinskiHarabasz).choose(c)?.k == 5)
        #expect(KSelectionRule.criterion(.consensus).choose(c)?.k == 3)
        #expect(KSelectionRule.criterion(.auto).choose(c)?.k == 3)
    }
}
