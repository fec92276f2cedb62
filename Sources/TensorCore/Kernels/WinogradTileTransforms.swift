// MARK: - Winograd tile helpers and the input transform
// Transforms run over eight tiles at once (SIMD8, one lane per tile). A plane with whole rows of eight
// tiles is copied with its padding and split into four column phases (column q goes to phase q mod 4), so
// a tile's entries are contiguous runs read straight from the phases; planes four tiles wide and images of
// 2×2 tiles split each padded row's columns by phase from vector loads (`quarters`, `pairs`); other small
// planes are gathered entry by entry across the chunk's images through a table of source indices (`tileSources`). A last step with
// fewer tiles computes all eight lanes and stores only the valid ones; loads may run up to eight floats
// past a row, so every buffer read here has that much slack. The output transforms are in WinogradOutputTransforms.swift.

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

/// Columns φ, φ + 4, φ + 8, φ + 12 of the 16 floats at p, for φ = 0…3: one row's entries of four tiles.
@inline(__always) func quarters(_ p: UnsafePointer<Float>) -> (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) {
    let row = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    let (even, odd) = (row.evenHalf, row.oddHalf)
    return (even.evenHalf, odd.evenHalf, even.oddHalf, odd.oddHalf)
}

/// Lanes 0–3 from `low`, 4–7 from `high`.
@inline(__always) func joined(_ low: SIMD4<Float>, _ high: SIMD4<Float>) -> TileVector {
    var v = TileVector()
    v.lowHalf = low; v.highHalf = high
    return v
}

/// Columns φ and φ + 4 of the 8 floats at p, for φ = 0…3: one row's entries of two tiles.
@inline(__always) func pairs(_ p: UnsafePointer<Float>) -> (SIMD2<Float>, SIMD2<Float>, SIMD2<Float>, SIMD2<Float>) {
    let row = UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    let (even, odd) = (row.evenHalf, row.oddHalf)
    return (even.evenHalf, odd.evenHalf, even.oddHalf, odd.oddHalf)
}

/// Lanes 0–1 from a, 2–3 from b, 4–5 from c, 6–7 from d.
@inline(__always) func joined(_ a: SIMD2<Float>, _ b: SIMD2<Float>, _ c: SIMD2<Float>, _ d: SIMD2<Float>) -> TileVector {
    var low = SIMD4<Float>(), high = SIMD4<Float>()
    low.lowHalf = a; low.highHalf = b; high.lowHalf = c; high.highHalf = d
    return joined(low, high)
}

/// `quarters` of two rows, joined: lanes 0–3 the four tiles of `upper`, 4–7 those of `lower`.
@inline(__always) func joinedQuarters(_ upper: UnsafePointer<Float>, _ lower: UnsafePointer<Float>) -> FourVectors {
    let (u0, u1, u2, u3) = quarters(upper), (l0, l1, l2, l3) = quarters(lower)
    return (joined(u0, l0), joined(u1, l1), joined(u2, l2), joined(u3, l3))
}

