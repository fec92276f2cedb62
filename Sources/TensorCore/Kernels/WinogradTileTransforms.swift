// MARK: - Winograd transforms of images, products and output gradients
// Each plane's tiles are first gathered entry by entry (36 rows of one float per tile, or 16 for output
// gradients), so the transforms run over eight tiles at once (SIMD8, one lane per tile) whatever the
// plane's width. A last step with fewer tiles computes all eight lanes and stores only the valid ones;
// loads may run up to eight floats past a row, so every buffer read here has that much slack.

typealias TileVector = SIMD8<Float>
typealias SixVectors = (TileVector, TileVector, TileVector, TileVector, TileVector, TileVector)
typealias FourVectors = (TileVector, TileVector, TileVector, TileVector)

@inline(__always) private func load(_ p: UnsafePointer<Float>) -> TileVector {
    UnsafeRawPointer(p).loadUnaligned(as: TileVector.self)
}

@inline(__always) private func load(_ p: UnsafeMutablePointer<Float>) -> TileVector { load(UnsafePointer(p)) }

/// Stores the first `lanes` lanes of `value` at p.
@inline(__always) private func store(_ value: TileVector, _ p: UnsafeMutablePointer<Float>, lanes: Int = TileVector.scalarCount) {
    if lanes == TileVector.scalarCount {
        UnsafeMutableRawPointer(p).storeBytes(of: value, as: TileVector.self)
    } else if lanes == 4 {  // 8×8 planes: four tiles
        UnsafeMutableRawPointer(p).storeBytes(of: value.lowHalf, as: SIMD4<Float>.self)
    } else {
        for lane in 0..<lanes { p[lane] = value[lane] }
    }
}

/// One vector move for the run lengths small planes have (Tx = 2 or 4), a plain loop otherwise: the runs
/// here are a few floats long, shorter than a memmove call costs.
@inline(__always) private func copy(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
    switch count {
    case 4: UnsafeMutableRawPointer(target).storeBytes(of: UnsafeRawPointer(source).loadUnaligned(as: SIMD4<Float>.self),
                                                       as: SIMD4<Float>.self)
    case 2: UnsafeMutableRawPointer(target).storeBytes(of: UnsafeRawPointer(source).loadUnaligned(as: SIMD2<Float>.self),
                                                       as: SIMD2<Float>.self)
    default: for i in 0..<count { target[i] = source[i] }
    }
}

/// Bᵀ·d, lane-wise.
@inline(__always) private func inputTransform(_ d: SixVectors) -> SixVectors {
    let (d0, d1, d2, d3, d4, d5) = d
    return (4 * d0 - 5 * d2 + d4, d3 + d4 - 4 * (d1 + d2), d4 - d3 + 4 * (d1 - d2),
            d4 - d2 + 2 * (d3 - d1), d4 - d2 - 2 * (d3 - d1), 4 * d1 - 5 * d3 + d5)
}

/// Aᵀ·m, lane-wise.
@inline(__always) private func outputTransform(_ m: SixVectors) -> FourVectors {
    let (m0, m1, m2, m3, m4, m5) = m
    return (m0 + m1 + m2 + m3 + m4, m1 - m2 + 2 * (m3 - m4), m1 + m2 + 4 * (m3 + m4), m1 - m2 + 8 * (m3 - m4) + m5)
}

/// A·g (the adjoint of Aᵀ), lane-wise.
@inline(__always) private func outputGradientTransform(_ g: FourVectors) -> SixVectors {
    let (g0, g1, g2, g3) = g
    return (g0, g0 + g1 + g2 + g3, g0 - g1 + g2 - g3, g0 + 2 * g1 + 4 * g2 + 8 * g3, g0 - 2 * g1 + 4 * g2 - 8 * g3, g3)
}

/// Six vectors at p, p + stride, …
@inline(__always) private func loadSix(_ p: UnsafePointer<Float>, stride: Int) -> SixVectors {
    (load(p), load(p + stride), load(p + 2 * stride), load(p + 3 * stride), load(p + 4 * stride), load(p + 5 * stride))
}

@inline(__always) private func storeSix(_ v: SixVectors, _ p: UnsafeMutablePointer<Float>, stride: Int, lanes: Int = TileVector.scalarCount) {
    store(v.0, p, lanes: lanes); store(v.1, p + stride, lanes: lanes); store(v.2, p + 2 * stride, lanes: lanes)
    store(v.3, p + 3 * stride, lanes: lanes); store(v.4, p + 4 * stride, lanes: lanes); store(v.5, p + 5 * stride, lanes: lanes)
}

