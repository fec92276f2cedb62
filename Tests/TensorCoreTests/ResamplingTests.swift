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

    /// 2×2 pooling (vector path where rows are a multiple of eight wide, scalar loop elsewhere) against
    /// (1/4)·(((0 + x₀₀) + x₀₁) + x₁₀) + x₁₁) bit for bit, negative zeros included (0 + −0 is +0).
    func testPoolingMatchesTheSumInOrder() {
        for width in [8, 16, 24, 6] {
            var stream = RandomStream(seed: UInt64(width), name: "pool")
            var values = Tensor.randomNormal([2, 3, 4, width], stream: &stream).scalars
            for index in Swift.stride(from: 0, to: values.count, by: 5) { values[index] = -0.0 }
            for index in 0..<4 { values[[0, 1, width, width + 1][index]] = -0.0 }  // one all −0 window
            let x = Tensor(shape: [2, 3, 4, width], scalars: values)
            let expected = (0..<6).flatMap { plane in
                (0..<2).flatMap { i in
                    (0..<(width / 2)).map { j in
                        let at = { (a: Int, b: Int) in values[(plane * 4 + 2 * i + a) * width + 2 * j + b] }
                        var total: Float = 0
                        total += at(0, 0); total += at(0, 1); total += at(1, 0); total += at(1, 1)
                        return total * 0.25
                    }
                }
            }
            XCTAssertEqual(x.avgPool2d(2).scalars.map(\.bitPattern), expected.map(\.bitPattern), "width \(width)")
        }
    }

    /// Upsampling by 2 through the vector path (rows a multiple of four wide) and the scalar loop, forward and
    /// as avgPool2d's pullback (scaled by ¼), against the index formula.
    func testDoublingMatchesTheIndexFormula() {
        for width in [4, 8, 12, 3] {
            var stream = RandomStream(seed: UInt64(width), name: "double")
            let x = Tensor.randomNormal([2, 2, 3, width], stream: &stream)
            let expected = (0..<4).flatMap { plane in
                (0..<6).flatMap { i in (0..<(2 * width)).map { j in x.scalars[(plane * 3 + i / 2) * width + j / 2] } }
            }
            XCTAssertEqual(x.upsampleNearest(2).scalars, expected, "width \(width)")
            let pooled = Tensor(zeros: [2, 2, 6, 2 * width], requiresGradient: true)
            pooled.avgPool2d(2).backward(seed: x)
            XCTAssertEqual(pooled.gradient?.scalars, expected.map { $0 * 0.25 }, "avgPool2d's pullback, width \(width)")
        }
    }

    func testGradients() {
        assertGradients([GradientCheck.sample([2, 3, 4, 6], seed: 101)]) { $0[0].avgPool2d(2) }
        assertGradients([GradientCheck.sample([2, 3, 3, 2], seed: 102)]) { $0[0].upsampleNearest(2) }
        assertGradients([GradientCheck.sample([1, 2, 6, 6], seed: 103)]) { $0[0].avgPool2d(3) }
    }
}
