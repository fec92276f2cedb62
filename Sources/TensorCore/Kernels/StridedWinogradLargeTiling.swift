/// The tiles of Winograd F(4×4, 2×2) on the space-to-depth input of a 4×4 stride-2 convolution with padding 1
/// (see `StridedWinogradTiling` for the space-to-depth form and the layouts, which are the same with 25
/// positions ξ = 5·row + column instead of 9).
///
/// F(4, 2) computes four outputs of a two-tap filter from five inputs with five multiplies, by Toom–Cook at
/// the points 0, 1, −1, 2 and ∞: y = Aᵀ[(G g) ⊙ (Bᵀ d)] with
///     Bᵀ = [[2, −1, −2, 1, 0], [0, −2, −1, 1, 0], [0, 2, −3, 1, 0], [0, −1, 0, 1, 0], [0, 2, −1, −2, 1]],
///     G = [[½, 0], [−½, −½], [−⅙, ⅙], [⅙, ⅓], [0, 1]],
///     Aᵀ = [[1, 1, 1, 1, 0], [0, 1, −1, 2, 0], [0, 1, 1, 4, 0], [0, 1, −1, 8, 1]].
/// In 2-D a 4×4 output tile takes 25 multiplies per (o, c, a, b) where F(2×2, 2×2) takes 36 (9 per 2×2) and
/// a direct convolution 64, and its transformed input and product are 25/36 of F(2×2, 2×2)'s. The transforms
/// multiply by small integers (2, 3, 4, 8) and the weight transform also by ½, ⅓ and ⅙, so they round more
/// than F(2×2, 2×2)'s additions alone.
///
/// Output tile (t, u) covers outputs [4t, 4t + 4) × [4u, 4u + 4) and reads the 10×10 input patch whose padded
/// rows are [8t, 8t + 10) and columns [8u, 8u + 10) (neighbouring patches overlap by two).
struct StridedWinogradLargeTiling: SpaceToDepthTiling {
    static let positions = 25

    let geometry: ConvGeometry
    let outputHeight, outputWidth, tileRows, tileColumns: Int
    /// The padded input plane: x̃ rows [0, 8·tileRows + 2), columns [0, 8·tileColumns + 2), zero outside x.
    let planes: PaddedPlanes

    init(_ g: ConvGeometry) {
        precondition(StridedWinogradTiling.applies(to: g),
                     "strided Winograd needs a 4×4 kernel, stride 2, padding 1 and an even plane; got \(g)")
        geometry = g
        (outputHeight, outputWidth) = (g.outputHeight, g.outputWidth)
        (tileRows, tileColumns) = ((outputHeight + 3) / 4, (outputWidth + 3) / 4)
        planes = PaddedPlanes(g, paddedHeight: 8 * tileRows + 2, paddedWidth: 8 * tileColumns + 2, slack: 16)
    }

    var tilesPerImage: Int { tileRows * tileColumns }
    var paddedScratch: Int { planes.scratchPerImage }

    // MARK: One dimension

    /// Bᵀ d.
    @inline(__always)
    static func inputRow<V: WinogradValue>(_ d: (V, V, V, V, V)) -> (V, V, V, V, V) {
        let (d0, d1, d2, d3, d4) = d
        return (2 * (d0 - d2) + (d3 - d1), (d3 - d2) - 2 * d1, (d3 - d2) + 2 * (d1 - d2), d3 - d1, 2 * (d1 - d3) + (d4 - d2))
    }

    /// B e, the adjoint of `inputRow`.
    @inline(__always)
    static func inputRowAdjoint<V: WinogradValue>(_ e: (V, V, V, V, V)) -> (V, V, V, V, V) {
        let (e0, e1, e2, e3, e4) = e
        return (2 * e0, 2 * ((e2 - e1) + e4) - (e0 + e3), -1 * (2 * e0 + e1 + 3 * e2 + e4), (e0 + e1) + (e2 + e3) - 2 * e4, e4)
    }

    /// Aᵀ m.
    @inline(__always)
    static func outputRow<V: WinogradValue>(_ m: (V, V, V, V, V)) -> (V, V, V, V) {
        let (sum, difference) = (m.1 + m.2, m.1 - m.2)
        return (m.0 + sum + m.3, difference + 2 * m.3, sum + 4 * m.3, difference + 8 * m.3 + m.4)
    }

