// MARK: - Winograd transforms of images, products and output gradients
// Every loop runs over eight neighbouring tiles at once (SIMD8, one lane per tile), reading contiguous
// rows; a last step with fewer tiles computes all eight lanes and stores only the valid ones. Loads may
// run up to eight floats past a row, so every buffer read here has that much slack after its end.

typealias TileVector = SIMD8<Float>

@inline(__always) private func load(_ p: UnsafePointer<Float>) -> TileVector {
    UnsafeRawPointer(p).loadUnaligned(as: TileVector.self)
}

/// Stores the first `lanes` lanes of `value` at p.
@inline(__always) private func store(_ value: TileVector, _ p: UnsafeMutablePointer<Float>, lanes: Int) {
    if lanes == TileVector.scalarCount {
        UnsafeMutableRawPointer(p).storeBytes(of: value, as: TileVector.self)
    } else if lanes == 4 {  // 8-pixel planes: four tiles a row
        UnsafeMutableRawPointer(p).storeBytes(of: value.lowHalf, as: SIMD4<Float>.self)
    } else {
        for lane in 0..<lanes { p[lane] = value[lane] }
    }
}

extension WinogradTiling {
    /// V[ξ][c][t] = (Bᵀ d B)[j][k] for every tile of `images` NCHW images at x; V's rows are `tiles` long.
    /// `scratch` holds `planeScratch` floats: the even (E) and odd (F) columns of the padded plane, so that
    /// tile tx reads E[tx], F[tx], E[tx+1], F[tx+1] from contiguous memory.
    func transformInput(_ x: UnsafePointer<Float>, images: Int, tiles: Int, into v: UnsafeMutablePointer<Float>,
                        scratch: UnsafeMutablePointer<Float>) {
        let g = geometry, tx = tileColumns, halfWidth = tx + 1
        // Stores of the last eight-tile step run past a row: the next row, or the gap after each region, takes them.
        let region = (2 * tileRows + 2) * halfWidth + TileVector.scalarCount
        let even = scratch, odd = scratch + region, padded = scratch + 2 * region
        let xiStride = g.channels * tiles
        for plane in 0..<(images * g.channels) {
            let (image, c) = plane.quotientAndRemainder(dividingBy: g.channels)
            splitColumns(x + plane * g.height * g.width, even: even, odd: odd, padded: padded)
            for row in 0..<tileRows {
                let e = UnsafePointer(even + 2 * row * halfWidth), f = UnsafePointer(odd + 2 * row * halfWidth)
                let out = v + c * tiles + image * tilesPerImage + row * tx
                for t in stride(from: 0, to: tx, by: TileVector.scalarCount) {
                    let lanes = min(TileVector.scalarCount, tx - t)
                    // Column k of padded row r after Bᵀ along the row, with d = E[t], F[t], E[t+1], F[t+1]:
                    // (d0 − d2, d1 + d2, d2 − d1, d1 − d3). One column at a time keeps few vectors live.
                    @inline(__always) func column(_ k: Int, row r: Int) -> TileVector {
                        let p = r * halfWidth + t
                        switch k {
                        case 0: return load(e + p) - load(e + p + 1)
                        case 1: return load(f + p) + load(e + p + 1)
                        case 2: return load(e + p + 1) - load(f + p)
                        default: return load(f + p) - load(f + p + 1)
                        }
                    }
                    for k in 0..<4 {
                        let (a0, a1, a2, a3) = (column(k, row: 0), column(k, row: 1), column(k, row: 2), column(k, row: 3))
                        // Then down the rows the same way; entry (j, k) goes to ξ = 4j + k.
                        let p = out + k * xiStride + t
                        store(a0 - a2, p, lanes: lanes)
                        store(a1 + a2, p + 4 * xiStride, lanes: lanes)
                        store(a2 - a1, p + 8 * xiStride, lanes: lanes)
                        store(a1 - a3, p + 12 * xiStride, lanes: lanes)
                    }
                }
            }
        }
    }

