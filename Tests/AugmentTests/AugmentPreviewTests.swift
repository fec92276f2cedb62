import Augment
import Storage
import TensorCore
import TestSupport
import XCTest

/// `augbench augment --preview`: each image in the first column, beside independent draws of the policy.
final class AugmentPreviewTests: XCTestCase {
    func testRowsHoldTheOriginalThenSeededDraws() throws {
        var stream = RandomStream(seed: 1, name: "preview-test")
        let originals = Tensor.randomUniform([3, 1, 8, 8], low: -1, high: 1, stream: &stream)
        let policy = try Policy("translation,cutout")
        let grid = AugmentPreview.grid(policy, originals: originals, variants: 4, seed: 7)
        XCTAssertEqual(grid.width, 5 * 8 + 6 * 2)
        XCTAssertEqual(grid.height, 3 * 8 + 4 * 2)
        // Row 1, column 0 is the second original, byte for byte.
        for y in 0..<8 {
            for x in 0..<8 {
                XCTAssertEqual(grid.pixels[(2 + 8 + 2 + y) * grid.width + 2 + x], ImageGrid.byte(originals.scalars[64 + y * 8 + x]))
            }
        }
        XCTAssertEqual(AugmentPreview.grid(policy, originals: originals, variants: 4, seed: 7).pixels, grid.pixels, "seeded")
        XCTAssertNotEqual(AugmentPreview.grid(policy, originals: originals, variants: 4, seed: 8).pixels, grid.pixels)
    }
}
