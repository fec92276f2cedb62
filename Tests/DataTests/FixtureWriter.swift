import CZlib
import Foundation
import Storage

/// Writes small datasets in each on-disk format, good or deliberately broken.
struct FixtureWriter {
    let folder: URL

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    static func bigEndian(_ value: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((value >> $0) & 0xFF) } }

    /// IDX images (pixel (n, r, c) = (n·7 + r·3 + c) mod 256) and labels n mod 10.
    func writeIDX(prefix: String, count: Int, rows: Int = 28, columns: Int = 28, gzip: Bool,
                  imageMagic: Int = 0x0803, labelCount: Int? = nil, labels: [UInt8]? = nil, dropBytes: Int = 0) throws {
        var images = FixtureWriter.bigEndian(imageMagic) + FixtureWriter.bigEndian(count)
            + FixtureWriter.bigEndian(rows) + FixtureWriter.bigEndian(columns)
        for n in 0..<count { for r in 0..<rows { for c in 0..<columns { images.append(UInt8((n * 7 + r * 3 + c) % 256)) } } }
        images.removeLast(dropBytes)
        let labelValues = labels ?? (0..<count).map { UInt8($0 % 10) }
        let labelBytes = FixtureWriter.bigEndian(0x0801) + FixtureWriter.bigEndian(labelCount ?? count) + labelValues
        try write(images, to: "\(prefix)-images-idx3-ubyte", gzip: gzip)
        try write(labelBytes, to: "\(prefix)-labels-idx1-ubyte", gzip: gzip)
    }

    func write(_ bytes: [UInt8], to name: String, gzip: Bool) throws {
        if !gzip { try Data(bytes).write(to: folder.appendingPathComponent(name)); return }
        let file = gzopen(path(name + ".gz"), "wb")!
        _ = bytes.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
        gzclose(file)
    }

    /// CIFAR records: label bytes then 3,072 pixels of value (record + channel) mod 256.
    func writeCIFAR(_ name: String, labels: [[UInt8]], truncate: Int = 0) throws {
        var bytes: [UInt8] = []
        for (record, label) in labels.enumerated() {
            bytes += label
            for channel in 0..<3 { bytes += [UInt8](repeating: UInt8((record + channel) % 256), count: 1024) }
        }
        bytes.removeLast(truncate)
        try Data(bytes).write(to: folder.appendingPathComponent(name))
    }

    func writePNG(_ name: String, width: Int, height: Int, channels: Int, value: (Int, Int, Int) -> UInt8) throws {
        var pixels: [UInt8] = []
        for y in 0..<height { for x in 0..<width { for c in 0..<channels { pixels.append(value(x, y, c)) } } }
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try PNGImage(width: width, height: height, channels: channels, pixels: pixels).write(to: url.path)
    }
}
