/// The tiles and transforms of Winograd F(2×2, 2×2) applied to 4×4 stride-2 convolutions with padding 1.
///
/// Such a convolution is a 2×2 stride-1 convolution of the space-to-depth input: with x̃ the input padded
/// by 1, s_{c,a,b}[u, v] = x̃[c, 2u + a, 2v + b] (4C channels) and g_{o,c,a,b}[q, r] = w[o, c, 2q + a, 2r + b],
/// y[o, i, j] = Σ_{c,a,b} Σ_{q,r ∈ {0,1}} g_{o,c,a,b}[q, r] · s_{c,a,b}[i + q, j + r].
/// F(2, 2) computes two outputs of a two-tap filter from three inputs with three multiplies:
/// y₀ = m₀ + m₁, y₁ = m₁ + m₂ for m₀ = (d₀ − d₁)g₀, m₁ = d₁(g₀ + g₁), m₂ = (d₂ − d₁)g₁, i.e.
/// y = Aᵀ[(G g) ⊙ (Bᵀ d)] with Bᵀ = [[1, −1, 0], [0, 1, 0], [0, −1, 1]], G = [[1, 0], [1, 1], [0, 1]],
/// Aᵀ = [[1, 1, 0], [0, 1, 1]]. In 2-D a 2×2 output tile takes 9 multiplies per (o, c, a, b) instead of 16.
/// Every coefficient is 0 or ±1, so the transforms round only in their additions.
///
/// Output tile (t, u) covers outputs [2t, 2t + 2) × [2u, 2u + 2) and reads the 6×6 input patch whose
/// padded rows are [4t, 4t + 6) and columns [4u, 4u + 6) (neighbouring patches overlap by two).
/// Layouts (each ξ's matrix `positionStride` floats after the previous): Vᵀ[ξ, tiles, 4C] (transposed, so a
/// tile's four phases of a channel are adjacent), M[ξ, O, tiles] (its gradient transposed, dMᵀ[ξ, tiles, O])
/// and U[ξ, O, 4C], for the 9 positions
/// ξ = 3·row + column, channel index 4c + 2a + b and tiles ordered (image, tile row, tile column).
struct StridedWinogradTiling {
    static let positions = 9

    let geometry: ConvGeometry
    /// Output plane and tiles over it (the last row or column of tiles may stick out of an odd plane).
    let outputHeight, outputWidth, tileRows, tileColumns: Int
    /// The padded planes of x̃: rows [0, 4·tileRows + 2), columns [0, 4·tileColumns + 2), zero outside x.
    let planes: PaddedPlanes

    init(_ g: ConvGeometry) {
        precondition(Self.applies(to: g), "strided Winograd needs a 4×4 kernel, stride 2, padding 1 and an even plane; got \(g)")
        geometry = g
        (outputHeight, outputWidth) = (g.outputHeight, g.outputWidth)
        (tileRows, tileColumns) = ((outputHeight + 1) / 2, (outputWidth + 1) / 2)
        planes = PaddedPlanes(g, paddedHeight: 4 * tileRows + 2, paddedWidth: 4 * tileColumns + 2, slack: Self.slack)
    }

    static func applies(to g: ConvGeometry) -> Bool {
        g.kernelHeight == 4 && g.kernelWidth == 4 && g.stride == 2 && g.paddingHeight == 1 && g.paddingWidth == 1
            && g.height % 2 == 0 && g.width % 2 == 0
    }

    var tilesPerImage: Int { tileRows * tileColumns }

    /// Floats from one position ξ's matrix to the next, as in `WinogradTiling`.
    static func positionStride(rows: Int, columns: Int) -> Int { WinogradTiling.positionStride(rows: rows, columns: columns) }
    var paddedWidth: Int { planes.paddedWidth }
    var paddedPlane: Int { planes.paddedPlane }

