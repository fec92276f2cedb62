import TensorCore
import TestSupport
import XCTest

func assertGradients(_ inputs: [Tensor], file: StaticString = #filePath, line: UInt = #line,
                     _ f: @escaping ([Tensor]) -> Tensor) {
    let mismatches = GradientCheck.mismatches(inputs, f)
    XCTAssertTrue(mismatches.isEmpty, "gradient check failed: " +
                  mismatches.prefix(5).map(\.description).joined(separator: "; "), file: file, line: line)
}
