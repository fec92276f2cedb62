// MARK: - Winograd transforms of images, products and output gradients
// Each plane's tiles are first gathered entry by entry (36 rows of one float per tile, or 16 for output
// gradients), so the transforms run over eight tiles at once (SIMD8, one lane per tile) whatever the
// plane's width. A last step with fewer tiles computes all eight lanes and stores only the valid ones;
// loads may run up to eight floats past a row, so every buffer read here has that much slack.

typealias TileVector = SIMD8<Float>
typealias SixVectors = (TileVector, TileVector, TileVector, TileVector, TileVector, TileVector)
typealias FourVectors = (TileVector, TileVector, TileVector, TileVector)

@inline(__always) func load(_ p: UnsafePointer<Float>) -> TileVector {
    UnsafeRawPointer(p).loadUnaligned(as: TileVector.self)
}

@inline(__always) func load(_ p: UnsafeMutablePointer<Float>) -> TileVector { load(UnsafePointer(p)) }

/// Stores the first `lanes` lanes of `value` at p.
@inline(__always) func store(_ value: TileVector, _ p: UnsafeMutablePointer<Float>, lanes: Int = TileVector.scalarCount) {
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
@inline(__always) func copy(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
    switch count {
    case 4: UnsafeMutableRawPointer(target).storeBytes(of: UnsafeRawPointer(source).loadUnaligned(as: SIMD4<Float>.self),
                                                       as: SIMD4<Float>.self)
    case 2: UnsafeMutableRawPointer(target).storeBytes(of: UnsafeRawPointer(source).loadUnaligned(as: SIMD2<Float>.self),
                                                       as: SIMD2<Float>.self)
    default: for i in 0..<count { target[i] = source[i] }
    }
}

/// Bᵀ·d, lane-wise.
@inline(__always) func inputTransform(_ d: SixVectors) -> SixVectors {
    let (d0, d1, d2, d3, d4, d5) = d
    return (4 * d0 - 5 * d2 + d4, d3 + d4 - 4 * (d1 + d2), d4 - d3 + 4 * (d1 - d2),
            d4 - d2 + 2 * (d3 - d1), d4 - d2 - 2 * (d3 - d1), 4 * d1 - 5 * d3 + d5)
}

/// Aᵀ·m, lane-wise.
@inline(__always) func outputTransform(_ m: SixVectors) -> FourVectors {
    let (m0, m1, m2, m3, m4, m5) = m
    return (m0 + m1 + m2 + m3 + m4, m1 - m2 + 2 * (m3 - m4), m1 + m2 + 4 * (m3 + m4), m1 - m2 + 8 * (m3 - m4) + m5)
}

/// A·g (the adjoint of Aᵀ), lane-wise.
@inline(__always) func outputGradientTransform(_ g: FourVectors) -> SixVectors {
    let (g0, g1, g2, g3) = g
    return (g0, g0 + g1 + g2 + g3, g0 - g1 + g2 - g3, g0 + 2 * g1 + 4 * g2 + 8 * g3, g0 - 2 * g1 + 4 * g2 - 8 * g3, g3)
}

/// Six vectors at p, p + stride, …
@inline(__always) func loadSix(_ p: UnsafePointer<Float>, stride: Int) -> SixVectors {
    (load(p), load(p + stride), load(p + 2 * stride), load(p + 3 * stride), load(p + 4 * stride), load(p + 5 * stride))
}

@inline(__always) func storeSix(_ v: SixVectors, _ p: UnsafeMutablePointer<Float>, stride: Int, lanes: Int = TileVector.scalarCount) {
    store(v.0, p, lanes: lanes); store(v.1, p + stride, lanes: lanes); store(v.2, p + 2 * stride, lanes: lanes)
    store(v.3, p + 3 * stride, lanes: lanes); store(v.4, p + 4 * stride, lanes: lanes); store(v.5, p + 5 * stride, lanes: lanes)
}

extension WinogradTiling {
    /// V[ξ][c][t] = (Bᵀ d B)[j][k] for every tile of `images` NCHW images at x; V's rows are `tiles` long.
    /// Planes with whole rows of eight tiles are transformed one by one, reading the phase planes directly;
    /// smaller planes are gathered channel by channel across all the images, so the vectors stay full.
    func transformInput(_ x: UnsafePointer<Float>, images: Int, tiles: Int, into v: UnsafeMutablePointer<Float>,
                        scratch: UnsafeMutablePointer<Float>) {
        let g = geometry, perImage = tilesPerImage, xiStride = g.channels * tiles, lanes = TileVector.scalarCount
        let padded = scratch, phases = padded + paddedHeight * paddedWidth + 32, count = tileColumns + 1
        let (p0, p1, p2, p3) = (phases, phases + phaseSize, phases + 2 * phaseSize, phases + 3 * phaseSize)
        // Whole rows: entries c = 0…5 of row r of the eight tiles from t on, straight from the phase planes.
        @inline(__always) func rowEntries(_ r: Int, _ t: Int) -> SixVectors {
            let (ty, tx) = t.quotientAndRemainder(dividingBy: tileColumns)
            let base = (4 * ty + r) * count + tx
            return (load(p0 + base), load(p1 + base), load(p2 + base), load(p3 + base), load(p0 + base + 1), load(p1 + base + 1))
        }
        // Bᵀ along each of the six rows of every tile (into `work`), then down each of the six columns.
        @inline(__always) func transform(_ rows: (Int) -> SixVectors, work: UnsafeMutablePointer<Float>,
                                         into out: UnsafeMutablePointer<Float>, lanes valid: Int) {
            for r in 0..<6 { storeSix(inputTransform(rows(r)), work + 6 * r * lanes, stride: lanes) }
            for k in 0..<6 {
                storeSix(inputTransform(loadSix(work + k * lanes, stride: 6 * lanes)), out + k * xiStride,
                         stride: 6 * xiStride, lanes: valid)
            }
        }
        if wholeRows {
            let work = phases + 4 * phaseSize
            for plane in 0..<(images * g.channels) {
                let (image, c) = plane.quotientAndRemainder(dividingBy: g.channels)
                copyPadded(x + plane * g.height * g.width, into: padded)
                splitPhases(padded, rows: paddedHeight, width: paddedWidth, into: phases)
                for t in Swift.stride(from: 0, to: perImage, by: lanes) {
                    transform({ rowEntries($0, t) }, work: work, into: v + c * tiles + image * perImage + t, lanes: lanes)
                }
            }
            return
        }
        let stride = tiles + lanes, gathered = phases + 4 * phaseSize, work = gathered + WinogradTiling.positions * stride
        for c in 0..<g.channels {
            for image in 0..<images {
                copyPadded(x + (image * g.channels + c) * g.height * g.width, into: padded)
                splitPhases(padded, rows: paddedHeight, width: paddedWidth, into: phases)
                gatherInputTiles(phases, into: gathered + image * perImage, stride: stride)
            }
            for t in Swift.stride(from: 0, to: tiles, by: lanes) {
                transform({ loadSix(gathered + 6 * $0 * stride + t, stride: stride) }, work: work, into: v + c * tiles + t,
                          lanes: min(lanes, tiles - t))
            }
        }
    }

    /// padded[r][q] = x[r − ph, q − pw], 0 outside the image.
    func copyPadded(_ x: UnsafePointer<Float>, into padded: UnsafeMutablePointer<Float>) {
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
    func splitPhases(_ plane: UnsafePointer<Float>, rows: Int, width: Int, into phases: UnsafeMutablePointer<Float>) {
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
    func gatherInputTiles(_ phases: UnsafePointer<Float>, into gathered: UnsafeMutablePointer<Float>, stride: Int) {
        let (tx, count) = (tileColumns, tileColumns + 1)
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
        if direct && !wholeRows {
            return transformOutputAcrossImages(m, images: images, tiles: tiles, outChannels: outChannels, bias: bias,
                                               into: y, work: work, corners: corners)
        }
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

    /// `transformOutput` for small planes the tiles cover exactly: vectors run over the tiles of all the
    /// images of one output channel, and each lane's 4×4 outputs go straight to its image's plane.
    func transformOutputAcrossImages(_ m: UnsafePointer<Float>, images: Int, tiles: Int, outChannels: Int,
                                     bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>,
                                     work: UnsafeMutablePointer<Float>, corners: [Int]) {
        let (planeSize, width) = (geometry.outputPlane, geometry.outputWidth)
        let xiStride = outChannels * tiles, lanes = TileVector.scalarCount
        for o in 0..<outChannels {
            let offset = bias?[o] ?? 0, source = m + o * tiles
            for t in Swift.stride(from: 0, to: tiles, by: lanes) {
                for j in 0..<6 {
                    let z = outputTransform(loadSix(source + 6 * j * xiStride + t, stride: xiStride))
                    let p = work + 4 * j * lanes
                    store(z.0, p); store(z.1, p + lanes); store(z.2, p + 2 * lanes); store(z.3, p + 3 * lanes)
                }
                let valid = min(lanes, tiles - t)
                @inline(__always) func scatter(_ b: Int) {
                    let column = outputTransform(loadSix(work + b * lanes, stride: 4 * lanes))
                    for lane in 0..<valid {
                        let (image, tile) = (t + lane).quotientAndRemainder(dividingBy: tilesPerImage)
                        let p = y + (image * outChannels + o) * planeSize + corners[tile] + b
                        p[0] = column.0[lane] + offset
                        p[width] = column.1[lane] + offset
                        p[2 * width] = column.2[lane] + offset
                        p[3 * width] = column.3[lane] + offset
                    }
                }
                scatter(0); scatter(1); scatter(2); scatter(3)
            }
        }
    }

    /// The adjoint of `transformOutput` (without bias): dM[ξ][o][t] = (A dy_t Aᵀ)[j][k] for the 4×4 tile
    /// dy_t of dy [images, O, H', W'] (0 beyond the edge). Like `transformInput`, whole-row planes one by
    /// one, smaller ones gathered across the images.
    func transformOutputGradient(_ dy: UnsafePointer<Float>, images: Int, tiles: Int, outChannels: Int,
                                 into dm: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let g = geometry, (outH, outW) = (g.outputHeight, g.outputWidth), perImage = tilesPerImage
        let xiStride = outChannels * tiles, lanes = TileVector.scalarCount, count = tileColumns + 1
        // The gradient plane is 4·Ty rows of 4·Tx + 4 columns (zero beyond H'×W'), split like the input.
        let gradientPlane = scratch, phases = scratch + paddedHeight * paddedWidth + 32, rowWidth = paddedWidth
        gradientPlane.update(repeating: 0, count: 4 * tileRows * rowWidth)
        func split(_ image: Int, _ o: Int) {
            let gradient = dy + (image * outChannels + o) * outH * outW
            for row in 0..<outH { (gradientPlane + row * rowWidth).update(from: gradient + row * outW, count: outW) }
            splitPhases(gradientPlane, rows: 4 * tileRows, width: rowWidth, into: phases)
        }
        // A along each of the four rows of the gradient tile (into `work`), then down each of the six columns.
        @inline(__always) func transform(_ rows: (Int) -> FourVectors, work: UnsafeMutablePointer<Float>,
                                         into out: UnsafeMutablePointer<Float>, lanes valid: Int) {
            for a in 0..<4 { storeSix(outputGradientTransform(rows(a)), work + 6 * a * lanes, stride: lanes) }
            for k in 0..<6 {
                let p = work + k * lanes, s = 6 * lanes
                storeSix(outputGradientTransform((load(p), load(p + s), load(p + 2 * s), load(p + 3 * s))),
                         out + k * xiStride, stride: 6 * xiStride, lanes: valid)
            }
        }
        if wholeRows {
            // Entries b = 0…3 of row a of the eight tiles from t on: phases[b][4·ty + a][tx …].
            let work = phases + 4 * phaseSize
            for plane in 0..<(images * outChannels) {
                let (image, o) = plane.quotientAndRemainder(dividingBy: outChannels)
                split(image, o)
                for t in Swift.stride(from: 0, to: perImage, by: lanes) {
                    let (ty, tx) = t.quotientAndRemainder(dividingBy: tileColumns)
                    transform({ a in
                        let p = phases + (4 * ty + a) * count + tx
                        return (load(p), load(p + phaseSize), load(p + 2 * phaseSize), load(p + 3 * phaseSize))
                    }, work: work, into: dm + o * tiles + image * perImage + t, lanes: lanes)
                }
            }
            return
        }
        let stride = tiles + lanes, gathered = phases + 4 * phaseSize, work = gathered + WinogradTiling.positions * stride
        for o in 0..<outChannels {
            // gathered[4·a + b][image·T + ty·Tx + tx] = dy[image][4·ty + a][4·tx + b] = phases[b][4·ty + a][tx].
            for image in 0..<images {
                split(image, o)
                for a in 0..<4 {
                    for b in 0..<4 {
                        let entry = gathered + (4 * a + b) * stride + image * perImage, phase = phases + b * phaseSize
                        for ty in 0..<tileRows { copy(phase + (4 * ty + a) * count, to: entry + ty * tileColumns, count: tileColumns) }
                    }
                }
            }
            for t in Swift.stride(from: 0, to: tiles, by: lanes) {
                transform({ a in
                    let p = gathered + 4 * a * stride + t
                    return (load(p), load(p + stride), load(p + 2 * stride), load(p + 3 * stride))
                }, work: work, into: dm + o * tiles + t, lanes: min(lanes, tiles - t))
            }
        }
    }
}
