import TensorCore
import TestSupport
import XCTest

final class OpProfileTests: XCTestCase {
    /// Each recorded op gets one forward call; pullbacks count as backward calls of their own op, and the
    /// ops a pullback or a region runs are not counted separately; regions appear under their names.
    func testCountsForwardAndBackwardCallsPerOp() {
        let x = GradientCheck.sample([8, 8], seed: 1).requiringGradient()
        let entries = OpProfile.measure {
            let y = (x * x).leakyRelu(slope: 0.1)
            OpProfile.region("a region") { _ = x + x }
            y.sum().backward()
        }
        func entry(_ op: String) -> OpProfile.Entry? { entries.first { $0.op == op } }
        XCTAssertEqual(entry("leakyRelu(slope:)")?.forwardCalls, 1)
        XCTAssertEqual(entry("leakyRelu(slope:)")?.backwardCalls, 1)
        XCTAssertEqual(entry("*(_:_:)")?.forwardCalls, 1, "the pullback's own products are not separate calls")
        XCTAssertEqual(entry("*(_:_:)")?.backwardCalls, 1)
        XCTAssertEqual(entry("a region")?.forwardCalls, 1)
        XCTAssertNil(entry("+(_:_:)"), "the region's op belongs to the region")
        XCTAssertNotNil(x.gradient)
        XCTAssertTrue(entries.allSatisfy { $0.forwardSeconds >= 0 && $0.backwardSeconds >= 0 })
    }

    /// Ops run between two measurements are in neither: the second sees only its own op.
    func testNothingIsCollectedOutsideMeasure() {
        let x = GradientCheck.sample([4], seed: 2).requiringGradient()
        let first = OpProfile.measure { _ = x * x }
        _ = (x * x).sum()  // outside any measurement
        _ = x + x
        let second = OpProfile.measure { _ = x - x }
        XCTAssertEqual(first.map(\.forwardCalls).reduce(0, +), 1, "\(first.map(\.op))")
        XCTAssertEqual(second.map(\.op), ["-(_:_:)"], "only the op inside the second measurement")
        XCTAssertEqual(second.first?.forwardCalls, 1)
    }
}