extension WinogradTiling {
    /// Row stride of the gathered tile entries: one float per tile plus a vector of slack.
    var gatheredStride: Int { tilesPerImage + WinogradTiling.lanes }

    /// V[ξ][c][t] = (Bᵀ d B)[j][k] for every tile of `images` NCHW images at x; V's rows are `tiles` long.
    func transformInput(_ x: UnsafePointer<Float>, images: Int, tiles: Int, into v: UnsafeMutablePointer<Float>,
                        scratch: UnsafeMutablePointer<Float>) {
        let g = geometry, perImage = tilesPerImage, stride = gatheredStride, xiStride = g.channels * tiles
        let padded = scratch, phases = padded + paddedHeight * paddedWidth + 32, gathered = phases + 4 * phaseSize
        let work = gathered + WinogradTiling.positions * stride, count = tileColumns + 1
        let (p0, p1, p2, p3) = (phases, phases + phaseSize, phases + 2 * phaseSize, phases + 3 * phaseSize)
        // Entries c = 0…5 of row r of the eight tiles from t on.
        @inline(__always) func rowEntries(_ r: Int, _ t: Int) -> SixVectors {
            guard wholeRows else { return loadSix(gathered + 6 * r * stride + t, stride: stride) }
            let (ty, tx) = t.quotientAndRemainder(dividingBy: tileColumns)
            let base = (4 * ty + r) * count + tx
            return (load(p0 + base), load(p1 + base), load(p2 + base), load(p3 + base), load(p0 + base + 1), load(p1 + base + 1))
        }
        for plane in 0..<(images * g.channels) {
            let (image, c) = plane.quotientAndRemainder(dividingBy: g.channels)
            copyPadded(x + plane * g.height * g.width, into: padded)
            splitPhases(padded, rows: paddedHeight, width: paddedWidth, into: phases)
            if !wholeRows { gatherInputTiles(phases, into: gathered) }
            let out = v + c * tiles + image * perImage
            for t in Swift.stride(from: 0, to: perImage, by: TileVector.scalarCount) {
                // Bᵀ along each of the six rows of every tile, then down each of the six columns.
                for r in 0..<6 {
                    storeSix(inputTransform(rowEntries(r, t)), work + 6 * r * TileVector.scalarCount, stride: TileVector.scalarCount)
                }
                let lanes = min(TileVector.scalarCount, perImage - t)
                for k in 0..<6 {
                    storeSix(inputTransform(loadSix(work + k * TileVector.scalarCount, stride: 6 * TileVector.scalarCount)),
                             out + k * xiStride + t, stride: 6 * xiStride, lanes: lanes)
                }
            }
        }
    }

    /// padded[r][q] = x[r − ph, q − pw], 0 outside the image.
    private func copyPadded(_ x: UnsafePointer<Float>, into padded: UnsafeMutablePointer<Float>) {
        let g = geometry, width = paddedWidth
        for r in 0..<paddedHeight {
            let inputRow = r - g.paddingHeight, row = padded + r * width
            guard inputRow >= 0 && inputRow < g.height else { row.update(repeating: 0, count: width); continue }
            row.update(repeating: 0, count: g.paddingWidth)
            (row + g.paddingWidth).update(from: x + inputRow * g.width, count: g.width)
            (row + g.paddingWidth + g.width).update(repeating: 0, count: width - g.paddingWidth - g.width)
        }
    }

    /// phases[φ][r][m] = plane[r][4·m + φ] for m < Tx + 1 (the plane's rows are `width` ≥ 4·Tx + 4 long),
    /// eight m at a time from one 32-float load. Loads run up to 32 floats past the plane and stores up to
    /// eight past a phase row: the plane and every phase plane have that much slack.
    private func splitPhases(_ plane: UnsafePointer<Float>, rows: Int, width: Int, into phases: UnsafeMutablePointer<Float>) {
        let count = tileColumns + 1
        let (p0, p1, p2, p3) = (phases, phases + phaseSize, phases + 2 * phaseSize, phases + 3 * phaseSize)
        for r in 0..<rows {
            let row = plane + r * width, offset = r * count
            for m in Swift.stride(from: 0, to: count, by: TileVector.scalarCount) {
                let v = UnsafeRawPointer(row + 4 * m).loadUnaligned(as: SIMD32<Float>.self)
                let (even, odd) = (v.evenHalf, v.oddHalf)
                store(even.evenHalf, p0 + offset + m); store(odd.evenHalf, p1 + offset + m)
                store(even.oddHalf, p2 + offset + m); store(odd.oddHalf, p3 + offset + m)
            }
        }
    }

