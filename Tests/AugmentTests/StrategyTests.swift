import Augment
import TensorCore
import XCTest

final class StrategyTests: XCTestCase {
    func testPlacementTable() {
        // PAPER.md §1: (reals in D, fakes in D, fakes in G).
        let table: [(Strategy, Bool, Bool, Bool)] = [
            (.none, false, false, false), (.realsOnly, true, false, false),
            (.dOnly, true, true, false), (.diffaugment, true, true, true), (.adaptive, true, true, true),
        ]
        for (strategy, reals, fakesD, fakesG) in table {
            XCTAssertEqual([strategy.augmentsRealsInD, strategy.augmentsFakesInD, strategy.augmentsFakesInG],
                           [reals, fakesD, fakesG], strategy.rawValue)
        }
        XCTAssertEqual(Strategy(rawValue: "reals-only"), .realsOnly)
    }

    func testConsistencyLoss() {
        let cr = ConsistencyRegularization()
        let a = Tensor(shape: [2], scalars: [1, 3]), b = Tensor(shape: [2], scalars: [0, 1])
        XCTAssertEqual(cr.loss(scoresA: a, scoresB: b).scalar, 10 * (1 + 4) / 2)
    }

    func testAdaptiveProbabilityMovesTowardTheTargetAtTheDocumentedSpeed() {
        var ada = AdaptiveProbability(target: 0.6, interval: 4, imagesToSaturate: 500_000)
        // D always right on reals (r = 1 > 0.6): p rises by 64·4/500k per adjustment.
        for _ in 0..<8 {
            ada.observe(realScores: [Float](repeating: 1, count: 64))
            ada.endIteration(batchSize: 64)
        }
        XCTAssertEqual(ada.probability, 2 * 256 / 500_000, accuracy: 1e-12)
        XCTAssertEqual(ada.lastOverfittingMeasure, 1)
        // 500k images of overfitting take p from 0 to 1 (and no further).
        var saturating = AdaptiveProbability()
        for _ in 0..<(500_000 / 64 + 8) {
            saturating.observe(realScores: [1])
            saturating.endIteration(batchSize: 64)
        }
        XCTAssertEqual(saturating.probability, 1)
        // D unsure (r = 0 < 0.6): p falls back, clamped at 0.
        for _ in 0..<4 { ada.observe(realScores: [-1, 1]); ada.endIteration(batchSize: 64) }
        XCTAssertEqual(ada.probability, 256 / 500_000, accuracy: 1e-12)
    }

    func testAdaptiveApplicationAtTheExtremes() throws {
        var stream = RandomStream(seed: 1, name: "ada")
        let x = Tensor(repeating: 0.5, shape: [4, 1, 4, 4])
        var ada = AdaptiveProbability()
        XCTAssertEqual(ada.apply(try Policy("cutout"), to: x, stream: &stream).scalars, x.scalars, "p = 0 leaves images alone")
        for _ in 0..<(500_000 / 64 + 8) { ada.observe(realScores: [1]); ada.endIteration(batchSize: 64) }
        let y = ada.apply(try Policy("cutout"), to: x, stream: &stream)
        for n in 0..<4 { XCTAssertTrue(y.scalars[(n * 16)..<(n * 16 + 16)].contains(0), "p = 1 augments every image") }
    }
}
