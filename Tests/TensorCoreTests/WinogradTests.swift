import TensorCore
import TestSupport
import XCTest

/// Winograd F(4×4, 3×3) against the im2col kernels it replaces for 3×3 stride-1 convolutions.
final class WinogradTests: XCTestCase {
    struct Case {
        let batch, channels, outChannels, height, width, padding: Int
    }

    /// Sizes that do and do not fill whole 4×4 tiles (edge tiles that overhang), paddings 0…2, one- and
    /// multi-channel.
    let cases = [
        Case(batch: 3, channels: 5, outChannels: 4, height: 8, width: 8, padding: 1),
        Case(batch: 2, channels: 3, outChannels: 6, height: 7, width: 5, padding: 1),
        Case(batch: 5, channels: 4, outChannels: 3, height: 6, width: 9, padding: 0),
        Case(batch: 2, channels: 2, outChannels: 5, height: 5, width: 6, padding: 2),
        Case(batch: 1, channels: 1, outChannels: 1, height: 3, width: 3, padding: 1),
        // Rows of eight and sixteen whole tiles take the output transform's contiguous-store path.
        Case(batch: 2, channels: 3, outChannels: 2, height: 6, width: 32, padding: 1),
        Case(batch: 1, channels: 2, outChannels: 3, height: 9, width: 64, padding: 1),
        // Planes four tiles wide with an even number of tile rows (BigGAN's 16×16 layers) take the paths that
        // read and write two tile rows per vector: exact (padding 1 and 0) and with an overhanging tile column.
        Case(batch: 2, channels: 3, outChannels: 2, height: 16, width: 16, padding: 1),
        Case(batch: 3, channels: 2, outChannels: 3, height: 18, width: 18, padding: 0),
        Case(batch: 2, channels: 3, outChannels: 2, height: 16, width: 15, padding: 1),
        // 2×2 tiles per image (BigGAN's 8×8 layers; the 8×8 and 7×5 cases above too) take the paths that read
        // and write rows of two tiles, two images per vector: batches of 12 and 8 make chunks of three and two
        // images (a quarter of the batch each), so vectors of two images and a last one of one image both run.
        Case(batch: 12, channels: 2, outChannels: 3, height: 8, width: 8, padding: 1),
        Case(batch: 8, channels: 2, outChannels: 3, height: 10, width: 10, padding: 0),
    ]

    func geometry(_ c: Case) -> ConvGeometry {
        ConvGeometry(batch: c.batch, channels: c.channels, height: c.height, width: c.width, kernel: 3, stride: 1, padding: c.padding)
    }

    func testMatchesIm2colForEveryPaddingAndEdge() {
        // F(4×4, 3×3) rounds to a few 1e-6 of the output's scale; 2e-5 of it still catches any wrong
        // transform entry (those are off by whole multiples of an input).
        for c in cases { assertWinogradMatchesIm2col(geometry(c), outChannels: c.outChannels, name: "winograd", relative: 2e-5) }
    }

    func testChunkingDoesNotChangeResults() {
        // One image per chunk runs every accumulation group of the weight gradient and a ragged last round.
        let c = Case(batch: 7, channels: 3, outChannels: 4, height: 6, width: 7, padding: 1)
        func run(chunkBytes: Int) -> ConvolutionKernelResults {
            runConvolutionKernels(geometry(c), outChannels: c.outChannels, name: "winograd", algorithm: .winograd, chunkBytes: chunkBytes)
        }
        let whole = run(chunkBytes: 1 << 30), single = run(chunkBytes: 1)
        XCTAssertEqual(single.y, whole.y)
        XCTAssertEqual(single.dx, whole.dx)
        // Weight-gradient partial sums group differently: equal up to float rounding of the largest entry.
        assertClose(single.dw, whole.dw, tolerance: 1e-6 * whole.dw.map(abs).max()! * Float(c.batch))
    }

    /// Chunks are sized from the machine's L2 cache: sysfs's notation parses, and the budget stays in 1–8 MiB.
    func testChunkBudgetFollowsTheL2Cache() {
        XCTAssertEqual(CacheSize.parseSize("1024K"), 1 << 20)
        XCTAssertEqual(CacheSize.parseSize("2M"), 2 << 20)
        XCTAssertEqual(CacheSize.parseSize("524288"), 1 << 19)
        XCTAssertNil(CacheSize.parseSize("K"))
        XCTAssertNil(CacheSize.parseSize("lots"))
        XCTAssertGreaterThan(CacheSize.level2Bytes, 0)
        XCTAssertEqual(WinogradConvolution.defaultChunkBytes, min(8 << 20, max(1 << 20, 2 * CacheSize.level2Bytes)))
    }

    func testConvolutionOpsOnTheWinogradPathPassGradientChecks() {
        let x = GradientCheck.sample([2, 3, 5, 6], seed: 11)
        let w = GradientCheck.sample([4, 3, 3, 3], seed: 12, scale: 0.5)
        let b = GradientCheck.sample([4], seed: 13)
        assertGradients([x, w, b]) { $0[0].conv2d($0[1], bias: $0[2], padding: 1) }
        let wt = GradientCheck.sample([3, 2, 3, 3], seed: 14, scale: 0.5)
        assertGradients([x, wt]) { $0[0].convTranspose2d($0[1], padding: 1) }
    }
}
