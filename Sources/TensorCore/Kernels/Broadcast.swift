/// Loops over a broadcast binary operation with dimensions coalesced, so that an inner run is as long
/// as possible: [N, C, H, W] against [1, C, 1, 1] runs N·C inner loops of H·W.
struct BroadcastLoop {
    /// Outer dimensions (all but the innermost) after coalescing.
    let outerShape: [Int]
    let outerStridesA: [Int], outerStridesB: [Int]
    let innerCount: Int, innerStrideA: Int, innerStrideB: Int

    init(outputShape: [Int], shapeA: [Int], shapeB: [Int]) {
        let rank = outputShape.count
        func stridesFor(_ shape: [Int]) -> [Int] {
            let padded = [Int](repeating: 1, count: rank - shape.count) + shape
            let dense = Shape.strides(padded)
            return (0..<rank).map { padded[$0] == 1 && outputShape[$0] != 1 ? 0 : dense[$0] }
        }
        var dims = outputShape, sa = stridesFor(shapeA), sb = stridesFor(shapeB)
        if dims.isEmpty { dims = [1]; sa = [0]; sb = [0] }
        var axis = dims.count - 1
        while axis > 0 {
            // Merge axis-1 into axis when both operands step through them as one run.
            if sa[axis - 1] == sa[axis] * dims[axis] && sb[axis - 1] == sb[axis] * dims[axis] {
                dims[axis - 1] *= dims[axis]; sa[axis - 1] = sa[axis]; sb[axis - 1] = sb[axis]
                dims.remove(at: axis); sa.remove(at: axis); sb.remove(at: axis)
            }
            axis -= 1
        }
        innerCount = dims.last!; innerStrideA = sa.last!; innerStrideB = sb.last!
        outerShape = Array(dims.dropLast()); outerStridesA = Array(sa.dropLast()); outerStridesB = Array(sb.dropLast())
    }

    var outerCount: Int { outerShape.reduce(1, *) }

    /// Offsets into A and B of the outer index `outer` (row-major over `outerShape`).
    @inline(__always)
    func offsets(ofOuter outer: Int) -> (Int, Int) {
        var remainder = outer, offsetA = 0, offsetB = 0
        for axis in stride(from: outerShape.count - 1, through: 0, by: -1) {
            let index = remainder % outerShape[axis]
            remainder /= outerShape[axis]
            offsetA += index * outerStridesA[axis]
            offsetB += index * outerStridesB[axis]
        }
        return (offsetA, offsetB)
    }
}

enum Elementwise {
    /// out = op(a, b) with NumPy broadcasting; the shapes must already be known to broadcast.
    @inline(__always)
    static func binary(_ a: [Float], _ shapeA: [Int], _ b: [Float], _ shapeB: [Int], outputShape: [Int],
                       _ op: (Float, Float) -> Float) -> [Float] {
        let count = Shape.count(outputShape)
        var out = [Float](repeating: 0, count: count)
        a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in out.withUnsafeMutableBufferPointer { out in
            let (pa, pb, po) = (a.baseAddress!, b.baseAddress!, out.baseAddress!)
            if shapeA == shapeB {
                Parallel.forRanges(count) { range in for i in range { po[i] = op(pa[i], pb[i]) } }
                return
            }
            let loop = BroadcastLoop(outputShape: outputShape, shapeA: shapeA, shapeB: shapeB)
            let inner = loop.innerCount, strideA = loop.innerStrideA, strideB = loop.innerStrideB
            Parallel.forEach(loop.outerCount, work: count) { outer in
                let (offsetA, offsetB) = loop.offsets(ofOuter: outer)
                let target = po + outer * inner, sourceA = pa + offsetA, sourceB = pb + offsetB
                if strideA == 1 && strideB == 0 {
                    let value = sourceB[0]
                    for i in 0..<inner { target[i] = op(sourceA[i], value) }
                } else if strideA == 0 && strideB == 1 {
                    let value = sourceA[0]
                    for i in 0..<inner { target[i] = op(value, sourceB[i]) }
                } else {
                    for i in 0..<inner { target[i] = op(sourceA[i * strideA], sourceB[i * strideB]) }
                }
            }
        } } }
        return out
    }

    /// out[i] = op(x[i]), in parallel for large inputs.
    @inline(__always)
    static func unary(_ x: [Float], _ op: (Float) -> Float) -> [Float] {
        var out = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { out in
            let (px, po) = (x.baseAddress!, out.baseAddress!)
            Parallel.forRanges(x.count, minimumChunk: 32_768) { range in for i in range { po[i] = op(px[i]) } }
        } }
        return out
    }

    /// Sums x viewed as [outer, n, inner] over its middle axis: out[o, i] = Σₐ x[o, a, i].
    static func sumMiddleAxis(_ x: [Float], outer: Int, n: Int, inner: Int) -> [Float] {
        var out = [Float](repeating: 0, count: outer * inner)
        x.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { out in
            let (px, po) = (x.baseAddress!, out.baseAddress!)
            Parallel.forEach(outer, work: outer * n * inner) { o in
                let target = po + o * inner
                if inner == 1 {
                    var total: Float = 0
                    let row = px + o * n
                    for a in 0..<n { total += row[a] }
                    target[0] = total
                    return
                }
                for a in 0..<n {
                    let row = px + (o * n + a) * inner
                    for i in 0..<inner { target[i] += row[i] }
                }
            }
        } }
        return out
    }
}
