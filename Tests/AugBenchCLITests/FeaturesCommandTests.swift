import Foundation
import Storage
import TestSupport
import XCTest

final class FeaturesCommandTests: XCTestCase {
    func testExtractFromAnImageFileThenMetrics() throws {
        let weights = Fixtures.folder.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("weights/featurenet-fashion-mnist.h5").path
        guard FileManager.default.fileExists(atPath: weights) else { throw XCTSkip("no committed FeatureNet weights at \(weights)") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("augbench-features-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let images = folder.appendingPathComponent("images.h5").path
        var pixels: [Float] = []
        for index in 0..<(40 * 1024) {
            let code: Int = (index * 7919) % 2001
            pixels.append(Float(code) / 1000 - 1)
        }
        try AtomicFile.writeHDF5(to: images) { file in try file.write(pixels, shape: [40, 1, 32, 32], at: "/images") }
        let features = folder.appendingPathComponent("f.h5").path
        let extract = try CommandRunner.run(["features", "extract", "--images", images, "--weights", weights, "--output", features])
        XCTAssertEqual(extract.status, 0, extract.stderr)
        let file = try HDF5File(path: features)
        XCTAssertEqual(try file.shape(of: "/features"), [40, 128])
        XCTAssertEqual(try file.shape(of: "/logits"), [40, 10])
        XCTAssertEqual(try file.stringAttribute("extractor"), "featurenet-fashion-mnist")
        let fid = try CommandRunner.run(["fid", features, features, "--json"])
        XCTAssertTrue(fid.stdout.contains("\"fid\" : 0") || fid.stdout.contains("\"fid\" : -0") || fid.stdout.contains("e-"), fid.stdout)
        let score = try CommandRunner.run(["is", features, "--splits", "4"])
        XCTAssertEqual(score.status, 0, score.stderr)
        // Feature files of different widths are refused with both names.
        let narrow = folder.appendingPathComponent("narrow.h5").path
        try AtomicFile.writeHDF5(to: narrow) { try $0.write([Float](repeating: 1, count: 8), shape: [4, 2], at: "/features") }
        let mismatch = try CommandRunner.run(["kid", features, narrow])
        XCTAssertNotEqual(mismatch.status, 0)
        XCTAssertTrue(mismatch.stderr.contains("128-dimensional") && mismatch.stderr.contains("has 2"), mismatch.stderr)
    }
}
