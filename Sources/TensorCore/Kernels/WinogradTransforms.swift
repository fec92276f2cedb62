// MARK: - Winograd F(4×4, 3×3) transforms
// Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks" (2016). A 4×4 output tile of a 3×3
// stride-1 correlation is Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A for the 6×6 input window d (interpolation points
// 0, ±1, ±2, ∞), with
//   Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1],
//   G  = [¼ 0 0; −⅙ −⅙ −⅙; −⅙ ⅙ −⅙; 1/24 1/12 ⅙; 1/24 −1/12 ⅙; 0 0 1],
//   Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1].
// 36 multiplies per tile and channel pair instead of 144; float32 results differ from direct summation by
// a few 1e-6 relative. Transformed arrays are [36][rows][tiles]: entry ξ = 6·j + k holds element (j, k)
// of the 6×6 transformed tile; tile t = image·tilesPerImage + ty·Tx + tx.

/// How a 3×3 stride-1 convolution is cut into 4×4 output tiles; tile (ty, tx) reads padded input rows
/// 4·ty … 4·ty+5 and columns 4·tx … 4·tx+5, where padded position p is input position p − padding.
struct WinogradTiling {
    /// Floats from one position ξ's [rows, columns] matrix to the next (V, M and their gradients): one cache
    /// line more than the matrix, so that a tile's stores to its positions do not all fall into one L1 set
    /// (with rows × columns a multiple of 1024, as in BigGAN's layers, they did).
    static func positionStride(rows: Int, columns: Int) -> Int { rows * columns + 16 }

    let geometry: ConvGeometry
    /// Ty = ⌈H'/4⌉ and Tx = ⌈W'/4⌉; a last tile that overhangs the output edge is computed and cut.
    let tileRows: Int, tileColumns: Int

    /// Transformed entries per tile (6×6), one sgemm each.
    static let positions = 36
    /// Tiles handled per vector step.
    static let lanes = TileVector.scalarCount

    init(_ g: ConvGeometry) {
        precondition(WinogradTiling.applies(to: g), "Winograd F(4×4, 3×3) needs a 3×3 stride-1 convolution, got \(g)")
        geometry = g
        tileRows = (g.outputHeight + 3) / 4
        tileColumns = (g.outputWidth + 3) / 4
    }

    static func applies(to g: ConvGeometry) -> Bool {
        g.kernelHeight == 3 && g.kernelWidth == 3 && g.stride == 1 && g.outputHeight > 0 && g.outputWidth > 0
    }

    var tilesPerImage: Int { tileRows * tileColumns }
    /// The padded plane every tile reads from: 4·Ty + 2 rows of 4·Tx + 4 columns (≥ H + 2·ph, W + 2·pw;
    /// the last two columns only keep the phase split below in bounds).
    var paddedHeight: Int { 4 * tileRows + 2 }
    var paddedWidth: Int { 4 * tileColumns + 4 }
    /// Where the phase planes start in a plane's scratch: after the padded plane and the 32 floats the
    /// vector phase split may read past it.
    var phasesOffset: Int { paddedHeight * paddedWidth + 32 }
    /// Floats of one phase plane: column φ, φ + 4, … of every padded row, Tx + 1 of them per row, and a
    /// vector of slack (the vector split overruns the last row).
    var phaseSize: Int { paddedHeight * (tileColumns + 1) + WinogradTiling.lanes }
    /// Whether a vector of eight tiles is always eight neighbours in one tile row (Tx a multiple of 8): the
    /// transforms then read tile entries straight from the phase planes instead of gathering them.
    var wholeRows: Bool { tileColumns % WinogradTiling.lanes == 0 }
    /// Whether a vector of eight tiles is always two tile rows of four of one image (Tx = 4, Ty even: BigGAN's
    /// 16×16 layers): the transforms then read and write whole rows of four tiles instead of gathering and
    /// scattering each tile's entries one by one.
    var twoTileRows: Bool { tileColumns == 4 && tileRows % 2 == 0 }
    /// Whether every image has 2×2 tiles (output planes of 5–8 rows and columns: BigGAN's 8×8 layers), so a
    /// vector of eight tiles is two whole images: the transforms then read and write rows of two tiles.
    var twoByTwoTiles: Bool { tileColumns == 2 && tileRows == 2 }
    /// Floats of scratch a transform of one plane needs: the padded plane (with room for the vector phase
    /// split to read past its end), its four phase planes, its 36 gathered tile entries (each with a
    /// vector of slack for the last step's loads) and 36 vectors of intermediate results.
    var planeScratch: Int {
        phasesOffset + 4 * phaseSize + WinogradTiling.positions * (tilesPerImage + 2 * WinogradTiling.lanes)
    }

    // MARK: Weights

