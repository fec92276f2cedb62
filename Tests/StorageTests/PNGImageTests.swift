import Foundation
import Storage
import TestSupport
import XCTest

final class PNGImageTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws { folder = try temporaryFolder("augbench-png") }

    func fixture(_ name: String) -> String {
        Fixtures.path("png/\(name).png")
    }

    func testRoundTripGrayAndRGB() throws {
        for channels in [1, 3] {
            let pixels = (0..<(5 * 4 * channels)).map { UInt8(($0 * 37) % 256) }
            let image = PNGImage(width: 5, height: 4, channels: channels, pixels: pixels)
            let path = folder.appendingPathComponent("rt\(channels).png").path
            try image.write(to: path)
            XCTAssertEqual(try PNGImage.read(path: path), image)
        }
    }

    /// Fixtures written by Pillow (Tests/Fixtures/png/make_png_fixtures.py): 3×2 images whose pixel
    /// (x, y) has red 40x + 10y, green 200 − 30x, blue 7y, alpha 255 − 50x.
    func testReadsEveryColourTypeWrittenByAnotherLibrary() throws {
        func expected(_ x: Int, _ y: Int) -> [UInt8] {
            [UInt8(40 * x + 10 * y), UInt8(200 - 30 * x), UInt8(7 * y), UInt8(255 - 50 * x)]
        }
        let rgb = try PNGImage.read(path: fixture("rgb"))
        XCTAssertEqual(rgb.channels, 3)
        let rgba = try PNGImage.read(path: fixture("rgba"))
        XCTAssertEqual(rgba.channels, 4)
        let palette = try PNGImage.read(path: fixture("palette"))
        XCTAssertEqual(palette.sourceFormat, .palette)
        let gray = try PNGImage.read(path: fixture("gray"))
        XCTAssertEqual(gray.channels, 1)
        for y in 0..<2 {
            for x in 0..<3 {
                let pixel = expected(x, y), index = y * 3 + x
                XCTAssertEqual(Array(rgb.pixels[(index * 3)..<(index * 3 + 3)]), Array(pixel[0..<3]))
                XCTAssertEqual(Array(rgba.pixels[(index * 4)..<(index * 4 + 4)]), pixel)
                XCTAssertEqual(Array(palette.pixels[(index * 3)..<(index * 3 + 3)]), Array(pixel[0..<3]))
                XCTAssertEqual(gray.pixels[index], UInt8(40 * x + 10 * y))
            }
        }
    }

    func testCorruptAndMissingFilesAreClearErrors() throws {
        let path = folder.appendingPathComponent("bad.png").path
        try Data("definitely not a png".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try PNGImage.read(path: path)) { error in
            XCTAssertTrue("\(error)".hasPrefix(path + ": not a readable PNG"), "\(error)")
        }
        let good = try Data(contentsOf: URL(fileURLWithPath: fixture("rgb")))
        let cut = folder.appendingPathComponent("cut.png").path
        try good.prefix(good.count - 20).write(to: URL(fileURLWithPath: cut))
        XCTAssertThrowsError(try PNGImage.read(path: cut)) { error in XCTAssertTrue("\(error)".hasPrefix(cut), "\(error)") }
        XCTAssertThrowsError(try PNGImage.read(path: folder.appendingPathComponent("none.png").path)) { error in
            XCTAssertTrue("\(error)".hasSuffix("no such file"), "\(error)")
        }
    }

    func testImageGridLayoutAndScaling() throws {
        // Two 1×2×2 images in two columns, padding 1: [-1, 0; 1, 0.5] and all 1.
        let values: [Float] = [-1, 0, 1, 0.5, 1, 1, 1, 1]
        let grid = ImageGrid.make(values, count: 2, channels: 1, height: 2, width: 2, columns: 2, padding: 1, background: 7)
        XCTAssertEqual(grid.width, 7)
        XCTAssertEqual(grid.height, 4)
        XCTAssertEqual(Array(grid.pixels[0..<7]), [7, 7, 7, 7, 7, 7, 7])
        XCTAssertEqual(Array(grid.pixels[7..<14]), [7, 0, 128, 7, 255, 255, 7])
        XCTAssertEqual(Array(grid.pixels[14..<21]), [7, 255, 191, 7, 255, 255, 7])
        XCTAssertEqual(ImageGrid.byte(.nan), 0)
        XCTAssertEqual(ImageGrid.byte(3), 255)
    }
}
