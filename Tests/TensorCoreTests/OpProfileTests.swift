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

    /// A convolution's three kernels are timed by direction, shape and algorithm, once per call, only while a
    /// profile runs.
    func testConvolutionKernelsAreTimedByShape() {
        let x = GradientCheck.sample([2, 8, 6, 6], seed: 3).requiringGradient()
        let w = GradientCheck.sample([8, 8, 3, 3], seed: 4).requiringGradient()
        _ = x.conv2d(w, padding: 1)  // outside any measurement
        let (_, kernels) = OpProfile.measureWithKernels { x.conv2d(w, padding: 1).sum().backward() }
        XCTAssertEqual(kernels.map(\.name).sorted(), ["forward N=2 8→8 3×3 s1 p1 6×6 winograd",
                                                      "input gradient N=2 8→8 3×3 s1 p1 6×6 winograd",
                                                      "weight gradient N=2 8→8 3×3 s1 p1 6×6 winograd"])
        XCTAssertEqual(kernels.map(\.calls), [1, 1, 1])
        XCTAssertTrue(kernels.allSatisfy { $0.seconds >= 0 })
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
