import Foundation
import Metrics
import Models
import Storage
import TensorCore
import TestSupport
import XCTest

/// Inception-v3 against pytorch-fid's network with the deterministic weights of
/// scripts/make_inception_fixture.py (whose docstring states the rule reproduced here).
final class InceptionV3Tests: XCTestCase {
    static func fnv1a64(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }

    /// u_i = splitmix64(fnv1a64(name) + i) >> 40, over 2^24.
    static func uniforms(_ name: String, _ count: Int) -> [Double] {
        let seed = fnv1a64(name)
        return (0..<count).map { i in
            var z = seed &+ UInt64(i) &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Double(z >> 40) / Double(1 << 24)
        }
    }

    static func ruleValue(_ name: String, _ shape: [Int]) -> Tensor {
        let u = uniforms(name, shape.reduce(1, *))
        let values: [Double]
        if name.hasSuffix("conv.weight") {
            let bound = (6.0 / Double(shape.dropFirst().reduce(1, *))).squareRoot()
            values = u.map { (2 * $0 - 1) * bound }
        } else if name.hasSuffix("bn.weight") || name.hasSuffix("running_var") {
            values = u.map { 0.8 + 0.4 * $0 }
        } else if name.hasSuffix("bn.bias") || name.hasSuffix("running_mean") {
            values = u.map { 0.2 * ($0 - 0.5) }
        } else if name == "fc.weight" {
            values = u.map { (2 * $0 - 1) * (3.0 / 2048).squareRoot() }
        } else {
            values = u.map { 0.1 * (2 * $0 - 1) }
        }
        return Tensor(shape: shape, scalars: values.map { Float($0) })
    }

    static let network: InceptionV3 = try! InceptionV3(parameter: ruleValue)
    let fixture = Fixtures.path("inception/random-weights.h5")

    func read(_ name: String) throws -> (shape: [Int], values: [Float]) {
        let file = try HDF5File(path: fixture)
        defer { file.close() }
        return try file.read(Float.self, at: name)
    }

    func testWeightRuleMatchesThePythonScript() throws {
        let probe = try read("probe/Conv2d_1a_3x3.conv.weight")
        let rule = Self.ruleValue("Conv2d_1a_3x3.conv.weight", [32, 3, 3, 3])
        XCTAssertEqual(Array(rule.scalars.prefix(probe.values.count)), probe.values)
    }

    /// ‖ours − theirs‖∞ / ‖theirs‖∞ for features and logits.
    func testFeaturesAndLogitsMatchPytorchFidWithinOnePerMille() throws {
        let inputs = try read("inputs")
        let (features, logits) = Self.network(Tensor(shape: inputs.shape, scalars: inputs.values))
        for (name, ours) in [("features", features), ("logits", logits)] {
            let theirs = try read(name)
            XCTAssertEqual(ours.shape, theirs.shape, name)
            let error = zip(ours.scalars, theirs.values).map { abs($0 - $1) }.max()!
            let scale = theirs.values.map(abs).max()!
            XCTAssertGreaterThan(scale, 0.1, "\(name): the fixture's outputs are not degenerate")
            XCTAssertLessThan(error / scale, 1e-3, "\(name): max error \(error) against max |value| \(scale)")
        }
    }

    func testWeightFileRoundTripAndGrayInput() throws {
        let folder = try temporaryFolder("inception")
        let path = folder.appendingPathComponent("weights.h5").path
        try writeRuleWeights(to: path)
        let weights = try InceptionWeights.read(from: path)
        XCTAssertEqual(weights.extractorName, "inception-v3-fid")
        XCTAssertEqual(weights.hash.count, 16)
        // Gray images in [-1, 1] equal their RGB repetition in [0, 1] fed to the network.
        var stream = RandomStream(seed: 3, name: "gray")
        let gray = Tensor.randomUniform([2, 1, 28, 28], stream: &stream) * 2 - 1
        let rgb = Tensor.concatenated([gray, gray, gray], alongAxis: 1)
        let viaExtractor = weights.extract(gray.scalars, count: 2, imageShape: [1, 28, 28])
        let direct = withoutGradients { Self.network((rgb + 1) * 0.5) }
        XCTAssertEqual(viaExtractor.features, direct.features.scalars)
        XCTAssertEqual(viaExtractor.logits, direct.logits.scalars)
    }

    func testBadWeightFilesNameTheProblem() throws {
        let folder = try temporaryFolder("inception-bad")
        let missing = folder.appendingPathComponent("absent.h5").path
        XCTAssertThrowsError(try InceptionWeights.read(from: missing)) {
            XCTAssertTrue("\($0)".contains("convert_inception_weights.py"), "\($0)")
        }
        let wrongShape = folder.appendingPathComponent("wrong.h5").path
        try AtomicFile.writeHDF5(to: wrongShape) { file in
            try file.setAttribute("format", InceptionWeights.format)
            try file.write([Float](repeating: 0, count: 10), shape: [10], at: "/state/Conv2d_1a_3x3.conv.weight")
        }
        XCTAssertThrowsError(try InceptionWeights.read(from: wrongShape)) {
            XCTAssertTrue("\($0)".contains("/state/Conv2d_1a_3x3.conv.weight has shape [10], expected [32, 3, 3, 3]"), "\($0)")
        }
        XCTAssertThrowsError(try InceptionWeights.read(from: fixture)) {
            XCTAssertTrue("\($0)".contains("not an AugBench Inception weight file"), "\($0)")
        }
    }

    /// Every tensor the network asks for, under /state/<name>, as the converter writes them.
    func writeRuleWeights(to path: String) throws {
        var names: [(String, [Int])] = []
        _ = try InceptionV3 { name, shape in names.append((name, shape)); return Self.ruleValue(name, shape) }
        try AtomicFile.writeHDF5(to: path) { file in
            try file.setAttribute("format", InceptionWeights.format)
            for (name, shape) in names { try file.write(Self.ruleValue(name, shape).scalars, shape: shape, at: "/state/\(name)") }
        }
    }
}
