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
        try checkRowRanges(of: features, in: folder)
        let score = try CommandRunner.run(["is", features, "--splits", "4"])
        XCTAssertEqual(score.status, 0, score.stderr)
        // Feature files of different widths are refused with both names.
        let narrow = folder.appendingPathComponent("narrow.h5").path
        try AtomicFile.writeHDF5(to: narrow) { try $0.write([Float](repeating: 1, count: 8), shape: [4, 2], at: "/features") }
        let mismatch = try CommandRunner.run(["kid", features, narrow])
        XCTAssertNotEqual(mismatch.status, 0)
        XCTAssertTrue(mismatch.stderr.contains("128-dimensional") && mismatch.stderr.contains("has 2"), mismatch.stderr)
    }

    /// `--rows-a/--rows-b` give the same FID as the two halves written as files of their own, and rows
    /// outside the file are an error naming it.
    private func checkRowRanges(of features: String, in folder: URL) throws {
        let whole = try HDF5File(path: features).read(Float.self, at: "/features", expectingShape: [40, 128]).values
        let (first, second) = (folder.appendingPathComponent("first.h5").path, folder.appendingPathComponent("second.h5").path)
        try AtomicFile.writeHDF5(to: first) { try $0.write(Array(whole[0..<(20 * 128)]), shape: [20, 128], at: "/features") }
        try AtomicFile.writeHDF5(to: second) { try $0.write(Array(whole[(20 * 128)...]), shape: [20, 128], at: "/features") }
        let halves = try CommandRunner.run(["fid", features, features, "--rows-a", "0:20", "--rows-b", "20:40"])
        let files = try CommandRunner.run(["fid", first, second])
        XCTAssertEqual(halves.status, 0, halves.stderr)
        XCTAssertEqual(halves.stdout, files.stdout)
        XCTAssertNotEqual(halves.stdout, (try CommandRunner.run(["fid", features, features])).stdout)
        let outside = try CommandRunner.run(["fid", features, features, "--rows-a", "0:41"])
        XCTAssertEqual(outside.status, 1)
        XCTAssertTrue(outside.stderr.contains("f.h5") && outside.stderr.contains("0..<41"), outside.stderr)
        let malformed = try CommandRunner.run(["kid", features, features, "--rows-b", "20-40"])
        XCTAssertEqual(malformed.status, 64, malformed.stderr)
    }
}
