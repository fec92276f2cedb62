import TensorCore
import TestSupport
import XCTest

/// Winograd F(2×2, 2×2) and F(4×4, 2×2) on the space-to-depth input against the im2col kernels they replace
/// for 4×4 stride-2 convolutions with padding 1.
final class StridedWinogradTests: XCTestCase {
    struct Case {
        let batch, channels, outChannels, height, width: Int
    }

    /// Planes whose outputs fill whole 2×2 tiles and planes with an odd output side (the last tiles
    /// overhang), square and not, down to one output pixel.
    let cases = [
        Case(batch: 3, channels: 8, outChannels: 8, height: 8, width: 8),
        Case(batch: 2, channels: 9, outChannels: 10, height: 6, width: 10),
        Case(batch: 2, channels: 8, outChannels: 12, height: 2, width: 2),
        Case(batch: 5, channels: 10, outChannels: 8, height: 16, width: 4),
        Case(batch: 1, channels: 8, outChannels: 9, height: 14, width: 18),
        Case(batch: 2, channels: 8, outChannels: 8, height: 16, width: 16),
        Case(batch: 1, channels: 9, outChannels: 8, height: 22, width: 12),
    ]

    func geometry(_ c: Case) -> ConvGeometry {
        ConvGeometry(batch: c.batch, channels: c.channels, height: c.height, width: c.width, kernel: 4, stride: 2, padding: 1)
    }

    func testMatchesIm2colForWholeAndOverhangingTiles() {
        // The transforms only add and subtract, so the results agree to float rounding of sums of a few
        // dozen terms; a wrong transform entry is off by whole inputs.
        for c in cases { assertWinogradMatchesIm2col(geometry(c), outChannels: c.outChannels, name: "strided-winograd", relative: 1e-5) }
    }

    /// Both tile sizes forced, whatever `Tiles.automatic` picks for the plane. F(4×4, 2×2)'s transforms
    /// multiply by 2, 4, 8 and (the weights') ⅙, so its tolerance is the looser one.
    func testBothTileSizesMatchIm2col() {
        for c in cases {
            let g = geometry(c)
            let simple = runConvolutionKernels(g, outChannels: c.outChannels, name: "strided-winograd", algorithm: .im2col)
            for (tiles, relative) in [(StridedWinogradConvolution.Tiles.small, Float(1e-5)), (.large, 3e-5)] {
                let fast = runStridedWinograd(g, outChannels: c.outChannels, tiles: tiles)
                for (name, actual, expected) in [("y", fast.y, simple.y), ("dx", fast.dx, simple.dx), ("dw", fast.dw, simple.dw)] {
                    let tolerance = relative * expected.map(abs).max()!
                    let worst = zip(actual, expected).map { abs($0 - $1) }.max()!
                    XCTAssertLessThanOrEqual(worst, tolerance, "\(tiles) tiles, \(name), \(c)")
                }
            }
        }
    }

    func testLargeTilesForPlanesOfEightAndMore() {
        func tiles(_ side: Int) -> StridedWinogradConvolution.Tiles {
            .automatic(for: ConvGeometry(batch: 1, channels: 8, height: 2 * side, width: 2 * side, kernel: 4, stride: 2, padding: 1))
        }
        XCTAssertEqual(tiles(4), .small)
        XCTAssertEqual(tiles(8), .large)
        XCTAssertEqual(tiles(16), .large)
    }

