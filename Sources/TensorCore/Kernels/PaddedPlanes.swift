/// Images [C, H, W] copied into zero-padded planes of paddedHeight × paddedWidth, with one padding row above
/// and one padding column left of x (the padding-1 convolutions' x̃), and back. Each plane is followed by the
/// next; `slack` floats after the last plane let vector loads read past a patch's last row.
struct PaddedPlanes {
    let geometry: ConvGeometry
    let paddedHeight, paddedWidth, slack: Int

    init(_ g: ConvGeometry, paddedHeight: Int, paddedWidth: Int, slack: Int) {
        precondition(paddedHeight >= g.height + 1 && paddedWidth >= g.width + 2,
                     "padded planes \(paddedHeight)×\(paddedWidth) too small for \(g)")
        (geometry, self.paddedHeight, self.paddedWidth, self.slack) = (g, paddedHeight, paddedWidth, slack)
    }

    var paddedPlane: Int { paddedHeight * paddedWidth }
    /// Floats of padded planes per image.
    var paddedImage: Int { geometry.channels * paddedPlane }
    /// Scratch floats per image, with the slack (more than a chunk needs).
    var scratchPerImage: Int { paddedImage + slack }

    /// Copies `images` images at x into padded planes, zeroing only what x does not cover (the first row and
    /// column, and the rows and columns after x).
    func pad(_ x: UnsafePointer<Float>, images: Int, into padded: UnsafeMutablePointer<Float>) {
        let (h, w) = (geometry.height, geometry.width)
        for plane in 0..<(images * geometry.channels) {
            let source = x + plane * h * w, target = padded + plane * paddedPlane
            target.update(repeating: 0, count: paddedWidth + 1)
            for row in 0..<h {
                let to = target + (row + 1) * paddedWidth + 1
                Self.copy(source + row * w, to, count: w)
                (to + w).update(repeating: 0, count: paddedWidth - w)  // the row's right padding, column 0 of the next
            }
            let tail = (h + 1) * paddedWidth + 1
            (target + tail).update(repeating: 0, count: paddedPlane - tail)
        }
    }

    /// The inverse of `pad` on x's region: x[plane, r, c] = padded[plane, r + 1, c + 1].
    func unpad(_ padded: UnsafePointer<Float>, images: Int, into x: UnsafeMutablePointer<Float>) {
        let (h, width) = (geometry.height, geometry.width)
        for plane in 0..<(images * geometry.channels) {
            let source = padded + plane * paddedPlane + paddedWidth + 1, target = x + plane * h * width
            for row in 0..<h { Self.copy(source + row * paddedWidth, target + row * width, count: width) }
        }
    }

    /// Copies `count` floats eight at a time (the rows here are short: a call to memcpy costs more than them).
    @inline(__always)
    private static func copy(_ from: UnsafePointer<Float>, _ to: UnsafeMutablePointer<Float>, count: Int) {
        var column = 0
        while column + 8 <= count {
            UnsafeMutableRawPointer(to + column).storeBytes(of: UnsafeRawPointer(from + column).loadUnaligned(as: SIMD8<Float>.self),
                                                           as: SIMD8<Float>.self)
            column += 8
        }
        while column < count { to[column] = from[column]; column += 1 }
    }
}
