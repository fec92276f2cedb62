import TensorCore
import TestSupport
import XCTest

final class ShapingTests: XCTestCase {
    let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])

    func testValues() {
        XCTAssertEqual(x.reshaped(to: [3, -1]).shape, [3, 2])
        XCTAssertEqual(x.permuted([1, 0]).scalars, [1, 4, 2, 5, 3, 6])
        XCTAssertEqual(Tensor.concatenated([x, x.sliced(alongAxis: 1, 0..<1)], alongAxis: 1).scalars,
                       [1, 2, 3, 1, 4, 5, 6, 4])
        XCTAssertEqual(x.sliced(alongAxis: 0, 1..<2).scalars, [4, 5, 6])
        XCTAssertEqual(x.padded(alongAxis: 1, before: 1, after: 2).scalars, [0, 1, 2, 3, 0, 0, 0, 4, 5, 6, 0, 0])
    }

    /// A concatenation large enough to be copied on the workers, with an empty part, against index formulas.
    func testLargeConcatenationMatchesIndexFormula() {
        let parts = [3, 0, 5, 2].map { c in Tensor(shape: [7, c, 40, 40], scalars: (0..<(7 * c * 1600)).map { Float($0 * 10 + c) }) }
        let joined = Tensor.concatenated(parts, alongAxis: 1)
        XCTAssertEqual(joined.shape, [7, 10, 40, 40])
        var expected: [Float] = []
        for n in 0..<7 { for part in parts { expected += part.scalars[(n * part.shape[1] * 1600)..<((n + 1) * part.shape[1] * 1600)] } }
        XCTAssertEqual(joined.scalars, expected)
    }

    func testPermuteOfRank4MatchesIndexFormula() {
        let t = Tensor(shape: [2, 3, 4, 5], scalars: (0..<120).map(Float.init))
        let p = t.permuted([2, 0, 3, 1])  // [4, 2, 5, 3]
        for a in 0..<4 { for b in 0..<2 { for c in 0..<5 { for d in 0..<3 {
            XCTAssertEqual(p.scalars[((a * 2 + b) * 5 + c) * 3 + d], t.scalars[((b * 3 + d) * 4 + a) * 5 + c])
        } } } }
    }

    func testGradients() {
        let a = GradientCheck.sample([2, 3, 4], seed: 31), b = GradientCheck.sample([2, 2, 4], seed: 32)
        assertGradients([a]) { $0[0].reshaped(to: [6, 4]) }
        assertGradients([a]) { $0[0].permuted([2, 0, 1]) }
        assertGradients([a, b]) { Tensor.concatenated([$0[0], $0[1]], alongAxis: 1) }
        assertGradients([a]) { $0[0].sliced(alongAxis: 2, 1..<3) }
        assertGradients([a]) { $0[0].padded(alongAxis: 0, before: 2, after: 1) }
        assertGradients([GradientCheck.sample([1, 2, 3, 3], seed: 33)]) { $0[0].padded(spatially: 1) }
    }
}