extension WinogradTiling {
    /// V[ξ][c][t] = (Bᵀ d B)[j][k] for every tile of `images` NCHW images at x; V's rows are `tiles` long.
    /// Planes with whole rows of eight tiles are transformed one by one, reading the phase planes directly;
    /// planes four tiles wide (`twoTileRows`) one by one, two tile rows per vector; images of 2×2 tiles
    /// (`twoByTwoTiles`) two per vector; other small planes are gathered channel by channel across all the
    /// images, so the vectors stay full.
    func transformInput(_ x: UnsafePointer<Float>, images: Int, tiles: Int, into v: UnsafeMutablePointer<Float>,
                        scratch: UnsafeMutablePointer<Float>) {
        let g = geometry, perImage = tilesPerImage, lanes = TileVector.scalarCount
        let xiStride = Self.positionStride(rows: g.channels, columns: tiles)
        let padded = scratch, phases = scratch + phasesOffset, count = tileColumns + 1
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
        // The padded plane's border is zeroed once; each plane copied into it overwrites only its interior.
        padded.update(repeating: 0, count: paddedHeight * paddedWidth)
        if wholeRows {
            let work = phases + 4 * phaseSize
            for plane in 0..<(images * g.channels) {
                let (image, c) = plane.quotientAndRemainder(dividingBy: g.channels)
                copyInterior(x + plane * g.height * g.width, into: padded)
                splitPhases(padded, rows: paddedHeight, width: paddedWidth, into: phases)
                for t in Swift.stride(from: 0, to: perImage, by: lanes) {
                    transform({ rowEntries($0, t) }, work: work, into: v + c * tiles + image * perImage + t, lanes: lanes)
                }
            }
            return
        }
        if twoTileRows {
            // The eight tiles from t on are tile rows ty and ty + 1; entries c = 0…5 of row r of a tile row's four
            // tiles are columns 4·tx + c of padded row 4·ty + r, split out of two 16-float loads.
            let work = phases
            for plane in 0..<(images * g.channels) {
                let (image, c) = plane.quotientAndRemainder(dividingBy: g.channels)
                copyInterior(x + plane * g.height * g.width, into: padded)
                for t in Swift.stride(from: 0, to: perImage, by: lanes) {
                    let row = padded + 4 * (t / tileColumns) * paddedWidth
                    transform({ r in
                        let (upper, lower) = (row + r * paddedWidth, row + (4 + r) * paddedWidth)
                        let (u0, u1, u2, u3) = quarters(upper), (l0, l1, l2, l3) = quarters(lower)
                        let (u4, u5, _, _) = quarters(upper + 4), (l4, l5, _, _) = quarters(lower + 4)
                        return (joined(u0, l0), joined(u1, l1), joined(u2, l2), joined(u3, l3), joined(u4, l4), joined(u5, l5))
                    }, work: work, into: v + c * tiles + image * perImage + t, lanes: lanes)
                }
            }
            return
        }
        if twoByTwoTiles {
            // The eight tiles from t on are the 2×2 tiles of images t/4 and t/4 + 1; entries c = 0…5 of row r of
            // a tile row's two tiles are columns 4·tx + c of padded row 4·ty + r, split out of two 8-float loads.
            let second = phases, work = phases + 4 * phaseSize, planeSize = g.height * g.width
            second.update(repeating: 0, count: paddedHeight * paddedWidth)
            for c in 0..<g.channels {
                for t in Swift.stride(from: 0, to: tiles, by: lanes) {
                    let image = t / 4, valid = min(lanes, tiles - t)
                    copyInterior(x + (image * g.channels + c) * planeSize, into: padded)
                    if valid > 4 { copyInterior(x + ((image + 1) * g.channels + c) * planeSize, into: second) }
                    let other = valid > 4 ? second : padded
                    transform({ r in
                        // Rows r of tile row 0 and 1 (4 + r) of each of the two images.
                        let (firstTop, firstBottom) = (padded + r * paddedWidth, padded + (4 + r) * paddedWidth)
                        let (otherTop, otherBottom) = (other + r * paddedWidth, other + (4 + r) * paddedWidth)
                        let (a0, a1, a2, a3) = pairs(firstTop), (a4, a5, _, _) = pairs(firstTop + 4)
                        let (b0, b1, b2, b3) = pairs(firstBottom), (b4, b5, _, _) = pairs(firstBottom + 4)
                        let (c0, c1, c2, c3) = pairs(otherTop), (c4, c5, _, _) = pairs(otherTop + 4)
                        let (d0, d1, d2, d3) = pairs(otherBottom), (d4, d5, _, _) = pairs(otherBottom + 4)
                        return (joined(a0, b0, c0, d0), joined(a1, b1, c1, d1), joined(a2, b2, c2, d2),
                                joined(a3, b3, c3, d3), joined(a4, b4, c4, d4), joined(a5, b5, c5, d5))
                    }, work: work, into: v + c * tiles + t, lanes: valid)
                }
            }
            return
        }
        let stride = tiles + lanes, gathered = phases + 4 * phaseSize, work = gathered + WinogradTiling.positions * stride
        let sources = tileSources(side: 6, shiftRows: g.paddingHeight, shiftColumns: g.paddingWidth,
                                  height: g.height, width: g.width)
        for c in 0..<g.channels {
            for image in 0..<images {
                gatherTiles(x + (image * g.channels + c) * g.height * g.width, sources: sources,
                            into: gathered + image * perImage, stride: stride)
            }
            for t in Swift.stride(from: 0, to: tiles, by: lanes) {
                transform({ loadSix(gathered + 6 * $0 * stride + t, stride: stride) }, work: work, into: v + c * tiles + t,
                          lanes: min(lanes, tiles - t))
            }
        }
    }

    /// padded[r][q] = x[r − ph, q − pw] inside the image; the border is left as it is (zeroed once by the
    /// caller for all the planes it copies). Rows are copied eight floats at a time.
    func copyInterior(_ x: UnsafePointer<Float>, into padded: UnsafeMutablePointer<Float>) {
        let g = geometry, width = paddedWidth, lanes = TileVector.scalarCount
        let whole = g.width - g.width % lanes
        for inputRow in 0..<g.height {
            let source = x + inputRow * g.width, target = padded + (inputRow + g.paddingHeight) * width + g.paddingWidth
            for q in Swift.stride(from: 0, to: whole, by: lanes) { store(load(source + q), target + q) }
            for q in whole..<g.width { target[q] = source[q] }
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

    /// Where each entry of each tile of a plane comes from: sources[(side·r + c)·T + ty·Tx + tx] is the index
    /// of row 4·ty + r − shiftRows, column 4·tx + c − shiftColumns in a `height`×`width` plane, or −1 where that
    /// lies outside it (the padding), for r, c < side (6 for input tiles, 4 for output-gradient tiles).
    func tileSources(side: Int, shiftRows: Int, shiftColumns: Int, height: Int, width: Int) -> [Int32] {
        var sources = [Int32](repeating: -1, count: side * side * tilesPerImage)
        for r in 0..<side {
            for c in 0..<side {
                for t in 0..<tilesPerImage {
                    let row = 4 * (t / tileColumns) + r - shiftRows, column = 4 * (t % tileColumns) + c - shiftColumns
                    guard row >= 0 && row < height && column >= 0 && column < width else { continue }
                    sources[(side * r + c) * tilesPerImage + t] = Int32(row * width + column)
                }
            }
        }
        return sources
    }

    /// gathered[e][t] = plane[sources[e·T + t]], 0 where the source is −1, for the entries e of one plane's T
    /// tiles (`tileSources`): small planes without a vector path are gathered this way, one scalar per entry,
    /// instead of being padded and split into phase planes, which cost more than the gather itself at 8×8.
    func gatherTiles(_ plane: UnsafePointer<Float>, sources: [Int32], into gathered: UnsafeMutablePointer<Float>, stride: Int) {
        let perImage = tilesPerImage
        sources.withUnsafeBufferPointer { sources in
            for entry in 0..<(sources.count / perImage) {
                let target = gathered + entry * stride, from = sources.baseAddress! + entry * perImage
                for t in 0..<perImage {
                    let source = Int(from[t])
                    target[t] = source >= 0 ? plane[source] : 0
                }
            }
        }
    }
}
