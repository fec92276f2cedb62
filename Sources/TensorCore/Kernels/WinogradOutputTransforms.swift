// MARK: - Winograd output transforms (products back to NCHW, and their adjoint for output gradients)
// Helpers and the tiling are in WinogradTileTransforms.swift and WinogradTransforms.swift.

extension WinogradTiling {
    /// Aᵀ M A for the eight tiles whose M entries start at m (entry ξ at m + ξ·xiStride): Aᵀ along each
    /// of the six rows (into `work`), then down each column; column b of the result holds output rows
    /// 0…3 of tile column b.
    @inline(__always)
    func outputColumns(_ m: UnsafePointer<Float>, xiStride: Int, work: UnsafeMutablePointer<Float>)
        -> (FourVectors, FourVectors, FourVectors, FourVectors) {
        let lanes = TileVector.scalarCount
        for j in 0..<6 {
            let z = outputTransform(loadSix(m + 6 * j * xiStride, stride: xiStride))
            let p = work + 4 * j * lanes
            store(z.0, p); store(z.1, p + lanes); store(z.2, p + 2 * lanes); store(z.3, p + 3 * lanes)
        }
        @inline(__always) func column(_ b: Int) -> FourVectors { outputTransform(loadSix(work + b * lanes, stride: 4 * lanes)) }
        return (column(0), column(1), column(2), column(3))
    }

    /// y[n, o, 4ty + a, 4tx + b] = (Aᵀ M[·][o][t] A)[a][b] + bias[o], for M [36][O][tiles] (with eight
    /// floats of slack after it); the part of an edge tile beyond H'×W' is dropped.
    func transformOutput(_ m: UnsafePointer<Float>, images: Int, tiles: Int, outChannels: Int, bias: UnsafePointer<Float>?,
                         into y: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let g = geometry, (outH, outW) = (g.outputHeight, g.outputWidth), perImage = tilesPerImage
        let xiStride = Self.positionStride(rows: outChannels, columns: tiles), planeWidth = 4 * tileColumns
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
                let lanes = min(TileVector.scalarCount, perImage - t)
                let (c0, c1, c2, c3) = outputColumns(source + t, xiStride: xiStride, work: work)
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
        let xiStride = Self.positionStride(rows: outChannels, columns: tiles), lanes = TileVector.scalarCount
        // Where tile t's top-left output lands in channel 0 of its image.
        let targets = (0..<tiles).map { t in (t / tilesPerImage) * outChannels * planeSize + corners[t % tilesPerImage] }
        for o in 0..<outChannels {
            let offset = bias?[o] ?? 0, source = m + o * tiles, channel = y + o * planeSize
            for t in Swift.stride(from: 0, to: tiles, by: lanes) {
                let valid = min(lanes, tiles - t)
                let columns = outputColumns(source + t, xiStride: xiStride, work: work)
                if twoTileRows {  // the eight tiles are two tile rows of one image: one 16-float store per output row
                    let p = channel + targets[t], shift = SIMD16<Float>(repeating: offset)
                    @inline(__always) func row(_ y0: SIMD4<Float>, _ y1: SIMD4<Float>, _ y2: SIMD4<Float>, _ y3: SIMD4<Float>) -> SIMD16<Float> {
                        var even = SIMD8<Float>(), odd = SIMD8<Float>(), all = SIMD16<Float>()
                        even.evenHalf = y0; even.oddHalf = y2; odd.evenHalf = y1; odd.oddHalf = y3
                        all.evenHalf = even; all.oddHalf = odd
                        return all + shift
                    }
                    let (c0, c1, c2, c3) = columns
                    @inline(__always) func put(_ a: Int, _ value: SIMD16<Float>) {
                        UnsafeMutableRawPointer(p + a * width).storeBytes(of: value, as: SIMD16<Float>.self)
                    }
                    put(0, row(c0.0.lowHalf, c1.0.lowHalf, c2.0.lowHalf, c3.0.lowHalf))
                    put(1, row(c0.1.lowHalf, c1.1.lowHalf, c2.1.lowHalf, c3.1.lowHalf))
                    put(2, row(c0.2.lowHalf, c1.2.lowHalf, c2.2.lowHalf, c3.2.lowHalf))
                    put(3, row(c0.3.lowHalf, c1.3.lowHalf, c2.3.lowHalf, c3.3.lowHalf))
                    put(4, row(c0.0.highHalf, c1.0.highHalf, c2.0.highHalf, c3.0.highHalf))
                    put(5, row(c0.1.highHalf, c1.1.highHalf, c2.1.highHalf, c3.1.highHalf))
                    put(6, row(c0.2.highHalf, c1.2.highHalf, c2.2.highHalf, c3.2.highHalf))
                    put(7, row(c0.3.highHalf, c1.3.highHalf, c2.3.highHalf, c3.3.highHalf))
                    continue
                }
                if twoByTwoTiles {  // the eight tiles are two images' 2×2: one 8-float store per output row
                    let shift = SIMD8<Float>(repeating: offset)
                    @inline(__always) func row(_ y0: SIMD2<Float>, _ y1: SIMD2<Float>, _ y2: SIMD2<Float>, _ y3: SIMD2<Float>) -> SIMD8<Float> {
                        var even = SIMD4<Float>(), odd = SIMD4<Float>(), all = SIMD8<Float>()
                        even.evenHalf = y0; even.oddHalf = y2; odd.evenHalf = y1; odd.oddHalf = y3
                        all.evenHalf = even; all.oddHalf = odd
                        return all + shift
                    }
                    let (c0, c1, c2, c3) = columns
                    // Output row 4·ty + a of the image whose tiles are lanes 4·i…4·i + 3.
                    @inline(__always) func put(_ i: Int, _ ty: Int, _ a: Int, _ pick: (TileVector) -> SIMD2<Float>) {
                        let p = channel + targets[t + 4 * i] + (4 * ty + a) * width
                        let (y0, y1, y2, y3) = (a == 0 ? (c0.0, c1.0, c2.0, c3.0) : a == 1 ? (c0.1, c1.1, c2.1, c3.1)
                                                : a == 2 ? (c0.2, c1.2, c2.2, c3.2) : (c0.3, c1.3, c2.3, c3.3))
                        UnsafeMutableRawPointer(p).storeBytes(of: row(pick(y0), pick(y1), pick(y2), pick(y3)), as: SIMD8<Float>.self)
                    }
                    for a in 0..<4 {
                        put(0, 0, a) { $0.lowHalf.lowHalf }
                        put(0, 1, a) { $0.lowHalf.highHalf }
                        if valid > 4 {
                            put(1, 0, a) { $0.highHalf.lowHalf }
                            put(1, 1, a) { $0.highHalf.highHalf }
                        }
                    }
                    continue
                }
                @inline(__always) func scatter(_ b: Int, _ column: FourVectors) {
                    for lane in 0..<valid {
                        let p = channel + targets[t + lane] + b
                        p[0] = column.0[lane] + offset
                        p[width] = column.1[lane] + offset
                        p[2 * width] = column.2[lane] + offset
                        p[3 * width] = column.3[lane] + offset
                    }
                }
                scatter(0, columns.0); scatter(1, columns.1); scatter(2, columns.2); scatter(3, columns.3)
            }
        }
    }