    /// gathered[6·r + c][ty·Tx + tx] = padded[4·ty + r][4·tx + c] = phases[c mod 4][4·ty + r][tx + ⌊c/4⌋]:
    /// contiguous runs of Tx floats.
    private func gatherInputTiles(_ phases: UnsafePointer<Float>, into gathered: UnsafeMutablePointer<Float>) {
        let (tx, count, stride) = (tileColumns, tileColumns + 1, gatheredStride)
        for r in 0..<6 {
            for c in 0..<6 {
                let entry = gathered + (6 * r + c) * stride, phase = phases + (c % 4) * phaseSize + c / 4
                for ty in 0..<tileRows { copy(phase + (4 * ty + r) * count, to: entry + ty * tx, count: tx) }
            }
        }
    }

    /// y[n, o, 4ty + a, 4tx + b] = (Aᵀ M[·][o][t] A)[a][b] + bias[o], for M [36][O][tiles] (with eight
    /// floats of slack after it); the part of an edge tile beyond H'×W' is dropped.
    func transformOutput(_ m: UnsafePointer<Float>, images: Int, tiles: Int, outChannels: Int, bias: UnsafePointer<Float>?,
                         into y: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let g = geometry, (outH, outW) = (g.outputHeight, g.outputWidth), perImage = tilesPerImage
        let xiStride = outChannels * tiles, planeWidth = 4 * tileColumns
        let work = scratch + paddedHeight * paddedWidth
        // Where each tile's top-left output lands in the 4·Ty × 4·Tx plane.
        let corners = (0..<perImage).map { t in 4 * (t / tileColumns) * planeWidth + 4 * (t % tileColumns) }
        // With whole rows of eight tiles, a vector's outputs for row a are 32 contiguous floats; when the
        // tiles cover the output exactly, they go straight into y.
        let direct = outH == 4 * tileRows && outW == planeWidth
        for plane in 0..<(images * outChannels) {
            let (image, o) = plane.quotientAndRemainder(dividingBy: outChannels)
            let outPlane = direct ? y + plane * outH * outW : scratch
            let offset = TileVector(repeating: bias?[o] ?? 0)
            let source = m + o * tiles + image * perImage
            for t in Swift.stride(from: 0, to: perImage, by: TileVector.scalarCount) {
                // Aᵀ along each of the six rows of M, then down each of the four resulting columns.
                for j in 0..<6 {
                    let z = outputTransform(loadSix(source + 6 * j * xiStride + t, stride: xiStride))
                    let p = work + 4 * j * TileVector.scalarCount
                    store(z.0, p); store(z.1, p + 8); store(z.2, p + 16); store(z.3, p + 24)
                }
                let lanes = min(TileVector.scalarCount, perImage - t)
                @inline(__always) func column(_ b: Int) -> FourVectors {
                    outputTransform(loadSix(work + b * TileVector.scalarCount, stride: 4 * TileVector.scalarCount))
                }
                let (c0, c1, c2, c3) = (column(0), column(1), column(2), column(3))
                if wholeRows {
                    let p = outPlane + corners[t]
                    func row(_ y0: TileVector, _ y1: TileVector, _ y2: TileVector, _ y3: TileVector) -> SIMD32<Float> {
                        var even = SIMD16<Float>(), odd = SIMD16<Float>(), all = SIMD32<Float>()
                        even.evenHalf = y0 + offset; even.oddHalf = y2 + offset
                        odd.evenHalf = y1 + offset; odd.oddHalf = y3 + offset
                        all.evenHalf = even; all.oddHalf = odd
                        return all
                    }
                    UnsafeMutableRawPointer(p).storeBytes(of: row(c0.0, c1.0, c2.0, c3.0), as: SIMD32<Float>.self)
                    UnsafeMutableRawPointer(p + planeWidth).storeBytes(of: row(c0.1, c1.1, c2.1, c3.1), as: SIMD32<Float>.self)
                    UnsafeMutableRawPointer(p + 2 * planeWidth).storeBytes(of: row(c0.2, c1.2, c2.2, c3.2), as: SIMD32<Float>.self)
                    UnsafeMutableRawPointer(p + 3 * planeWidth).storeBytes(of: row(c0.3, c1.3, c2.3, c3.3), as: SIMD32<Float>.self)
                    continue
                }
                @inline(__always) func scatter(_ b: Int, _ column: FourVectors) {
                    for lane in 0..<lanes {
                        let p = outPlane + corners[t + lane] + b
                        p[0] = column.0[lane] + offset[0]
                        p[planeWidth] = column.1[lane] + offset[0]
                        p[2 * planeWidth] = column.2[lane] + offset[0]
                        p[3 * planeWidth] = column.3[lane] + offset[0]
                    }
                }
                scatter(0, c0); scatter(1, c1); scatter(2, c2); scatter(3, c3)
            }
            guard !direct else { continue }
            let output = y + plane * outH * outW
            for row in 0..<outH { (output + row * outW).update(from: outPlane + row * planeWidth, count: outW) }
        }
    }

