// MARK: - Winograd F(2×2, 3×3) transforms
// Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks" (2016). A 2×2 output tile of a 3×3
// stride-1 correlation is Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A for the 4×4 input window d, with
//   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],  G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],  Aᵀ = [1 1 1 0; 0 1 −1 −1].
// 16 multiplies per tile and channel pair instead of 36. Transformed arrays are [16][rows][tiles]: entry
// ξ = 4·j + k holds element (j, k) of the 4×4 transformed tile; tile t = image·tilesPerImage + ty·Tx + tx.

/// How a 3×3 stride-1 convolution is cut into 2×2 output tiles; tile (ty, tx) reads padded input rows
/// 2·ty … 2·ty+3 and columns 2·tx … 2·tx+3, where padded position p is input position p − padding.
struct WinogradTiling {
    let geometry: ConvGeometry
    /// Ty = ⌈H'/2⌉ and Tx = ⌈W'/2⌉; a last tile that overhangs an odd output edge is computed and cut.
    let tileRows: Int, tileColumns: Int

    init(_ g: ConvGeometry) {
        precondition(WinogradTiling.applies(to: g), "Winograd F(2×2, 3×3) needs a 3×3 stride-1 convolution, got \(g)")
        geometry = g
        tileRows = (g.outputHeight + 1) / 2
        tileColumns = (g.outputWidth + 1) / 2
    }

    static func applies(to g: ConvGeometry) -> Bool {
        g.kernelHeight == 3 && g.kernelWidth == 3 && g.stride == 1 && g.outputHeight > 0 && g.outputWidth > 0
    }

    var tilesPerImage: Int { tileRows * tileColumns }
    /// Floats of scratch a transform of one plane needs: the padded plane and its even and odd columns,
    /// each with vectors of slack (or two output rows for the output transforms).
    var planeScratch: Int {
        let halfWidth = tileColumns + 1, lanes = WinogradTiling.lanes
        let split = 2 * ((2 * tileRows + 2) * halfWidth + lanes) + (2 * tileRows + 2) * 2 * halfWidth + 2 * lanes
        return max(split, 4 * tileColumns + 4 * lanes)
    }

    /// Tiles handled per vector step.
    static let lanes = TileVector.scalarCount

    // MARK: Weights

    /// U[ξ][o][c] = (G w[o, c] Gᵀ)[j][k] for w [O, C, 3, 3].
    static func transformWeight(_ w: UnsafePointer<Float>, outChannels: Int, channels: Int, into u: UnsafeMutablePointer<Float>) {
        let pairs = outChannels * channels
        for pair in 0..<pairs {
            let g = w + pair * 9
            // G·g row by row (rows of g are g0, g1, g2; one lane per kernel column), then each row r of
            // G·g becomes r·Gᵀ = [r0, ½(r0+r1+r2), ½(r0−r1+r2), r2].
            let g0 = SIMD4(g[0], g[1], g[2], 0), g1 = SIMD4(g[3], g[4], g[5], 0), g2 = SIMD4(g[6], g[7], g[8], 0)
            @inline(__always) func store(_ j: Int, _ r: SIMD4<Float>) {
                let row = SIMD4(r[0], 0.5 * (r[0] + r[1] + r[2]), 0.5 * (r[0] - r[1] + r[2]), r[2])
                for k in 0..<4 { u[(4 * j + k) * pairs + pair] = row[k] }
            }
            store(0, g0)
            store(1, 0.5 * (g0 + g1 + g2))
            store(2, 0.5 * (g0 - g1 + g2))
            store(3, g2)
        }
    }

    /// The adjoint of `transformWeight`: dw[o][c] = Gᵀ dU[·][o][c] G (3×3 from the 4×4 transformed tile).
    static func inverseTransformWeightGradient(_ du: UnsafePointer<Float>, outChannels: Int, channels: Int,
                                               into dw: UnsafeMutablePointer<Float>) {
        let pairs = outChannels * channels
        @inline(__always) func row(_ j: Int, _ pair: Int) -> SIMD4<Float> {
            // Row j of dU times G: [u0 + ½u1 + ½u2, ½u1 − ½u2, ½u1 + ½u2 + u3].
            let u0 = du[(4 * j) * pairs + pair], u1 = du[(4 * j + 1) * pairs + pair]
            let u2 = du[(4 * j + 2) * pairs + pair], u3 = du[(4 * j + 3) * pairs + pair]
            return SIMD4(u0 + 0.5 * u1 + 0.5 * u2, 0.5 * u1 - 0.5 * u2, 0.5 * u1 + 0.5 * u2 + u3, 0)
        }
        for pair in 0..<pairs {
            let (r0, r1, r2, r3) = (row(0, pair), row(1, pair), row(2, pair), row(3, pair))
            let top = r0 + 0.5 * r1 + 0.5 * r2, middle = 0.5 * r1 - 0.5 * r2, bottom = 0.5 * r1 + 0.5 * r2 + r3
            for b in 0..<3 {
                dw[pair * 9 + b] = top[b]
                dw[pair * 9 + 3 + b] = middle[b]
                dw[pair * 9 + 6 + b] = bottom[b]
            }
        }
    }
}
