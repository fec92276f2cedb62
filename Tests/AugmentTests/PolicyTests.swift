import Augment
import TensorCore
import TestSupport
import XCTest

final class PolicyTests: XCTestCase {
    func testParsing() throws {
        XCTAssertEqual(try Policy("color,translation,cutout").ops, [.brightness, .saturation, .contrast, .translation, .cutout])
        XCTAssertEqual(try Policy("cutout, color").ops, [.cutout, .brightness, .saturation, .contrast])
        XCTAssertTrue(try Policy("").isIdentity)
        XCTAssertThrowsError(try Policy("color,blur")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("unknown augmentation 'blur'") && text.contains("color, contrast, cutout"), text)
        }
        XCTAssertThrowsError(try Policy("cutout,cutout"))
    }

    func testEmptyPolicyIsTheIdentity() throws {
        var stream = RandomStream(seed: 1, name: "a")
        let x = GradientCheck.sample([2, 3, 4, 4], seed: 1)
        XCTAssertEqual(try Policy("")(x, stream: &stream).scalars, x.scalars)
    }

    func testMissingParameterIsNamed() throws {
        XCTAssertThrowsError(try Policy("translation").apply(Tensor(zeros: [1, 1, 4, 4]), AugmentParameters())) { error in
            XCTAssertEqual("\(error)", "policy 'translation' needs parameter 'translation'")
        }
    }

    func testGradientsOfEveryOp() throws {
        let x = GradientCheck.sample([2, 3, 5, 5], seed: 2)
        var stream = RandomStream(seed: 3, name: "params")
        for policy in ["brightness", "saturation", "contrast", "translation", "cutout", "flip", "rotation", "scale", "noise",
                       "color,translation,cutout"] {
            let p = try Policy(policy)
            let parameters = p.sample(batch: 2, channels: 3, height: 5, width: 5, stream: &stream)
            let mismatches = GradientCheck.mismatches([x]) { try! p.apply($0[0], parameters) }
            XCTAssertTrue(mismatches.isEmpty, "\(policy): \(mismatches.prefix(3))")
        }
    }

    func testExtraTransformsValues() {
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])
        XCTAssertEqual(GeometricOps.horizontalFlip(x, [true]).scalars, [2, 1, 4, 3])
        XCTAssertEqual(GeometricOps.rotation90(x, [1]).scalars, [2, 4, 1, 3])
        XCTAssertEqual(GeometricOps.rotation90(x, [4]).scalars, [1, 2, 3, 4])
        XCTAssertEqual(GeometricOps.scaling(x, [1]).scalars, [1, 2, 3, 4])
        XCTAssertEqual(GeometricOps.translation(x, [(row: 1, column: 0)]).scalars, [3, 4, 0, 0])
    }
}

final class TranslationEquivalenceTests: XCTestCase {
    /// The row-copy translation gives the bits of the general per-pixel resampling it replaced, forward and
    /// backward, for shifts up to and beyond the plane.
    func testSameBitsAsTheSpatialMap() {
        let shifts: [(row: Int, column: Int)] = [(0, 0), (2, -3), (-4, 1), (6, 6), (0, -5), (-1, 2)]
        let (h, w) = (5, 6)
        var map = SpatialMap(batch: shifts.count, height: h, width: w, taps: 1)
        for (n, shift) in shifts.enumerated() {
            for i in 0..<h { for j in 0..<w { map.set(n, i, j, tap: 0, sourceRow: i + shift.row, sourceColumn: j + shift.column) } }
        }
        let x = GradientCheck.sample([shifts.count, 3, h, w], seed: 31)
        let g = GradientCheck.sample([shifts.count, 3, h, w], seed: 32)
        func forwardAndGradient(_ f: (Tensor) -> Tensor) -> ([Float], [Float]) {
            let leaf = Tensor(shape: x.shape, scalars: x.scalars, requiresGradient: true)
            let y = f(leaf)
            (y * g).sum().backward()
            return (y.scalars, leaf.gradient!.scalars)
        }
        let rowCopy = forwardAndGradient { GeometricOps.translation($0, shifts) }
        let resampled = forwardAndGradient { $0.resampled(map) }
        XCTAssertEqual(rowCopy.0.map(\.bitPattern), resampled.0.map(\.bitPattern))
        XCTAssertEqual(rowCopy.1.map(\.bitPattern), resampled.1.map(\.bitPattern))
    }
}