    /// A q, the adjoint of `outputRow`.
    @inline(__always)
    static func outputRowAdjoint<V: WinogradValue>(_ q: (V, V, V, V)) -> (V, V, V, V, V) {
        let (even, odd) = (q.0 + q.2, q.1 + q.3)
        return (q.0, even + odd, even - odd, q.0 + 2 * q.1 + 4 * q.2 + 8 * q.3, q.3)
    }

    /// G g.
    @inline(__always)
    static func weightRow<V: WinogradValue>(_ g: (V, V)) -> (V, V, V, V, V) {
        (0.5 * g.0, -0.5 * (g.0 + g.1), (1 / 6) * (g.1 - g.0), (1 / 6) * (g.0 + 2 * g.1), g.1)
    }

    /// Gᵀ z, the adjoint of `weightRow`.
    @inline(__always)
    static func weightRowAdjoint<V: WinogradValue>(_ z: (V, V, V, V, V)) -> (V, V) {
        (0.5 * (z.0 - z.1) + (1 / 6) * (z.3 - z.2), (1 / 6) * z.2 + (1 / 3) * z.3 - 0.5 * z.1 + z.4)
    }

    // MARK: Input

    /// Vᵀ[ξ, tile, 4c + 2a + b] = (Bᵀ d B)[ξ] for d[r, s] = x̃[c, 8t + 2r + a, 8u + 2s + b], for the chunk's
    /// `images` images at x (padded first into `padded`). `tiles` (nil: the chunk's own) is the row count of
    /// the Vᵀ matrices that `v` points into, at the chunk's first tile.
    func transformInput(_ x: UnsafePointer<Float>, images: Int, tiles: Int?, into v: UnsafeMutablePointer<Float>,
                        padded: UnsafeMutablePointer<Float>) {
        planes.pad(x, images: images, into: padded)
        let (channels, w) = (geometry.channels, planes.paddedWidth)
        let rows = 4 * channels, stride = StridedWinogradTiling.positionStride(rows: rows, columns: tiles ?? images * tilesPerImage)
        forEachTile(images: images) { n, t, u, tile in
            var p = UnsafePointer(padded + n * planes.paddedImage + 8 * t * w + 8 * u)
            var out = v + tile * rows
            for _ in 0..<channels {
                let d = (phases(p), phases(p + 2 * w), phases(p + 4 * w), phases(p + 6 * w), phases(p + 8 * w))
                // Down the columns (sample s of every row), then along each transformed row.
                let c = transposed((Self.inputRow(column(d, 0)), Self.inputRow(column(d, 1)), Self.inputRow(column(d, 2)),
                                    Self.inputRow(column(d, 3)), Self.inputRow(column(d, 4))))
                @inline(__always) func storeRow(_ j: Int, _ row: Five<SIMD4<Float>>) {
                    let e = Self.inputRow(row), target = out + 5 * j * stride
                    storePhases(e.0, target); storePhases(e.1, target + stride); storePhases(e.2, target + 2 * stride)
                    storePhases(e.3, target + 3 * stride); storePhases(e.4, target + 4 * stride)
                }
                storeRow(0, c.0); storeRow(1, c.1); storeRow(2, c.2); storeRow(3, c.3); storeRow(4, c.4)
                p += planes.paddedPlane
                out += 4
            }
        }
    }

    /// The adjoint of `transformInput` for dVᵀ in its layout: x̄[c] = Σ over tiles of B dV Bᵀ added back onto the
    /// patch each tile read (overlaps add); x̄ is overwritten. `padded` is scratch of `images` · `paddedImage` + slack.
    func transformInputAdjoint(_ dv: UnsafePointer<Float>, images: Int, into x: UnsafeMutablePointer<Float>,
                               padded: UnsafeMutablePointer<Float>) {
        let (channels, w) = (geometry.channels, planes.paddedWidth)
        let rows = 4 * channels, stride = StridedWinogradTiling.positionStride(rows: rows, columns: images * tilesPerImage)
        padded.update(repeating: 0, count: images * planes.paddedImage)
        forEachTile(images: images) { n, t, u, tile in
            var p = padded + n * planes.paddedImage + 8 * t * w + 8 * u
            var e = dv + tile * rows
            for _ in 0..<channels {
                // Undo the transform along each row (ξ = 5·row + column), then down the columns.
                @inline(__always) func row(_ j: Int) -> Five<SIMD4<Float>> {
                    let q = e + 5 * j * stride
                    return Self.inputRowAdjoint((loadPhases(q), loadPhases(q + stride), loadPhases(q + 2 * stride), loadPhases(q + 3 * stride),
                                                 loadPhases(q + 4 * stride)))
                }
                let r = transposed((row(0), row(1), row(2), row(3), row(4)))
                let k = transposed((Self.inputRowAdjoint(r.0), Self.inputRowAdjoint(r.1), Self.inputRowAdjoint(r.2),
                                    Self.inputRowAdjoint(r.3), Self.inputRowAdjoint(r.4)))
                // Sample s of k's row r lands on rows 2r + a, columns 2s + b.
                addRows(k.0, p); addRows(k.1, p + 2 * w); addRows(k.2, p + 4 * w); addRows(k.3, p + 6 * w); addRows(k.4, p + 8 * w)
                p += planes.paddedPlane
                e += 4
            }
        }
        planes.unpad(padded, images: images, into: x)
    }

