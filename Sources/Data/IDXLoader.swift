import Foundation

/// MNIST-style IDX files (LeCun's format), gzip or raw: images 0x00000803 [N, rows, cols] and labels
/// 0x00000801 [N], both unsigned bytes.
public enum IDXLoader {
    /// Reads `<prefix>-images-idx3-ubyte[.gz]` and `<prefix>-labels-idx1-ubyte[.gz]` from `folder`
    /// (prefix "train" or "t10k").
    public static func load(name: String, folder: String, split: String, classNames: [String], hint: String) throws -> Dataset {
        let prefix = split == "train" ? "train" : "t10k"
        let imagesPath = try locate(folder, "\(prefix)-images-idx3-ubyte", hint: hint)
        let labelsPath = try locate(folder, "\(prefix)-labels-idx1-ubyte", hint: hint)
        let images = try FileReading.contents(imagesPath, hint: hint)
        let labels = try FileReading.contents(labelsPath, hint: hint)
        let (count, rows, columns) = try imageHeader(images, imagesPath)
        let labelCount = try labelHeader(labels, labelsPath)
        guard labelCount == count else {
            throw DataError(file: labelsPath, "has \(labelCount) labels for \(count) images in \(imagesPath)")
        }
        let labelValues = labels[8...].map(Int.init)
        if let bad = labelValues.firstIndex(where: { $0 >= classNames.count }) {
            throw DataError(file: labelsPath, "label \(labelValues[bad]) at record \(bad) is outside 0…\(classNames.count - 1)")
        }
        return Dataset(name: name, split: split, bytes: Array(images[16...]), channels: 1, height: rows, width: columns,
                       labels: labelValues, classNames: classNames, source: "\(imagesPath), \(labelsPath)")
    }

    /// The gzip file when present, else the raw one.
    static func locate(_ folder: String, _ base: String, hint: String) throws -> String {
        for candidate in ["\(folder)/\(base).gz", "\(folder)/\(base)"] where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        throw DataError(file: "\(folder)/\(base)[.gz]", "not found", hint: hint)
    }

    static func imageHeader(_ bytes: [UInt8], _ path: String) throws -> (Int, Int, Int) {
        guard bytes.count >= 16 else { throw DataError(file: path, "too short for an IDX image header (\(bytes.count) bytes)") }
        let magic = FileReading.bigEndian32(bytes, 0)
        guard magic == 0x0803 else {
            throw DataError(file: path, String(format: "magic number 0x%08x, expected 0x00000803 (IDX unsigned-byte images)", magic))
        }
        let (count, rows, columns) = (FileReading.bigEndian32(bytes, 4), FileReading.bigEndian32(bytes, 8), FileReading.bigEndian32(bytes, 12))
        // Three 32-bit sizes can overflow a 64-bit product: compare without multiplying past the file's size.
        let (plane, planeOverflow) = rows.multipliedReportingOverflow(by: columns)
        let (pixels, pixelsOverflow) = count.multipliedReportingOverflow(by: plane)
        guard !planeOverflow, !pixelsOverflow, bytes.count == 16 + pixels else {
            throw DataError(file: path, "holds \(bytes.count - 16) pixel bytes; the header promises \(count)×\(rows)×\(columns)")
        }
        guard count > 0, rows > 0, columns > 0 else {
            throw DataError(file: path, "holds no images (header: \(count)×\(rows)×\(columns))")
        }
        return (count, rows, columns)
    }

    static func labelHeader(_ bytes: [UInt8], _ path: String) throws -> Int {
        guard bytes.count >= 8 else { throw DataError(file: path, "too short for an IDX label header") }
        let magic = FileReading.bigEndian32(bytes, 0)
        guard magic == 0x0801 else {
            throw DataError(file: path, String(format: "magic number 0x%08x, expected 0x00000801 (IDX unsigned-byte labels)", magic))
        }
        let count = FileReading.bigEndian32(bytes, 4)
        guard bytes.count == 8 + count else {
            throw DataError(file: path, "holds \(bytes.count - 8) labels; the header promises \(count)")
        }
        return count
    }
}
