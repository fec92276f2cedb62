import TensorCore
import TestSupport
import XCTest

final class TranslationTests: XCTestCase {
    /// Shifts inside, at and beyond the plane's edges, in both directions.
    static let shifts: [(row: Int, column: Int)] = [(0, 0), (1, -2), (-3, 4), (5, 0), (0, -7), (2, 3)]

    /// out[n, c, i, j] = x[n, c, i + r, j + c] inside the image, else +0, from the index formula.
    func testMatchesTheIndexFormula() {
        let (batch, channels, height, width) = (Self.shifts.count, 2, 5, 7)
        let x = GradientCheck.sample([batch, channels, height, width], seed: 201)
        var expected = [Float](repeating: 0, count: x.count)
        for n in 0..<batch {
            for c in 0..<channels {
                for i in 0..<height {
                    for j in 0..<width {
                        let (row, column) = (i + Self.shifts[n].row, j + Self.shifts[n].column)
                        guard (0..<height).contains(row), (0..<width).contains(column) else { continue }
                        expected[((n * channels + c) * height + i) * width + j] = x.scalars[((n * channels + c) * height + row) * width + column]
                    }
                }
            }
        }
        XCTAssertEqual(x.translated(by: Self.shifts).scalars, expected)
    }

    /// A −0 input reads as +0, as when resampling accumulates into zeros.
    func testNegativeZeroReadsAsPositiveZero() {
        let out = Tensor(shape: [1, 1, 1, 2], scalars: [-0.0, 1]).translated(by: [(row: 0, column: 0)])
        XCTAssertEqual(out.scalars.map(\.sign), [.plus, .plus])
    }

    func testGradients() {
        assertGradients([GradientCheck.sample([Self.shifts.count, 2, 5, 7], seed: 202)]) { $0[0].translated(by: Self.shifts) }
    }

    /// Under createGraph the pullback is itself a translation on the tape: the gradient of ‖∂D/∂x‖² for
    /// D(x) = Σ translated(x²) ⊙ w in w matches finite differences of the penalty from first-order gradients.
    func testGradientPenaltyThroughTheTranslation() {
        let shifts: [(row: Int, column: Int)] = [(1, -1), (-2, 0)]
        let x = GradientCheck.sample([2, 1, 4, 4], seed: 203)
        func penalty(_ weights: Tensor, createGraph: Bool) -> Tensor {
            let input = Tensor(shape: x.shape, scalars: x.scalars, requiresGradient: true)
            let score = ((input * input).translated(by: shifts) * weights).sum()
            return Tensor.gradients(of: score, withRespectTo: [input], createGraph: createGraph)[0].pow(2).sum()
        }
        assertPenaltyGradient(GradientCheck.sample([2, 1, 4, 4], seed: 204), elements: [0, 5, 17, 30]) { penalty($0, createGraph: $1) }
    }
}
