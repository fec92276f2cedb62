import Augment
import Foundation
import TensorCore
import XCTest

final class SamplerTests: XCTestCase {
    /// χ² statistic of counts against a uniform expectation.
    func chiSquare(_ counts: [Int]) -> Double {
        let expected = Double(counts.reduce(0, +)) / Double(counts.count)
        return counts.reduce(0.0) { $0 + pow(Double($1) - expected, 2) / expected }
    }

    func testColourParameterRanges() throws {
        var stream = RandomStream(seed: 1, name: "augment")
        let p = try Policy("color").sample(batch: 50_000, channels: 3, height: 8, width: 8, stream: &stream)
        for (values, low, high) in [(p.brightness!, Float(-0.5), Float(0.5)), (p.saturation!, 0, 2), (p.contrast!, 0.5, 1.5)] {
            XCTAssertTrue(values.allSatisfy { $0 >= low && $0 < high })
            XCTAssertLessThan(values.min()! - low, 1e-3)
            XCTAssertLessThan(high - values.max()!, 1e-3)
            var bins = [Int](repeating: 0, count: 10)
            for v in values { bins[min(9, Int((v - low) / (high - low) * 10))] += 1 }
            XCTAssertLessThan(chiSquare(bins), 27.9, "χ²(9) above its 0.999 quantile")
        }
    }

    func testTranslationShiftsCoverBothEndsUniformly() throws {
        var stream = RandomStream(seed: 2, name: "augment")
        // 32×32: S = int(32·0.125 + 0.5) = 4; 28×28: S = int(3.5 + 0.5) = 4; 7×5: S = 1 and 1.
        XCTAssertEqual(GeometricOps.maximumShift(32), 4)
        XCTAssertEqual(GeometricOps.maximumShift(28), 4)
        XCTAssertEqual(GeometricOps.maximumShift(5), 1)
        let p = try Policy("translation").sample(batch: 45_000, channels: 1, height: 32, width: 28, stream: &stream)
        for values in [p.translation!.map(\.row), p.translation!.map(\.column)] {
            XCTAssertEqual(values.min(), -4)
            XCTAssertEqual(values.max(), 4)
            var bins = [Int](repeating: 0, count: 9)
            for v in values { bins[v + 4] += 1 }
            XCTAssertLessThan(chiSquare(bins), 26.1, "χ²(8) above its 0.999 quantile")
        }
    }

    func testCutoutOffsetsCoverTheirRangeUniformly() throws {
        var stream = RandomStream(seed: 3, name: "augment")
        // 32 rows: size 16 (even) → offsets 0…32; 7 columns: size int(3.5+0.5) = 4 → 0…7; 5: size 3 (odd) → 0…4.
        XCTAssertEqual(GeometricOps.cutoutSize(7), 4)
        for (extent, high) in [(32, 32), (7, 7), (5, 4)] {
            let p = try Policy("cutout").sample(batch: 30_000, channels: 1, height: extent, width: extent, stream: &stream)
            let rows = p.cutout!.map(\.row)
            XCTAssertEqual(rows.min(), 0)
            XCTAssertEqual(rows.max(), high)
            var bins = [Int](repeating: 0, count: high + 1)
            for v in rows { bins[v] += 1 }
            XCTAssertLessThan(chiSquare(bins), 70, "χ²(\(high)) far above its expectation")
        }
    }

    func testCutoutHoleSizeAt32() {
        // The visible hole at 32×32 ranges from 8×8 (offset 0) to 16×16.
        let sizes = [0, 8, 16, 32].map { offset -> Int in
            let mask = GeometricOps.cutoutMask(batch: 1, height: 32, width: 32, offsets: [(offset, offset)])
            return mask.scalars.filter { $0 == 0 }.count
        }
        XCTAssertEqual(sizes, [64, 256, 256, 64])
    }

    /// AugmentSettings.cutoutRatio sizes the hole as well as the range of offsets it is drawn from: at ratio 0.25
    /// a 32×32 image loses an 8×8 square (4×4 at a corner offset), and sampled offsets stay in 0…32.
    func testCutoutRatioSetsTheHoleItCuts() throws {
        var settings = AugmentSettings()
        settings.cutoutRatio = 0.25
        let policy = try Policy("cutout")
        var stream = RandomStream(seed: 5, name: "cutout-ratio")
        let x = Tensor(shape: [3, 1, 32, 32], scalars: [Float](repeating: 1, count: 3 * 1024))
        var p = policy.sample(batch: 3, channels: 1, height: 32, width: 32, settings: settings, stream: &stream)
        p.cutout = [(16, 16), (0, 0), (32, 32)]
        let y = try policy.apply(x, p, settings: settings)
        let holes = (0..<3).map { n in y.scalars[(n * 1024)..<((n + 1) * 1024)].filter { $0 == 0 }.count }
        XCTAssertEqual(holes, [64, 16, 16])
        XCTAssertEqual(try policy.apply(x, p).scalars.filter { $0 == 0 }.count, 256 + 64 + 64, "the default ratio 0.5 cuts 16×16")
    }
}
