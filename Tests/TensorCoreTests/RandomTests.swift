import Foundation
import TensorCore
import XCTest

final class RandomTests: XCTestCase {
    func testPhiloxKnownAnswers() {
        // Known-answer vectors of Random123 (kat_vectors: philox4x32_10).
        let zero = Philox4x32.block(counter: (0, 0, 0, 0), key: (0, 0))
        XCTAssertEqual([zero.0, zero.1, zero.2, zero.3], [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8])
        let ones = Philox4x32.block(counter: (.max, .max, .max, .max), key: (.max, .max))
        XCTAssertEqual([ones.0, ones.1, ones.2, ones.3], [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd])
        let pi = Philox4x32.block(counter: (0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344),
                                  key: (0xa409_3822, 0x299f_31d0))
        XCTAssertEqual([pi.0, pi.1, pi.2, pi.3], [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1])
    }

    func testSameKeySameNumbers() {
        var a = RandomStream(seed: 7, name: "latents"), b = RandomStream(seed: 7, name: "latents")
        XCTAssertEqual(a.uniforms(100), b.uniforms(100))
        XCTAssertEqual(a.normals(10), b.normals(10))
    }

    func testDifferentKeysDiffer() {
        var a = RandomStream(seed: 7, name: "latents"), b = RandomStream(seed: 7, name: "flips")
        var c = RandomStream(seed: 8, name: "latents")
        let x = a.uniforms(64), y = b.uniforms(64), z = c.uniforms(64)
        XCTAssertNotEqual(x, y)
        XCTAssertNotEqual(x, z)
    }

    func testSaveAndRestoreContinuesExactly() throws {
        var stream = RandomStream(seed: 3, name: "augment")
        _ = stream.uniforms(13)
        let saved = try JSONEncoder().encode(stream)
        let expected = stream.uniforms(20)
        var restored = try JSONDecoder().decode(RandomStream.self, from: saved)
        XCTAssertEqual(restored.uniforms(20), expected)
        var viaPosition = RandomStream(seed: 3, name: "augment")
        viaPosition.restore(position: 13)
        XCTAssertEqual(viaPosition.uniforms(20), expected)
    }

    func testUniformRangeEnds() {
        var stream = RandomStream(seed: 1, name: "u")
        let values = stream.uniforms(100_000)
        XCTAssertTrue(values.allSatisfy { $0 >= 0 && $0 < 1 })
        XCTAssertEqual(Double(values.reduce(0, +)) / 1e5, 0.5, accuracy: 0.01)
        XCTAssertLessThan(values.min()!, 1e-3)
        XCTAssertGreaterThan(values.max()!, 1 - 1e-3)
    }

    func testIntegerDrawsReachBothEndsAndAreUniform() {
        var stream = RandomStream(seed: 2, name: "shift")
        var counts = [Int](repeating: 0, count: 9)
        let n = 90_000
        for _ in 0..<n { counts[stream.integer(in: -4...4) + 4] += 1 }
        XCTAssertTrue(counts.allSatisfy { $0 > 0 }, "both ends reachable")
        let expected = Double(n) / 9
        let chiSquare = counts.reduce(0.0) { $0 + pow(Double($1) - expected, 2) / expected }
        XCTAssertLessThan(chiSquare, 26.1, "χ² with 8 degrees of freedom above its 0.999 quantile")
    }

    func testNormalMoments() {
        var stream = RandomStream(seed: 4, name: "z")
        let values = stream.normals(200_000).map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        XCTAssertEqual(mean, 0, accuracy: 0.01)
        XCTAssertEqual(variance, 1, accuracy: 0.02)
    }
}

final class RandomBulkDrawTests: XCTestCase {
    /// `normals` and `uniforms` give the values of one-at-a-time draws and leave the stream where those would,
    /// from positions at every lane of a Philox block, for counts that cross blocks and workers' ranges.
    func testBulkDrawsMatchSingleDraws() {
        for skip in 0..<4 {
            for count in [1, 2, 3, 7, 4_097, 10_001] {
                var bulk = RandomStream(seed: 11, name: "bulk"), single = bulk
                _ = bulk.uniforms(skip)
                for _ in 0..<skip { _ = single.uniform() }
                let normals = bulk.normals(count, mean: 0.5, std: 2)
                let expectedNormals = (0..<count).map { _ in 0.5 + 2 * single.normal() }
                XCTAssertEqual(normals.map(\.bitPattern), expectedNormals.map(\.bitPattern), "skip \(skip), count \(count)")
                XCTAssertEqual(bulk.uniforms(count), (0..<count).map { _ in single.uniform() }, "skip \(skip), count \(count)")
                XCTAssertEqual(bulk.position, single.position)
            }
        }
        var empty = RandomStream(seed: 1, name: "empty")
        XCTAssertEqual(empty.normals(0), [])
        XCTAssertEqual(empty.position, 0)
    }
}
