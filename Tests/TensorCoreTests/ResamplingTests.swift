import TensorCore
import TestSupport
import XCTest

final class ResamplingTests: XCTestCase {
    func testValues() {
        let x = Tensor(shape: [1, 1, 2, 4], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        XCTAssertEqual(x.avgPool2d(2).scalars, [3.5, 5.5])
        let up = Tensor(shape: [1, 1, 1, 2], scalars: [1, 2]).upsampleNearest(2)
        XCTAssertEqual(up.shape, [1, 1, 2, 4])
        XCTAssertEqual(up.scalars, [1, 1, 2, 2, 1, 1, 2, 2])
    }

    /// The row-widening upsample against y[i, j] = x[⌊i/f⌋, ⌊j/f⌋] computed directly.
    func testUpsampleMatchesTheIndexFormula() {
        for factor in [1, 2, 3] {
            var stream = RandomStream(seed: UInt64(factor), name: "upsample")
            let x = Tensor.randomNormal([2, 3, 5, 4], stream: &stream)
            let (oh, ow) = (5 * factor, 4 * factor)
            let expected = (0..<6).flatMap { plane in
                (0..<oh).flatMap { i in (0..<ow).map { j in x.scalars[(plane * 5 + i / factor) * 4 + j / factor] } }
            }
            XCTAssertEqual(x.upsampleNearest(factor).scalars, expected, "factor \(factor)")
        }
    }

    func testGradients() {
        assertGradients([GradientCheck.sample([2, 3, 4, 6], seed: 101)]) { $0[0].avgPool2d(2) }
        assertGradients([GradientCheck.sample([2, 3, 3, 2], seed: 102)]) { $0[0].upsampleNearest(2) }
        assertGradients([GradientCheck.sample([1, 2, 6, 6], seed: 103)]) { $0[0].avgPool2d(3) }
    }
}