    // MARK: Output

    /// y[n, o, 4t + i, 4u + j] = (Aᵀ m A)[i, j] (+ b[o]) for m[ξ] = M[ξ, o, tile], for the chunk's images (y
    /// points at its first image); outputs of tiles that stick out of the plane are dropped.
    func transformOutput(_ m: UnsafePointer<Float>, images: Int, outChannels: Int, bias: UnsafePointer<Float>?,
                         into y: UnsafeMutablePointer<Float>) {
        let tiles = images * tilesPerImage, rowStride = StridedWinogradTiling.positionStride(rows: outChannels, columns: tiles)
        let (h, w) = (outputHeight, outputWidth)
        for n in 0..<images {
            for o in 0..<outChannels {
                let plane = y + (n * outChannels + o) * h * w, offset = bias?[o] ?? 0
                let source = m + o * tiles + n * tilesPerImage
                for t in 0..<tileRows {
                    for u in 0..<tileColumns {
                        let p = source + t * tileColumns + u
                        @inline(__always) func row(_ j: Int) -> (Float, Float, Float, Float, Float) {
                            let q = p + 5 * j * rowStride
                            return (q[0], q[rowStride], q[2 * rowStride], q[3 * rowStride], q[4 * rowStride])
                        }
                        // Down the columns (s_i[k] = Σⱼ Aᵀ[i, j] m[j, k]), then along each row.
                        let block = rows5(row)
                        let s = transposed((Self.outputRow(column(block, 0)), Self.outputRow(column(block, 1)),
                                            Self.outputRow(column(block, 2)), Self.outputRow(column(block, 3)),
                                            Self.outputRow(column(block, 4))))
                        let count = min(4, w - 4 * u)
                        @inline(__always) func write(_ i: Int, _ sums: (Float, Float, Float, Float, Float)) {
                            guard 4 * t + i < h else { return }
                            let values = Self.outputRow(sums), target = plane + (4 * t + i) * w + 4 * u
                            target[0] = values.0 + offset
                            if count > 1 { target[1] = values.1 + offset }
                            if count > 2 { target[2] = values.2 + offset }
                            if count > 3 { target[3] = values.3 + offset }
                        }
                        write(0, s.0); write(1, s.1); write(2, s.2); write(3, s.3)
                    }
                }
            }
        }
    }

    /// The adjoint of `transformOutput` without bias, stored transposed: dMᵀ[ξ, tile, o] = (A dy Aᵀ)[ξ] for the
    /// tile's 4×4 block of dy (zero where the tile sticks out of the plane). `tiles` (nil: the chunk's own) is
    /// the row count of the dMᵀ matrices that `dm` points into.
    func transformOutputGradient(_ dy: UnsafePointer<Float>, images: Int, tiles: Int?, outChannels: Int,
                                 into dm: UnsafeMutablePointer<Float>) {
        let stride = StridedWinogradTiling.positionStride(rows: tiles ?? images * tilesPerImage, columns: outChannels)
        let (h, w) = (outputHeight, outputWidth), plane = outputHeight * outputWidth
        forEachTile(images: images) { n, t, u, tile in
            let (rows, columns) = (min(4, h - 4 * t), min(4, w - 4 * u))
            var top = dy + n * outChannels * plane + 4 * t * w + 4 * u
            let out = dm + tile * outChannels
            for o in 0..<outChannels {
                @inline(__always) func q(_ i: Int) -> (Float, Float, Float, Float) {
                    guard i < rows else { return (0, 0, 0, 0) }
                    let p = top + i * w
                    return columns == 4 ? (p[0], p[1], p[2], p[3])
                        : (p[0], columns > 1 ? p[1] : 0, columns > 2 ? p[2] : 0, 0)
                }
                // A along each row of the block, then down the columns.
                let r = (Self.outputRowAdjoint(q(0)), Self.outputRowAdjoint(q(1)), Self.outputRowAdjoint(q(2)), Self.outputRowAdjoint(q(3)))
                let p = out + o
                for k in 0..<5 {
                    let z = Self.outputRowAdjoint((element(r.0, k), element(r.1, k), element(r.2, k), element(r.3, k)))
                    p[k * stride] = z.0; p[(5 + k) * stride] = z.1; p[(10 + k) * stride] = z.2
                    p[(15 + k) * stride] = z.3; p[(20 + k) * stride] = z.4
                }
                top += plane
            }
        }
    }

