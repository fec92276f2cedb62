import TensorCore
import TestSupport
import XCTest

final class ReductionTests: XCTestCase {
    let x = Tensor(shape: [2, 3, 2], scalars: (0..<12).map(Float.init))

    func testSumValues() {
        XCTAssertEqual(x.sum().scalar, 66)
        XCTAssertEqual(x.sum(alongAxes: [1]).scalars, [6, 9, 24, 27])
        XCTAssertEqual(x.sum(alongAxes: [0, 2]).scalars, [14, 22, 30])
        XCTAssertEqual(x.sum(alongAxes: [-1], keepingDimensions: true).shape, [2, 3, 1])
        XCTAssertEqual(x.mean(alongAxes: [0, 1, 2]).scalar, 5.5)
    }

    func testBroadcastAndSumToShape() {
        let row = Tensor(shape: [1, 3], scalars: [1, 2, 3])
        XCTAssertEqual(row.broadcast(to: [2, 3]).scalars, [1, 2, 3, 1, 2, 3])
        XCTAssertEqual(Tensor(repeating: 1, shape: [4, 2, 3]).sum(toShape: [2, 1]).scalars, [12, 12])
    }

    func testGradients() {
        let v = GradientCheck.sample([2, 3, 4], seed: 21)
        assertGradients([v]) { $0[0].sum(alongAxes: [1]) }
        assertGradients([v]) { $0[0].sum(alongAxes: [0, 2], keepingDimensions: true) }
        assertGradients([v]) { $0[0].mean(alongAxes: [2]) }
        assertGradients([v]) { $0[0].mean() }
        assertGradients([GradientCheck.sample([3, 1], seed: 22)]) { $0[0].broadcast(to: [2, 3, 5]) }
    }
}
