import TensorCore
import TestSupport
import XCTest

final class GradientCheckTests: XCTestCase {
    /// An op whose pullback is deliberately wrong (2x·g instead of 3x²·g for x³).
    private func wrongCube(_ x: Tensor) -> Tensor {
        let y = Tensor(shape: x.shape, scalars: x.scalars.map { $0 * $0 * $0 })
        return Tensor.record(y, inputs: [x]) { g in [g * x * 2] }
    }

    func testCheckerRejectsAWrongPullback() {
        let x = GradientCheck.sample([3, 4], seed: 1)
        let mismatches = GradientCheck.mismatches([x]) { wrongCube($0[0]) }
        XCTAssertFalse(mismatches.isEmpty, "the checker accepted a wrong pullback")
    }

    func testCheckerAcceptsTheRightPullback() {
        let x = GradientCheck.sample([3, 4], seed: 1)
        XCTAssertTrue(GradientCheck.mismatches([x]) { $0[0] * $0[0] * $0[0] }.isEmpty)
    }

    func testCheckerNoticesAMissingGradient() {
        let x = GradientCheck.sample([5], seed: 2)
        let mismatches = GradientCheck.mismatches([x]) { Tensor.record($0[0].detached() * 3, inputs: [$0[0]]) { _ in [nil] } }
        XCTAssertEqual(mismatches.count, 5)
    }
}
