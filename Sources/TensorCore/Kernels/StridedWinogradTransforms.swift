/// Output and weight transforms of `StridedWinogradTiling` (F(2×2, 2×2) on the space-to-depth input).
extension StridedWinogradTiling {
    // MARK: Output

    /// y[n, o, 2t + i, 2u + j] = (Aᵀ m A)[i, j] (+ b[o]) for m[ξ] = M[ξ, o, tile], for the chunk's images
    /// (y points at its first image); outputs of tiles that stick out of the plane are dropped.
    func transformOutput(_ m: UnsafePointer<Float>, images: Int, outChannels: Int, bias: UnsafePointer<Float>?,
                         into y: UnsafeMutablePointer<Float>) {
        let tiles = images * tilesPerImage, rowStride = Self.positionStride(rows: outChannels, columns: tiles)
        let (h, w) = (outputHeight, outputWidth)
        for n in 0..<images {
            for o in 0..<outChannels {
                let plane = y + (n * outChannels + o) * h * w, offset = bias?[o] ?? 0
                let source = m + o * tiles + n * tilesPerImage
                for t in 0..<tileRows {
                    for u in 0..<tileColumns {
                        let p = source + t * tileColumns + u
                        // Rows first: s_i[b] = m[i, b] + m[i + 1, b]; then y[i, j] = s_i[j] + s_i[j + 1].
                        let s00 = p[0] + p[3 * rowStride], s01 = p[rowStride] + p[4 * rowStride]
                        let s02 = p[2 * rowStride] + p[5 * rowStride]
                        let s10 = p[3 * rowStride] + p[6 * rowStride], s11 = p[4 * rowStride] + p[7 * rowStride]
                        let s12 = p[5 * rowStride] + p[8 * rowStride]
                        let (row, column) = (2 * t, 2 * u)
                        let top = plane + row * w + column
                        top[0] = s00 + s01 + offset
                        if column + 1 < w { top[1] = s01 + s02 + offset }
                        guard row + 1 < h else { continue }
                        top[w] = s10 + s11 + offset
                        if column + 1 < w { top[w + 1] = s11 + s12 + offset }
                    }
                }
            }
        }
    }

    /// The adjoint of `transformOutput` without bias, stored transposed: dMᵀ[ξ, tile, o] = (A dy Aᵀ)[ξ] for the
    /// tile's 2×2 block of dy (zero where the tile sticks out of the plane). Output channels are innermost, so
    /// the nine stores of each channel go to nine sequential streams.
    /// `tiles` (default: the chunk's own) is the row count of the dMᵀ matrices that `dm` points into.
    func transformOutputGradient(_ dy: UnsafePointer<Float>, images: Int, tiles: Int? = nil, outChannels: Int,
                                 into dm: UnsafeMutablePointer<Float>) {
        let stride = Self.positionStride(rows: tiles ?? images * tilesPerImage, columns: outChannels)
        let (h, w) = (outputHeight, outputWidth), plane = outputHeight * outputWidth
        for n in 0..<images {
            for t in 0..<tileRows {
                for u in 0..<tileColumns {
                    let (row, column) = (2 * t, 2 * u)
                    let right = column + 1 < w, bottom = row + 1 < h
                    var top = dy + n * outChannels * plane + row * w + column
                    let out = dm + ((n * tileRows + t) * tileColumns + u) * outChannels
                    for o in 0..<outChannels {
                        let q00 = top[0], q01: Float = right ? top[1] : 0
                        let q10: Float = bottom ? top[w] : 0, q11: Float = bottom && right ? top[w + 1] : 0
                        // A q = (q₀, q₀ + q₁, q₁) down the columns, then along the rows.
                        let (z00, z01) = (q00, q01), (z10, z11) = (q00 + q10, q01 + q11), (z20, z21) = (q10, q11)
                        let p = out + o
                        p[0] = z00; p[stride] = z00 + z01; p[2 * stride] = z01
                        p[3 * stride] = z10; p[4 * stride] = z10 + z11; p[5 * stride] = z11
                        p[6 * stride] = z20; p[7 * stride] = z20 + z21; p[8 * stride] = z21
                        top += plane
                    }
                }
            }
        }
    }

    // MARK: Weights

