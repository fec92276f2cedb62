/// Tiles a batch of NCHW images in [-1, 1] into one picture.
public enum ImageGrid {
    /// Maps x ∈ [-1, 1] to a byte: clamp(round((x + 1)·127.5), 0, 255); NaN maps to 0.
    @inline(__always)
    public static func byte(_ value: Float) -> UInt8 {
        guard value.isFinite else { return value == .infinity ? 255 : 0 }
        return UInt8(max(0, min(255, ((value + 1) * 127.5).rounded())))
    }

    /// `count` images of `channels`×`height`×`width` (1 or 3 channels) in rows of `columns`, separated
    /// by `padding` pixels of `background` (a byte).
    public static func make(_ values: [Float], count: Int, channels: Int, height: Int, width: Int,
                            columns: Int, padding: Int = 2, background: UInt8 = 255) -> PNGImage {
        precondition(channels == 1 || channels == 3, "ImageGrid: 1 or 3 channels, got \(channels)")
        precondition(values.count == count * channels * height * width, "ImageGrid: \(values.count) values for \(count)×\(channels)×\(height)×\(width)")
        let columns = max(1, min(columns, count))
        let rows = (count + columns - 1) / columns
        let gridWidth = columns * width + (columns + 1) * padding
        let gridHeight = rows * height + (rows + 1) * padding
        var pixels = [UInt8](repeating: background, count: gridWidth * gridHeight * channels)
        for index in 0..<count {
            let top = padding + (index / columns) * (height + padding)
            let left = padding + (index % columns) * (width + padding)
            for c in 0..<channels {
                let plane = (index * channels + c) * height * width
                for y in 0..<height {
                    for x in 0..<width {
                        pixels[((top + y) * gridWidth + left + x) * channels + c] = byte(values[plane + y * width + x])
                    }
                }
            }
        }
        return PNGImage(width: gridWidth, height: gridHeight, channels: channels, pixels: pixels)
    }
}