    /// Bᵀ d for three rows or columns of four phases each.
    @inline(__always)
    static func inputColumn(_ d0: SIMD4<Float>, _ d1: SIMD4<Float>, _ d2: SIMD4<Float>) -> (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) {
        (d0 - d1, d1, d2 - d1)
    }

    /// The adjoint of `inputColumn`: B e.
    @inline(__always)
    static func inputColumnAdjoint(_ e0: SIMD4<Float>, _ e1: SIMD4<Float>, _ e2: SIMD4<Float>) -> (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) {
        (e0, e1 - e0 - e2, e2)
    }

    // MARK: Input

    /// Floats of padded planes per image.
    var paddedImage: Int { planes.paddedImage }

    /// Eight floats from `p` (a patch row of six and two beyond it: the padded planes keep `slack` after them).
    @inline(__always)
    private func row(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }

    /// Floats read past a padded plane's last row by `row`.
    static let slack = 8

    /// Scratch floats per image for its padded planes, with the slack (more than a chunk needs).
    var paddedScratch: Int { planes.scratchPerImage }

    /// The samples s = 0, 1, 2 (columns 2s, 2s + 1) of rows a = 0 (`top`) and a = 1 (`bottom`) as the four
    /// phases (a, b) = (0,0), (0,1), (1,0), (1,1).
    @inline(__always)
    private func phases(_ top: SIMD8<Float>, _ bottom: SIMD8<Float>) -> (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) {
        (SIMD4(lowHalf: top.lowHalf.lowHalf, highHalf: bottom.lowHalf.lowHalf),
         SIMD4(lowHalf: top.lowHalf.highHalf, highHalf: bottom.lowHalf.highHalf),
         SIMD4(lowHalf: top.highHalf.lowHalf, highHalf: bottom.highHalf.lowHalf))
    }

    /// Vᵀ[ξ, tile, 4c + 2a + b] = (Bᵀ d B)[ξ] for d[r, s] = x̃[c, 4t + 2r + a, 4u + 2s + b], for the chunk's
    /// `images` images at x (padded first into `padded`, `images` · `paddedImage` + `slack` floats). Vᵀ holds each tile's
    /// 4C values together, so a tile's four phases are one vector store.
    /// `tiles` (default: the chunk's own) is the row count of the Vᵀ matrices that `v` points into, at the
    /// chunk's first tile.
    func transformInput(_ x: UnsafePointer<Float>, images: Int, tiles: Int? = nil, into v: UnsafeMutablePointer<Float>,
                        padded: UnsafeMutablePointer<Float>) {
        planes.pad(x, images: images, into: padded)
        let (channels, w) = (geometry.channels, paddedWidth)
        let rows = 4 * channels, stride = Self.positionStride(rows: rows, columns: tiles ?? images * tilesPerImage)
        for n in 0..<images {
            for t in 0..<tileRows {
                for u in 0..<tileColumns {
                    let tile = (n * tileRows + t) * tileColumns + u
                    var p = UnsafePointer(padded + n * paddedImage + 4 * t * w + 4 * u)
                    var out = v + tile * rows
                    for _ in 0..<channels {
                        // Six rows of eight (the patch's six columns and two beyond it), split into phases.
                        let (d00, d01, d02) = phases(row(p), row(p + w))
                        let (d10, d11, d12) = phases(row(p + 2 * w), row(p + 3 * w))
                        let (d20, d21, d22) = phases(row(p + 4 * w), row(p + 5 * w))
                        let c0 = Self.inputColumn(d00, d10, d20)
                        let c1 = Self.inputColumn(d01, d11, d21)
                        let c2 = Self.inputColumn(d02, d12, d22)
                        let e0 = Self.inputColumn(c0.0, c1.0, c2.0), e1 = Self.inputColumn(c0.1, c1.1, c2.1)
                        let e2 = Self.inputColumn(c0.2, c1.2, c2.2)
                        storePhases(e0.0, out); storePhases(e0.1, out + stride); storePhases(e0.2, out + 2 * stride)
                        storePhases(e1.0, out + 3 * stride); storePhases(e1.1, out + 4 * stride); storePhases(e1.2, out + 5 * stride)
                        storePhases(e2.0, out + 6 * stride); storePhases(e2.1, out + 7 * stride); storePhases(e2.2, out + 8 * stride)
                        p += paddedPlane
                        out += 4
                    }
                }
            }
        }
    }