    /// The adjoint of `transformOutput` (without bias): dM[ξ][o][t] = (A dy_t Aᵀ)[j][k] for the 4×4 tile
    /// dy_t of dy [images, O, H', W'] (0 beyond the edge).
    func transformOutputGradient(_ dy: UnsafePointer<Float>, images: Int, tiles: Int, outChannels: Int,
                                 into dm: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let g = geometry, (outH, outW) = (g.outputHeight, g.outputWidth), perImage = tilesPerImage
        let xiStride = outChannels * tiles, stride = gatheredStride
        // The gradient plane is 4·Ty rows of 4·Tx + 4 columns (zero beyond H'×W'), split like the input.
        let gradientPlane = scratch, phases = scratch + paddedHeight * paddedWidth + 32, gathered = phases + 4 * phaseSize
        let work = gathered + WinogradTiling.positions * stride, rowWidth = paddedWidth, count = tileColumns + 1
        // Entries b = 0…3 of row a of the eight tiles from t on.
        @inline(__always) func rowEntries(_ a: Int, _ t: Int) -> FourVectors {
            guard wholeRows else {
                let p = gathered + 4 * a * stride + t
                return (load(p), load(p + stride), load(p + 2 * stride), load(p + 3 * stride))
            }
            let (ty, tx) = t.quotientAndRemainder(dividingBy: tileColumns)
            let p = phases + (4 * ty + a) * count + tx
            return (load(p), load(p + phaseSize), load(p + 2 * phaseSize), load(p + 3 * phaseSize))
        }
        gradientPlane.update(repeating: 0, count: 4 * tileRows * rowWidth)
        for plane in 0..<(images * outChannels) {
            let (image, o) = plane.quotientAndRemainder(dividingBy: outChannels)
            let gradient = dy + plane * outH * outW
            for row in 0..<outH { (gradientPlane + row * rowWidth).update(from: gradient + row * outW, count: outW) }
            splitPhases(gradientPlane, rows: 4 * tileRows, width: rowWidth, into: phases)
            // gathered[4·a + b][ty·Tx + tx] = dy[4·ty + a][4·tx + b] = phases[b][4·ty + a][tx].
            for a in 0..<4 where !wholeRows {
                for b in 0..<4 {
                    let entry = gathered + (4 * a + b) * stride, phase = phases + b * phaseSize
                    for ty in 0..<tileRows {
                        copy(phase + (4 * ty + a) * (tileColumns + 1), to: entry + ty * tileColumns, count: tileColumns)
                    }
                }
            }
            let out = dm + o * tiles + image * perImage
            for t in Swift.stride(from: 0, to: perImage, by: TileVector.scalarCount) {
                // A along each of the four rows of the gradient tile, then down each of the six columns.
                for a in 0..<4 {
                    storeSix(outputGradientTransform(rowEntries(a, t)), work + 6 * a * TileVector.scalarCount,
                             stride: TileVector.scalarCount)
                }
                let lanes = min(TileVector.scalarCount, perImage - t)
                for k in 0..<6 {
                    let p = work + k * TileVector.scalarCount, s = 6 * TileVector.scalarCount
                    storeSix(outputGradientTransform((load(p), load(p + s), load(p + 2 * s), load(p + 3 * s))),
                             out + k * xiStride + t, stride: 6 * xiStride, lanes: lanes)
                }
            }
        }
    }
}
