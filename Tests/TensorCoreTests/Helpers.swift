import TensorCore
import TestSupport
import XCTest

/// Fails the test with the first few mismatches when the tape's gradients disagree with finite differences.
func assertGradients(_ inputs: [Tensor], epsilon: Float = 1e-2, file: StaticString = #filePath, line: UInt = #line,
                     _ f: @escaping ([Tensor]) -> Tensor) {
    let mismatches = GradientCheck.mismatches(inputs, epsilon: epsilon, f)
    XCTAssertTrue(mismatches.isEmpty, "gradient check failed: " +
                  mismatches.prefix(5).map(\.description).joined(separator: "; "), file: file, line: line)
}

func assertClose(_ actual: [Float], _ expected: [Float], tolerance: Float = 1e-5,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "counts differ", file: file, line: line)
    let worst = zip(actual, expected).map { abs($0 - $1) }.max() ?? 0
    XCTAssertLessThanOrEqual(worst, tolerance, "largest difference \(worst)", file: file, line: line)
}
