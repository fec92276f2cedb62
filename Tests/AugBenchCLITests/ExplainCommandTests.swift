import Foundation
import Metrics
import Storage
import TestSupport
import XCTest

/// `augbench prdc`, `memorisation` and `leakage` on files, with --json.
final class ExplainCommandTests: XCTestCase {
    func testPRDCMemorisationAndLeakageCommands() throws {
        let folder = try temporaryFolder("augbench-explain")
        let fixture = try HDF5File(path: Fixtures.path("prdc/prdc_fixture.h5"))
        var files: [String: String] = [:]
        for name in ["real", "fake"] {
            let (shape, values) = try fixture.read(Float.self, at: name)
            let path = folder.appendingPathComponent("\(name).h5").path
            try FeatureSet(features: values, logits: nil, count: shape[0], dimension: shape[1], classes: 0, extractor: "fixture",
                           extractorHash: "0", source: name).write(to: path)
            files[name] = path
        }
        let expectedPrecision = try fixture.doubleAttribute("precision_k3")
        fixture.close()
        let prdc = try CommandRunner.run(["prdc", files["real"]!, files["fake"]!, "--json"])
        XCTAssertEqual(prdc.status, 0, prdc.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(prdc.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(object?["precision"] as? Double ?? -1, expectedPrecision, accuracy: 1e-9)

        let memorised = try CommandRunner.run(["memorisation", "--generated", files["real"]!, "--training", files["real"]!,
                                               "--held-out", files["fake"]!, "--json"])
        XCTAssertEqual(memorised.status, 0, memorised.stderr)
        XCTAssertTrue(memorised.stdout.contains("\"share\" : 1"), "copies of the training set are all memorised: \(memorised.stdout)")

        let images = folder.appendingPathComponent("images.h5").path
        var pixels = [Float](repeating: -1, count: 2 * 32 * 32)
        for i in 4..<14 { for j in 4..<14 { pixels[i * 32 + j] = 0 } }
        try AtomicFile.writeHDF5(to: images) { try $0.write(pixels, shape: [2, 1, 32, 32], at: "/images") }
        let leakage = try CommandRunner.run(["leakage", images])
        XCTAssertEqual(leakage.status, 0, leakage.stderr)
        XCTAssertTrue(leakage.stdout.hasPrefix("cutout 0.5000 translation 0.0000"), leakage.stdout)
        // Against a reference of the first image (hole at the top left), the second, its mirror image, reads as mirrored.
        var mirrored = Array(pixels[0..<1024])
        for i in 0..<32 { for j in 0..<32 { mirrored[i * 32 + j] = pixels[i * 32 + 31 - j] } }
        try AtomicFile.writeHDF5(to: images) { try $0.write(Array(pixels[0..<1024]) + mirrored, shape: [2, 1, 32, 32], at: "/images") }
        let reference = folder.appendingPathComponent("reference.h5").path
        try AtomicFile.writeHDF5(to: reference) { try $0.write(Array(pixels[0..<1024]), shape: [1, 1, 32, 32], at: "/images") }
        let oriented = try CommandRunner.run(["leakage", images, "--reference", reference, "--json"])
        XCTAssertEqual(oriented.status, 0, oriented.stderr)
        let shares = try JSONSerialization.jsonObject(with: Data(oriented.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(shares?["mirrored"] as? Double, 0.5, oriented.stdout)
        XCTAssertNotNil(shares?["turned"], oriented.stdout)
        let wrongShape = try CommandRunner.run(["leakage", images, "--reference", files["real"]!])
        XCTAssertEqual(wrongShape.status, 1, wrongShape.stderr)
        let mismatch = try CommandRunner.run(["prdc", files["real"]!, images])
        XCTAssertEqual(mismatch.status, 1)
        XCTAssertTrue(mismatch.stderr.contains(images), mismatch.stderr)
    }
}
