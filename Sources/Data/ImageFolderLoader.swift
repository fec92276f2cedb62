import Foundation
import Storage

/// A folder of PNG images, flat (unlabelled) or with one subfolder per class (labels in sorted
/// subfolder order), resized to `resolution`×`resolution` and converted to 1 or 3 channels.
public enum ImageFolderLoader {
    public static func load(name: String, folder: String, resolution: Int, channels: Int, hint: String) throws -> Dataset {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DataError(file: folder, "image folder not found", hint: hint)
        }
        let entries = try manager.contentsOfDirectory(atPath: folder).sorted()
        let classFolders = entries.filter { entry in
            var directory: ObjCBool = false
            return manager.fileExists(atPath: folder + "/" + entry, isDirectory: &directory) && directory.boolValue
        }
        var files: [(path: String, label: Int?)] = []
        if classFolders.isEmpty {
            files = entries.filter { $0.lowercased().hasSuffix(".png") }.map { (folder + "/" + $0, nil) }
        } else {
            for (label, classFolder) in classFolders.enumerated() {
                let names = try manager.contentsOfDirectory(atPath: folder + "/" + classFolder).sorted()
                files += names.filter { $0.lowercased().hasSuffix(".png") }.map { ("\(folder)/\(classFolder)/\($0)", label) }
            }
        }
        guard !files.isEmpty else { throw DataError(file: folder, "holds no .png images", hint: hint) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(files.count * channels * resolution * resolution)
        for file in files {
            let image: PNGImage
            do { image = try PNGImage.read(path: file.path) } catch let error as StorageError {
                throw DataError(file: file.path, error.problem, hint: "remove or replace the file")
            }
            bytes += Resampling.planes(of: image, channels: channels, size: resolution)
        }
        let labels = classFolders.isEmpty ? nil : files.map { $0.label! }
        return Dataset(name: name, split: "train", bytes: bytes, channels: channels, height: resolution, width: resolution,
                       labels: labels, classNames: classFolders.isEmpty ? nil : classFolders, source: folder)
    }
}

/// Channel conversion and area resizing of 8-bit images.
public enum Resampling {
    /// The image as `channels` planes (CHW) of size×size: RGB → gray by ITU-R 601 luma
    /// (0.299 R + 0.587 G + 0.114 B), gray → RGB by repetition, alpha dropped; shrinking averages each
    /// output pixel's footprint (area/box filter), enlarging samples bilinearly.
    public static func planes(of image: PNGImage, channels: Int, size: Int) -> [UInt8] {
        let (w, h, stride) = (image.width, image.height, image.channels)
        let colour = stride >= 3
        var source = [[Float]](repeating: [Float](repeating: 0, count: w * h), count: channels)
        for p in 0..<(w * h) {
            let base = p * stride
            let (r, g, b) = colour
                ? (Float(image.pixels[base]), Float(image.pixels[base + 1]), Float(image.pixels[base + 2]))
                : (Float(image.pixels[base]), Float(image.pixels[base]), Float(image.pixels[base]))
            if channels == 1 { source[0][p] = colour ? 0.299 * r + 0.587 * g + 0.114 * b : r }
            else { source[0][p] = r; source[1][p] = g; source[2][p] = b }
        }
        return source.flatMap { plane in
            resize(plane, width: w, height: h, to: size).map { UInt8(max(0, min(255, $0.rounded()))) }
        }
    }

    /// One plane resized to size×size.
    static func resize(_ plane: [Float], width w: Int, height h: Int, to size: Int) -> [Float] {
        if w == size && h == size { return plane }
        var out = [Float](repeating: 0, count: size * size)
        let (scaleX, scaleY) = (Double(w) / Double(size), Double(h) / Double(size))
        for y in 0..<size {
            for x in 0..<size {
                if scaleX >= 1 && scaleY >= 1 {
                    out[y * size + x] = areaAverage(plane, w, x0: Double(x) * scaleX, x1: Double(x + 1) * scaleX,
                                                    y0: Double(y) * scaleY, y1: Double(y + 1) * scaleY)
                } else {
                    out[y * size + x] = bilinear(plane, w, h, x: (Double(x) + 0.5) * scaleX - 0.5, y: (Double(y) + 0.5) * scaleY - 0.5)
                }
            }
        }
        return out
    }

    /// Mean of the plane over [x0, x1)×[y0, y1), pixels weighted by the fraction they cover.
    static func areaAverage(_ plane: [Float], _ w: Int, x0: Double, x1: Double, y0: Double, y1: Double) -> Float {
        var total = 0.0, weight = 0.0
        for row in Int(y0)..<Int(y1.rounded(.up)) {
            let wy = min(y1, Double(row + 1)) - max(y0, Double(row))
            for column in Int(x0)..<Int(x1.rounded(.up)) {
                let wx = min(x1, Double(column + 1)) - max(x0, Double(column))
                total += Double(plane[row * w + column]) * wx * wy
                weight += wx * wy
            }
        }
        return Float(total / weight)
    }

    static func bilinear(_ plane: [Float], _ w: Int, _ h: Int, x: Double, y: Double) -> Float {
        let cx = min(max(x, 0), Double(w - 1)), cy = min(max(y, 0), Double(h - 1))
        let (x0, y0) = (Int(cx), Int(cy))
        let (x1, y1) = (min(x0 + 1, w - 1), min(y0 + 1, h - 1))
        let (fx, fy) = (Float(cx - Double(x0)), Float(cy - Double(y0)))
        let top = plane[y0 * w + x0] * (1 - fx) + plane[y0 * w + x1] * fx
        let bottom = plane[y1 * w + x0] * (1 - fx) + plane[y1 * w + x1] * fx
        return top * (1 - fy) + bottom * fy
    }
}
