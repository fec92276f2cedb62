import TensorCore
import TestSupport
import XCTest

/// The separable pooling fast paths against direct window loops, and bilinear resizing against PyTorch.
final class InferencePoolingTests: XCTestCase {
    /// Direct loops over every k×k window; `average` divides by k² or by the taps inside x.
    func naivePool(_ x: Tensor, k: Int, s: Int, p: Int, average: Bool, countingPadding: Bool = false) -> [Float] {
        let (planes, h, w) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
        let (oh, ow) = ((h + 2 * p - k) / s + 1, (w + 2 * p - k) / s + 1)
        var y: [Float] = []
        for plane in 0..<planes { for i in 0..<oh { for j in 0..<ow {
            var taps: [Float] = []
            for a in 0..<k { for b in 0..<k {
                let (r, q) = (i * s - p + a, j * s - p + b)
                if r >= 0, r < h, q >= 0, q < w { taps.append(x.scalars[(plane * h + r) * w + q]) }
            } }
            y.append(average ? taps.reduce(0, +) / Float(countingPadding ? k * k : taps.count) : taps.max()!)
        } } }
        return y
    }

    let cases: [(k: Int, s: Int, p: Int)] = [(3, 1, 1), (3, 2, 0), (3, 2, 1), (2, 2, 0), (5, 3, 2), (3, 1, 0), (5, 1, 2)]

    /// Plane shapes with the flat same-size and unpadded paths' edge cases: odd and even widths, planes
    /// narrower than the window's reach, Inception's 8×8, 17×17 and 35×35.
    let planes: [(h: Int, w: Int)] = [(9, 8), (3, 3), (2, 5), (1, 6), (6, 1), (8, 8), (17, 17), (35, 35), (15, 7)]

    func testSeparablePoolsMatchDirectWindows() {
        for (index, (c, plane)) in cases.flatMap({ c in planes.map { (c, $0) } }).enumerated()
        where plane.h + 2 * c.p >= c.k && plane.w + 2 * c.p >= c.k {
            var stream = RandomStream(seed: UInt64(index), name: "pool")
            let x = Tensor.randomNormal([2, 3, plane.h, plane.w], stream: &stream)
            assertClose(x.maxPool2d(kernel: c.k, stride: c.s, padding: c.p).scalars,
                        naivePool(x, k: c.k, s: c.s, p: c.p, average: false), tolerance: 0)
            assertClose(x.avgPool2d(kernel: c.k, stride: c.s, padding: c.p, countingPadding: false).scalars,
                        naivePool(x, k: c.k, s: c.s, p: c.p, average: true), tolerance: 1e-6)
            assertClose(x.avgPool2d(kernel: c.k, stride: c.s, padding: c.p, countingPadding: true).scalars,
                        naivePool(x, k: c.k, s: c.s, p: c.p, average: true, countingPadding: true), tolerance: 1e-6)
        }
    }

    func testBilinearResizeMatchesPyTorchAlignCornersFalse() {
        // F.interpolate(x, size, mode='bilinear', align_corners=False), torch 2.15.
        let up = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4]).resizedBilinear(height: 4, width: 4)
        assertClose(up.scalars, [1.0, 1.25, 1.75, 2.0, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3.0, 3.25, 3.75, 4.0],
                    tolerance: 1e-6)
        let mixed = Tensor(shape: [1, 1, 3, 5], scalars: (0..<15).map(Float.init)).resizedBilinear(height: 2, width: 7)
        assertClose(mixed.scalars, [1.25, 1.8214287, 2.5357144, 3.25, 3.9642859, 4.6785712, 5.25,
                                    8.75, 9.321428, 10.035714, 10.75, 11.464286, 12.178572, 12.75], tolerance: 1e-5)
        var stream = RandomStream(seed: 9, name: "same size")
        let x = Tensor.randomNormal([2, 2, 5, 6], stream: &stream)
        XCTAssertEqual(x.resizedBilinear(height: 5, width: 6).scalars, x.scalars)
    }
}
