import Foundation
import Storage
import TestSupport
import XCTest

final class HDF5FileTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws { folder = try temporaryFolder("augbench-h5") }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    func testRoundTripOfEveryTypeAndRankAndAttributes() throws {
        let file = path("round.h5")
        try AtomicFile.writeHDF5(to: file) { h5 in
            try h5.write([Float(1.5), -2, 3, 4, 5, 6], shape: [2, 3], at: "/a/b/floats")
            try h5.write([0.25, 1e-300], shape: [2], at: "/doubles")
            try h5.write([Int64.max, -7, 0, 1], shape: [1, 2, 2, 1], at: "/ints")
            try h5.write([Float(9)], shape: [], at: "/scalar")
            try h5.setAttribute("extractor", "featurenet-fmnist", on: "/a")
            try h5.setAttribute("count", Int64(10_000), on: "/a/b/floats")
            try h5.setAttribute("fid", 12.5)
            try h5.setAttribute("empty", "")
        }
        let h5 = try HDF5File(path: file)
        let floats = try h5.read(Float.self, at: "/a/b/floats", expectingShape: [nil, 3])
        XCTAssertEqual(floats.shape, [2, 3])
        XCTAssertEqual(floats.values, [1.5, -2, 3, 4, 5, 6])
        XCTAssertEqual(try h5.read(Double.self, at: "/doubles").values, [0.25, 1e-300])
        XCTAssertEqual(try h5.read(Int64.self, at: "/ints").values, [Int64.max, -7, 0, 1])
        XCTAssertEqual(try h5.read(Float.self, at: "/scalar").shape, [])
        XCTAssertEqual(try h5.read(Double.self, at: "/a/b/floats").values, [1.5, -2, 3, 4, 5, 6], "Float32 reads as Float64")
        XCTAssertEqual(try h5.stringAttribute("extractor", on: "/a"), "featurenet-fmnist")
        XCTAssertEqual(try h5.integerAttribute("count", on: "/a/b/floats"), 10_000)
        XCTAssertEqual(try h5.doubleAttribute("fid"), 12.5)
        XCTAssertEqual(try h5.stringAttribute("empty"), "")
        XCTAssertEqual(try h5.children(of: "/"), ["a", "doubles", "ints", "scalar"])
        XCTAssertTrue(h5.exists("/a/b/floats"))
        XCTAssertFalse(h5.exists("/a/c/floats"))
    }

    func testErrorsNameTheFileAndThePath() throws {
        let file = path("errors.h5")
        try AtomicFile.writeHDF5(to: file) { try $0.write([Int64(1), 2], shape: [2], at: "/labels") }
        let h5 = try HDF5File(path: file)
        XCTAssertThrowsError(try h5.read(Float.self, at: "/features")) { error in
            XCTAssertEqual("\(error)", "\(file): /features: no such dataset")
        }
        XCTAssertThrowsError(try h5.read(Float.self, at: "/labels")) { error in
            XCTAssertEqual("\(error)", "\(file): /labels: holds integer data, expected floating-point")
        }
        XCTAssertThrowsError(try h5.read(Int64.self, at: "/labels", expectingShape: [3])) { error in
            XCTAssertEqual("\(error)", "\(file): /labels: has shape [2], expected [3]")
        }
        XCTAssertThrowsError(try h5.stringAttribute("policy", on: "/labels")) { error in
            XCTAssertTrue("\(error)".contains("no attribute 'policy'"), "\(error)")
        }
    }

    func testMissingAndCorruptFiles() throws {
        XCTAssertThrowsError(try HDF5File(path: path("absent.h5"))) { error in
            XCTAssertEqual("\(error)", "\(path("absent.h5")): no such file")
        }
        let corrupt = path("corrupt.h5")
        try Data("this is not hdf5".utf8).write(to: URL(fileURLWithPath: corrupt))
        XCTAssertThrowsError(try HDF5File(path: corrupt)) { error in
            XCTAssertTrue("\(error)".contains("not an HDF5 file"), "\(error)")
        }
        // A real file cut in half.
        let whole = path("whole.h5")
        try AtomicFile.writeHDF5(to: whole) { try $0.write([Float](repeating: 1, count: 50_000), shape: [50_000], at: "/x") }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: whole))
        let truncated = path("truncated.h5")
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        XCTAssertThrowsError(try { let h5 = try HDF5File(path: truncated); _ = try h5.read(Float.self, at: "/x") }()) { error in
            XCTAssertTrue("\(error)".hasPrefix(truncated), "\(error)")
        }
    }

    func testAFailedAtomicWriteLeavesNothingBehind() throws {
        struct Interrupted: Error {}
        let file = path("partial.h5")
        XCTAssertThrowsError(try AtomicFile.writeHDF5(to: file) { h5 in
            try h5.write([Float(1)], shape: [1], at: "/x")
            throw Interrupted()
        })
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [])
    }

    func testReadsVariableLengthStringAttributesAsH5pyWritesThem() throws {
        // The golden DiffAugment file was written by h5py with variable-length string attributes.
        let fixture = Fixtures.path("diffaugment_golden.h5")
        let h5 = try HDF5File(path: fixture)
        XCTAssertEqual(try h5.stringAttribute("policy", on: "/case004"), "color,translation,cutout")
        XCTAssertEqual(try h5.children(of: "/").count, 24)
        XCTAssertEqual(try h5.shape(of: "/case006/images"), [3, 1, 28, 28])
    }
}
