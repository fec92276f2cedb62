import Foundation
import Metrics
import Storage
import TensorCore
import TestSupport
import XCTest

final class MetricFormulaTests: XCTestCase {
    let fixture = Fixtures.path("metrics/metrics_fixture.h5")

    func set(_ group: String, logits: Bool = false) throws -> FeatureSet {
        let file = try HDF5File(path: fixture)
        let f = try file.read(Float.self, at: "/\(group)/features")
        let l = logits ? try file.read(Float.self, at: "/\(group)/logits") : nil
        return FeatureSet(features: f.values, logits: l?.values, count: f.shape[0], dimension: f.shape[1],
                          classes: l?.shape[1] ?? 0, extractor: "fixture", extractorHash: "-", source: group)
    }

    func statistics(_ s: FeatureSet) -> GaussianStatistics { GaussianStatistics(features: s.features, count: s.count, dimension: s.dimension) }

    func expected(_ name: String) throws -> Double { try HDF5File(path: fixture).doubleAttribute(name) }

    func assertRelative(_ actual: Double, _ expected: Double, _ tolerance: Double = 1e-6, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertLessThanOrEqual(abs(actual - expected), tolerance * abs(expected), "\(actual) vs \(expected)", file: file, line: line)
    }

    func testAgreesWithPublishedFormulas() throws {
        let (a, b, c) = (try set("a", logits: true), try set("b"), try set("c"))
        assertRelative(try FrechetDistance.distance(statistics(a), statistics(b)), try expected("fid_ab"))
        assertRelative(try FrechetDistance.distance(statistics(a), statistics(c)), try expected("fid_ac"))
        let score = try InceptionScore.score(logits: a.logits!, count: a.count, classes: a.classes, splits: 10)
        assertRelative(score.mean, try expected("is_mean"))
        assertRelative(score.std, try expected("is_std"))
        let kid = try KernelInceptionDistance.distance(a, b, subsets: 1, subsetSize: 200)
        assertRelative(kid.mean, try expected("kid_ab"))
        XCTAssertEqual(kid.std, 0)
    }

    func testExactCases() throws {
        let a = try set("a")
        XCTAssertEqual(try FrechetDistance.distance(statistics(a), statistics(a)), 0, accuracy: 1e-9)
        // Shifting every row by δ keeps Σ: FID = ‖δ‖².
        let shift: [Float] = (0..<a.dimension).map { Float($0 % 3) * 0.5 }
        var moved = a
        moved.features = a.features.enumerated().map { $0.element + shift[$0.offset % a.dimension] }
        let expected = shift.reduce(0.0) { $0 + Double($1 * $1) }
        XCTAssertEqual(try FrechetDistance.distance(statistics(a), statistics(moved)), expected, accuracy: 1e-6 * expected)
        // One-hot predictions spread evenly over K classes in every split: IS = K.
        let k = 7, n = 140
        let logits = (0..<n).flatMap { row in (0..<k).map { $0 == row % k ? Float(200) : 0 } }
        let score = try InceptionScore.score(logits: logits, count: n, classes: k, splits: 10)
        XCTAssertEqual(score.mean, Double(k), accuracy: 1e-9)
        XCTAssertEqual(score.std, 0, accuracy: 1e-9)
    }

    func testKIDSubsetsAreSeeded() throws {
        let (a, b) = (try set("a"), try set("b"))
        let first = try KernelInceptionDistance.distance(a, b, subsets: 5, subsetSize: 50, seed: 3)
        XCTAssertEqual(first.mean, try KernelInceptionDistance.distance(a, b, subsets: 5, subsetSize: 50, seed: 3).mean)
        XCTAssertNotEqual(first.mean, try KernelInceptionDistance.distance(a, b, subsets: 5, subsetSize: 50, seed: 4).mean)
        XCTAssertGreaterThan(first.std, 0)
    }

    func testMismatchedDimensionsAreAnError() throws {
        let a = try set("a")
        let narrow = GaussianStatistics(features: [1, 2, 3, 4], count: 2, dimension: 2)
        XCTAssertThrowsError(try FrechetDistance.distance(statistics(a), narrow)) { error in
            XCTAssertEqual("\(error)", "feature dimensions differ: 16 and 2")
        }
    }
}

final class FrechetRouteTests: XCTestCase {
    func testCholeskyAndEigenvectorRoutesAgree() throws {
        var stream = RandomStream(seed: 9, name: "routes")
        let d = 12
        let a = stream.normals(300 * d), b = stream.normals(300 * d).map { $0 * 1.3 + 0.2 }
        let s1 = GaussianStatistics(features: a, count: 300, dimension: d), s2 = GaussianStatistics(features: b, count: 300, dimension: d)
        let fast = try FrechetDistance.traceOfSquareRootProduct(s1.covariance, s2.covariance, dimension: d)
        let general = try FrechetDistance.eigenvectorRoute(s1.covariance, s2.covariance, dimension: d)
        XCTAssertEqual(fast, general, accuracy: 1e-9 * general)
        // A singular Σ₁ (fewer rows than dimensions) takes the general route and stays finite.
        let few = GaussianStatistics(features: Array(a.prefix(5 * d)), count: 5, dimension: d)
        XCTAssertTrue(try FrechetDistance.distance(few, s2).isFinite)
    }
}