    // MARK: Weights

    /// U[ξ, o, 4c + 2a + b] = (G g Gᵀ)[ξ] for g[q, r] = w[o, c, 2q + a, 2r + b] (w [O, C, 4, 4]), the four
    /// phases (a, b) of one (o, c) as one vector.
    static func transformWeight(_ weight: UnsafePointer<Float>, outChannels: Int, channels: Int,
                                into u: UnsafeMutablePointer<Float>) {
        let stride = StridedWinogradTiling.positionStride(rows: outChannels, columns: 4 * channels)
        StridedWinogradTiling.forEachOutputChannel(outChannels, channels: channels) { o in
            for c in 0..<channels {
                let g = StridedWinogradTiling.kernelPhases(weight + (o * channels + c) * 16)
                // G down the columns (taps q), then along each of the five rows.
                let left = weightRow((g.0, g.2)), right = weightRow((g.1, g.3))
                let p = u + o * 4 * channels + 4 * c
                func storeRow(_ j: Int, _ pair: (SIMD4<Float>, SIMD4<Float>)) {
                    let h = weightRow(pair), target = p + 5 * j * stride
                    storePhases(h.0, target); storePhases(h.1, target + stride); storePhases(h.2, target + 2 * stride)
                    storePhases(h.3, target + 3 * stride); storePhases(h.4, target + 4 * stride)
                }
                storeRow(0, (left.0, right.0)); storeRow(1, (left.1, right.1)); storeRow(2, (left.2, right.2))
                storeRow(3, (left.3, right.3)); storeRow(4, (left.4, right.4))
            }
        }
    }

    /// The adjoint of `transformWeight`: dw[o, c, 2q + a, 2r + b] = (Gᵀ dU G)[q, r].
    static func transformWeightGradientAdjoint(_ du: UnsafePointer<Float>, outChannels: Int, channels: Int,
                                               into dw: UnsafeMutablePointer<Float>) {
        let stride = StridedWinogradTiling.positionStride(rows: outChannels, columns: 4 * channels)
        StridedWinogradTiling.forEachOutputChannel(outChannels, channels: channels) { o in
            for c in 0..<channels {
                let p = du + o * 4 * channels + 4 * c
                func row(_ j: Int) -> (SIMD4<Float>, SIMD4<Float>) {
                    let q = p + 5 * j * stride
                    return weightRowAdjoint((loadPhases(q), loadPhases(q + stride), loadPhases(q + 2 * stride), loadPhases(q + 3 * stride), loadPhases(q + 4 * stride)))
                }
                let r = (row(0), row(1), row(2), row(3), row(4))
                let left = weightRowAdjoint((r.0.0, r.1.0, r.2.0, r.3.0, r.4.0))
                let right = weightRowAdjoint((r.0.1, r.1.1, r.2.1, r.3.1, r.4.1))
                StridedWinogradTiling.storeKernelPhases((left.0, right.0, left.1, right.1), into: dw + (o * channels + c) * 16)
            }
        }
    }

    // MARK: Helpers

    private func forEachTile(images: Int, _ body: (Int, Int, Int, Int) -> Void) {
        for n in 0..<images {
            for t in 0..<tileRows {
                for u in 0..<tileColumns { body(n, t, u, (n * tileRows + t) * tileColumns + u) }
            }
        }
    }