    /// E[r][m] = x[r − ph, 2m − pw] and F[r][m] = x[r − ph, 2m + 1 − pw] (0 outside the image). The plane
    /// is first copied whole into `padded` (2·Tx + 2 columns, which hold W + 2·pw) and only then split,
    /// eight columns at a time: reading a row right after copying it would stall on store forwarding.
    private func splitColumns(_ x: UnsafePointer<Float>, even: UnsafeMutablePointer<Float>, odd: UnsafeMutablePointer<Float>,
                              padded: UnsafeMutablePointer<Float>) {
        let g = geometry, halfWidth = tileColumns + 1, paddedWidth = 2 * halfWidth, paddedRows = 2 * tileRows + 2
        for r in 0..<paddedRows {
            let inputRow = r - g.paddingHeight, row = padded + r * paddedWidth
            guard inputRow >= 0 && inputRow < g.height else { row.update(repeating: 0, count: paddedWidth); continue }
            row.update(repeating: 0, count: g.paddingWidth)
            (row + g.paddingWidth).update(from: x + inputRow * g.width, count: g.width)
            (row + g.paddingWidth + g.width).update(repeating: 0, count: paddedWidth - g.paddingWidth - g.width)
        }
        for r in 0..<paddedRows {
            let row = padded + r * paddedWidth, e = even + r * halfWidth, f = odd + r * halfWidth
            for m in stride(from: 0, to: halfWidth, by: TileVector.scalarCount) {
                let pair = UnsafeRawPointer(row + 2 * m).loadUnaligned(as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(e + m).storeBytes(of: pair.evenHalf, as: TileVector.self)
                UnsafeMutableRawPointer(f + m).storeBytes(of: pair.oddHalf, as: TileVector.self)
            }
        }
    }

    /// y[n, o, 2ty + a, 2tx + b] = (Aᵀ M[·][o][t] A)[a][b] + bias[o], for M [16][O][tiles] (with eight
    /// floats of slack after it); the part of an edge tile beyond H'×W' is dropped. `scratch` holds two
    /// output rows.
    func transformOutput(_ m: UnsafePointer<Float>, images: Int, tiles: Int, outChannels: Int, bias: UnsafePointer<Float>?,
                         into y: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let g = geometry, (outH, outW) = (g.outputHeight, g.outputWidth), tx = tileColumns
        let xiStride = outChannels * tiles, rowLength = 2 * tx + 2 * TileVector.scalarCount
        let top = scratch, bottom = scratch + rowLength
        for plane in 0..<(images * outChannels) {
            let (image, o) = plane.quotientAndRemainder(dividingBy: outChannels)
            let offset = TileVector(repeating: bias?[o] ?? 0)
            let output = y + plane * outH * outW
            for row in 0..<tileRows {
                let source = m + o * tiles + image * tilesPerImage + row * tx
                for t in stride(from: 0, to: tx, by: TileVector.scalarCount) {
                    // Each row j of M ↦ (m0 + m1 + m2, m1 − m2 − m3); then the same down the rows.
                    @inline(__always) func across(_ j: Int) -> (TileVector, TileVector) {
                        let s = source + 4 * j * xiStride + t
                        let (m0, m1, m2, m3) = (load(s), load(s + xiStride), load(s + 2 * xiStride), load(s + 3 * xiStride))
                        return (m0 + m1 + m2, m1 - m2 - m3)
                    }
                    let (z0, z1, z2, z3) = (across(0), across(1), across(2), across(3))
                    var upper = SIMD16<Float>(), lower = SIMD16<Float>()
                    upper.evenHalf = z0.0 + z1.0 + z2.0 + offset
                    upper.oddHalf = z0.1 + z1.1 + z2.1 + offset
                    lower.evenHalf = z1.0 - z2.0 - z3.0 + offset
                    lower.oddHalf = z1.1 - z2.1 - z3.1 + offset
                    UnsafeMutableRawPointer(top + 2 * t).storeBytes(of: upper, as: SIMD16<Float>.self)
                    UnsafeMutableRawPointer(bottom + 2 * t).storeBytes(of: lower, as: SIMD16<Float>.self)
                }
                (output + 2 * row * outW).update(from: top, count: outW)
                if 2 * row + 1 < outH { (output + (2 * row + 1) * outW).update(from: bottom, count: outW) }
            }
        }
    }

    /// The adjoint of `transformOutput` (without bias): dM[ξ][o][t] = (A dy_t Aᵀ)[j][k] for the 2×2 tile
    /// dy_t of dy [images, O, H', W'] (0 beyond the edge). `scratch` holds two padded output rows.
    func transformOutputGradient(_ dy: UnsafePointer<Float>, images: Int, tiles: Int, outChannels: Int,
                                 into dm: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let g = geometry, (outH, outW) = (g.outputHeight, g.outputWidth), tx = tileColumns
        let xiStride = outChannels * tiles, rowLength = 2 * tx + 2 * TileVector.scalarCount
        let top = scratch, bottom = scratch + rowLength
        top.update(repeating: 0, count: 2 * rowLength)
        for plane in 0..<(images * outChannels) {
            let (image, o) = plane.quotientAndRemainder(dividingBy: outChannels)
            let gradient = dy + plane * outH * outW
            for row in 0..<tileRows {
                top.update(from: gradient + 2 * row * outW, count: outW)
                if 2 * row + 1 < outH {
                    bottom.update(from: gradient + (2 * row + 1) * outW, count: outW)
                } else {
                    bottom.update(repeating: 0, count: outW)
                }
                let out = dm + o * tiles + image * tilesPerImage + row * tx
                for t in stride(from: 0, to: tx, by: TileVector.scalarCount) {
                    let lanes = min(TileVector.scalarCount, tx - t)
                    let upper = UnsafeRawPointer(top + 2 * t).loadUnaligned(as: SIMD16<Float>.self)
                    let lower = UnsafeRawPointer(bottom + 2 * t).loadUnaligned(as: SIMD16<Float>.self)
                    // Each row (d0, d1) ↦ (d0, d0 + d1, d0 − d1, −d1); then rows q0, q1 ↦ q0, q0 + q1, q0 − q1, −q1.
                    let (a0, a1, b0, b1) = (upper.evenHalf, upper.oddHalf, lower.evenHalf, lower.oddHalf)
                    let q0 = (a0, a0 + a1, a0 - a1, -a1), q1 = (b0, b0 + b1, b0 - b1, -b1)
                    @inline(__always) func put(_ j: Int, _ k: (TileVector, TileVector, TileVector, TileVector)) {
                        let p = out + 4 * j * xiStride + t
                        store(k.0, p, lanes: lanes); store(k.1, p + xiStride, lanes: lanes)
                        store(k.2, p + 2 * xiStride, lanes: lanes); store(k.3, p + 3 * xiStride, lanes: lanes)
                    }
                    put(0, q0)
                    put(1, (q0.0 + q1.0, q0.1 + q1.1, q0.2 + q1.2, q0.3 + q1.3))
                    put(2, (q0.0 - q1.0, q0.1 - q1.1, q0.2 - q1.2, q0.3 - q1.3))
                    put(3, (-q1.0, -q1.1, -q1.2, -q1.3))
                }
            }
        }
    }
}
