import TensorCore
import XCTest

final class ShapeTests: XCTestCase {
    func testBroadcastShapes() throws {
        XCTAssertEqual(try Shape.broadcast([4, 1, 3], [2, 1]), [4, 2, 3])
        XCTAssertEqual(try Shape.broadcast([], [2, 3]), [2, 3])
    }

    func testBroadcastErrorPrintsBothShapes() {
        XCTAssertThrowsError(try Shape.broadcast([2, 3], [4, 3])) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("[2, 3]") && text.contains("[4, 3]"), text)
        }
    }

    func testStrides() {
        XCTAssertEqual(Shape.strides([2, 3, 4]), [12, 4, 1])
    }
}