    /// The adjoint of `transformOutput` (without bias): dM[ξ][o][t] = (A dy_t Aᵀ)[j][k] for the 4×4 tile
    /// dy_t of dy [images, O, H', W'] (0 beyond the edge). Like `transformInput`, whole-row planes one by
    /// one, smaller ones gathered across the images.
    func transformOutputGradient(_ dy: UnsafePointer<Float>, images: Int, tiles: Int, outChannels: Int,
                                 into dm: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let g = geometry, (outH, outW) = (g.outputHeight, g.outputWidth), perImage = tilesPerImage
        let xiStride = Self.positionStride(rows: outChannels, columns: tiles), lanes = TileVector.scalarCount, count = tileColumns + 1
        // Whole-row planes: the gradient plane is 4·Ty rows of 4·Tx + 4 columns (zero beyond H'×W'), split
        // like the input.
        let gradientPlane = scratch, phases = scratch + phasesOffset, rowWidth = paddedWidth
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
            gradientPlane.update(repeating: 0, count: 4 * tileRows * rowWidth)
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
        if twoTileRows && outW == 16 && outH == 4 * tileRows {
            // Entries b = 0…3 of row a of a tile row's four tiles: columns 4·tx + b of one 16-float gradient row.
            let work = phases
            for plane in 0..<(images * outChannels) {
                let (image, o) = plane.quotientAndRemainder(dividingBy: outChannels)
                let gradient = dy + plane * outH * outW
                for t in Swift.stride(from: 0, to: perImage, by: lanes) {
                    let row = gradient + 4 * (t / tileColumns) * outW
                    transform({ a in joinedQuarters(row + a * outW, row + (4 + a) * outW) },
                              work: work, into: dm + o * tiles + image * perImage + t, lanes: lanes)
                }
            }
            return
        }
        if twoByTwoTiles && outW == 8 && outH == 8 {
            // Entries b = 0…3 of row a of a tile row's two tiles: columns 4·tx + b of one 8-float gradient row;
            // lanes 0–3 the 2×2 tiles of image t/4, 4–7 those of the next.
            let work = phases, planeSize = outH * outW
            for o in 0..<outChannels {
                for t in Swift.stride(from: 0, to: tiles, by: lanes) {
                    let image = t / 4, valid = min(lanes, tiles - t)
                    let first = dy + (image * outChannels + o) * planeSize
                    let other = valid > 4 ? first + outChannels * planeSize : first
                    transform({ a in
                        let (a0, a1, a2, a3) = pairs(first + a * outW), (b0, b1, b2, b3) = pairs(first + (4 + a) * outW)
                        let (c0, c1, c2, c3) = pairs(other + a * outW), (d0, d1, d2, d3) = pairs(other + (4 + a) * outW)
                        return (joined(a0, b0, c0, d0), joined(a1, b1, c1, d1), joined(a2, b2, c2, d2), joined(a3, b3, c3, d3))
                    }, work: work, into: dm + o * tiles + t, lanes: valid)
                }
            }
            return
        }
        let stride = tiles + lanes, gathered = phases + 4 * phaseSize, work = gathered + WinogradTiling.positions * stride
        let sources = tileSources(side: 4, shiftRows: 0, shiftColumns: 0, height: outH, width: outW)
        for o in 0..<outChannels {
            // gathered[4·a + b][image·T + ty·Tx + tx] = dy[image][4·ty + a][4·tx + b].
            for image in 0..<images {
                gatherTiles(dy + (image * outChannels + o) * outH * outW, sources: sources,
                            into: gathered + image * perImage, stride: stride)
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