    /// U[ξ][o][c] = (G w[o, c] Gᵀ)[j][k] for w [O, C, 3, 3], eight (o, c) pairs per vector. The taps are
    /// first copied tap-major (taps[tap][pair]), so that every vector is one load: filling a vector lane by
    /// lane went through the stack and made this transform 8% of an 8×8 layer's time. Ranges of vectors run
    /// on the workers (each writes only its own pairs' entries, so the values do not change): on one thread
    /// this transform was a third of the serial work of the two-thread BigGAN step.
    static func transformWeight(_ w: UnsafePointer<Float>, outChannels: Int, channels: Int, into u: UnsafeMutablePointer<Float>) {
        let pairs = outChannels * channels, width = TileVector.scalarCount
        let vectors = (pairs + width - 1) / width, tapStride = vectors * width  // the last vector's spare lanes stay in its row
        let taps = UnsafeMutablePointer<Float>.allocate(capacity: 9 * tapStride)
        defer { taps.deallocate() }
        Parallel.forRanges(vectors, minimumChunk: 128) { range in
            let (first, end) = (range.lowerBound * width, min(pairs, range.upperBound * width))
            for pair in first..<end {
                for tap in 0..<9 { taps[tap * tapStride + pair] = w[pair * 9 + tap] }
            }
            withUnsafeTemporaryAllocation(of: TileVector.self, capacity: 18) { buffer in
                let columns = buffer.baseAddress!
                for vector in range {
                    let base = vector * width, lanes = min(width, pairs - base)
                    @inline(__always) func tap(_ index: Int) -> TileVector { load(taps + index * tapStride + base) }
                    // G down each kernel column q (taps q, 3 + q, 6 + q), then G along each of the six rows.
                    for q in 0..<3 {
                        let c = weightTransform(tap(q), tap(3 + q), tap(6 + q))
                        columns[q] = c.0; columns[3 + q] = c.1; columns[6 + q] = c.2
                        columns[9 + q] = c.3; columns[12 + q] = c.4; columns[15 + q] = c.5
                    }
                    for j in 0..<6 {
                        let row = weightTransform(columns[3 * j], columns[3 * j + 1], columns[3 * j + 2])
                        let target = u + 6 * j * pairs + base
                        @inline(__always) func put(_ k: Int, _ value: TileVector) { store(value, target + k * pairs, lanes: lanes) }
                        put(0, row.0); put(1, row.1); put(2, row.2); put(3, row.3); put(4, row.4); put(5, row.5)
                    }
                }
            }
        }
    }

    /// G·v, lane-wise: (v0/4, −(v0+v1+v2)/6, −(v0−v1+v2)/6, v0/24 + v1/12 + v2/6, v0/24 − v1/12 + v2/6, v2).
    @inline(__always)
    static func weightTransform(_ v0: TileVector, _ v1: TileVector, _ v2: TileVector)
        -> (TileVector, TileVector, TileVector, TileVector, TileVector, TileVector) {
        let (sixth, twelfth, twentyFourth): (Float, Float, Float) = (1 / 6, 1 / 12, 1 / 24)
        return (0.25 * v0, -sixth * (v0 + v1 + v2), -sixth * (v0 - v1 + v2), twentyFourth * v0 + twelfth * v1 + sixth * v2,
                twentyFourth * v0 - twelfth * v1 + sixth * v2, v2)
    }

    /// Gᵀ·u, lane-wise: (u0/4 − u1/6 − u2/6 + u3/24 + u4/24, −u1/6 + u2/6 + u3/12 − u4/12, −u1/6 − u2/6 + u3/6 + u4/6 + u5).
    @inline(__always)
    static func weightGradientTransform(_ u: (TileVector, TileVector, TileVector, TileVector, TileVector, TileVector))
        -> (TileVector, TileVector, TileVector) {
        let (sixth, twelfth, twentyFourth): (Float, Float, Float) = (1 / 6, 1 / 12, 1 / 24)
        return (0.25 * u.0 - sixth * (u.1 + u.2) + twentyFourth * (u.3 + u.4), sixth * (u.2 - u.1) + twelfth * (u.3 - u.4),
                sixth * (u.3 + u.4 - u.1 - u.2) + u.5)
    }

    /// The adjoint of `transformWeight`: dw[o][c] = Gᵀ dU[·][o][c] G (3×3 from the 6×6 transformed tile),
    /// eight pairs per vector, stored tap-major (taps[tap][pair]) and then copied into dw's layout.
    static func inverseTransformWeightGradient(_ du: UnsafePointer<Float>, outChannels: Int, channels: Int,
                                               into dw: UnsafeMutablePointer<Float>) {
        let pairs = outChannels * channels, width = TileVector.scalarCount
        let taps = UnsafeMutablePointer<Float>.allocate(capacity: 9 * pairs + width)
        defer { taps.deallocate() }
        withUnsafeTemporaryAllocation(of: TileVector.self, capacity: 18) { buffer in
            let rows = buffer.baseAddress!
            for base in stride(from: 0, to: pairs, by: width) {
                let lanes = min(width, pairs - base)
                @inline(__always) func entry(_ xi: Int) -> TileVector {
                    let p = du + xi * pairs + base
                    if lanes == width { return load(p) }
                    var v = TileVector()
                    for lane in 0..<lanes { v[lane] = p[lane] }
                    return v
                }
                // Gᵀ along each of the six rows of dU (rows[3·j + b]), then down each of the three columns.
                for j in 0..<6 {
                    let r = weightGradientTransform((entry(6 * j), entry(6 * j + 1), entry(6 * j + 2), entry(6 * j + 3),
                                                     entry(6 * j + 4), entry(6 * j + 5)))
                    rows[3 * j] = r.0; rows[3 * j + 1] = r.1; rows[3 * j + 2] = r.2
                }
                for b in 0..<3 {
                    let column = weightGradientTransform((rows[b], rows[3 + b], rows[6 + b], rows[9 + b], rows[12 + b], rows[15 + b]))
                    store(column.0, taps + b * pairs + base, lanes: lanes)
                    store(column.1, taps + (3 + b) * pairs + base, lanes: lanes)
                    store(column.2, taps + (6 + b) * pairs + base, lanes: lanes)
                }
            }
        }
        for pair in 0..<pairs {
            for tap in 0..<9 { dw[pair * 9 + tap] = taps[tap * pairs + pair] }
        }
    }
}
