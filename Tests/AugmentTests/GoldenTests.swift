import Augment
import Storage
import TensorCore
import TestSupport
import XCTest

/// Every case of `Tests/Fixtures/diffaugment_golden.h5` (copied from ../shared/reference): the official
/// PyTorch DiffAugment with its random draws recorded (PAPER.md §2 layout).
final class GoldenTests: XCTestCase {
    static func parameters(_ file: HDF5File, _ group: String) throws -> AugmentParameters {
        var p = AugmentParameters()
        func floats(_ name: String) throws -> [Float]? {
            file.exists("\(group)/\(name)") ? try file.read(Float.self, at: "\(group)/\(name)").values : nil
        }
        func pairs(_ name: String) throws -> [(row: Int, column: Int)]? {
            guard file.exists("\(group)/\(name)") else { return nil }
            let values = try file.read(Int64.self, at: "\(group)/\(name)", expectingShape: [nil, 2]).values
            return stride(from: 0, to: values.count, by: 2).map { (Int(values[$0]), Int(values[$0 + 1])) }
        }
        p.brightness = try floats("brightness")
        p.saturation = try floats("saturation")
        p.contrast = try floats("contrast")
        p.translation = try pairs("translation")
        p.cutout = try pairs("cutout")
        return p
    }

    func testEveryGoldenCase() throws {
        let file = try HDF5File(path: Fixtures.path("diffaugment_golden.h5"))
        let cases = try file.children(of: "/")
        XCTAssertEqual(cases.count, 24)
        for name in cases {
            let group = "/" + name
            let policy = try Policy(try file.stringAttribute("policy", on: group))
            let images = try file.read(Float.self, at: "\(group)/images")
            let expected = try file.read(Float.self, at: "\(group)/output").values
            let upstream = try file.read(Float.self, at: "\(group)/upstream_grad").values
            let expectedGradient = try file.read(Float.self, at: "\(group)/input_grad").values
            let x = Tensor(shape: images.shape, scalars: images.values, requiresGradient: true)
            let y = try policy.apply(x, try Self.parameters(file, group))
            y.backward(seed: Tensor(shape: y.shape, scalars: upstream))
            let colour = policy.ops.contains(.brightness)
            let outputError = zip(y.scalars, expected).map { abs($0 - $1) }.max()!
            let gradientError = zip(x.gradient!.scalars, expectedGradient).map { abs($0 - $1) }.max()!
            if colour {
                XCTAssertLessThanOrEqual(outputError, 1e-5, "\(name) \(policy) output")
                XCTAssertLessThanOrEqual(gradientError, 1e-5, "\(name) \(policy) input gradient")
            } else {
                XCTAssertEqual(y.scalars, expected, "\(name) \(policy) output must match exactly")
                XCTAssertEqual(x.gradient!.scalars, expectedGradient, "\(name) \(policy) input gradient must match exactly")
            }
        }
    }
}
