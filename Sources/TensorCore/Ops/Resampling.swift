// MARK: - Average pooling and nearest upsampling (NCHW)

extension Tensor {
    /// Non-overlapping k×k average pooling: y[n, c, i, j] = (1/k²) Σ_{a,b<k} x[n, c, k·i + a, k·j + b].
    /// Pullback: upsampleNearest(g, k) / k².
    public func avgPool2d(_ k: Int = 2) -> Tensor {
        precondition(rank == 4 && shape[2] % k == 0 && shape[3] % k == 0,
                     "avgPool2d: \(shape) is not NCHW with H and W divisible by \(k)")
        let scale = 1 / Float(k * k)
        return Tensor.record(pooled(k, scale: scale), inputs: [self]) { g in
            // One pass each way; under createGraph the pullback is built from recorded ops.
            [GradientMode.isRecording ? g.upsampleNearest(k) * scale : g.upsampled(k, scale: scale)]
        }
    }

    /// scale · Σ_{a,b<k} x[n, c, k·i + a, k·j + b], unrecorded.
    func pooled(_ k: Int, scale: Float) -> Tensor {
        let (planes, h, w) = (shape[0] * shape[1], shape[2], shape[3])
        let (oh, ow) = (h / k, w / k)
        let values = [Float].uninitialized(planes * oh * ow) { out in
            scalars.withUnsafeBufferPointer { x in
                let px = x.baseAddress!
                Parallel.forEach(planes, work: count) { plane in
                    let source = px + plane * h * w, target = out + plane * oh * ow
                    if k == 2 && w % 8 == 0 {
                        Tensor.pooledPairs(source, width: w, rows: oh, scale: scale, into: target)
                        return
                    }
                    for i in 0..<oh {
                        for j in 0..<ow {
                            var total: Float = 0
                            for a in 0..<k { for b in 0..<k { total += source[(k * i + a) * w + k * j + b] } }
                            target[i * ow + j] = total * scale
                        }
                    }
                }
            }
        }
        return Tensor(shape: [shape[0], shape[1], oh, ow], scalars: values)
    }

    /// Nearest-neighbour upsampling by an integer factor: y[n, c, i, j] = x[n, c, ⌊i/f⌋, ⌊j/f⌋].
    /// Pullback: avgPool2d(g, f) · f² (the sum over each f×f block).
    public func upsampleNearest(_ factor: Int = 2) -> Tensor {
        precondition(rank == 4, "upsampleNearest: expects NCHW, got \(shape)")
        let area = Float(factor * factor)
        return Tensor.record(upsampled(factor, scale: 1), inputs: [self]) { g in
            [GradientMode.isRecording ? g.avgPool2d(factor) * area : g.pooled(factor, scale: 1)]
        }
    }

    /// scale · x[n, c, ⌊i/f⌋, ⌊j/f⌋], unrecorded.
    func upsampled(_ factor: Int, scale: Float) -> Tensor {
        let (planes, h, w) = (shape[0] * shape[1], shape[2], shape[3])
        let (oh, ow) = (h * factor, w * factor)
        let values = [Float].uninitialized(planes * oh * ow) { out in
            scalars.withUnsafeBufferPointer { x in
                let px = x.baseAddress!
                Parallel.forEach(planes, work: planes * oh * ow) { plane in
                    let source = px + plane * h * w, target = out + plane * oh * ow
                    if factor == 2 && w % 4 == 0 {
                        Tensor.doubled(source, width: w, rows: h, scale: scale, into: target)
                        return
                    }
                    for r in 0..<h {
                        // Widen source row r once, then repeat the widened row factor − 1 times.
                        let row = source + r * w, first = target + r * factor * ow
                        for q in 0..<w { for copy in 0..<factor { first[q * factor + copy] = row[q] * scale } }
                        for repeatRow in 1..<factor { (first + repeatRow * ow).update(from: first, count: ow) }
                    }
                }
            }
        }
        return Tensor(shape: [shape[0], shape[1], oh, ow], scalars: values)
    }

    /// 2×2 pooling of one plane whose rows are a multiple of eight wide, four outputs per step:
    /// target[i][j] = scale · (((0 + x[2i][2j]) + x[2i][2j + 1]) + x[2i + 1][2j]) + x[2i + 1][2j + 1]), the
    /// scalar loop's order (its running total starts at 0), so the same bits.
    static func pooledPairs(_ source: UnsafePointer<Float>, width w: Int, rows: Int, scale: Float,
                            into target: UnsafeMutablePointer<Float>) {
        for i in 0..<rows {
            let upper = UnsafeRawPointer(source + 2 * i * w), lower = upper + w * MemoryLayout<Float>.stride
            let row = UnsafeMutableRawPointer(target + i * (w / 2))
            for q in Swift.stride(from: 0, to: w * MemoryLayout<Float>.stride, by: MemoryLayout<SIMD8<Float>>.stride) {
                let a = upper.loadUnaligned(fromByteOffset: q, as: SIMD8<Float>.self)
                let b = lower.loadUnaligned(fromByteOffset: q, as: SIMD8<Float>.self)
                let total = ((SIMD4<Float>() + a.evenHalf + a.oddHalf) + b.evenHalf) + b.oddHalf
                row.storeBytes(of: total * scale, toByteOffset: q / 2, as: SIMD4<Float>.self)
            }
        }
    }

    /// Nearest upsampling by 2 of one plane whose rows are a multiple of four wide: each source row widened
    /// four values at a time (every value twice, times `scale`), then copied once below itself.
    static func doubled(_ source: UnsafePointer<Float>, width w: Int, rows: Int, scale: Float,
                        into target: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let row = UnsafeRawPointer(source + r * w), first = target + 4 * r * w
            let wide = UnsafeMutableRawPointer(first)
            for q in Swift.stride(from: 0, to: w * MemoryLayout<Float>.stride, by: MemoryLayout<SIMD4<Float>>.stride) {
                let v = row.loadUnaligned(fromByteOffset: q, as: SIMD4<Float>.self) * scale
                let pairs = SIMD8<Float>(lowHalf: SIMD4(v[0], v[0], v[1], v[1]), highHalf: SIMD4(v[2], v[2], v[3], v[3]))
                wide.storeBytes(of: pairs, toByteOffset: 2 * q, as: SIMD8<Float>.self)
            }
            (first + 2 * w).update(from: first, count: 2 * w)
        }
    }
}