    /// The adjoint of `transformInput` for dVᵀ in its layout: x̄[c] = Σ over tiles of B dV Bᵀ added back onto the
    /// patch each tile read (overlaps add); x̄ is overwritten. `padded` is scratch of `images` · `paddedImage` + `slack`.
    func transformInputAdjoint(_ dv: UnsafePointer<Float>, images: Int, into x: UnsafeMutablePointer<Float>,
                               padded: UnsafeMutablePointer<Float>) {
        let (channels, w) = (geometry.channels, paddedWidth)
        let rows = 4 * channels, stride = Self.positionStride(rows: rows, columns: images * tilesPerImage)
        padded.update(repeating: 0, count: images * paddedImage)
        for n in 0..<images {
            for t in 0..<tileRows {
                for u in 0..<tileColumns {
                    let tile = (n * tileRows + t) * tileColumns + u
                    var p = padded + n * paddedImage + 4 * t * w + 4 * u
                    var e = dv + tile * rows
                    for _ in 0..<channels {
                        // Undo the transform along the rows (ξ = 3·row + column), then down the columns.
                        let r0 = Self.inputColumnAdjoint(loadPhases(e), loadPhases(e + stride), loadPhases(e + 2 * stride))
                        let r1 = Self.inputColumnAdjoint(loadPhases(e + 3 * stride), loadPhases(e + 4 * stride), loadPhases(e + 5 * stride))
                        let r2 = Self.inputColumnAdjoint(loadPhases(e + 6 * stride), loadPhases(e + 7 * stride), loadPhases(e + 8 * stride))
                        let k0 = Self.inputColumnAdjoint(r0.0, r1.0, r2.0), k1 = Self.inputColumnAdjoint(r0.1, r1.1, r2.1)
                        let k2 = Self.inputColumnAdjoint(r0.2, r1.2, r2.2)
                        // Sample r of k_s lands on rows 2r + a, columns 2s + b: one eight-float add per row.
                        addRows(k0.0, k1.0, k2.0, p)
                        addRows(k0.1, k1.1, k2.1, p + 2 * w)
                        addRows(k0.2, k1.2, k2.2, p + 4 * w)
                        p += paddedPlane
                        e += 4
                    }
                }
            }
        }
        planes.unpad(padded, images: images, into: x)
    }

    /// Adds the phases of samples s = 0, 1, 2 of one sample row onto rows a = 0, 1 at `p` (columns 2s + b),
    /// as two eight-float read-modify-writes whose last two lanes add zero.
    @inline(__always)
    private func addRows(_ s0: SIMD4<Float>, _ s1: SIMD4<Float>, _ s2: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>) {
        let zero = SIMD2<Float>()
        let top = SIMD8(lowHalf: SIMD4(lowHalf: s0.lowHalf, highHalf: s1.lowHalf), highHalf: SIMD4(lowHalf: s2.lowHalf, highHalf: zero))
        let bottom = SIMD8(lowHalf: SIMD4(lowHalf: s0.highHalf, highHalf: s1.highHalf),
                           highHalf: SIMD4(lowHalf: s2.highHalf, highHalf: zero))
        add(top, p)
        add(bottom, p + paddedWidth)
    }

    @inline(__always)
    private func add(_ value: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: row(p) + value, as: SIMD8<Float>.self)
    }
}

/// Stores the four phases of one sample (or one tap) at `p`.
@inline(__always)
func storePhases(_ value: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD4<Float>.self)
}

/// The four phases stored at `p`.
@inline(__always)
func loadPhases(_ p: UnsafePointer<Float>) -> SIMD4<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
}
