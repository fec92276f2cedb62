import CPNG
import Foundation

/// An 8-bit image with interleaved channels (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA), rows top to bottom.
public struct PNGImage: Equatable, Sendable {
    /// How the file stored its pixels (a palette image reads as RGB or RGBA).
    public enum SourceFormat: String, Sendable { case gray, grayAlpha, rgb, rgba, palette }

    public let width: Int
    public let height: Int
    public let channels: Int
    public var pixels: [UInt8]
    public let sourceFormat: SourceFormat

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8], sourceFormat: SourceFormat? = nil) {
        precondition([1, 2, 3, 4].contains(channels), "PNGImage: \(channels) channels")
        precondition(pixels.count == width * height * channels, "PNGImage: \(pixels.count) bytes for \(width)×\(height)×\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
        self.sourceFormat = sourceFormat ?? [.gray, .grayAlpha, .rgb, .rgba][channels - 1]
    }

    // MARK: - Reading

    /// Reads a PNG file; a missing, truncated or corrupt file is an error naming it and libpng's reason.
    public static func read(path: String) throws -> PNGImage {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StorageError(file: path, FileManager.default.fileExists(atPath: path) ? "cannot read file" : "no such file")
        }
        return try decode(data, name: path)
    }

    /// Decodes PNG bytes; `name` labels errors.
    public static func decode(_ data: Data, name: String = "<memory>") throws -> PNGImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        let begun = data.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, data.count) }
        guard begun != 0 else { throw StorageError(file: name, "not a readable PNG: \(message(of: &image))") }
        defer { png_image_free(&image) }
        let native = image.format
        let isColor = native & PNG_FORMAT_FLAG_COLOR != 0, hasAlpha = native & PNG_FORMAT_FLAG_ALPHA != 0
        let source: SourceFormat = native & PNG_FORMAT_FLAG_COLORMAP != 0 ? .palette
            : isColor ? (hasAlpha ? .rgba : .rgb) : (hasAlpha ? .grayAlpha : .gray)
        let channels = (isColor ? 3 : 1) + (hasAlpha ? 1 : 0)
        image.format = (isColor ? PNG_FORMAT_FLAG_COLOR : 0) | (hasAlpha ? PNG_FORMAT_FLAG_ALPHA : 0)
        let (width, height) = (Int(image.width), Int(image.height))
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        let finished = pixels.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
        guard finished != 0 else { throw StorageError(file: name, "corrupt PNG data: \(message(of: &image))") }
        return PNGImage(width: width, height: height, channels: channels, pixels: pixels, sourceFormat: source)
    }

    private static func message(of image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    // MARK: - Writing

    /// PNG bytes of this image.
    public func encoded() throws -> Data {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = (channels >= 3 ? PNG_FORMAT_FLAG_COLOR : 0) | (channels % 2 == 0 ? PNG_FORMAT_FLAG_ALPHA : 0)
        var size = 0
        let measured = pixels.withUnsafeBytes { png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, 0, nil) }
        guard measured != 0, size > 0 else { throw StorageError(file: "<png>", "cannot encode PNG: \(Self.message(of: &image))") }
        var data = Data(count: size)
        let written = data.withUnsafeMutableBytes { target in
            pixels.withUnsafeBytes { png_image_write_to_memory(&image, target.baseAddress, &size, 0, $0.baseAddress, 0, nil) }
        }
        guard written != 0 else { throw StorageError(file: "<png>", "cannot encode PNG: \(Self.message(of: &image))") }
        return data.prefix(size)
    }

    /// Writes the image atomically (temporary file, then rename).
    public func write(to path: String) throws {
        try AtomicFile.write(try encoded(), to: path)
    }
}

extension PNGImage {
    /// The libpng library's version, e.g. "1.6.39".
    public static var libraryVersion: String { String(cString: png_get_libpng_ver(nil)) }
}