    /// U[ξ, o, 4c + 2a + b] = (G g Gᵀ)[ξ] for g[q, r] = w[o, c, 2q + a, 2r + b] (w [O, C, 4, 4]), the four
    /// phases (a, b) of one (o, c) as one vector.
    static func transformWeight(_ weight: UnsafePointer<Float>, outChannels: Int, channels: Int,
                                into u: UnsafeMutablePointer<Float>) {
        let stride = positionStride(rows: outChannels, columns: 4 * channels)
        forEachOutputChannel(outChannels, channels: channels) { o in
            for c in 0..<channels {
                let (g00, g01, g10, g11) = kernelPhases(weight + (o * channels + c) * 16)
                // G g = (g₀, g₀ + g₁, g₁) down the columns, then along the rows.
                let (h00, h01) = (g00, g01), (h10, h11) = (g00 + g10, g01 + g11), (h20, h21) = (g10, g11)
                let p = UnsafeMutableRawPointer(u + o * 4 * channels + 4 * c), step = stride * MemoryLayout<Float>.size
                func store(_ value: SIMD4<Float>, _ xi: Int) { p.storeBytes(of: value, toByteOffset: xi * step, as: SIMD4<Float>.self) }
                store(h00, 0); store(h00 + h01, 1); store(h01, 2)
                store(h10, 3); store(h10 + h11, 4); store(h11, 5)
                store(h20, 6); store(h20 + h21, 7); store(h21, 8)
            }
        }
    }

    /// The adjoint of `transformWeight`: dw[o, c, 2q + a, 2r + b] = (Gᵀ dU G)[q, r], with Gᵀ z = (z₀ + z₁, z₁ + z₂).
    static func transformWeightGradientAdjoint(_ du: UnsafePointer<Float>, outChannels: Int, channels: Int,
                                               into dw: UnsafeMutablePointer<Float>) {
        let stride = positionStride(rows: outChannels, columns: 4 * channels)
        forEachOutputChannel(outChannels, channels: channels) { o in
            for c in 0..<channels {
                let p = UnsafeRawPointer(du + o * 4 * channels + 4 * c), step = stride * MemoryLayout<Float>.size
                func position(_ xi: Int) -> SIMD4<Float> { p.loadUnaligned(fromByteOffset: xi * step, as: SIMD4<Float>.self) }
                // Along the rows: each row of three becomes two, then down the columns.
                let r00 = position(0) + position(1), r01 = position(1) + position(2)
                let r10 = position(3) + position(4), r11 = position(4) + position(5)
                let r20 = position(6) + position(7), r21 = position(7) + position(8)
                let (g00, g01, g10, g11) = (r00 + r10, r01 + r11, r10 + r20, r11 + r21)
                storeKernelPhases((g00, g01, g10, g11), into: dw + (o * channels + c) * 16)
            }
        }
    }

    /// Runs `body(o)` for every output channel, split over the workers: the weight transforms and their
    /// adjoints write disjoint entries per channel, so the split changes no value. They run once per call,
    /// outside the chunk loop; on one thread they kept the second core idle for 3–5% of a w32 layer's time.
    @inline(__always)
    static func forEachOutputChannel(_ outChannels: Int, channels: Int, _ body: (Int) -> Void) {
        Parallel.forEach(outChannels, work: outChannels * channels * 64, body)
    }

    /// The taps g[q, r] = (w[2q + a, 2r + b]) over the phases (a, b) of one 4×4 kernel, as (g00, g01, g10, g11).
    @inline(__always)
    static func kernelPhases(_ kernel: UnsafePointer<Float>) -> (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) {
        let raw = UnsafeRawPointer(kernel)
        let k0 = raw.loadUnaligned(as: SIMD4<Float>.self), k1 = raw.loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self)
        let k2 = raw.loadUnaligned(fromByteOffset: 32, as: SIMD4<Float>.self), k3 = raw.loadUnaligned(fromByteOffset: 48, as: SIMD4<Float>.self)
        // Rows 2q + a of the kernel, columns 2r + b.
        return (SIMD4(lowHalf: k0.lowHalf, highHalf: k1.lowHalf), SIMD4(lowHalf: k0.highHalf, highHalf: k1.highHalf),
                SIMD4(lowHalf: k2.lowHalf, highHalf: k3.lowHalf), SIMD4(lowHalf: k2.highHalf, highHalf: k3.highHalf))
    }

    /// The inverse of `kernelPhases`: writes (g00, g01, g10, g11) back as one 4×4 kernel.
    @inline(__always)
    static func storeKernelPhases(_ g: (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>), into kernel: UnsafeMutablePointer<Float>) {
        let raw = UnsafeMutableRawPointer(kernel)
        raw.storeBytes(of: SIMD4(lowHalf: g.0.lowHalf, highHalf: g.1.lowHalf), as: SIMD4<Float>.self)
        raw.storeBytes(of: SIMD4(lowHalf: g.0.highHalf, highHalf: g.1.highHalf), toByteOffset: 16, as: SIMD4<Float>.self)
        raw.storeBytes(of: SIMD4(lowHalf: g.2.lowHalf, highHalf: g.3.lowHalf), toByteOffset: 32, as: SIMD4<Float>.self)
        raw.storeBytes(of: SIMD4(lowHalf: g.2.highHalf, highHalf: g.3.highHalf), toByteOffset: 48, as: SIMD4<Float>.self)
    }
}