    /// The three directions of `StridedWinogradConvolution` with the given tiles, on the inputs
    /// `runConvolutionKernels` draws (so the results compare entry by entry).
    func runStridedWinograd(_ g: ConvGeometry, outChannels: Int, tiles: StridedWinogradConvolution.Tiles) -> ConvolutionKernelResults {
        let (x, w, bias, dy) = convolutionInputs(g, outChannels: outChannels, name: "strided-winograd")
        var r = ConvolutionKernelResults(y: [Float](repeating: .nan, count: dy.count), dx: [Float](repeating: .nan, count: x.count),
                                         dw: [Float](repeating: .nan, count: w.count))
        r.y.withUnsafeMutableBufferPointer {
            StridedWinogradConvolution.forward(x: x, weight: w, bias: bias, outChannels: outChannels, geometry: g,
                                               y: $0.baseAddress!, tiles: tiles)
        }
        r.dx.withUnsafeMutableBufferPointer {
            StridedWinogradConvolution.transposed(dy: dy, weight: w, outChannels: outChannels, geometry: g,
                                                  x: $0.baseAddress!, tiles: tiles)
        }
        r.dw.withUnsafeMutableBufferPointer {
            StridedWinogradConvolution.weightGradient(x: x, dy: dy, outChannels: outChannels, geometry: g,
                                                      dw: $0.baseAddress!, tiles: tiles)
        }
        return r
    }

    func testChunkingDoesNotChangeResults() {
        // Small tiles (3×4 output) and large ones (8×8 output).
        for c in [Case(batch: 7, channels: 8, outChannels: 8, height: 6, width: 8),
                  Case(batch: 5, channels: 8, outChannels: 8, height: 16, width: 16)] {
            func run(chunkBytes: Int) -> ConvolutionKernelResults {
                runConvolutionKernels(geometry(c), outChannels: c.outChannels, name: "strided-winograd", algorithm: .winograd,
                                      chunkBytes: chunkBytes)
            }
            let whole = run(chunkBytes: 1 << 30), single = run(chunkBytes: 1)
            XCTAssertEqual(single.y, whole.y)
            XCTAssertEqual(single.dx, whole.dx)
            // The weight gradient sums each entry over the whole batch in one product, whatever the chunks.
            XCTAssertEqual(single.dw, whole.dw)
        }
    }

    func testAppliesOnlyToItsGeometry() {
        let g = ConvGeometry(batch: 1, channels: 8, height: 8, width: 8, kernel: 4, stride: 2, padding: 1)
        XCTAssertTrue(StridedWinogradConvolution.applies(to: g, outChannels: 8))
        XCTAssertFalse(StridedWinogradConvolution.applies(to: g, outChannels: 1), "too few output channels")
        let oneChannel = ConvGeometry(batch: 1, channels: 1, height: 8, width: 8, kernel: 4, stride: 2, padding: 1)
        XCTAssertFalse(StridedWinogradConvolution.applies(to: oneChannel, outChannels: 64))
        let odd = ConvGeometry(batch: 1, channels: 8, height: 7, width: 8, kernel: 4, stride: 2, padding: 1)
        XCTAssertFalse(StridedWinogradConvolution.applies(to: odd, outChannels: 8))
        let padding0 = ConvGeometry(batch: 1, channels: 8, height: 8, width: 8, kernel: 4, stride: 2, padding: 0)
        XCTAssertFalse(StridedWinogradConvolution.applies(to: padding0, outChannels: 8))
    }

    func testConvolutionOpsOnTheStridedWinogradPathPassGradientChecks() {
        let x = GradientCheck.sample([2, 8, 6, 4], seed: 21)
        let w = GradientCheck.sample([8, 8, 4, 4], seed: 22, scale: 0.3)
        let b = GradientCheck.sample([8], seed: 23)
        assertGradients([x, w, b]) { $0[0].conv2d($0[1], bias: $0[2], stride: 2, padding: 1) }
        let up = GradientCheck.sample([2, 8, 3, 2], seed: 24)
        assertGradients([up, w]) { $0[0].convTranspose2d($0[1], stride: 2, padding: 1) }
        // Output planes of 8×8 and more (F(4×4, 2×2)) need inputs of 16×16: central differences of a sum
        // over so many outputs are too coarse in Float, so those tiles' gradients are checked entry by entry
        // against im2col's (testBothTileSizesMatchIm2col), whose ops pass this check (ConvolutionTests).
    }
}