    /// The five samples (columns 2s, 2s + 1) of padded rows `p` (a = 0) and `p` + width (a = 1) as phase vectors.
    @inline(__always)
    private func phases(_ p: UnsafePointer<Float>) -> Five<SIMD4<Float>> {
        let top = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
        let bottom = UnsafeRawPointer(p + planes.paddedWidth).loadUnaligned(as: SIMD16<Float>.self)
        func sample(_ a: SIMD2<Float>, _ b: SIMD2<Float>) -> SIMD4<Float> { SIMD4(lowHalf: a, highHalf: b) }
        return (sample(top.lowHalf.lowHalf.lowHalf, bottom.lowHalf.lowHalf.lowHalf),
                sample(top.lowHalf.lowHalf.highHalf, bottom.lowHalf.lowHalf.highHalf),
                sample(top.lowHalf.highHalf.lowHalf, bottom.lowHalf.highHalf.lowHalf),
                sample(top.lowHalf.highHalf.highHalf, bottom.lowHalf.highHalf.highHalf),
                sample(top.highHalf.lowHalf.lowHalf, bottom.highHalf.lowHalf.lowHalf))
    }

    /// Adds the phases of samples s = 0…4 of one sample row onto rows a = 0, 1 at `p` (columns 2s + b), as two
    /// sixteen-float read-modify-writes whose last six lanes add zero.
    @inline(__always)
    private func addRows(_ s: Five<SIMD4<Float>>, _ p: UnsafeMutablePointer<Float>) {
        let zero = SIMD2<Float>()
        func line(_ pick: (SIMD4<Float>) -> SIMD2<Float>) -> SIMD16<Float> {
            SIMD16(lowHalf: SIMD8(lowHalf: SIMD4(lowHalf: pick(s.0), highHalf: pick(s.1)),
                                  highHalf: SIMD4(lowHalf: pick(s.2), highHalf: pick(s.3))),
                   highHalf: SIMD8(lowHalf: SIMD4(lowHalf: pick(s.4), highHalf: zero), highHalf: SIMD4()))
        }
        add(line { $0.lowHalf }, p)
        add(line { $0.highHalf }, p + planes.paddedWidth)
    }

    @inline(__always)
    private func add(_ value: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        let raw = UnsafeMutableRawPointer(p)
        raw.storeBytes(of: raw.loadUnaligned(as: SIMD16<Float>.self) + value, as: SIMD16<Float>.self)
    }
}

// MARK: - 5×5 blocks

/// Five values; a 5×5 block is five of them (rows).
private typealias Five<V> = (V, V, V, V, V)

/// Element k of a five-tuple.
@inline(__always)
private func element<V>(_ t: (V, V, V, V, V), _ k: Int) -> V {
    switch k { case 0: return t.0; case 1: return t.1; case 2: return t.2; case 3: return t.3; default: return t.4 }
}

/// Column k of a 5×5 block given as five rows.
@inline(__always)
private func column<V>(_ rows: Five<Five<V>>, _ k: Int) -> Five<V> {
    (element(rows.0, k), element(rows.1, k), element(rows.2, k), element(rows.3, k), element(rows.4, k))
}

/// The five rows `row(0)`…`row(4)`.
@inline(__always)
private func rows5<V>(_ row: (Int) -> Five<V>) -> Five<Five<V>> {
    (row(0), row(1), row(2), row(3), row(4))
}

/// The transpose of a 5×5 block.
@inline(__always)
private func transposed<V>(_ c: Five<Five<V>>) -> Five<Five<V>> {
    (column(c, 0), column(c, 1), column(c, 2), column(c, 3), column(c, 4))
}

/// The transpose of five columns of four: four rows of five.
@inline(__always)
private func transposed<V>(_ c: Five<(V, V, V, V)>) -> (Five<V>, Five<V>, Five<V>, Five<V>) {
    ((c.0.0, c.1.0, c.2.0, c.3.0, c.4.0), (c.0.1, c.1.1, c.2.1, c.3.1, c.4.1),
     (c.0.2, c.1.2, c.2.2, c.3.2, c.4.2), (c.0.3, c.1.3, c.2.3, c.3.3, c.4.3))
}

/// Values the one-dimensional Winograd transforms run on: single floats and vectors of phases.
protocol WinogradValue {
    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Float, rhs: Self) -> Self
}

extension Float: WinogradValue {}
extension SIMD4: WinogradValue where Scalar == Float {}
